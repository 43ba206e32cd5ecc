// plant:databases checks: exact keys and messages, thrown before any resource exists.
import { SiteConfigError } from "../../config/site";
import {
  assertDatabasesPlaceable,
  databaseConfigProblems,
  databasePlacementProblems,
  workloadHosts,
} from "../../components/postgres/validation";
import { avillaSite, clusterFacts, database, service } from "./fixtures";

const threeHosts = [clusterFacts("reports", ["r620-1", "r620-2", "r620-3"])];

function siteWith(
  dbOverrides: Record<string, unknown>,
  failuresTolerated = 1,
  services = avillaSite().services,
) {
  const site = avillaSite();
  return {
    ...site,
    site: { ...site.site, failuresTolerated },
    databases: [database(dbOverrides)],
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
