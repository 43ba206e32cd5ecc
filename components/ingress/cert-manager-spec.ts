// cert-manager chart values, issuers and certificates as plain data (validated in tests against
// the pinned cert-manager v1.21.1 CRDs).
import { PHYSICAL_HOST_LABEL } from "../types";
import { AWAIT_SECONDS, awaitAnnotations, condition } from "../k8s-await";
import {
  ACME_ISSUER,
  AddressPlan,
  HostPlan,
  HTTP_LISTENER,
  NAMESPACES,
  SITE_CA_ISSUER,
  SITE_CA_SECRET,
} from "./model";

export const CERT_MANAGER_API_VERSION = "cert-manager.io/v1";
/** Helm release name: fixes the object names and the pod labels the spread rules select. */
export const CERT_MANAGER_RELEASE = "cert-manager";

/** cert-manager's pods all meet the `restricted` Pod Security level (chart defaults). */
export const CERT_MANAGER_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

function spreadOverHosts(component: string): Record<string, unknown>[] {
  return [
    {
      maxSkew: 1,
      topologyKey: PHYSICAL_HOST_LABEL,
      // ScheduleAnyway: with a host down the second replica still starts on a surviving host.
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: {
        matchLabels: {
          "app.kubernetes.io/instance": CERT_MANAGER_RELEASE,
          "app.kubernetes.io/component": component,
        },
      },
    },
  ];
}

export interface CertManagerValuesArgs {
  /** Needed for the ACME HTTP-01 solver that attaches an HTTPRoute to the Gateway. */
  readonly enableGatewayApi: boolean;
}

/**
 * Two replicas of the controller and the webhook (the webhook must answer for every Certificate and
 * Issuer write), spread over physical hosts, each with a PDB. CRDs come with the chart and stay on
 * uninstall (`crds.keep`), so removing the release never deletes every certificate.
 */
export function certManagerValues(args: CertManagerValuesArgs): Record<string, unknown> {
  const pdb = { enabled: true, minAvailable: 1 };
  return {
    crds: { enabled: true, keep: true },
    replicaCount: 2,
    podDisruptionBudget: pdb,
    topologySpreadConstraints: spreadOverHosts("controller"),
    webhook: {
      replicaCount: 2,
      podDisruptionBudget: pdb,
      topologySpreadConstraints: spreadOverHosts("webhook"),
    },
    cainjector: {
      replicaCount: 2,
      podDisruptionBudget: pdb,
      topologySpreadConstraints: spreadOverHosts("cainjector"),
    },
    ...(args.enableGatewayApi
      ? {
          config: {
            apiVersion: "controller.config.cert-manager.io/v1alpha1",
            kind: "ControllerConfiguration",
            enableGatewayAPI: true,
          },
        }
      : {}),
  };
}

export interface ClusterObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Issuers: Ready once cert-manager accepted them (ACME: the account is registered). */
const ISSUER_AWAIT = awaitAnnotations([condition("Ready")], AWAIT_SECONDS.issuer);
/** Certificates: Ready once issued and stored in their Secret. */
const CERTIFICATE_AWAIT = awaitAnnotations([condition("Ready")], AWAIT_SECONDS.certificate);

/** The site CA issuer: signs with the key pair in Secret SITE_CA_SECRET (cert-manager namespace). */
export function siteCaIssuer(): ClusterObject {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "ClusterIssuer",
    metadata: { name: SITE_CA_ISSUER, annotations: { ...ISSUER_AWAIT } },
    spec: { ca: { secretName: SITE_CA_SECRET } },
  };
}

export interface AcmeArgs {
  readonly server: string;
  readonly email: string;
  /** Every Gateway of the cluster: the HTTP-01 challenge route attaches to their HTTP listener. */
  readonly gateways: readonly Pick<AddressPlan, "gatewayName">[];
}

export function acmeIssuer(args: AcmeArgs): ClusterObject {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "ClusterIssuer",
    metadata: { name: ACME_ISSUER, annotations: { ...ISSUER_AWAIT } },
    spec: {
      acme: {
        server: args.server,
        email: args.email,
        privateKeySecretRef: { name: `${ACME_ISSUER}-account` },
        solvers: [
          {
            http01: {
              gatewayHTTPRoute: {
                parentRefs: args.gateways.map((g) => ({
                  group: "gateway.networking.k8s.io",
                  kind: "Gateway",
                  name: g.gatewayName,
                  namespace: NAMESPACES.gateways,
                  sectionName: HTTP_LISTENER,
                })),
              },
            },
          },
        ],
      },
    },
  };
}

/**
 * The serving certificate of one host name. ECDSA P-256 with a fresh key on every renewal. Site CA
 * certificates live 90 days and renew 30 days before expiry; ACME servers choose their own lifetime.
 */
export function hostCertificate(host: HostPlan, issuerName: string, acme: boolean): ClusterObject {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "Certificate",
    metadata: {
      name: host.certificate,
      namespace: NAMESPACES.gateways,
      annotations: { ...CERTIFICATE_AWAIT },
    },
    spec: {
      secretName: host.secretName,
      dnsNames: [host.fqdn],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: issuerName },
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      usages: ["digital signature", "server auth"],
      ...(acme ? {} : { duration: "2160h", renewBefore: "720h" }),
    },
  };
}

/**
 * cert-manager's validating webhook (failurePolicy Fail) over every cert-manager.io and
 * acme.cert-manager.io kind. (Its mutating twin covers only CertificateRequests, which the
 * program never creates: cert-manager's controller does.)
 */
export const CERT_MANAGER_WEBHOOK = `ValidatingWebhookConfiguration/${CERT_MANAGER_RELEASE}-webhook`;

/** What the webhook gate dry-runs: the simplest valid Issuer. */
export function webhookProbeIssuer(): ClusterObject {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "Issuer",
    metadata: { name: "webhook-gate-probe" },
    spec: { selfSigned: {} },
  };
}
