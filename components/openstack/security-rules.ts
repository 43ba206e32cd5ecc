// The security-group rules of one cluster, as plain data. Least privilege: management from the
// admin CIDRs, node-to-node ports only from the cluster's own group, HTTP/HTTPS from the plant
// LAN only when the cluster has static ingress addresses. There is no world-open ingress rule.
//
// Neutron rules match the source only, never the destination: "HTTP/HTTPS to the ingress IPs"
// is an ingress rule on the node ports, which carry those IPs as allowed address pairs. Nothing
// listens on 80/443 on the node addresses themselves (Envoy sits behind the MetalLB VIPs).

export type RuleRemote = { readonly cidr: string } | { readonly self: true };

export interface SecurityRule {
  /** Stable identifier; the Pulumi resource name is derived from it (never from a list index). */
  readonly id: string;
  readonly description: string;
  readonly direction: "ingress" | "egress";
  readonly protocol?: "tcp" | "udp" | "icmp";
  readonly portMin?: number;
  readonly portMax?: number;
  readonly remote: RuleRemote;
}

export interface ClusterRuleInput {
  readonly adminCidrs: readonly string[];
  readonly lanCidr: string;
  /** The cluster has static ingress addresses (MetalLB VIPs) to serve. */
  readonly hasIngress: boolean;
}

/** Ports only the cluster's own members may reach (remote group = the cluster's group). */
export const NODE_TO_NODE_PORTS: readonly {
  id: string;
  protocol: "tcp" | "udp";
  min: number;
  max: number;
  what: string;
}[] = [
  { id: "api", protocol: "tcp", min: 6443, max: 6443, what: "Kubernetes API" },
  {
    id: "rke2-supervisor",
    protocol: "tcp",
    min: 9345,
    max: 9345,
    what: "RKE2 supervisor (node join)",
  },
  { id: "etcd", protocol: "tcp", min: 2379, max: 2380, what: "etcd client and peer" },
  {
    id: "kubelet",
    protocol: "tcp",
    min: 10250,
    max: 10250,
    what: "kubelet API (logs, exec, metrics)",
  },
  {
    id: "canal-vxlan",
    protocol: "udp",
    min: 8472,
    max: 8472,
    what: "Canal (flannel) VXLAN pod network",
  },
  {
    id: "node-exporter",
    protocol: "tcp",
    min: 9100,
    max: 9100,
    what: "node-exporter metrics (Prometheus on any node)",
  },
  {
    id: "kube-vip-metrics",
    protocol: "tcp",
    min: 2112,
    max: 2112,
    what: "kube-vip metrics",
  },
  {
    id: "metallb-speaker-metrics",
    protocol: "tcp",
    min: 9120,
    max: 9120,
    what: "MetalLB speaker metrics",
  },
  {
    id: "metallb-memberlist-tcp",
    protocol: "tcp",
    min: 7946,
    max: 7946,
    what: "MetalLB memberlist",
  },
  {
    id: "metallb-memberlist-udp",
    protocol: "udp",
    min: 7946,
    max: 7946,
    what: "MetalLB memberlist",
  },
];

/** `10.1.0.224/27` → `10-1-0-224-27`, for rule ids and resource names. */
export function cidrSlug(cidr: string): string {
  return cidr.replace(/[./]/g, "-");
}

export function clusterSecurityRules(input: ClusterRuleInput): SecurityRule[] {
  const rules: SecurityRule[] = [
    // Egress stays open (IPv4): image pulls, apt, NTP, DNS and the S3 endpoint are all outbound.
    {
      id: "egress-ipv4",
      description: "all outbound IPv4",
      direction: "egress",
      remote: { cidr: "0.0.0.0/0" },
    },
    {
      id: "icmp-self",
      description: "ICMP between cluster members",
      direction: "ingress",
      protocol: "icmp",
      remote: { self: true },
    },
  ];
  for (const p of NODE_TO_NODE_PORTS) {
    rules.push({
      id: `${p.id}-self`,
      description: `${p.what} between cluster members`,
      direction: "ingress",
      protocol: p.protocol,
      portMin: p.min,
      portMax: p.max,
      remote: { self: true },
    });
  }
  for (const cidr of input.adminCidrs) {
    const slug = cidrSlug(cidr);
    rules.push(
      {
        id: `ssh-${slug}`,
        description: `SSH from admin network ${cidr}`,
        direction: "ingress",
        protocol: "tcp",
        portMin: 22,
        portMax: 22,
        remote: { cidr },
      },
      {
        id: `api-${slug}`,
        description: `Kubernetes API from admin network ${cidr}`,
        direction: "ingress",
        protocol: "tcp",
        portMin: 6443,
        portMax: 6443,
        remote: { cidr },
      },
      {
        id: `icmp-${slug}`,
        description: `ICMP (ping, path MTU) from admin network ${cidr}`,
        direction: "ingress",
        protocol: "icmp",
        remote: { cidr },
      },
    );
  }
  if (input.hasIngress) {
    const lan = input.lanCidr;
    rules.push(
      {
        id: "http-lan",
        description: `HTTP to the static ingress IPs from the plant LAN ${lan}`,
        direction: "ingress",
        protocol: "tcp",
        portMin: 80,
        portMax: 80,
        remote: { cidr: lan },
      },
      {
        id: "https-lan",
        description: `HTTPS to the static ingress IPs from the plant LAN ${lan}`,
        direction: "ingress",
        protocol: "tcp",
        portMin: 443,
        portMax: 443,
        remote: { cidr: lan },
      },
    );
  }
  return rules;
}

/** Why a rule would open ingress to the world, or undefined. Used by tests and as a last guard. */
export function worldOpenProblem(rule: SecurityRule): string | undefined {
  if (rule.direction !== "ingress") return undefined;
  if ("self" in rule.remote) return undefined;
  const prefix = Number(rule.remote.cidr.split("/")[1] ?? "32");
  if (prefix === 0) return `rule ${rule.id} opens ingress from ${rule.remote.cidr}`;
  return undefined;
}
