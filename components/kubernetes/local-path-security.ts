// Hardening of the local-path provisioner (pure, plain objects): security contexts, the probe
// script, the PodDisruptionBudget and the namespace's NetworkPolicies.
//
// Two kinds of pods run in the namespace. The provisioner itself only talks to the Kubernetes
// API: it runs under Pod Security "restricted". For every volume it creates a short-lived
// helper pod from the `helperPod.yaml` template in its ConfigMap; that pod mounts the node's
// host path as root to create or delete the volume's directory, so the namespace is labelled
// for the privileged level. Neither pod needs any inbound traffic, and helper pods no network.

import { dnsEgressRule } from "../k8s-fragments";

/** Unprivileged UID/GID for the provisioner (the image defines no user of its own). */
export const PROVISIONER_UID = 65532;

/** Pod-level settings of the provisioner pod (Pod Security "restricted"). */
export const provisionerPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: PROVISIONER_UID,
  runAsGroup: PROVISIONER_UID,
  fsGroup: PROVISIONER_UID,
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Container settings of the provisioner. The root filesystem is read-only: the process reads
 * its config from the mounted ConfigMap and writes nothing (logs go to stderr); /tmp is an
 * emptyDir in case a library wants scratch space.
 */
export const provisionerSecurityContext = {
  runAsNonRoot: true,
  runAsUser: PROVISIONER_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Helper pods stay root (they create and remove directories under the host path, including
 * volume contents owned by the workloads' UIDs) but keep only what that needs:
 * DAC_OVERRIDE to enter and delete other owners' directories, FOWNER for sticky directories.
 */
export const helperSecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Exec probe of the provisioner. v0.0.32 serves no health endpoint (upstream added `/health`
 * after this release, rancher/local-path-provisioner#583), so the probe checks what the
 * process exists for: it holds an ESTABLISHED TCP connection to the API server, at the
 * address client-go's in-cluster config dials (KUBERNETES_SERVICE_HOST:PORT), in the pod's own
 * /proc/net/tcp (little-endian hex, state 01). Its informers keep watches open all the time,
 * so a provisioner that never connected (RBAC, NetworkPolicy, CNI) or lost the API for
 * minutes fails it. It cannot see a deadlock inside a connected process. IPv4 only.
 */
export const API_CONNECTION_PROBE = `ip=$KUBERNETES_SERVICE_HOST
a=\${ip%%.*}; ip=\${ip#*.}
b=\${ip%%.*}; ip=\${ip#*.}
c=\${ip%%.*}; d=\${ip#*.}
peer=$(printf '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$KUBERNETES_SERVICE_PORT")
grep -q " $peer 01 " /proc/net/tcp
`;

const exec = { exec: { command: ["/bin/sh", "-c", API_CONNECTION_PROBE] }, timeoutSeconds: 5 };

/**
 * Startup: up to 2 minutes to read its config and open its watches. Readiness gates the
 * rollout. Liveness restarts it only after 3 minutes without the API: a restart re-lists
 * everything, which is harmless, but must not flap on a short API hiccup.
 */
export const provisionerProbes = {
  startupProbe: { ...exec, periodSeconds: 5, failureThreshold: 24 },
  readinessProbe: { ...exec, periodSeconds: 10, failureThreshold: 3 },
  livenessProbe: { ...exec, periodSeconds: 20, failureThreshold: 9 },
};

/** Kubernetes API ports: 443 (the `kubernetes` Service) and 6443 (the servers, after DNAT). */
export const API_PORTS = [443, 6443] as const;

export interface LocalPathPolicyInput {
  readonly namespace: string;
  /** Labels selecting the provisioner's pods (not the helper pods). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * IPv4 addresses the provisioner may reach on the API ports: the `kubernetes` Service IP,
   * the API VIP and the servers' node IPs. Empty: any address on those ports.
   */
  readonly apiServerAddresses: readonly string[];
}

function networkPolicy(input: LocalPathPolicyInput, name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: input.namespace, labels: { ...input.labels } },
    spec,
  };
}

/**
 * Default deny in both directions for every pod of the namespace (helper pods included: they
 * only touch the host path), then egress for the provisioner to the API and to DNS.
 */
export function localPathNetworkPolicies(input: LocalPathPolicyInput) {
  const apiPeers = [...input.apiServerAddresses]
    .sort()
    .map((ip) => ({ ipBlock: { cidr: `${ip}/32` } }));
  const apiRule = {
    ...(apiPeers.length > 0 ? { to: apiPeers } : {}),
    ports: API_PORTS.map((port) => ({ protocol: "TCP", port })),
  };
  const dnsRule = dnsEgressRule();
  return {
    defaultDeny: networkPolicy(input, "default-deny", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    }),
    provisionerEgress: networkPolicy(input, "local-path-provisioner-egress", {
      podSelector: { matchLabels: { ...input.podLabels } },
      policyTypes: ["Egress"],
      egress: [apiRule, dnsRule],
    }),
  };
}

/**
 * One replica (v0.0.32 runs its controller with leader election off, so two replicas would
 * race on every volume): `maxUnavailable: 1` lets a drain evict it; it comes back elsewhere
 * and only volume creation/deletion waits meanwhile.
 */
export function localPathPodDisruptionBudget(input: LocalPathPolicyInput, name: string) {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: input.namespace, labels: { ...input.labels } },
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...input.podLabels } } },
  };
}
