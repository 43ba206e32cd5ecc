// site.svg: the picture of each site is built from its plan (hosts and nodes from the placement,
// the request path and the databases from the declared Kubernetes objects), laid out by real
// Graphviz (WebAssembly) as host columns, and rendered to well-formed SVG.
import { DOMParser } from "@xmldom/xmldom";
import { fqdn } from "../../config/addresses";
import { PlanResult } from "../../tools/plan/run";
import { ids, label, quote, siteDot, wrap } from "../../tools/plan/site-dot";
import { buildSiteGraph, objectId, SiteGraph } from "../../tools/plan/site-graph";
import { graphviz, renderSiteSvg } from "../../tools/plan/site-svg";
import { sitePlan } from "../support/plans";

interface Layout {
  /** Cluster subgraph name → its bounding box and the names of the nodes inside it. */
  readonly clusters: Map<string, { bb: number[]; nodes: Set<string> }>;
  readonly pos: Map<string, number[]>;
  readonly edges: Set<string>;
}

/** Graphviz's own layout of the DOT (json0: positions, cluster members, edges). */
async function layout(dot: string): Promise<Layout> {
  const g = JSON.parse((await graphviz()).renderString(dot, { format: "json0" })) as {
    objects: { _gvid: number; name: string; bb?: string; pos?: string; nodes?: number[] }[];
    edges?: { tail: number; head: number; style?: string }[];
  };
  const name = new Map(g.objects.map((o) => [o._gvid, o.name]));
  const nums = (s: string) => s.split(",").map(Number);
  const clusters = new Map(
    g.objects
      .filter((o) => o.name.startsWith("cluster_"))
      .map((o) => [
        o.name,
        { bb: nums(o.bb ?? ""), nodes: new Set((o.nodes ?? []).map((n) => name.get(n)!)) },
      ]),
  );
  const pos = new Map(g.objects.flatMap((o) => (o.pos ? [[o.name, nums(o.pos)]] : [])));
  const edges = new Set(
    (g.edges ?? [])
      .filter((e) => e.style !== "invis")
      .map((e) => `${name.get(e.tail)} -> ${name.get(e.head)}`),
  );
  return { clusters, pos, edges };
}

const inside = (p: number[], bb: number[]) =>
  p[0] > bb[0] && p[0] < bb[2] && p[1] > bb[1] && p[1] < bb[3];

describe.each(["avilla", "albion"])("site picture of %s", (stack) => {
  let plan: PlanResult;
  let graph: SiteGraph;
  let drawn: Layout;
  beforeAll(async () => {
    plan = await sitePlan(stack);
    graph = buildSiteGraph(plan);
    drawn = await layout(siteDot(graph));
  }, 60_000);

  test("one column per physical host, R620s first in config order, left to right", () => {
    const config = plan.site.config;
    const existing = config.clusters.flatMap((c) =>
      c.kind === "existing" ? c.nodes.map((n) => n.physicalHost) : [],
    );
    const expected = [...new Set([...config.hosts.map((h) => h.name), ...existing])];
    expect(graph.hosts.map((h) => h.name)).toEqual(expected);
    expect(graph.hosts[0].model).toBe("Dell PowerEdge R620");
    const columns = expected.map((h) => drawn.clusters.get(ids.hostCluster(h))!.bb);
    for (let i = 1; i < columns.length; i++)
      expect(columns[i][0]).toBeGreaterThan(columns[i - 1][2]);
  });

  test("every VM sits in its R620's column, every existing node in its machine's, with its roles", () => {
    const { config, placement } = plan.site;
    const where = new Map(
      graph.hosts.flatMap((h) => h.nodes.map((n) => [n.name, { host: h.name, roles: n.roles }])),
    );
    for (const vm of placement.vms) {
      expect(where.get(vm.name)?.host).toBe(vm.host);
      // Servers of a cluster with workers are tainted: control-plane only.
      expect(where.get(vm.name)?.roles).toEqual([vm.role]);
      const column = drawn.clusters.get(ids.hostCluster(vm.host))!;
      const id = ids.node({ cluster: vm.cluster, name: vm.name });
      expect(column.nodes.has(id)).toBe(true);
      expect(inside(drawn.pos.get(id)!, column.bb)).toBe(true);
    }
    for (const c of config.clusters) {
      if (c.kind !== "existing") continue;
      for (const n of c.nodes) {
        expect(where.get(n.name)?.host).toBe(n.physicalHost);
        expect(where.get(n.name)?.roles).toEqual(
          n.role === "control-plane+worker" ? ["control-plane", "worker"] : [n.role],
        );
        expect(drawn.clusters.get(ids.hostCluster(n.physicalHost))!.nodes).toContain(
          ids.node({ cluster: c.name, name: n.name }),
        );
      }
    }
    const drawnNodes = graph.hosts.reduce((k, h) => k + h.nodes.length, 0);
    const existingNodes = config.clusters.reduce(
      (k, c) => k + (c.kind === "existing" ? c.nodes.length : 0),
      0,
    );
    expect(drawnNodes).toBe(placement.vms.length + existingNodes);
  });

  test("each static IP → its Gateway → each configured route (host/path) → its Service", () => {
    const { config } = plan.site;
    let chains = 0;
    for (const c of config.clusters) {
      for (const address of c.ingress?.addresses ?? []) {
        const ip = graph.staticIps.find((s) => s.ip === address.ip && s.cluster === c.name);
        expect(ip).toBeDefined();
        const gateway = objectId("Gateway", c.name, "plant-gateways", address.name);
        expect(ip!.gateways).toEqual([gateway]);
        expect(drawn.edges).toContain(`${ids.ip(c.name, address.ip)} -> ${gateway}`);
        const box = graph.gateways.find((g) => g.id === gateway)!;
        expect(box.hostnames).toEqual(address.hostnames.map((h) => fqdn(h, config.site.domain)));
        expect(box.replicas).toBe(c.ingress!.gatewayReplicas);
        for (const s of config.services.filter((x) => x.cluster === c.name)) {
          for (const r of s.routes) {
            const host = fqdn(r.hostname, config.site.domain);
            if (!box.hostnames.includes(host)) continue;
            const service = objectId("Service", c.name, s.name, s.name);
            const route = graph.routes.find(
              (x) => x.matches.includes(`${host}${r.pathPrefix}`) && x.services.includes(service),
            );
            expect(route?.gateways).toEqual([gateway]);
            expect(drawn.edges).toContain(`${gateway} -> ${route!.id}`);
            expect(drawn.edges).toContain(`${route!.id} -> ${service}`);
            expect(graph.services.find((x) => x.id === service)?.ports).toEqual([s.port]);
            chains++;
          }
        }
      }
    }
    expect(chains).toBe(config.services.reduce((k, s) => k + s.routes.length, 0));
    // Each Gateway's HTTP listener only redirects to HTTPS.
    expect(graph.routes.filter((r) => r.matches.includes("redirect to https (301)"))).toHaveLength(
      graph.gateways.length,
    );
  });

  test("database instances: one per host, the primary and its synchronous standbys marked", () => {
    const { config } = plan.site;
    for (const db of config.databases) {
      const box = graph.databases.find((d) => d.name === db.name && d.cluster === db.cluster)!;
      expect(box.synchronous).toEqual({ method: "any", number: 1 });
      expect(box.antiAffinity).toBe("required on topology.kubernetes.io/zone");
      expect(box.poolers.map((p) => p.type).sort()).toEqual(["ro", "rw"]);
      const placed = graph.hosts.flatMap((h) =>
        h.dbInstances.filter((i) => i.database === box.id).map((i) => ({ ...i, host: h.name })),
      );
      expect(placed.map((i) => i.name).sort()).toEqual(
        Array.from({ length: db.instances }, (_, k) => `${box.name}-${k + 1}`),
      );
      expect(new Set(placed.map((i) => i.host)).size).toBe(db.instances);
      expect(placed.filter((i) => i.role === "primary").map((i) => i.name)).toEqual([
        `${box.name}-1`,
      ]);
      expect(placed.filter((i) => i.role === "standby").every((i) => i.synchronous)).toBe(true);
      // Only on hosts with a worker of the database's cluster.
      for (const i of placed) {
        const host = graph.hosts.find((h) => h.name === i.host)!;
        expect(host.nodes.some((n) => n.cluster === db.cluster && n.roles.includes("worker"))).toBe(
          true,
        );
        expect(drawn.clusters.get(ids.hostCluster(i.host))!.nodes).toContain(ids.instance(i));
      }
      // rw pooler → primary, ro pooler → the standbys.
      const rw = box.poolers.find((p) => p.type === "rw")!;
      const ro = box.poolers.find((p) => p.type === "ro")!;
      for (const i of placed)
        expect(drawn.edges).toContain(
          `${i.role === "primary" ? rw.id : ro.id} -> ${ids.instance(i)}`,
        );
    }
    const dot = siteDot(graph);
    expect(dot).toContain("PRIMARY (at bootstrap)");
    expect(dot).toContain("synchronous standby");
  });

  test("services reach the pooler their NetworkPolicies allow", () => {
    for (const s of plan.site.config.services) {
      const box = graph.services.find((x) => x.name === s.name)!;
      const expected =
        s.database.access === "none"
          ? []
          : [
              objectId(
                "Pooler",
                s.cluster,
                `postgres-${s.database.name}`,
                `${s.database.name}-pooler-${s.database.access === "readwrite" ? "rw" : "ro"}`,
              ),
            ];
      expect(box.poolers).toEqual(expected);
      for (const p of expected) expect(drawn.edges).toContain(`${box.id} -> ${p}`);
    }
  });
});

test("instances are drawn dashed when the scheduler also picks the hosts (albion: 4 R620s, 3 instances)", async () => {
  const avilla = buildSiteGraph(await sitePlan("avilla"));
  const albion = buildSiteGraph(await sitePlan("albion"));
  const fixed = (g: SiteGraph) => g.hosts.flatMap((h) => h.dbInstances.map((i) => i.hostFixed));
  expect(fixed(avilla)).toEqual([true, true, true]);
  expect(fixed(albion)).toEqual([false, false, false]);
  expect(siteDot(albion)).toContain('style="filled,dashed"');
});

test("a Gateway without an EnvoyProxy has no static IP; the rest still draws", async () => {
  const plan = await sitePlan("avilla");
  const manifests = plan.manifests.filter((m) => m.kind !== "EnvoyProxy");
  const graph = buildSiteGraph({ site: plan.site, manifests });
  expect(graph.staticIps).toEqual([]);
  expect(graph.gateways.map((g) => g.replicas)).toEqual([undefined, undefined]);
  expect(graph.routes.length).toBeGreaterThan(0);
});

test("DOT strings escape quotes and backslashes; notes wrap on words", () => {
  expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
  expect(label(["one", 'two "2"'])).toBe('"one\\ntwo \\"2\\""');
  expect(wrap("aa bb cc dd", 5)).toEqual(["aa bb", "cc dd"]);
  expect(wrap("averyverylongword x", 5)).toEqual(["averyverylongword", "x"]);
});

test("site.svg renders: well-formed XML naming every host, node and address", async () => {
  const plan = await sitePlan("avilla");
  // A display name that needs escaping in DOT and in XML.
  const site = {
    ...plan.site,
    config: {
      ...plan.site.config,
      site: { ...plan.site.config.site, displayName: 'Avilla "A" <&> \\' },
    },
  };
  const svg = await renderSiteSvg({ site, manifests: plan.manifests });
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => void (level !== "warning" && errors.push(message)),
  }).parseFromString(svg, "image/svg+xml");
  expect(errors).toEqual([]);
  expect(doc.documentElement?.nodeName).toBe("svg");
  const texts = Array.from(doc.getElementsByTagName("text")).map((t) => t.textContent ?? "");
  expect(texts[0]).toContain('Avilla "A" <&> \\ (stack avilla)');
  for (const name of [
    ...plan.site.config.hosts.map((h) => h.name),
    "optiplex-1",
    ...plan.site.placement.vms.map((v) => v.name),
    "opti-1",
    "10.1.0.8",
    "10.1.0.112",
    "reporting-1",
  ])
    expect(texts).toContain(name);
});
