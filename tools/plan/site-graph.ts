// The picture of a site as plain data, read from a plan: physical hosts with their nodes, the
// static IPs → Gateways → routes → Services chain, and the databases with their instances on
// hosts. Pure; site-dot.ts turns it into Graphviz DOT and site-svg.ts renders that.
//
// Hosts and nodes come from the checked site (config and VM placement, as the failure-domain
// analysis sees them); everything inside the clusters comes from the Kubernetes objects the
// program declared, so the picture shows what the plan would create, not what config intends.
import type { PreparedSite } from "../../program";
import { NodeRole } from "../../components/types";
import { plannedClusterNodes } from "../../planning/cluster-nodes";
import { PlannedManifest } from "./manifests";

export interface SiteGraphInput {
  readonly site: Omit<PreparedSite, "secrets">;
  readonly manifests: readonly PlannedManifest[];
}

export interface HostNode {
  readonly name: string;
  readonly cluster: string;
  readonly roles: readonly NodeRole[];
  readonly ip: string;
  readonly cpu: number;
  readonly memoryGb: number;
}

export interface DbInstance {
  /** CloudNativePG's pod name, `<cluster>-<n>`. */
  readonly name: string;
  /** Id of its DatabaseBox. */
  readonly database: string;
  /** Instance 1 is the primary CloudNativePG bootstraps; the others stream from it. */
  readonly role: "primary" | "standby";
  /** The standby is in the synchronous quorum (every standby is, with method `any`). */
  readonly synchronous: boolean;
  /**
   * True when the anti-affinity leaves no choice of hosts (as many instances as hosts that take
   * them). Which instance lands on which of those hosts is always the scheduler's choice.
   */
  readonly hostFixed: boolean;
}

export interface HostColumn {
  readonly name: string;
  /** e.g. `Dell PowerEdge R620`, `Dell OptiPlex 7080`. */
  readonly model: string;
  readonly details: readonly string[];
  /** VMs on an R620 (placement), or the existing nodes on the machine, in cluster order. */
  readonly nodes: readonly HostNode[];
  readonly dbInstances: readonly DbInstance[];
}

export interface StaticIp {
  readonly ip: string;
  readonly cluster: string;
  /** MetalLB address pool. */
  readonly pool?: string;
  /** Ids of the Gateways whose Envoy Service requests this address. */
  readonly gateways: readonly string[];
}

export interface GatewayBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly hostnames: readonly string[];
  /** Envoy proxy replicas (EnvoyProxy). */
  readonly replicas?: number;
}

export interface RouteBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** Ids of the Gateways it attaches to. */
  readonly gateways: readonly string[];
  /** `host/path` per match, or a redirect description. */
  readonly matches: readonly string[];
  /** Ids of its backend Services. */
  readonly services: readonly string[];
}

export interface ServiceBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly number[];
  /** From the HorizontalPodAutoscaler of the same name, if any. */
  readonly replicas?: { readonly min: number; readonly max: number };
  /** Ids of the poolers its workloads may reach (its NetworkPolicies' egress). */
  readonly poolers: readonly string[];
}

export interface PoolerBox {
  readonly id: string;
  readonly name: string;
  /** `rw` reaches the primary, `ro` the standbys. */
  readonly type: string;
  readonly instances: number;
}

export interface DatabaseBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly instances: number;
  /** `postgresql.synchronous` of the Cluster. */
  readonly synchronous?: { readonly method: string; readonly number: number };
  /** e.g. `required on topology.kubernetes.io/zone`. */
  readonly antiAffinity: string;
  readonly poolers: readonly PoolerBox[];
}

export interface SiteGraph {
  readonly title: string;
  readonly notes: readonly string[];
  /** Kubernetes clusters in config order (colours and legend). */
  readonly clusters: readonly { readonly name: string; readonly kind: string }[];
  readonly hosts: readonly HostColumn[];
  readonly staticIps: readonly StaticIp[];
  readonly gateways: readonly GatewayBox[];
  readonly routes: readonly RouteBox[];
  readonly services: readonly ServiceBox[];
  readonly databases: readonly DatabaseBox[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}
function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

export function objectId(kind: string, cluster: string, namespace: string, name: string): string {
  return `${kind}:${cluster}/${namespace}/${name}`;
}

function idOf(m: PlannedManifest): string {
  return objectId(m.kind, m.cluster, m.namespace, m.name);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function hostColumns(input: SiteGraphInput): HostColumn[] {
  const { config, placement, failureDomains } = input.site;
  const nodes = config.clusters.flatMap((c) =>
    plannedClusterNodes(config, placement, c.name).map((n) => ({ ...n, cluster: c.name })),
  );
  const machines = new Map<string, string>();
  for (const c of config.clusters)
    if (c.kind === "existing") for (const n of c.nodes) machines.set(n.physicalHost, n.machine);
  // Every physical host that carries something, R620s first in config order (as the failure
  // analysis counts them), then any configured host that carries nothing.
  const names = [...new Set([...failureDomains.hosts, ...config.hosts.map((h) => h.name)])];
  return names.map((name) => {
    const r620 = config.hosts.find((h) => h.name === name);
    const load = placement.hostLoad.find((l) => l.host === name);
    const details = r620
      ? [
          `${r620.cores} cores · ${r620.ramGb} GB · mgmt ${r620.mgmtIp}`,
          ...(load
            ? [
                `VMs: ${load.vcpus}/${load.vcpuCapacity} vCPU · ${load.ramGb}/${load.ramCapacityGb} GB`,
              ]
            : []),
        ]
      : [];
    return {
      name,
      model: r620?.model ?? machines.get(name) ?? "physical host",
      details,
      nodes: nodes
        .filter((n) => n.physicalHost === name)
        .map((n) => ({
          name: n.name,
          cluster: n.cluster,
          roles: n.roles,
          ip: n.ip,
          cpu: n.cpu,
          memoryGb: n.memoryGb,
        })),
      dbInstances: [],
    };
  });
}

function ingress(manifests: readonly PlannedManifest[]) {
  const of = (kind: string) => manifests.filter((m) => m.kind === kind);
  const proxies = new Map(of("EnvoyProxy").map((m) => [idOf(m), m]));
  const staticIps = new Map<
    string,
    { ip: string; cluster: string; pool?: string; gateways: string[] }
  >();
  const gateways: GatewayBox[] = of("Gateway").map((m) => {
    const spec = obj(m.object.spec);
    const ref = obj(obj(spec.infrastructure).parametersRef);
    const proxy =
      str(ref.kind) === "EnvoyProxy"
        ? proxies.get(objectId("EnvoyProxy", m.cluster, m.namespace, str(ref.name) ?? ""))
        : undefined;
    const kube = obj(obj(obj(proxy?.object.spec).provider).kubernetes);
    const annotations = obj(obj(kube.envoyService).annotations);
    const id = idOf(m);
    for (const ip of (str(annotations["metallb.io/loadBalancerIPs"]) ?? "").split(",")) {
      if (!ip.trim()) continue;
      const key = `${m.cluster}/${ip.trim()}`;
      const entry = staticIps.get(key) ?? {
        ip: ip.trim(),
        cluster: m.cluster,
        pool: str(annotations["metallb.io/address-pool"]),
        gateways: [],
      };
      entry.gateways.push(id);
      staticIps.set(key, entry);
    }
    const hostnames = list(spec.listeners).flatMap((l) => str(l.hostname) ?? []);
    const replicas = num(obj(kube.envoyDeployment).replicas);
    return {
      id,
      cluster: m.cluster,
      namespace: m.namespace,
      name: m.name,
      hostnames: [...new Set(hostnames)],
      ...(replicas !== undefined ? { replicas } : {}),
    };
  });

  const serviceIds = new Set<string>();
  const routes: RouteBox[] = of("HTTPRoute").map((m) => {
    const spec = obj(m.object.spec);
    const parents = list(spec.parentRefs)
      .filter((p) => (str(p.kind) ?? "Gateway") === "Gateway")
      .map((p) =>
        objectId("Gateway", m.cluster, str(p.namespace) ?? m.namespace, str(p.name) ?? ""),
      );
    const hosts = Array.isArray(spec.hostnames) ? spec.hostnames.flatMap((h) => str(h) ?? []) : [];
    const matches: string[] = [];
    const services: string[] = [];
    for (const rule of list(spec.rules)) {
      for (const f of list(rule.filters)) {
        const redirect = obj(f.requestRedirect);
        if (str(redirect.scheme))
          matches.push(`redirect to ${str(redirect.scheme)} (${num(redirect.statusCode) ?? 302})`);
      }
      const paths = list(rule.matches).flatMap((x) => str(obj(x.path).value) ?? []);
      const backends = list(rule.backendRefs);
      // A rule without matches matches every path (Gateway API's default `PathPrefix /`).
      for (const p of paths.length > 0 ? paths : backends.length > 0 ? ["/"] : []) {
        for (const h of hosts.length > 0 ? hosts : ["*"]) matches.push(`${h}${p}`);
      }
      for (const b of backends) {
        if ((str(b.kind) ?? "Service") !== "Service") continue;
        const id = objectId(
          "Service",
          m.cluster,
          str(b.namespace) ?? m.namespace,
          str(b.name) ?? "",
        );
        services.push(id);
        serviceIds.add(id);
      }
    }
    return {
      id: idOf(m),
      cluster: m.cluster,
      namespace: m.namespace,
      name: m.name,
      gateways: [...new Set(parents)],
      matches: [...new Set(matches)],
      services: [...new Set(services)],
    };
  });
  return { staticIps: [...staticIps.values()], gateways, routes, serviceIds };
}

/** Pooler names a namespace's NetworkPolicies let its pods reach (CloudNativePG's pod label). */
function poolersReached(manifests: readonly PlannedManifest[], cluster: string, ns: string) {
  const out: string[] = [];
  for (const m of manifests) {
    if (m.kind !== "NetworkPolicy" || m.cluster !== cluster || m.namespace !== ns) continue;
    for (const rule of list(obj(m.object.spec).egress)) {
      for (const peer of list(rule.to)) {
        const pooler = str(obj(obj(peer.podSelector).matchLabels)["cnpg.io/poolerName"]);
        const nsName = str(
          obj(obj(peer.namespaceSelector).matchLabels)["kubernetes.io/metadata.name"],
        );
        if (pooler) out.push(objectId("Pooler", cluster, nsName ?? ns, pooler));
      }
    }
  }
  return [...new Set(out)];
}

function services(manifests: readonly PlannedManifest[], ids: ReadonlySet<string>): ServiceBox[] {
  const byId = new Map(manifests.map((m) => [idOf(m), m]));
  return [...ids].map((id) => {
    const m = byId.get(id);
    const [, cluster, namespace, name] = /^Service:([^/]*)\/([^/]*)\/(.*)$/.exec(id) ?? [];
    const hpa = byId.get(objectId("HorizontalPodAutoscaler", cluster, namespace, name));
    const hpaSpec = obj(hpa?.object.spec);
    const min = num(hpaSpec.minReplicas);
    const max = num(hpaSpec.maxReplicas);
    return {
      id,
      cluster,
      namespace,
      name,
      ports: list(obj(m?.object.spec).ports).flatMap((p) => num(p.port) ?? []),
      ...(min !== undefined && max !== undefined ? { replicas: { min, max } } : {}),
      poolers: poolersReached(manifests, cluster, namespace),
    };
  });
}

function databases(manifests: readonly PlannedManifest[]): DatabaseBox[] {
  const poolers = manifests.filter((m) => m.kind === "Pooler");
  return manifests
    .filter((m) => m.kind === "Cluster" && m.type.startsWith("kubernetes:postgresql.cnpg.io/"))
    .map((m) => {
      const spec = obj(m.object.spec);
      const sync = obj(obj(spec.postgresql).synchronous);
      const affinity = obj(spec.affinity);
      const method = str(sync.method);
      const number = num(sync.number);
      return {
        id: idOf(m),
        cluster: m.cluster,
        namespace: m.namespace,
        name: m.name,
        instances: num(spec.instances) ?? 1,
        ...(method && number !== undefined ? { synchronous: { method, number } } : {}),
        antiAffinity:
          affinity.enablePodAntiAffinity === false
            ? "none"
            : `${str(affinity.podAntiAffinityType) ?? "preferred"} on ${str(affinity.topologyKey) ?? "kubernetes.io/hostname"}`,
        poolers: poolers
          .filter(
            (p) =>
              p.cluster === m.cluster &&
              p.namespace === m.namespace &&
              str(obj(obj(p.object.spec).cluster).name) === m.name,
          )
          .map((p) => ({
            id: idOf(p),
            name: p.name,
            type: str(obj(p.object.spec).type) ?? "rw",
            instances: num(obj(p.object.spec).instances) ?? 1,
          })),
      };
    });
}

/**
 * Puts each database's instances on hosts: one per physical host that has a schedulable node
 * of its cluster (the required anti-affinity), in column order. When there are more such hosts
 * than instances, which ones carry an instance is the scheduler's choice (hostFixed false).
 */
function placeInstances(hosts: HostColumn[], dbs: readonly DatabaseBox[]): HostColumn[] {
  const placed = new Map<string, DbInstance[]>(hosts.map((h) => [h.name, []]));
  for (const db of dbs) {
    const eligible = hosts.filter((h) =>
      h.nodes.some((n) => n.cluster === db.cluster && n.roles.includes("worker")),
    );
    const hostFixed = eligible.length === db.instances;
    for (let i = 0; i < Math.min(db.instances, eligible.length); i++) {
      placed.get(eligible[i].name)!.push({
        name: `${db.name}-${i + 1}`,
        database: db.id,
        role: i === 0 ? "primary" : "standby",
        synchronous: i > 0 && (db.synchronous?.number ?? 0) > 0,
        hostFixed,
      });
    }
  }
  return hosts.map((h) => ({ ...h, dbInstances: placed.get(h.name) ?? [] }));
}

export function buildSiteGraph(input: SiteGraphInput): SiteGraph {
  const { config, failureDomains: fd } = input.site;
  const chain = ingress(input.manifests);
  const dbs = databases(input.manifests);
  const hosts = placeInstances(hostColumns(input), dbs);
  const verdict = fd.ok ? "every scenario holds" : "SOME SCENARIOS FAIL";
  const title =
    `${config.site.displayName} (stack ${config.stack}): ${plural(hosts.length, "physical host")}; ` +
    `survives any ${plural(fd.failuresTolerated, "host failure")}: ${verdict} (${plural(fd.scenarios.length, "scenario")} checked)`;
  const notes = [
    ...dbs.map((db) => {
      const sync = db.synchronous
        ? `commits wait for ${db.synchronous.method.toUpperCase()} ${db.synchronous.number} of ${plural(db.instances - 1, "standby", "standbys")}`
        : "no synchronous standbys";
      return `database ${db.name} (cluster ${db.cluster}): ${plural(db.instances, "instance")}, anti-affinity ${db.antiAffinity}; ${sync}. Instance 1 is the primary at bootstrap; the scheduler picks which host gets which instance (dashed: and which hosts).`;
    }),
    ...fd.warnings,
  ];
  return {
    title,
    notes,
    clusters: config.clusters.map((c) => ({ name: c.name, kind: c.kind })),
    hosts,
    staticIps: chain.staticIps,
    gateways: chain.gateways,
    routes: chain.routes,
    services: services(input.manifests, chain.serviceIds),
    databases: dbs,
  };
}
