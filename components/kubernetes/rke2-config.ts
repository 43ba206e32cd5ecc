// Pure builders for what one RKE2 node is told at first boot: its /etc/rancher/rke2/config.yaml,
// the join tokens, and the kube-vip static pod. Plain data in, plain text out; no Pulumi here.
import { createHash } from "crypto";
import { stringify } from "yaml";
import { cidrAsRange, ipAdd } from "../../config/ip";
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

/** One node as RKE2 sees it. */
export interface Rke2Node {
  readonly name: string;
  readonly ip: string;
  readonly role: NodeRole;
  /** The R620 the VM runs on: becomes the zone / physical-host labels. */
  readonly physicalHost: string;
  /**
   * The first server: it starts a new cluster when nothing answers on the API address yet,
   * and joins through the VIP otherwise (so rebuilding it never forks the cluster).
   */
  readonly bootstrap: boolean;
}

/** Cluster-wide settings, identical on every node (RKE2 rejects joins when they differ). */
export interface Rke2ClusterSettings {
  readonly name: string;
  /** RKE2 release, e.g. v1.36.5+rke2r1. */
  readonly version: string;
  readonly apiVip: string;
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

/**
 * Where in-cluster clients reach the API: the `kubernetes` Service IP (first address of the
 * service CIDR, what pods dial), the VIP and each server's node IP (the Service's endpoints,
 * what the CNI sees after DNAT). Sorted and de-duplicated, for NetworkPolicy ipBlocks.
 */
export function apiServerAddresses(
  serviceCidr: string,
  apiVip: string,
  serverIps: readonly string[],
) {
  const serviceIp = ipAdd(cidrAsRange(serviceCidr).start, 1);
  return [...new Set([serviceIp, apiVip, ...serverIps])].sort();
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
  };
  if (cluster.taintControlPlane)
    server["node-taint"] = ["node-role.kubernetes.io/control-plane:NoSchedule"];
  // The bootstrap server gets `server:` from its first-boot script only when a cluster already answers.
  if (!node.bootstrap) server.server = supervisorUrl(cluster.apiVip);
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
