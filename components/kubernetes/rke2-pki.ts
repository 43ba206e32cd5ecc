// The cluster's certificate authorities, made in the program so the admin kubeconfig can be
// computed before any VM boots. RKE2 uses CA files it finds at first start instead of making
// its own (docs.rke2.io, "Using Custom CA Certificates").
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { Rke2CaBundle } from "./rke2-userdata";

/** Ten years, like RKE2's own CAs. A CA renewal changes every server's user data (see docs). */
const CA_VALIDITY_HOURS = 10 * 365 * 24;
/**
 * The admin client certificate lasts two years and is renewed only on purpose
 * (docs/kubernetes.md, "Rotating the admin certificate"). Automatic early renewal would make the
 * certificate, hence the kubeconfig and the cluster's provider, unknown in an ordinary preview:
 * every chart would preview empty and the policy pack would see none of its objects.
 */
const ADMIN_VALIDITY_HOURS = 2 * 365 * 24;
/** Every preview and deploy warns this long before the admin certificate expires. */
export const ADMIN_EXPIRY_WARNING_DAYS = 60;
const CA_USES = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"];

/** CA name → the common name RKE2 would give it (so `openssl x509 -subject` looks familiar). */
export const CA_NAMES = {
  serverCa: "rke2-server-ca",
  clientCa: "rke2-client-ca",
  requestHeaderCa: "rke2-request-header-ca",
  etcdPeerCa: "etcd-peer-ca",
  etcdServerCa: "etcd-server-ca",
} as const;
type CaKey = keyof typeof CA_NAMES;

export interface Rke2PkiArgs {
  /** Cluster name, recorded in the certificates' organization. */
  readonly clusterName: string;
}

interface Ca {
  readonly key: tls.PrivateKey;
  readonly cert: tls.SelfSignedCert;
}

export class Rke2Pki extends pulumi.ComponentResource {
  /** Every CA certificate and key plus the service-account key, as one secret. */
  readonly caBundle: pulumi.Output<Rke2CaBundle>;
  /** Server CA certificate (public): the kubeconfig's certificate-authority-data. */
  readonly serverCaCertPem: pulumi.Output<string>;
  /** Admin client certificate (group system:masters) and its key (secret). */
  readonly adminCertPem: pulumi.Output<string>;
  readonly adminKeyPem: pulumi.Output<string>;

  constructor(name: string, args: Rke2PkiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:Rke2Pki", name, {}, opts);
    const cas = {} as Record<CaKey, Ca>;
    for (const caKey of Object.keys(CA_NAMES) as CaKey[]) {
      const cn = CA_NAMES[caKey];
      const key = new tls.PrivateKey(
        `${name}-${cn}-key`,
        { algorithm: "ECDSA", ecdsaCurve: "P256" },
        { parent: this },
      );
      const cert = new tls.SelfSignedCert(
        `${name}-${cn}`,
        {
          privateKeyPem: key.privateKeyPem,
          isCaCertificate: true,
          allowedUses: CA_USES,
          validityPeriodHours: CA_VALIDITY_HOURS,
          subject: { commonName: cn, organization: `plant ${args.clusterName}` },
        },
        { parent: this },
      );
      cas[caKey] = { key, cert };
    }
    // RKE2 signs service-account tokens with an RSA key (service.key).
    const serviceKey = new tls.PrivateKey(
      `${name}-service-account-key`,
      { algorithm: "RSA", rsaBits: 2048 },
      { parent: this },
    );

    const adminKey = new tls.PrivateKey(
      `${name}-admin-key`,
      { algorithm: "ECDSA", ecdsaCurve: "P256" },
      { parent: this },
    );
    const adminCsr = new tls.CertRequest(
      `${name}-admin`,
      {
        privateKeyPem: adminKey.privateKeyPem,
        subject: { commonName: "plant-admin", organization: "system:masters" },
      },
      { parent: this },
    );
    const adminCert = new tls.LocallySignedCert(
      `${name}-admin`,
      {
        certRequestPem: adminCsr.certRequestPem,
        caCertPem: cas.clientCa.cert.certPem,
        caPrivateKeyPem: cas.clientCa.key.privateKeyPem,
        allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
        validityPeriodHours: ADMIN_VALIDITY_HOURS,
      },
      { parent: this },
    );
    adminCert.validityEndTime.apply((end) => {
      const warning = adminExpiryWarning(args.clusterName, end, new Date());
      if (warning) void pulumi.log.warn(warning, adminCert);
    });

    const pair = (ca: Ca) => ({ certPem: ca.cert.certPem, keyPem: ca.key.privateKeyPem });
    this.caBundle = pulumi.secret(
      pulumi.output({
        serverCa: pair(cas.serverCa),
        clientCa: pair(cas.clientCa),
        requestHeaderCa: pair(cas.requestHeaderCa),
        etcdPeerCa: pair(cas.etcdPeerCa),
        etcdServerCa: pair(cas.etcdServerCa),
        serviceAccountKeyPem: serviceKey.privateKeyPem,
      }),
    );
    this.serverCaCertPem = cas.serverCa.cert.certPem;
    this.adminCertPem = adminCert.certPem;
    this.adminKeyPem = pulumi.secret(adminKey.privateKeyPem);
    this.registerOutputs({
      serverCaCertPem: this.serverCaCertPem,
      adminCertPem: this.adminCertPem,
    });
  }
}

/** A warning when the admin certificate expires within ADMIN_EXPIRY_WARNING_DAYS of `now`. */
export function adminExpiryWarning(
  cluster: string,
  validityEnd: string,
  now: Date,
): string | undefined {
  const end = Date.parse(validityEnd);
  if (Number.isNaN(end)) return undefined;
  const days = Math.floor((end - now.getTime()) / 86_400_000);
  if (days > ADMIN_EXPIRY_WARNING_DAYS) return undefined;
  return (
    `cluster '${cluster}': the admin client certificate ${days < 0 ? "expired" : `expires in ${days} days`} ` +
    `(${validityEnd}); rotate it on purpose: docs/kubernetes.md, "Rotating the admin certificate"`
  );
}
