import * as fc from "fast-check";
import { planPlacement } from "../../components/openstack/placement";
import { SiteConfig, SiteConfigError } from "../../config/site";
import {
  analyseFailureDomains,
  analyseModel,
  assertSiteSurvives,
  combinations,
  formatFailureTable,
  worstCaseLost,
} from "../../planning/failure-domains";
import { buildSiteModel, cpuCores, memoryGb, SiteModel } from "../../planning/failure-model";
import { areaProblems } from "../../planning/area-checks";
import { avillaWithHosts, parseAvilla, reparse, roundRobin, stackRaw } from "./site-fixtures";
import { parseSite } from "../../config/site";

function refusal(site: SiteConfig): string {
  try {
    assertSiteSurvives(site, roundRobin(site));
  } catch (e) {
    expect(e).toBeInstanceOf(SiteConfigError);
    return (e as Error).message;
  }
  throw new Error("the site was not refused");
}

/** The reports cluster only (the 3-node OptiPlex cluster cannot survive 2 failures by design). */
function reportsOnly(site: SiteConfig): SiteConfig {
  return { ...site, clusters: site.clusters.filter((c) => c.kind === "openstack") };
}

const round = (n: number) => Math.round(n * 10000) / 10000;

/** The monitoring pod groups and spread workloads of one cluster in the analysis' model. */
function monitoringOf(site: SiteConfig, cluster: string) {
  const c = buildSiteModel(site, planPlacement(site)).clusters.find((x) => x.name === cluster)!;
  return {
    pods: c.pods
      .filter((p) => p.what.startsWith("monitoring "))
      .map((p) => [p.what, p.count, round(p.request.cpu), round(p.request.memoryGb)]),
    spread: c.spread
      .filter((s) => s.subject.startsWith("monitoring "))
      .map((s) => [s.subject, s.replicas]),
  };
}

describe("failure-domain analysis on the real stacks", () => {
  it.each(["avilla", "albion"] as const)(
    "%s survives its tolerated failures with the planner's placement",
    (stack) => {
      const site = parseSite(stack, stackRaw(stack));
      const result = assertSiteSurvives(site, planPlacement(site));
      expect(result.ok).toBe(true);
      // Every physical host that carries something is a failure domain: R620s, OptiPlexes, Nutanix hosts.
      const expectedHosts = stack === "avilla" ? 6 : 9;
      expect(result.hosts).toHaveLength(expectedHosts);
      expect(result.scenarios).toHaveLength(expectedHosts);
      expect(result.scenarios.every((s) => s.checks.some((c) => c.tier === "etcd-quorum"))).toBe(
        true,
      );
    },
  );

  it("warns that the OptiPlex API endpoint is one node's address", () => {
    const site = parseSite("avilla", stackRaw("avilla"));
    expect(analyseFailureDomains(site, planPlacement(site)).warnings).toEqual([
      "cluster optiplex: apiEndpoint https://10.1.0.41:6443 is the address of node opti-1 (on optiplex-1), not a floating address; while optiplex-1 is down, deploys need another control-plane node's address",
    ]);
  });
});

describe("failure-domain analysis: host counts", () => {
  it("3 hosts, f=1 passes", () => {
    const site = parseAvilla(avillaWithHosts(3));
    expect(
      assertSiteSurvives(site, roundRobin(site)).scenarios.map((s) => s.failedHosts.join("+")),
    ).toEqual(["r620-1", "r620-2", "r620-3", "optiplex-1", "optiplex-2", "optiplex-3"]);
  });

  it("3 hosts, f=2 is refused, naming the host set and the tier", () => {
    const base = reportsOnly(parseAvilla(avillaWithHosts(3)));
    const site: SiteConfig = {
      ...base,
      site: { ...base.site, failuresTolerated: 2 },
      clusters: base.clusters.map((c) =>
        c.kind === "openstack" ? { ...c, controlPlane: { ...c.controlPlane, count: 3 } } : c,
      ),
    };
    const message = refusal(site);
    expect(message).toContain(
      "[plant:site.failuresTolerated] with r620-1+r620-2 down, cluster reports loses etcd quorum (1 of 3 control-plane members left)",
    );
    expect(message).toContain(
      "[plant:site.failuresTolerated] with r620-1+r620-2 down, database reporting on cluster reports cannot promote a standby (the failover quorum needs the synchronous number ≥ the 2 instances lost) and cannot acknowledge writes (a primary and 1 synchronous standby need 2 instances) (1 of 3 instances left, synchronous number 1)",
    );
    expect(message).toContain(
      "[plant:site.failuresTolerated] with r620-2+r620-3 down, service report-web on cluster reports has no ready replica (2 replicas spread over 3 physical hosts; all can be on the failed hosts)",
    );
    // 3 host pairs × (etcd + postgres + 3 services + gateway), after the header line, then the
    // key that fixes each of the six broken tiers.
    const lines = message.split("\n");
    expect(lines).toHaveLength(1 + 18 + 6);
    expect(lines.slice(19)).toEqual([
      "  - [plant:clusters[0].controlPlane.count] must be at least 5",
      "  - [plant:databases[0].instances] must be at least 5, each on its own physical host, for database reporting to fail over and keep writing with 2 host(s) down (plant:site.failuresTolerated)",
      "  - [plant:services[0].replicas.min] must be at least 3, spread over at least 3 physical hosts, for service report-web to keep a ready pod with 2 host(s) down (plant:site.failuresTolerated)",
      "  - [plant:services[1].replicas.min] must be at least 3, spread over at least 3 physical hosts, for service report-api to keep a ready pod with 2 host(s) down (plant:site.failuresTolerated)",
      "  - [plant:services[2].replicas.min] must be at least 3, spread over at least 3 physical hosts, for service gauge-report to keep a ready pod with 2 host(s) down (plant:site.failuresTolerated)",
      "  - [plant:clusters[0].ingress.gatewayReplicas] must be at least 3, on as many physical hosts, for the gateway of cluster reports to keep a ready pod with 2 host(s) down (plant:site.failuresTolerated)",
    ]);
  });

  /** 5 R620s, f=2, every tier but the database sized for two failures. */
  function fiveHostsF2(instances: number): SiteConfig {
    const base = reportsOnly(parseAvilla(avillaWithHosts(5)));
    return reparse({
      ...base,
      site: { ...base.site, failuresTolerated: 2 },
      clusters: base.clusters.map((c) =>
        c.kind === "openstack"
          ? {
              ...c,
              controlPlane: { ...c.controlPlane, count: undefined },
              workers: { ...c.workers, count: 5 },
              ingress: c.ingress && { ...c.ingress, gatewayReplicas: 3 },
            }
          : c,
      ),
      databases: base.databases.map((d) => ({ ...d, instances, pooler: { instances: 3 } })),
      services: base.services.map((s) => ({ ...s, replicas: { ...s.replicas, min: 3 } })),
    });
  }

  it("5 hosts, f=2 passes when every tier is sized for two failures", () => {
    // 5 instances = 2f+1: synchronous number 2, so the failover quorum can promote after any two losses.
    const site = fiveHostsF2(5);
    const result = assertSiteSurvives(site, roundRobin(site));
    expect(result.scenarios).toHaveLength(10); // C(5,2)
    expect(result.ok).toBe(true);
    const pg = result.scenarios[0].checks.find((c) => c.tier === "postgres");
    expect(pg?.detail).toBe(
      "3 of 5 instances left: primary + 2 synchronous standbys; 2 wait for a host to return",
    );
  });

  it("5 hosts, f=2: three Prometheus, Alertmanager and exporter replicas, one left after any two failures", () => {
    const site = fiveHostsF2(5);
    expect(monitoringOf(site, "reports").spread).toEqual([
      ["monitoring prometheus", 3],
      ["monitoring alertmanager", 3],
      ["monitoring blackbox exporter", 3],
      ["monitoring idrac exporter", 3],
    ]);
    const result = analyseFailureDomains(site, roundRobin(site));
    const monitoring = result.scenarios.flatMap((s) =>
      s.checks.filter((c) => c.tier === "replicas" && c.subject.startsWith("monitoring ")),
    );
    expect(monitoring).toHaveLength(10 * 4); // C(5,2) host sets × 4 spread workloads
    expect(monitoring.filter((c) => !c.ok)).toEqual([]);
  });

  it("5 hosts, f=2 refuses a 4-instance database: the failover quorum cannot promote", () => {
    const site = fiveHostsF2(4);
    const message = refusal(site);
    // The same rule as validation.ts (max(3, 2f+1)); the instance problem itself is area-checks'.
    expect(message).toContain(
      "[plant:site.failuresTolerated] with r620-1+r620-2 down, database reporting on cluster reports cannot promote a standby (the failover quorum needs the synchronous number ≥ the 2 instances lost) (2 of 4 instances left, synchronous number 1)",
    );
    // Only the database tier fails, in every one of the C(5,2) host sets; then its key.
    expect(message.split("\n")).toHaveLength(1 + 10 + 1);
    expect(message).toContain(
      "[plant:databases[0].instances] must be at least 5, each on its own physical host, for database reporting to fail over and keep writing with 2 host(s) down (plant:site.failuresTolerated)",
    );
    expect(message).not.toContain("cannot acknowledge writes");
    // The area checks (validation.ts) refuse the same site on the instance count.
    expect(areaProblems(site, roundRobin(site))).toContainEqual({
      key: "plant:databases[0].instances",
      message: expect.stringMatching(
        /^is 4; surviving 2 host failure\(s\) \(plant:site\.failuresTolerated\) needs at least 5 \(max\(3, 2f\+1\)\): /,
      ),
    });
  });

  it("5 hosts, f=2 refuses 2-replica services and a 3-instance database", () => {
    const base = reportsOnly(parseAvilla(avillaWithHosts(5)));
    // Not reparsed: the config rules already refuse 2 replicas with f=2
    // (plant:services[i].replicas.min); the analysis must refuse the plan on its own too.
    const site: SiteConfig = {
      ...base,
      site: { ...base.site, failuresTolerated: 2 },
      clusters: base.clusters.map((c) =>
        c.kind === "openstack"
          ? {
              ...c,
              controlPlane: { ...c.controlPlane, count: undefined },
              workers: { ...c.workers, count: 5 },
            }
          : c,
      ),
    };
    const message = refusal(site);
    expect(message).toContain(
      "with r620-1+r620-2 down, database reporting on cluster reports cannot promote a standby (the failover quorum needs the synchronous number ≥ the 2 instances lost) and cannot acknowledge writes (a primary and 1 synchronous standby need 2 instances) (1 of 3 instances left, synchronous number 1)",
    );
    expect(message).toContain(
      "with r620-1+r620-2 down, gateway on cluster reports has no ready replica (2 replicas spread over 5 physical hosts; all can be on the failed hosts)",
    );
    expect(message).not.toContain("etcd quorum");
  });
});

describe("failure-domain analysis: the monitoring tier", () => {
  it("counts every monitoring pod at the requests the stack's values set; the hub also runs Grafana and the exporters", () => {
    const site = parseSite("avilla", stackRaw("avilla"));
    // Prometheus 250m/2Gi and Alertmanager 20m/64Mi, each with the 10m/32Mi config reloader;
    // operator 50m/128Mi + kube-state-metrics 20m/96Mi; Grafana 50m/128Mi + two 10m/96Mi
    // sidecars; each exporter 20m/32Mi.
    expect(monitoringOf(site, "reports")).toEqual({
      pods: [
        ["monitoring prometheus", 2, 0.26, 2.0313],
        ["monitoring alertmanager", 2, 0.03, 0.0938],
        ["monitoring operator and kube-state-metrics", 1, 0.07, 0.2188],
        ["monitoring grafana", 1, 0.07, 0.3125],
        ["monitoring blackbox exporter", 2, 0.02, 0.0313],
        ["monitoring idrac exporter", 2, 0.02, 0.0313],
      ],
      spread: [
        ["monitoring prometheus", 2],
        ["monitoring alertmanager", 2],
        ["monitoring blackbox exporter", 2],
        ["monitoring idrac exporter", 2],
      ],
    });
    expect(monitoringOf(site, "optiplex").pods.map((p) => p[0])).toEqual([
      "monitoring prometheus",
      "monitoring alertmanager",
      "monitoring operator and kube-state-metrics",
    ]);
  });

  it("node-exporter's request comes off every node", () => {
    const site = parseSite("avilla", stackRaw("avilla"));
    const worker = buildSiteModel(site, planPlacement(site))
      .clusters.find((c) => c.name === "reports")!
      .nodes.find((n) => n.schedulable)!;
    // An 8 vCPU / 32 GiB worker, less the 0.5 CPU / 1 GiB reserve and node-exporter's 20m/48Mi.
    expect([round(worker.allocatable.cpu), round(worker.allocatable.memoryGb)]).toEqual([
      7.48, 30.9531,
    ]);
  });
});

describe("failure-domain analysis: refusal size", () => {
  it("lists at most 20 failures and counts the rest", () => {
    const base = parseAvilla(avillaWithHosts(5));
    const site: SiteConfig = { ...base, site: { ...base.site, failuresTolerated: 2 } };
    const lines = refusal(site).split("\n");
    // 20 failures, the count of the rest, then one line per broken tier at its key.
    expect(lines.length).toBeGreaterThan(1 + 21);
    expect(lines.slice(22).every((l) => !l.includes("[plant:site.failuresTolerated]"))).toBe(true);
    expect(lines[21]).toMatch(/^ {2}- \[plant:site\.failuresTolerated\] … and \d+ more failures$/);
  });
});

describe("failure-domain analysis: capacity", () => {
  it("refuses a site whose pods fit on all workers but not on the survivors", () => {
    const base = parseAvilla(avillaWithHosts(3));
    const site = reparse({
      ...base,
      services: base.services.map((s) =>
        s.name === "report-api"
          ? { ...s, resources: { ...s.resources, requests: { cpu: "6", memory: "512Mi" } } }
          : s,
      ),
    });
    // With nothing down the three workers offer 22.44 CPU: the shortfall only shows under failure.
    // 17.4 CPU / 21.91 GiB: 16.6 CPU / 17 GiB of services, database, gateway and add-ons, plus the
    // hub's monitoring 0.8 CPU / 4.91 GiB; each node gives node-exporter 0.02 CPU / 48 MiB.
    expect(refusal(site)).toContain(
      "[plant:site.failuresTolerated] with r620-1 down, cluster reports lacks CPU for its pods (pods request 17.4 CPU / 21.91 GiB, surviving nodes offer 14.96 CPU / 61.91 GiB)",
    );
    // …and says which knob gives the pods room.
    expect(refusal(site)).toContain(
      "[plant:clusters[0].workers] cluster reports needs more room for its pods with 1 host(s) down (plant:site.failuresTolerated): raise workers.count or workers.flavor, or lower the pods' requests",
    );
  });

  it("refuses a pod that fits no single surviving node", () => {
    const base = parseAvilla(avillaWithHosts(3));
    const site = reparse({
      ...base,
      databases: base.databases.map((d) => ({
        ...d,
        resources: { requests: { cpu: "1", memory: "32Gi" }, limits: { memory: "32Gi" } },
      })),
      clusters: base.clusters.map((c) =>
        c.kind === "openstack" ? { ...c, workers: { ...c.workers, count: 6 } } : c,
      ),
    });
    expect(refusal(site)).toContain(
      "with r620-1 down, cluster reports has no surviving node that fits one database reporting instance pod (1 CPU / 32 GiB; largest node offers 7.48 CPU / 30.95 GiB)",
    );
  });

  it("counts only workers when a cluster has workers, control-plane VMs otherwise", () => {
    const base = reportsOnly(parseAvilla(avillaWithHosts(3)));
    const noWorkers = {
      ...base,
      clusters: base.clusters.map((c) =>
        c.kind === "openstack" ? { ...c, workers: { ...c.workers, count: 0 } } : c,
      ),
    };
    const result = analyseFailureDomains(noWorkers, roundRobin(noWorkers));
    const capacity = result.scenarios[0].checks.find((c) => c.tier === "capacity");
    expect(capacity?.detail).toBe(
      "pods request 5.9 CPU / 21.91 GiB, surviving nodes offer 6.96 CPU / 13.91 GiB",
    );
    expect(capacity?.ok).toBe(false);
  });
});

describe("failure-domain analysis: table", () => {
  const model: SiteModel = {
    site: "lab",
    failuresTolerated: 1,
    hosts: ["h1", "h2"],
    clusters: [
      {
        name: "k",
        kind: "existing",
        nodes: [
          {
            name: "n1",
            physicalHost: "h1",
            controlPlane: true,
            schedulable: true,
            allocatable: { cpu: 4, memoryGb: 8 },
          },
          {
            name: "n2",
            physicalHost: "h2",
            controlPlane: false,
            schedulable: true,
            allocatable: { cpu: 4, memoryGb: 8 },
          },
        ],
        databases: [],
        spread: [{ subject: "service web", replicas: 2 }],
        staticIps: [{ name: "web", ip: "10.9.0.8" }],
        pods: [{ what: "service web", count: 2, request: { cpu: 1, memoryGb: 1 } }],
      },
    ],
  };

  it("prints one row per host set and check, failures with the refusal sentence", () => {
    expect(formatFailureTable(analyseModel(model))).toBe(
      [
        "Failure domains of site lab: tolerates 1 failed physical host; 2 host sets of 2 hosts checked: 1 FAIL.",
        "down | tier         | cluster | subject                  | result | detail",
        "-----|--------------|---------|--------------------------|--------|-------",
        "h1   | etcd-quorum  | k       | control plane            | FAIL   | cluster k loses etcd quorum (0 of 1 control-plane members left)",
        "h1   | api-endpoint | k       | API endpoint             | FAIL   | cluster k loses its API endpoint (no control-plane node left)",
        "h1   | replicas     | k       | service web              | ok     | 1 of 2 replicas left in the worst case",
        "h1   | capacity     | k       | pod requests             | ok     | pods request 2 CPU / 2 GiB, surviving nodes offer 4 CPU / 8 GiB",
        "h1   | static-ip    | k       | static IP 10.9.0.8 (web) | ok     | 1 surviving node may announce it",
        "h2   | etcd-quorum  | k       | control plane            | ok     | 1 of 1 control-plane members left (quorum 1)",
        "h2   | api-endpoint | k       | API endpoint             | ok     | 1 control-plane node can serve it",
        "h2   | replicas     | k       | service web              | ok     | 1 of 2 replicas left in the worst case",
        "h2   | capacity     | k       | pod requests             | ok     | pods request 2 CPU / 2 GiB, surviving nodes offer 4 CPU / 8 GiB",
        "h2   | static-ip    | k       | static IP 10.9.0.8 (web) | ok     | 1 surviving node may announce it",
      ].join("\n"),
    );
  });

  it("checks C(n,f) host sets and stays fast for 15 hosts, f=3", () => {
    const hosts = Array.from({ length: 15 }, (_, i) => `h${i + 1}`);
    const big: SiteModel = {
      ...model,
      failuresTolerated: 3,
      hosts,
      clusters: [
        {
          ...model.clusters[0],
          spread: [{ subject: "service web", replicas: 4 }],
          nodes: hosts.map((h, i) => ({
            ...model.clusters[0].nodes[0],
            name: `n${i}`,
            physicalHost: h,
          })),
        },
      ],
    };
    const started = Date.now();
    const result = analyseModel(big);
    expect(result.scenarios).toHaveLength(455);
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("failure-domain analysis: pure helpers", () => {
  it.each([
    ["250m", 0.25],
    ["1", 1],
    ["1.5", 1.5],
  ])("cpuCores(%s) = %s", (q, v) => expect(cpuCores(q)).toBe(v));

  it.each([
    ["256Mi", 0.25],
    ["4Gi", 4],
    ["1Ti", 1024],
    ["1048576Ki", 1],
  ])("memoryGb(%s) = %s", (q, v) => expect(memoryGb(q)).toBe(v));

  it.each([
    // replicas, hosts, failed, lost
    [2, 3, 1, 1],
    [2, 3, 2, 2],
    [3, 5, 2, 2],
    [5, 3, 1, 2],
    [4, 2, 1, 2],
    [2, 0, 0, 2],
  ])("worstCaseLost(%i replicas, %i hosts, %i failed) = %i", (r, h, f, lost) =>
    expect(worstCaseLost(r, h, f)).toBe(lost),
  );

  it("combinations has C(n,k) distinct subsets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (n, k) => {
        fc.pre(k <= n);
        const items = Array.from({ length: n }, (_, i) => i);
        const subsets = combinations(items, k);
        let expected = 1;
        for (let i = 0; i < k; i++) expected = (expected * (n - i)) / (i + 1);
        expect(subsets).toHaveLength(Math.round(expected));
        expect(new Set(subsets.map((s) => s.join(","))).size).toBe(subsets.length);
        expect(subsets.every((s) => s.length === k)).toBe(true);
      }),
    );
  });

  it("losing more hosts never loses fewer replicas", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 8 }),
        (r, h, f) => {
          expect(worstCaseLost(r, h, f + 1)).toBeGreaterThanOrEqual(worstCaseLost(r, h, f));
          expect(worstCaseLost(r, h, f)).toBeLessThanOrEqual(r);
        },
      ),
    );
  });
});
