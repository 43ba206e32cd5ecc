// plant:databases checks: exact keys and messages, thrown before any resource exists.
import { SiteConfigError } from "../../config/site";
import {
  assertDatabasesPlaceable,
  databaseConfigProblems,
  databasePlacementProblems,
  workloadHosts,
} from "../../components/postgres/validation";
import { planPools } from "../../components/postgres/pool-sizing";
import { ServiceConfig } from "../../config/schema";
import fc from "fast-check";
import { avillaSite, clusterFacts, database, service } from "./fixtures";

const threeHosts = [clusterFacts("reports", ["r620-1", "r620-2", "r620-3"])];

function siteWith(
  dbOverrides: Record<string, unknown>,
  failuresTolerated = 1,
  services = avillaSite().services,
) {
  const site = avillaSite();
  // Room for the avilla services' pools unless a test says otherwise (pool-sizing.ts).
  const parameters = { max_connections: "200", ...(dbOverrides.parameters as object) };
  return {
    ...site,
    site: { ...site.site, failuresTolerated },
    databases: [database({ ...dbOverrides, parameters })],
    services,
  };
}

describe("databaseConfigProblems", () => {
  test("the avilla stack file is valid", () => {
    expect(databaseConfigProblems(avillaSite())).toEqual([]);
    expect(databasePlacementProblems(avillaSite(), threeHosts, true)).toEqual([]);
  });

  const why =
    "the failover quorum promotes a standby only when the synchronous number is at least the " +
    "instances lost (f), and dataDurability: required then needs f standbys left besides the " +
    "primary to acknowledge writes";
  test.each([
    [
      2,
      1,
      `is 2; surviving 1 host failure(s) (plant:site.failuresTolerated) needs at least 3 (max(3, 2f+1)): ${why}`,
    ],
    [
      1,
      0,
      `is 1; surviving 0 host failure(s) (plant:site.failuresTolerated) needs at least 3 (max(3, 2f+1)): ${why}`,
    ],
    [
      3,
      2,
      `is 3; surviving 2 host failure(s) (plant:site.failuresTolerated) needs at least 5 (max(3, 2f+1)): ${why}`,
    ],
    // The floor max(3, f+2) accepted 4 for f=2: the failover quorum could not promote.
    [
      4,
      2,
      `is 4; surviving 2 host failure(s) (plant:site.failuresTolerated) needs at least 5 (max(3, 2f+1)): ${why}`,
    ],
    [
      6,
      3,
      `is 6; surviving 3 host failure(s) (plant:site.failuresTolerated) needs at least 7 (max(3, 2f+1)): ${why}`,
    ],
  ])("instances %i with f=%i is refused", (instances, f, message) => {
    expect(databaseConfigProblems(siteWith({ instances }, f))).toEqual([
      { key: "plant:databases[0].instances", message },
    ]);
  });

  test.each([
    [3, 0],
    [3, 1],
    [5, 2],
    [7, 3],
  ])("instances %i with f=%i is accepted", (instances, f) => {
    expect(databaseConfigProblems(siteWith({ instances }, f))).toEqual([]);
  });

  test.each([
    [
      { parameters: { synchronous_commit: "local" } },
      "plant:databases[0].parameters.synchronous_commit",
      "is 'local': commits would not wait for the synchronous standby (allowed: on, remote_write, remote_apply)",
    ],
    [
      { parameters: { synchronous_commit: "off" } },
      "plant:databases[0].parameters.synchronous_commit",
      "is 'off': commits would not wait for the synchronous standby (allowed: on, remote_write, remote_apply)",
    ],
    [
      { parameters: { synchronous_standby_names: "*" } },
      "plant:databases[0].parameters.synchronous_standby_names",
      "is managed by CloudNativePG and cannot be set",
    ],
    [
      { parameters: { ssl: "off" } },
      "plant:databases[0].parameters.ssl",
      "is managed by CloudNativePG and cannot be set",
    ],
    [
      { parameters: { password_encryption: "md5" } },
      "plant:databases[0].parameters.password_encryption",
      "is 'md5': the instances accept passwords only by scram-sha-256 (pg_hba, docs/postgres.md#tls)",
    ],
    [
      { parameters: { max_connections: "lots" } },
      "plant:databases[0].parameters.max_connections",
      "is 'lots', not a whole number of connections",
    ],
    [
      { owner: "postgres" },
      "plant:databases[0].owner",
      "'postgres' is reserved by PostgreSQL or CloudNativePG",
    ],
    [
      { owner: "pg_monitor" },
      "plant:databases[0].owner",
      "'pg_monitor' is reserved by PostgreSQL or CloudNativePG",
    ],
    [
      { restore: { enabled: true } },
      "plant:databases[0].restore.sourceServerName",
      "is required when restore.enabled is true: name the server of the lost cluster in the object store (a cluster that was never restored archives as 'reporting')",
    ],
    [
      { restore: { enabled: true, sourceServerName: "a/b" } },
      "plant:databases[0].restore.sourceServerName",
      "'a/b' is not a server name (a-z, 0-9, '-', '_', '.'; no '/')",
    ],
    [
      { restore: { enabled: true, sourceServerName: "reporting", targetTime: "yesterday" } },
      "plant:databases[0].restore.targetTime",
      "'yesterday' must be a timestamp with a time zone, e.g. 2026-11-20T14:30:00Z",
    ],
    [
      {
        restore: {
          enabled: true,
          sourceServerName: "reporting",
          targetTime: "2026-11-20 14:30:00",
        },
      },
      "plant:databases[0].restore.targetTime",
      "'2026-11-20 14:30:00' must be a timestamp with a time zone, e.g. 2026-11-20T14:30:00Z",
    ],
    [
      { restore: { enabled: false, targetTime: "2026-11-20T14:30:00Z" } },
      "plant:databases[0].restore.targetTime",
      "is set but restore.enabled is false",
    ],
    [
      { backup: { schedule: "0 0 2 * * *", retention: "30d", path: "/abs/path" } },
      "plant:databases[0].backup.path",
      "'/abs/path' must be a relative path like postgres/reporting (a-z, 0-9, '-', '_', '.', '/')",
    ],
  ])("%j is refused", (overrides, key, message) => {
    expect(databaseConfigProblems(siteWith(overrides))).toEqual([{ key, message }]);
  });

  test.each([
    { parameters: { synchronous_commit: "remote_apply" } },
    {
      restore: {
        enabled: true,
        sourceServerName: "reporting-g2",
        targetTime: "2026-11-20T14:30:00+01:00",
      },
    },
    { backup: { schedule: "0 0 2 * * *", retention: "4w", path: "avilla/pg/reporting" } },
  ])("%j is accepted", (overrides) => {
    expect(databaseConfigProblems(siteWith(overrides))).toEqual([]);
  });

  test("a service role may not take the owner's name", () => {
    const site = siteWith({ owner: "svc_report_api" }, 1, [service("report-api", "readwrite")]);
    expect(databaseConfigProblems(site)).toEqual([
      {
        key: "plant:services[0].name",
        message:
          "gives role 'svc_report_api', which is the owner of database 'reporting' (plant:databases[0].owner)",
      },
    ]);
  });
});

describe("databasePlacementProblems", () => {
  test("counts physical hosts of workers, not nodes", () => {
    const twoHostsFourNodes = clusterFacts("reports", ["r620-1", "r620-2", "r620-2", "r620-1"]);
    expect(workloadHosts(twoHostsFourNodes)).toEqual(["r620-1", "r620-2"]);
    expect(databasePlacementProblems(siteWith({}), [twoHostsFourNodes], true)).toEqual([
      {
        key: "plant:databases[0].instances",
        message:
          "is 3, but cluster 'reports' runs workloads on 2 physical host(s) (r620-1, r620-2); each instance needs its own host (instances ≤ hosts running workloads): pin the workers of cluster reports to 3 distinct R620s in plant:openstack.placement",
      },
    ]);
  });

  test("a control-plane-only host does not count", () => {
    // cp-0 sits on r620-3, workers only on r620-1 and r620-2.
    const facts = clusterFacts("reports", ["r620-3"]);
    const cluster = {
      ...facts,
      nodes: [facts.nodes[0], ...clusterFacts("reports", ["r620-1", "r620-2"]).nodes.slice(1)],
    };
    expect(workloadHosts(cluster)).toEqual(["r620-1", "r620-2"]);
  });

  test("a cluster of control-plane+worker nodes counts every node", () => {
    const nodes = ["optiplex-1", "optiplex-2", "optiplex-3"].map((h) => ({
      physicalHost: h,
      roles: ["control-plane", "worker"] as ("control-plane" | "worker")[],
    }));
    expect(workloadHosts({ name: "optiplex", nodes })).toEqual([
      "optiplex-1",
      "optiplex-2",
      "optiplex-3",
    ]);
  });

  test("a missing cluster and a missing object store are refused", () => {
    expect(databasePlacementProblems(siteWith({}), [], false)).toEqual([
      {
        key: "plant:databases[0].cluster",
        message: "names cluster 'reports', which the program did not declare",
      },
      {
        key: "plant:databases[0].backup",
        message:
          "needs the site object store for WAL archiving and backups, but the site declares no OpenStack cluster, so there is none: host the database on the OpenStack cluster",
      },
    ]);
  });
});

describe("assertDatabasesPlaceable", () => {
  test("throws a SiteConfigError naming every problem", () => {
    const site = siteWith({ instances: 2 });
    const clusters = [clusterFacts("reports", ["r620-1"])];
    let error: unknown;
    try {
      assertDatabasesPlaceable(site, clusters, undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SiteConfigError);
    expect((error as SiteConfigError).problems.map((p) => p.key)).toEqual([
      "plant:databases[0].instances",
      "plant:databases[0].instances",
      "plant:databases[0].backup",
    ]);
    expect((error as Error).message).toContain(
      "  - [plant:databases[0].instances] is 2; surviving 1 host failure(s)",
    );
  });

  test("a site without databases needs neither clusters nor an object store", () => {
    expect(() =>
      assertDatabasesPlaceable({ ...avillaSite(), databases: [] }, [], undefined),
    ).not.toThrow();
  });
});

describe("pool sizes follow the services' HPA maxima (pool-sizing.ts)", () => {
  const avilla = avillaSite();
  const db = avilla.databases[0];

  test("avilla: each role's peak = (replicas.max + surge [+ CronJob]) × connectionsPerPod", () => {
    const pools = planPools(db, avilla.services);
    expect(pools.maxConnections).toBe(200);
    expect(pools.rw).toEqual({
      type: "rw",
      poolMode: "session",
      instances: 2,
      clients: [
        {
          service: "report-api",
          role: "svc_report_api",
          kind: "app",
          pods: 9,
          connectionsPerPod: 5,
          connections: 45,
        },
        {
          service: "report-api",
          role: "svc_report_api_migrate",
          kind: "migration",
          pods: 1,
          connectionsPerPod: 5,
          connections: 5,
        },
      ],
      defaultPoolSize: 45,
      maxDbConnections: 50,
      maxClientConn: 100,
      serverConnections: 100,
      reserved: 10,
    });
    expect(pools.ro).toMatchObject({
      // gauge-report: 4 replicas + 1 surge + 1 CronJob pod.
      clients: [expect.objectContaining({ service: "gauge-report", pods: 6, connections: 30 })],
      defaultPoolSize: 30,
      maxDbConnections: 30,
      serverConnections: 60,
    });
  });

  const anyService = fc.record({
    max: fc.integer({ min: 2, max: 40 }),
    perPod: fc.integer({ min: 1, max: 30 }),
    access: fc.constantFrom("read" as const, "readwrite" as const),
    migration: fc.boolean(),
    schedule: fc.boolean(),
  });

  test("property: one PgBouncer pod can carry any role's peak and all roles' peaks together", () => {
    fc.assert(
      fc.property(fc.array(anyService, { minLength: 1, maxLength: 5 }), (specs) => {
        const services: ServiceConfig[] = specs.map((x, i) => {
          const base = service(`svc-${i}`, x.access, x.migration && x.access === "readwrite");
          return {
            ...base,
            database: { ...base.database, connectionsPerPod: x.perPod },
            replicas: { ...base.replicas, max: x.max },
            ...(x.schedule ? { schedule: { cron: "0 6 * * *", command: ["run"] } } : {}),
          };
        });
        const pools = planPools(database(), services);
        for (const p of [pools.rw, pools.ro]) {
          const total = p.clients.reduce((sum, c) => sum + c.connections, 0);
          for (const c of p.clients) {
            expect(c.connections).toBe(c.pods * c.connectionsPerPod);
            expect(p.defaultPoolSize).toBeGreaterThanOrEqual(c.connections);
          }
          expect(p.maxDbConnections).toBe(Math.max(1, total));
          expect(p.maxClientConn).toBeGreaterThanOrEqual(p.maxDbConnections);
          expect(p.serverConnections).toBe(p.instances * p.maxDbConnections);
        }
        // Refused exactly when a pooler's worst case does not fit max_connections.
        const fits = [pools.rw, pools.ro].every(
          (p) => p.serverConnections + p.reserved <= pools.maxConnections,
        );
        const site = { ...avilla, databases: [database()], services };
        const refused = databaseConfigProblems(site).some((p) =>
          p.key.endsWith(".parameters.max_connections"),
        );
        expect(refused).toBe(!fits);
      }),
      { numRuns: 200 },
    );
  });

  test("an HPA maximum the database cannot serve is refused, naming the key and the clients", () => {
    const services = avilla.services.map((s) =>
      s.name === "report-api" ? { ...s, replicas: { ...s.replicas, max: 40 } } : s,
    );
    expect(databaseConfigProblems({ ...avilla, services })).toEqual([
      {
        key: "plant:databases[0].parameters.max_connections",
        message:
          "is 200, but the rw pooler can open 2 PgBouncer pod(s) × 210 = 420 server connections on " +
          "the primary, plus 10 kept for superusers, the operator and PgBouncer's auth queries " +
          "(= 430); its clients at their HPA maximum: report-api 41 pod(s) × 5, report-api " +
          "migration 1 pod(s) × 5. Raise max_connections to at least 430 (with the instances' " +
          "memory), or lower a service's database.connectionsPerPod or replicas.max",
      },
    ]);
  });

  test("PostgreSQL's default of 100 is what counts when max_connections is not set", () => {
    const noParams = { ...db, parameters: {} };
    const problems = databaseConfigProblems({ ...avilla, databases: [noParams] });
    expect(problems.map((p) => p.key)).toEqual(["plant:databases[0].parameters.max_connections"]);
    expect(problems[0].message).toMatch(
      /^is 100, but the rw pooler can open 2 PgBouncer pod\(s\) × 50 = 100 /,
    );
  });
});
