// The CA of one database's server certificates, made by the program so every client can be
// handed ca.crt at plan time (tls-spec.ts says why not CloudNativePG's own, 90-day CA).
// CloudNativePG reads the Secret as `spec.certificates.serverCASecret` and signs and renews the
// instances' (and poolers') `<cluster>-server` certificate with it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { SERVER_CA_KEYS, SERVER_CA_VALIDITY_HOURS } from "./tls-spec";

export interface DatabaseServerCaArgs {
  /** The Cluster's name (the CA's common name says whose it is). */
  readonly cluster: string;
  readonly namespace: string;
  /** metadata.name of the Secret (`<db>-server-ca`, names.ts). */
  readonly secretName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly provider: k8s.Provider;
  /** The database namespace. */
  readonly dependsOn: readonly pulumi.Resource[];
}

export class DatabaseServerCa extends pulumi.ComponentResource {
  /** PEM of the CA certificate (public): what clients verify the server against. */
  public readonly certPem: pulumi.Output<string>;
  /** The Secret CloudNativePG reads (ca.crt, ca.key). */
  public readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: DatabaseServerCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:postgres:DatabaseServerCa", name, {}, opts);
    // ECDSA P-256: CloudNativePG signs with the CA key only if it parses as an "EC PRIVATE KEY"
    // (pkg/certs ParseECPrivateKey), which is how the tls provider writes an ECDSA key.
    const key = new tls.PrivateKey(
      `${name}-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P256" },
      { parent: this },
    );
    const cert = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: key.privateKeyPem,
        isCaCertificate: true,
        allowedUses: ["cert_signing", "crl_signing"],
        validityPeriodHours: SERVER_CA_VALIDITY_HOURS,
        // Go copies the old leaf's authority key id unless the issuer has a subject key id.
        setSubjectKeyId: true,
        subject: { commonName: `${args.cluster} server CA`, organization: "plant postgres" },
      },
      { parent: this },
    );
    this.secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: args.secretName, namespace: args.namespace, labels: { ...args.labels } },
        type: "Opaque",
        stringData: {
          [SERVER_CA_KEYS.cert]: cert.certPem,
          [SERVER_CA_KEYS.key]: pulumi.secret(key.privateKeyPem),
        },
      },
      { parent: this, provider: args.provider, dependsOn: [...args.dependsOn] },
    );
    this.certPem = cert.certPem;
    this.registerOutputs({ certPem: this.certPem });
  }
}
