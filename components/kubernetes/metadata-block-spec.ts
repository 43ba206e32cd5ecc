// The cluster-wide block of pod egress to the cloud's metadata service, as plain objects: a Calico
// Tier evaluated before every other policy, holding one GlobalNetworkPolicy that denies the
// metadata addresses and passes everything else on to the next tiers (the Kubernetes
// NetworkPolicies, in Calico's `default` tier). Canal is Calico policy on Flannel networking, so
// these are the `crd.projectcalico.org/v1` resources Canal's own manifest installs (Calico
// v3.32.1 in RKE2 v1.36.4; validated against that release's CRDs in the tests).

export const CALICO_API_VERSION = "crd.projectcalico.org/v1";
/** Nova's metadata service: link-local IPv4, and its IPv6 address on IPv6 networks. */
export const METADATA_SERVICE_NETS = { v4: "169.254.169.254/32", v6: "fe80::a9fe:a9fe/128" };
export const GUARDRAIL_TIER = "plant-guardrails";
/**
 * Calico evaluates tiers by ascending order: 100 is before `kube-admin` (1,000, ClusterNetwork
 * Policies) and `default` (1,000,000, where the Kubernetes NetworkPolicies live).
 */
export const GUARDRAIL_TIER_ORDER = 100;
export const METADATA_POLICY = "deny-metadata-service";

const labels = {
  "app.kubernetes.io/part-of": "plant-kubernetes",
  "app.kubernetes.io/managed-by": "pulumi",
};

export interface CalicoObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/**
 * The tier. Its default action is Pass: a packet that no rule of the tier matched goes on to the
 * next tier instead of being dropped at the end of this one (Calico's end-of-tier rule).
 */
export function guardrailTier(): CalicoObject {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: "Tier",
    metadata: { name: GUARDRAIL_TIER, labels },
    spec: { order: GUARDRAIL_TIER_ORDER, defaultAction: "Pass" },
  };
}

/**
 * Every pod, in every namespace (`namespaceSelector: all()` selects workload endpoints only, never
 * a host): egress to the metadata service is denied, the rest passes to the next tier, where the
 * namespaces' own NetworkPolicies decide as before. Host-network pods are not pods to Calico
 * here; they reach the metadata service like any process on the node.
 */
export function metadataServicePolicy(): CalicoObject {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: "GlobalNetworkPolicy",
    metadata: { name: METADATA_POLICY, labels },
    spec: {
      tier: GUARDRAIL_TIER,
      order: 10,
      namespaceSelector: "all()",
      types: ["Egress"],
      egress: [
        { action: "Deny", ipVersion: 4, destination: { nets: [METADATA_SERVICE_NETS.v4] } },
        { action: "Deny", ipVersion: 6, destination: { nets: [METADATA_SERVICE_NETS.v6] } },
        { action: "Pass" },
      ],
    },
  };
}
