// One cluster's issuing CA: its own key pair, signed by the site root. Only this intermediate's
// key goes into the cluster (cert-manager's CA Secret); the root key stays in the Pulumi state, so
// a compromised cluster (an Optiplex desktop included) can be cut off by replacing its
// intermediate, and cannot mint certificates for another cluster's CA.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { SiteCa } from "./site-ca";

/** Two years; the tls provider re-issues on a `pulumi up` within the last 90 days. */
export const INTERMEDIATE_VALIDITY_HOURS = 17520;
export const INTERMEDIATE_EARLY_RENEWAL_HOURS = 2160;
/** Signing certificates and CRLs only: no server/client auth, no digital signature of its own. */
export const INTERMEDIATE_ALLOWED_USES = ["cert_signing", "crl_signing"] as const;

export interface IntermediateCaArgs {
  /** The cluster whose issuer signs with this CA; goes into the subject. */
  readonly clusterName: string;
  /** The site root that signs this intermediate. */
  readonly root: SiteCa;
}

export class IntermediateCa extends pulumi.ComponentResource {
  /** PEM of the intermediate certificate. */
  public readonly certPem: pulumi.Output<string>;
  /** Intermediate then root: what cert-manager's CA issuer serves after each leaf. */
  public readonly chainPem: pulumi.Output<string>;
  /** PEM of the intermediate key (secret). */
  public readonly keyPem: pulumi.Output<string>;
  /** The key and the certificate: the CA Secret depends on these, never on the root key. */
  public readonly resources: readonly pulumi.Resource[];

  constructor(name: string, args: IntermediateCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:IntermediateCa", name, {}, opts);
    const { root } = args;
    const key = new tls.PrivateKey(
      `${name}-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P384" },
      {
        parent: this,
        additionalSecretOutputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"],
      },
    );
    const csr = new tls.CertRequest(
      `${name}-csr`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: {
          commonName: `${root.displayName} ${args.clusterName} issuing CA`,
          organization: root.domain,
          organizationalUnit: "plant reporting platform",
        },
      },
      { parent: this },
    );
    // No path-length constraint: the provider cannot encode pathlen 0 (0 means "unset"), and the
    // key usages alone keep this CA from serving TLS itself.
    const cert = new tls.LocallySignedCert(
      `${name}-cert`,
      {
        certRequestPem: csr.certRequestPem,
        caCertPem: root.certPem,
        caPrivateKeyPem: root.keyPem,
        isCaCertificate: true,
        allowedUses: [...INTERMEDIATE_ALLOWED_USES],
        validityPeriodHours: INTERMEDIATE_VALIDITY_HOURS,
        earlyRenewalHours: INTERMEDIATE_EARLY_RENEWAL_HOURS,
      },
      { parent: this },
    );
    this.certPem = cert.certPem;
    this.chainPem = pulumi
      .all([cert.certPem, root.certPem])
      .apply(([intermediate, rootPem]) => `${intermediate.trimEnd()}\n${rootPem.trimEnd()}\n`);
    this.keyPem = pulumi.secret(key.privateKeyPem);
    this.resources = [key, cert];
    this.registerOutputs({ certPem: this.certPem });
  }
}
