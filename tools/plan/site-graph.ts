// The picture of a site as plain data, read from a plan: physical hosts with their nodes, the
// static IPs → Gateways → routes → Services chain, and the databases with their instances on
// hosts. Pure; site-dot.ts turns it into Graphviz DOT and site-svg.ts renders that.
//
// Hosts and nodes come from the checked site (config and VM placement, as the failure-domain
// analysis sees them); everything inside the clusters comes from the Kubernetes objects the
// program declared, so the picture shows what the plan would create, not what config intends.
import type { PreparedSite } from "../../program";
import { plannedClusterNodes } from "../../planning/cluster-nodes";
import { PlannedManifest } from "./manifests";
import {
  DatabaseBox,
  DbInstance,
  GatewayBox,
  HostColumn,
  RouteBox,
  ServiceBox,
  SiteGraph,
  StaticIp,
} from "./site-model";

export * from "./site-model";

export interface SiteGraphInput {
  readonly site: Omit<PreparedSite, "secrets">;
  readonly manifests: readonly PlannedManifest[];
}

type Obj = Record<string, unknown>;
interface ServiceRef {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
}

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

interface IngressChain {
  readonly staticIps: StaticIp[];
  readonly gateways: GatewayBox[];
  readonly routes: RouteBox[];
  /** Services the routes send to. */
  readonly serviceRefs: ReadonlyMap<string, ServiceRef>;
}

/** Static IPs (the EnvoyProxy's Service annotation) → Gateways → HTTPRoutes → Services. */
function ingress(manifests: readonly PlannedManifest[]): IngressChain {
  const of = (kind: string) => manifests.filter((m) => m.kind === kind);
  const proxies = new Map(of("EnvoyProxy").map((m) => [idOf(m), m]));
  const staticIps = new Map<string, StaticIp & { gateways: string[] }>();
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

  const serviceRefs = new Map<string, ServiceRef>();
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
        const ref = {
          cluster: m.cluster,
          namespace: str(b.namespace) ?? m.namespace,
          name: str(b.name) ?? "",
        };
        const id = objectId("Service", ref.cluster, ref.namespace, ref.name);
        services.push(id);
        serviceRefs.set(id, ref);
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
  return { staticIps: [...staticIps.values()], gateways, routes, serviceRefs };
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

function services(
  manifests: readonly PlannedManifest[],
  refs: ReadonlyMap<string, ServiceRef>,
): ServiceBox[] {
  const byId = new Map(manifests.map((m) => [idOf(m), m]));
  return [...refs].map(([id, { cluster, namespace, name }]) => {
    const m = byId.get(id);
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
    services: services(input.manifests, chain.serviceRefs),
    databases: dbs,
  };
}
