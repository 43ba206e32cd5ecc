// Pure builders for what one RKE2 node is told at first boot: its /etc/rancher/rke2/config.yaml,
// the join tokens, and the kube-vip static pod. Plain data in, plain text out; no Pulumi here.
import { createHash } from "crypto";
import { stringify } from "yaml";
import { NodeRole, PHYSICAL_HOST_LABEL, PLANT_HOST_LABEL } from "../types";

/** kube-vip floats the API address between the servers (ARP mode). Pinned: never `latest`. */
export const KUBE_VIP_IMAGE = "ghcr.io/kube-vip/kube-vip:v1.2.2";
/** RKE2 supervisor (join) port and Kubernetes API port. */
export const SUPERVISOR_PORT = 9345;
export const API_PORT = 6443;
/** Where kube-vip's manifest is staged; the bootstrap script fills in the interface and installs it. */
export const KUBE_VIP_TEMPLATE_PATH = "/etc/rancher/rke2/kube-vip.yaml.tmpl";
export const KUBE_VIP_MANIFEST_PATH = "/var/lib/rancher/rke2/agent/pod-manifests/kube-vip.yaml";
export const INTERFACE_PLACEHOLDER = "@VIP_INTERFACE@";

/** RKE2's hardening profile (docs.rke2.io, security/hardening_guide). */
export const RKE2_PROFILE = "cis";
/** The CNI, pinned: Canal (Calico policy on Flannel networking), RKE2's default made explicit. */
export const RKE2_CNI = "canal";

/**
 * Kernel settings the CIS profile requires before RKE2 starts (its kubelet runs with
 * protect-kernel-defaults and refuses to start otherwise): RKE2's own rke2-cis-sysctl.conf, plus
 * the two keyring limits the kubelet checks too (kubelet setupKernelTunables).
 */
export const CIS_SYSCTLS: Readonly<Record<string, number>> = {
  "kernel.keys.root_maxbytes": 25000000,
  "kernel.keys.root_maxkeys": 1000000,
  "kernel.panic": 10,
  "kernel.panic_on_oops": 1,
  "vm.overcommit_memory": 1,
  "vm.panic_on_oom": 0,
};

/** One node as RKE2 sees it. */
export interface Rke2Node {
  readonly name: string;
  readonly ip: string;
  readonly role: NodeRole;
  /** The R620 the VM runs on: becomes the zone / physical-host labels. */
  readonly physicalHost: string;
  /**
   * This server creates the cluster: its config has no `server:` (RKE2 then initialises a new
   * etcd cluster) and it carries the CA keys. True only for the first server of a cluster that
   * is not yet `bootstrapped` (config); every other server, and any server built once the
   * cluster exists, joins. Its first-boot script still probes the VIP and every other server and
   * joins the first that answers rather than start a second cluster.
   */
  readonly clusterInit: boolean;
}

/** Cluster-wide settings, identical on every node (RKE2 rejects joins when they differ). */
export interface Rke2ClusterSettings {
  readonly name: string;
  /** RKE2 release, e.g. v1.36.5+rke2r1. */
  readonly version: string;
  readonly apiVip: string;
  /** Node IPs of every server, in index order: the initialising server probes them all. */
  readonly serverIps: readonly string[];
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Taint servers so workloads land on workers (only when the cluster has workers). */
  readonly taintControlPlane: boolean;
  readonly kubeVipImage: string;
}

/** A value for a single-quoted shell assignment. Inputs are validated formats; refuse anything odd. */
export function shellValue(value: string): string {
  if (!/^[A-Za-z0-9.:/+%_-]*$/.test(value))
    throw new Error(`[userData] refusing to put '${value}' in a shell script`);
  return `'${value}'`;
}

/** sha256 of the server CA exactly as written to disk: the CA pin inside a secure join token. */
export function caHash(serverCaPem: string): string {
  return createHash("sha256").update(serverCaPem, "utf8").digest("hex");
}

/**
 * RKE2 "secure" token `K10<ca-hash>::<user>:<password>`: a joining node checks the server's CA
 * against the pin before sending anything. `server` joins servers, `node` joins agents.
 */
export function secureToken(
  serverCaPem: string,
  user: "server" | "node",
  password: string,
): string {
  if (!/^[A-Za-z0-9]+$/.test(password)) {
    throw new Error("[token] must be alphanumeric: RKE2 splits tokens on ':'");
  }
  return `K10${caHash(serverCaPem)}::${user}:${password}`;
}

export function supervisorUrl(apiVip: string): string {
  return `https://${apiVip}:${SUPERVISOR_PORT}`;
}

export function apiServerUrl(apiVip: string): string {
  return `https://${apiVip}:${API_PORT}`;
}

/** Labels set by the kubelet at registration; every spreading rule downstream keys on them. */
export function nodeLabels(node: Pick<Rke2Node, "physicalHost">): string[] {
  return [
    `${PHYSICAL_HOST_LABEL}=${node.physicalHost}`,
    `${PLANT_HOST_LABEL}=${node.physicalHost}`,
  ].sort();
}

export interface Rke2Tokens {
  /** Server join token password (alphanumeric). */
  readonly server: string;
  /** Agent join token password (alphanumeric): workers never learn the server token. */
  readonly agent: string;
  readonly serverCaPem: string;
}

/** The content of /etc/rancher/rke2/config.yaml for one node (keys and lists sorted). */
export function rke2ConfigYaml(
  node: Rke2Node,
  cluster: Rke2ClusterSettings,
  tokens: Rke2Tokens,
): string {
  const common: Record<string, unknown> = {
    "node-name": node.name,
    "node-ip": node.ip,
    "node-label": nodeLabels(node),
    // iptables mode: MetalLB L2 needs no strictARP there, and IPVS is deprecated since 1.35.
    "kube-proxy-arg": ["proxy-mode=iptables"],
    // RKE2's CIS profile on every node: the kubelet protects kernel defaults (the first-boot
    // script sets them, CIS_SYSCTLS), servers run etcd as the `etcd` user and the API server
    // enforces Pod Security `restricted` by default (kube-system exempt).
    profile: RKE2_PROFILE,
  };
  if (node.role === "worker") {
    return stringify(
      {
        ...common,
        server: supervisorUrl(cluster.apiVip),
        token: secureToken(tokens.serverCaPem, "node", tokens.agent),
      },
      { sortMapEntries: true, lineWidth: 0 },
    );
  }
  const server: Record<string, unknown> = {
    ...common,
    token: secureToken(tokens.serverCaPem, "server", tokens.server),
    "agent-token": tokens.agent,
    "tls-san": [cluster.apiVip],
    "cluster-cidr": cluster.podCidr,
    "service-cidr": cluster.serviceCidr,
    // MetalLB and Envoy Gateway replace the bundled ingress (Traefik is the 1.36 default) and ServiceLB.
    "ingress-controller": "none",
    disable: ["rke2-ingress-nginx", "rke2-traefik"],
    "enable-servicelb": false,
    "write-kubeconfig-mode": "0600",
    // Pinned, not left to RKE2's default: the metadata-service block is a Calico policy, and
    // Canal is the Calico that carries it (its chart version is pinned by the RKE2 release).
    cni: [RKE2_CNI],
  };
  if (cluster.taintControlPlane)
    server["node-taint"] = ["node-role.kubernetes.io/control-plane:NoSchedule"];
  // No `server:` makes RKE2 initialise a new cluster: only the one server told to create it
  // lacks it (its first-boot script adds one if any server already answers).
  if (!node.clusterInit) server.server = supervisorUrl(cluster.apiVip);
  return stringify(server, { sortMapEntries: true, lineWidth: 0 });
}

/** kube-vip static pod (control plane only), with the interface left as a placeholder. */
export function kubeVipManifestTemplate(cluster: Rke2ClusterSettings): string {
  const env: Record<string, string> = {
    address: cluster.apiVip,
    cp_enable: "true",
    cp_namespace: "kube-system",
    port: String(API_PORT),
    prometheus_server: ":2112",
    svc_enable: "false",
    vip_arp: "true",
    vip_interface: INTERFACE_PLACEHOLDER,
    vip_leaderelection: "true",
    vip_leaseduration: "5",
    vip_leasename: "plndr-cp-lock",
    vip_renewdeadline: "3",
    vip_retryperiod: "1",
    vip_subnet: "32",
  };
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "kube-vip",
      namespace: "kube-system",
      labels: { "app.kubernetes.io/name": "kube-vip" },
    },
    spec: {
      containers: [
        {
          name: "kube-vip",
          image: cluster.kubeVipImage,
          imagePullPolicy: "IfNotPresent",
          args: ["manager"],
          env: [
            ...Object.keys(env)
              .sort()
              .map((k) => ({ name: k, value: env[k] })),
            { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
          ],
          securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
          volumeMounts: [
            { name: "kubeconfig", mountPath: "/etc/kubernetes/admin.conf", readOnly: true },
          ],
        },
      ],
      hostAliases: [{ ip: "127.0.0.1", hostnames: ["kubernetes"] }],
      hostNetwork: true,
      // RKE2 writes its local admin kubeconfig here (API on 127.0.0.1), so the VIP is not needed to elect.
      volumes: [
        { name: "kubeconfig", hostPath: { path: "/etc/rancher/rke2/rke2.yaml", type: "File" } },
      ],
    },
  };
  return stringify(pod, { sortMapEntries: true, lineWidth: 0 });
}
