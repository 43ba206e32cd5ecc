// Every namespace the program runs below Pod Security "restricted", with the level it enforces
// and why. The tests refuse a namespace labelled below restricted without an entry here, an
// entry nothing uses, and a chart pod its namespace's level would refuse (docs/guardrails.md).

export interface BelowRestricted {
  readonly level: "baseline" | "privileged";
  readonly reason: string;
}

export const BELOW_RESTRICTED: Readonly<Record<string, BelowRestricted>> = {
  "metallb-system": {
    level: "privileged",
    reason:
      "MetalLB's speaker answers ARP for the static IPs from the host network: hostNetwork, " +
      "NET_RAW, probes on the host address — only privileged admits it",
  },
  "envoy-gateway-system": {
    level: "baseline",
    reason:
      "Envoy Gateway creates the Envoy pods there with a shutdown-manager sidecar whose security " +
      "context it sets itself (not verified against restricted); restricted is audited and warned",
  },
  "monitoring-node": {
    level: "privileged",
    reason:
      "node-exporter reads the host it runs on: hostNetwork, hostPID and read-only host paths " +
      "(/, /proc, /sys); only privileged admits them. Nothing else runs there",
  },
  "cinder-csi": {
    level: "privileged",
    reason:
      "the Cinder CSI node plugin attaches and mounts volumes: privileged, host network, the " +
      "kubelet's directory and /dev (its controller alone would pass restricted)",
  },
};
