// The site as the failure-domain analysis sees it: per cluster, its nodes with their physical
// host and capacity, and what must keep running on them. Plain data in, plain data out.
import {
  alertmanagerReplicas,
  DEFAULT_OBSERVABILITY,
  hubClusterName,
  prometheusReplicas,
} from "../config/observability";
import { plannedClusterNodes } from "./cluster-nodes";
import { SiteConfig } from "../config/site";
import { parseCpu, parseMemory } from "../config/quantity";
import { Placement } from "../components/openstack/placement";
import { EXPORTER_RESOURCES } from "../components/observability/exporters-spec";
import { MONITORING_RESOURCES } from "../components/observability/stack-values";

/** CPU cores and memory in GiB. */
export interface Amount {
  readonly cpu: number;
  readonly memoryGb: number;
}

/**
 * Assumed requests of things the site config does not size. Documented in docs/guardrails.md;
 * deliberately generous so the check errs on the side of refusing.
 */
export const ASSUMED = {
  /** Kubelet/system reserve plus per-node daemons (CNI, MetalLB speaker, kube-proxy) on every node. */
  nodeSystemReserve: { cpu: 0.5, memoryGb: 1 },
  /** One PgBouncer pod of a CloudNativePG Pooler. */
  pooler: { cpu: 0.1, memoryGb: 0.25 },
  /** One Envoy proxy pod of the Gateway data plane. */
  gateway: { cpu: 0.25, memoryGb: 0.5 },
  /** Operators and controllers per cluster (CNPG, Barman plugin, cert-manager, Envoy Gateway, MetalLB). */
  clusterAddons: { cpu: 0.5, memoryGb: 1.5 },
} as const satisfies Record<string, Amount>;

export interface ModelNode {
  readonly name: string;
  readonly physicalHost: string;
  /** Runs an etcd member / API server. */
  readonly controlPlane: boolean;
  /** Workload pods may run here. */
  readonly schedulable: boolean;
  /** Allocatable after the system reserve. */
  readonly allocatable: Amount;
}

/** Pods spread one-per-physical-host as far as hosts allow (topology spread on the host label). */
export interface SpreadWorkload {
  /** e.g. `service report-web`, `gateway`. */
  readonly subject: string;
  readonly replicas: number;
}

export interface ModelDatabase {
  readonly name: string;
  readonly instances: number;
}

export interface PodGroup {
  /** e.g. `database reporting instance`. */
  readonly what: string;
  readonly count: number;
  readonly request: Amount;
}

export interface ClusterModel {
  readonly name: string;
  readonly kind: "openstack" | "existing";
  readonly nodes: readonly ModelNode[];
  readonly databases: readonly ModelDatabase[];
  readonly spread: readonly SpreadWorkload[];
  readonly staticIps: readonly { readonly name: string; readonly ip: string }[];
  /** Every pod that must fit on the surviving nodes. */
  readonly pods: readonly PodGroup[];
  /** Set when an existing cluster's API endpoint is the address of one node (no floating VIP). */
  readonly apiEndpointNode?: {
    readonly node: string;
    readonly physicalHost: string;
    readonly endpoint: string;
  };
}

export interface SiteModel {
  readonly site: string;
  readonly failuresTolerated: number;
  /** Every physical host that carries something, R620s first, in config order. */
  readonly hosts: readonly string[];
  readonly clusters: readonly ClusterModel[];
}

/** Kubernetes CPU quantity (`250m`, `1`, `1.5`) in cores; the schema admits only these. */
export function cpuCores(quantity: string): number {
  const cores = parseCpu(quantity);
  if (cores === undefined) throw new Error(`'${quantity}' is not a CPU quantity`);
  return cores;
}

/** Kubernetes memory quantity (`256Mi`, `4Gi`) in GiB; the schema admits only these. */
export function memoryGb(quantity: string): number {
  const bytes = parseMemory(quantity);
  if (bytes === undefined) throw new Error(`'${quantity}' is not a memory quantity`);
  return bytes / 2 ** 30;
}

function allocatable(cpu: number, mem: number): Amount {
  // node-exporter runs on every node (a DaemonSet): what it requests is gone with the node.
  const r = sum(ASSUMED.nodeSystemReserve, requestOf(MONITORING_RESOURCES.nodeExporter));
  return { cpu: Math.max(0, cpu - r.cpu), memoryGb: Math.max(0, mem - r.memoryGb) };
}

function nodesOf(site: SiteConfig, placement: Placement, clusterName: string): ModelNode[] {
  // Same inventory the cluster components declare: servers are tainted when a cluster has
  // workers, so they then run no workload pods.
  return plannedClusterNodes(site, placement, clusterName).map((n) => ({
    name: n.name,
    physicalHost: n.physicalHost,
    controlPlane: n.roles.includes("control-plane"),
    schedulable: n.roles.includes("worker"),
    allocatable: allocatable(n.cpu, n.memoryGb),
  }));
}

function endpointNode(
  endpoint: string,
  nodes: readonly { name: string; ip: string; physicalHost: string }[],
): ClusterModel["apiEndpointNode"] {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
  const node = nodes.find((n) => n.ip === host);
  return node ? { node: node.name, physicalHost: node.physicalHost, endpoint } : undefined;
}

function requestOf(r: { requests: { cpu: string; memory: string } }): Amount {
  return { cpu: cpuCores(r.requests.cpu), memoryGb: memoryGb(r.requests.memory) };
}

function sum(...amounts: Amount[]): Amount {
  return {
    cpu: amounts.reduce((s, a) => s + a.cpu, 0),
    memoryGb: amounts.reduce((s, a) => s + a.memoryGb, 0),
  };
}

/**
 * The monitoring pods of one cluster, from the requests the stack's values set
 * (components/observability): Prometheus and Alertmanager (each with the operator's
 * config-reloader sidecar), the operator and kube-state-metrics; on the hub also Grafana with
 * its two sidecars and the blackbox and Redfish exporters.
 */
function monitoringPods(site: SiteConfig, cluster: string): { pods: PodGroup[]; spread: string[] } {
  const R = MONITORING_RESOURCES;
  const f = site.site.failuresTolerated;
  const reloader = requestOf(R.configReloader);
  const replicas = prometheusReplicas(f);
  const pods: PodGroup[] = [
    {
      what: "monitoring prometheus",
      count: replicas,
      request: sum(requestOf(R.prometheus), reloader),
    },
    {
      what: "monitoring alertmanager",
      count: alertmanagerReplicas(site.observability ?? DEFAULT_OBSERVABILITY, f),
      request: sum(requestOf(R.alertmanager), reloader),
    },
    {
      what: "monitoring operator and kube-state-metrics",
      count: 1,
      request: sum(requestOf(R.operator), requestOf(R.kubeStateMetrics)),
    },
  ];
  // Each replica scrapes and alerts on its own (Alertmanager deduplicates): spread like a service.
  const spread = ["monitoring prometheus", "monitoring alertmanager"];
  if (cluster === hubClusterName(site)) {
    const grafana = sum(
      requestOf(R.grafana),
      requestOf(R.grafanaSidecar),
      requestOf(R.grafanaSidecar),
    );
    pods.push({ what: "monitoring grafana", count: 1, request: grafana });
    const probes = site.clusters.some((c) =>
      (c.ingress?.addresses ?? []).some((a) => a.hostnames.length > 0),
    );
    const exporters = [
      ...(probes ? ["monitoring blackbox exporter"] : []),
      ...(site.hosts.length > 0 ? ["monitoring idrac exporter"] : []),
    ];
    for (const what of exporters)
      pods.push({ what, count: replicas, request: requestOf(EXPORTER_RESOURCES) });
    spread.push(...exporters);
  }
  return { pods, spread };
}

/** Builds the model from the parsed site and the planned VM placement. */
export function buildSiteModel(site: SiteConfig, placement: Placement): SiteModel {
  const clusters: ClusterModel[] = site.clusters.map((c) => {
    const databases = site.databases.filter((d) => d.cluster === c.name);
    const services = site.services.filter((s) => s.cluster === c.name);
    const gatewayReplicas = c.ingress ? c.ingress.gatewayReplicas : 0;
    const monitoring = monitoringPods(site, c.name);
    const pods: PodGroup[] = [
      ...monitoring.pods,
      { what: "cluster add-ons", count: 1, request: ASSUMED.clusterAddons },
      ...databases.flatMap((d) => [
        {
          what: `database ${d.name} instance`,
          count: d.instances,
          request: requestOf(d.resources),
        },
        { what: `database ${d.name} pooler`, count: d.pooler.instances, request: ASSUMED.pooler },
      ]),
      ...services.map((s) => ({
        what: `service ${s.name}`,
        count: s.replicas.min,
        request: requestOf(s.resources),
      })),
      ...(gatewayReplicas > 0
        ? [{ what: "gateway", count: gatewayReplicas, request: ASSUMED.gateway }]
        : []),
    ];
    const apiEndpointNode =
      c.kind === "existing" ? endpointNode(c.apiEndpoint, c.nodes) : undefined;
    return {
      name: c.name,
      kind: c.kind,
      nodes: nodesOf(site, placement, c.name),
      databases: databases.map((d) => ({ name: d.name, instances: d.instances })),
      spread: [
        ...services.map((s) => ({ subject: `service ${s.name}`, replicas: s.replicas.min })),
        ...(gatewayReplicas > 0 ? [{ subject: "gateway", replicas: gatewayReplicas }] : []),
        ...monitoring.pods
          .filter((p) => monitoring.spread.includes(p.what))
          .map((p) => ({ subject: p.what, replicas: p.count })),
      ],
      staticIps: (c.ingress?.addresses ?? []).map((a) => ({ name: a.name, ip: a.ip })),
      pods,
      ...(apiEndpointNode ? { apiEndpointNode } : {}),
    };
  });
  const hosts = [
    ...site.hosts.map((h) => h.name),
    ...placement.vms.map((vm) => vm.host),
    ...clusters.flatMap((c) => c.nodes.map((n) => n.physicalHost)),
  ];
  return {
    site: site.site.name,
    failuresTolerated: site.site.failuresTolerated,
    hosts: [...new Set(hosts)],
    clusters,
  };
}
