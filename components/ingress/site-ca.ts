// The site's root CA, generated in the program: one per site (stack). Clients trust this one
// certificate; it signs only each cluster's intermediate (intermediate-ca.ts). Its key never leaves
// the Pulumi state (a secret there); the certificate is public.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface SiteCaArgs {
  /** e.g. "Avilla"; goes into the CA's subject. */
  readonly displayName: string;
  /** The site's DNS domain, e.g. busche-cnc.com. */
  readonly domain: string;
  /** Validity of the root in hours. Default 87600 (10 years). */
  readonly validityHours?: number;
}

export class SiteCa extends pulumi.ComponentResource {
  /** PEM of the root certificate: a stack output that clients add to their trust store. */
  public readonly certPem: pulumi.Output<string>;
  /** PEM of the root key (secret): only ever an input of the intermediates' signing. */
  public readonly keyPem: pulumi.Output<string>;
  /** Subject parts the intermediates reuse. */
  public readonly displayName: string;
  public readonly domain: string;

  constructor(name: string, args: SiteCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:SiteCa", name, {}, opts);
    this.displayName = args.displayName;
    this.domain = args.domain;
    // protect: replacing the root would break every client that trusts it.
    const key = new tls.PrivateKey(
      `${name}-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P384" },
      {
        parent: this,
        protect: true,
        additionalSecretOutputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"],
      },
    );
    const cert = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: key.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: args.validityHours ?? 87600,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        subject: {
          commonName: `${args.displayName} plant site CA`,
          organization: args.domain,
          organizationalUnit: "plant reporting platform",
        },
      },
      { parent: this, protect: true },
    );
    this.certPem = cert.certPem;
    this.keyPem = pulumi.secret(key.privateKeyPem);
    this.registerOutputs({ certPem: this.certPem });
  }
}
