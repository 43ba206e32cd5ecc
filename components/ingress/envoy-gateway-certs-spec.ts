// Envoy Gateway's control-plane certificates as plain cert-manager objects. The chart makes them
// only in its `certgen` pre-install hook Job, which helm.v4.Chart drops; without Secret
// `envoy-gateway` the controller never starts (it mounts it without `optional`), and without
// `envoy` no proxy connects to xDS. Names, keys and DNS names follow Envoy Gateway v1.9's own
// guide (site/content/en/v1.9/install/custom-cert.md) and certgen's Secrets
// (internal/provider/kubernetes/secrets.go: `ca.crt`, `tls.crt`, `tls.key`; `envoy-oidc-hmac`
// holds `hmac-secret`). cert-manager renews them; the controller loads its certificate on every
// TLS handshake (internal/crypto/cert_load.go), so a renewal needs no restart.
import { CERT_MANAGER_API_VERSION } from "./cert-manager-spec";
import { NAMESPACES } from "./model";

export interface CertManagerObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The Secrets certgen would have made, in the controller's namespace. */
export const ENVOY_GATEWAY_SECRETS = {
  controller: "envoy-gateway",
  proxy: "envoy",
  rateLimit: "envoy-rate-limit",
  oidcHmac: "envoy-oidc-hmac",
} as const;

const CA_SECRET = "envoy-gateway-ca";
const SELF_SIGNED_ISSUER = "envoy-gateway-selfsigned";
const CA_ISSUER = "envoy-gateway-ca";

/** Ready once cert-manager has issued (Certificates) or accepted (Issuers) the object. */
export const CERT_MANAGER_AWAIT = {
  "pulumi.com/waitFor": "condition=Ready",
  "pulumi.com/timeoutSeconds": "600",
} as const;

function object(kind: string, name: string, spec: Record<string, unknown>): CertManagerObject {
  const ns = NAMESPACES.envoyGateway;
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind,
    metadata: { name, namespace: ns, labels: { "app.kubernetes.io/name": "envoy-gateway" } },
    spec,
  };
}

/**
 * The guide's usages, and no extended key usage: the same certificates serve and authenticate
 * clients (mutual TLS between controller and proxies), and a certificate without an EKU
 * extension is accepted for both.
 */
const USAGES = ["digital signature", "data encipherment", "key encipherment", "content commitment"];

function leaf(name: string, commonName: string, dnsNames: string[]): CertManagerObject {
  return object("Certificate", name, {
    secretName: name,
    commonName,
    dnsNames,
    // certgen's lifetime is a year; cert-manager renews a third before expiry.
    duration: "8760h",
    renewBefore: "2920h",
    privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
    usages: USAGES,
    issuerRef: { group: "cert-manager.io", kind: "Issuer", name: CA_ISSUER },
  });
}

export interface EnvoyGatewayCertObjects {
  readonly selfSignedIssuer: CertManagerObject;
  readonly caCertificate: CertManagerObject;
  readonly caIssuer: CertManagerObject;
  /** envoy-gateway (controller, xDS server), envoy (proxies), envoy-rate-limit. */
  readonly leaves: readonly CertManagerObject[];
}

/** `clusterDomain` must match the chart's `kubernetesClusterDomain` (default cluster.local). */
export function envoyGatewayCertObjects(clusterDomain = "cluster.local"): EnvoyGatewayCertObjects {
  const ns = NAMESPACES.envoyGateway;
  const svc = ENVOY_GATEWAY_SECRETS.controller;
  return {
    selfSignedIssuer: object("Issuer", SELF_SIGNED_ISSUER, { selfSigned: {} }),
    // A private CA only the controller and its proxies trust; ten years, renewed by cert-manager.
    caCertificate: object("Certificate", CA_SECRET, {
      isCA: true,
      commonName: "envoy-gateway",
      secretName: CA_SECRET,
      duration: "87600h",
      renewBefore: "8760h",
      privateKey: { algorithm: "RSA", size: 2048 },
      issuerRef: { group: "cert-manager.io", kind: "Issuer", name: SELF_SIGNED_ISSUER },
    }),
    caIssuer: object("Issuer", CA_ISSUER, { ca: { secretName: CA_SECRET } }),
    leaves: [
      leaf(svc, "envoy-gateway", [
        svc,
        `${svc}.${ns}`,
        `${svc}.${ns}.svc`,
        `${svc}.${ns}.svc.${clusterDomain}`,
      ]),
      leaf(ENVOY_GATEWAY_SECRETS.proxy, "*", [`*.${ns}`]),
      leaf(ENVOY_GATEWAY_SECRETS.rateLimit, "*", [`*.${ns}`]),
    ],
  };
}
