// Ingress policies of the add-on namespaces (cert-manager, MetalLB, CloudNativePG): deny by
// default, then open exactly the ports the charts' pods serve to whom calls them. Admission
// webhooks are called by the API server from the control-plane hosts' network, whose source
// address differs by CNI and cluster kind, so a webhook port is open to any source — and nothing
// else is. The webhook gates' Jobs listen on nothing and get nothing.
import { NAMESPACE_NAME_LABEL } from "./k8s-fragments";

export interface AllowedIngress {
  /** Policy name suffix: `allow-<name>`. */
  readonly name: string;
  /** Labels of the pods that serve. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  /** UDP ports besides (e.g. Alertmanager's gossip). Default none. */
  readonly udpPorts?: readonly number[];
  /** Namespaces (by name) whose pods may call; absent = any source (the API server). */
  readonly fromNamespaces?: readonly string[];
  /** Pod labels of the callers inside those namespaces. */
  readonly fromPodLabels?: Readonly<Record<string, string>>;
}

export interface NetworkPolicyObject {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: string[];
    ingress?: Record<string, unknown>[];
  };
}

/** The default-deny policy the policy pack requires in every namespace running workloads. */
export const DEFAULT_DENY_INGRESS = "default-deny-ingress";

function allowPolicy(namespace: string, a: AllowedIngress): NetworkPolicyObject {
  const ports = [
    ...a.ports.map((port) => ({ protocol: "TCP", port })),
    ...(a.udpPorts ?? []).map((port) => ({ protocol: "UDP", port })),
  ];
  const from = a.fromNamespaces?.map((ns) => ({
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } },
    ...(a.fromPodLabels ? { podSelector: { matchLabels: { ...a.fromPodLabels } } } : {}),
  }));
  return {
    metadata: { name: `allow-${a.name}`, namespace },
    spec: {
      podSelector: { matchLabels: { ...a.podLabels } },
      policyTypes: ["Ingress"],
      ingress: [{ ...(from ? { from } : {}), ports }],
    },
  };
}

/** Allow policies first (declare them before the deny), then the namespace-wide deny. */
export function addonIngressPolicies(
  namespace: string,
  allows: readonly AllowedIngress[],
): { allows: NetworkPolicyObject[]; deny: NetworkPolicyObject } {
  return {
    allows: allows.map((a) => allowPolicy(namespace, a)),
    deny: {
      metadata: { name: DEFAULT_DENY_INGRESS, namespace },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    },
  };
}
