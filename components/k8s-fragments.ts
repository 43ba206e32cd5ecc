// Pieces of Kubernetes objects that several areas declare the same way: the namespace-name label,
// DNS egress to CoreDNS, and a hard spread over physical hosts.
import { PHYSICAL_HOST_LABEL } from "./types";

/** Set by the API server on every namespace; network policies select namespaces by it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** CoreDNS in kube-system; kube-dns is the label it keeps for compatibility (RKE2, kubeadm, k3s). */
export const DNS_PEER = {
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } },
  podSelector: {
    matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns", "coredns"] }],
  },
};

export const DNS_PORTS: { protocol: "UDP" | "TCP"; port: number }[] = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

/** A NetworkPolicy egress rule allowing name resolution, and nothing else. */
export function dnsEgressRule(): { to: (typeof DNS_PEER)[]; ports: typeof DNS_PORTS } {
  return { to: [DNS_PEER], ports: DNS_PORTS };
}

/**
 * A hard spread over physical hosts (DoNotSchedule, maxSkew 1) that counts only hosts a pod may
 * land on: a down host's nodes carry the not-ready/unreachable NoSchedule taint, which
 * `nodeTaintsPolicy: Honor` leaves out of the count, so the pods still schedule on the hosts left.
 * `perRevision` spreads a rollout's new ReplicaSet on its own (old pods are about to go).
 */
export function hostSpreadConstraint(
  matchLabels: Record<string, string>,
  perRevision: boolean,
): {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
  labelSelector: { matchLabels: Record<string, string> };
  matchLabelKeys?: string[];
} {
  return {
    maxSkew: 1,
    topologyKey: PHYSICAL_HOST_LABEL,
    whenUnsatisfiable: "DoNotSchedule",
    nodeAffinityPolicy: "Honor",
    nodeTaintsPolicy: "Honor",
    labelSelector: { matchLabels },
    ...(perRevision ? { matchLabelKeys: ["pod-template-hash"] } : {}),
  };
}
