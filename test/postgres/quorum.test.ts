// Replication maths and naming: properties over every instance count and failure budget.
import fc from "fast-check";
import {
  archiveServerName,
  databaseEndpoints,
  databaseNames,
  nextServerName,
  roleName,
} from "../../components/postgres/names";
import {
  minInstances,
  quorumAfterLosses,
  synchronousNumber,
} from "../../components/postgres/quorum";
import { database } from "./fixtures";

describe("minInstances", () => {
  test.each([
    [0, 3],
    [1, 3],
    [2, 5],
    [3, 7],
  ])("f=%i → %i", (f, n) => expect(minInstances(f)).toBe(n));
});

describe("synchronousNumber", () => {
  test.each([
    [3, 1, 1],
    [4, 1, 1],
    [5, 2, 2],
    [6, 2, 2],
    [7, 3, 3],
    [3, 0, 1],
    // Below minInstances (refused by validation): capped so writes go on.
    [4, 2, 1],
  ])("n=%i f=%i → %i", (n, f, k) => expect(synchronousNumber(n, f)).toBe(k));

  const valid = fc
    .integer({ min: 0, max: 3 })
    .chain((f) => fc.tuple(fc.constant(f), fc.integer({ min: minInstances(f), max: 9 })));

  test("at least one synchronous standby, always", () => {
    fc.assert(fc.property(valid, ([f, n]) => synchronousNumber(n, f) >= 1));
  });

  test("f synchronous standbys on every valid size", () => {
    fc.assert(fc.property(valid, ([f, n]) => synchronousNumber(n, f) === Math.max(1, f)));
  });

  test("on every valid size, any k ≤ f host losses keep failover and writes", () => {
    fc.assert(
      fc.property(
        valid.chain(([f, n]) => fc.tuple(fc.constant(f), fc.constant(n), fc.nat({ max: f }))),
        ([f, n, k]) => {
          const q = quorumAfterLosses(n, synchronousNumber(n, f), k);
          return q.canPromote && q.canWrite;
        },
      ),
    );
  });

  test("every size below minInstances fails some f-host loss (the floor is tight)", () => {
    const tooSmall = fc
      .integer({ min: 2, max: 4 }) // f ≤ 1: the floor of 3 is already 2f+1
      .chain((f) => fc.tuple(fc.constant(f), fc.integer({ min: 3, max: minInstances(f) - 1 })));
    fc.assert(
      fc.property(tooSmall, ([f, n]) => {
        const q = quorumAfterLosses(n, synchronousNumber(n, f), f);
        return !(q.canPromote && q.canWrite);
      }),
    );
  });
});

describe("quorumAfterLosses", () => {
  // CloudNativePG's failover quorum: promote when (n − lost) + s > n − 1; writes need n − lost − 1 ≥ s.
  test.each([
    [3, 1, 0, true, true],
    [3, 1, 1, true, true],
    [3, 1, 2, false, false],
    [4, 1, 2, false, true], // f=2 with 4 instances: writes go on, but no safe promotion
    [5, 2, 2, true, true],
    [5, 2, 3, false, false],
    [3, 1, 3, false, false],
  ])("n=%i s=%i lost=%i → promote %s, write %s", (n, s, lost, promote, write) =>
    expect(quorumAfterLosses(n, s, lost)).toEqual({ canPromote: promote, canWrite: write }),
  );
});

describe("names", () => {
  test("endpoints of the reporting database", () => {
    expect(databaseEndpoints(databaseNames({ name: "reporting" }))).toEqual({
      poolerReadWrite: "reporting-pooler-rw.postgres-reporting.svc",
      poolerReadOnly: "reporting-pooler-ro.postgres-reporting.svc",
      directReadWrite: "reporting-rw.postgres-reporting.svc",
      directReadOnly: "reporting-ro.postgres-reporting.svc",
    });
  });

  test.each([
    ["report-api", "app", "svc_report_api"],
    ["report-api", "migration", "svc_report_api_migrate"],
    ["gauge-report", "app", "svc_gauge_report"],
  ] as const)("role of %s (%s) is %s", (s, kind, role) => expect(roleName(s, kind)).toBe(role));

  test("role names are valid PostgreSQL identifiers for every service name the schema allows", () => {
    const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/);
    fc.assert(
      fc.property(dnsLabel, fc.constantFrom("app" as const, "migration" as const), (s, kind) =>
        /^[a-z_][a-z0-9_]{0,62}$/.test(roleName(s, kind)),
      ),
    );
  });

  test.each([
    ["reporting", "reporting-g2"],
    ["reporting-g2", "reporting-g3"],
    ["reporting-g9", "reporting-g10"],
    ["old-cluster", "old-cluster-g2"],
  ])("restoring from %s archives to %s", (source, next) =>
    expect(nextServerName(source)).toBe(next),
  );

  test("a restored cluster never archives into the server it was restored from", () => {
    const serverName = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,30}[a-z0-9])?$/);
    fc.assert(fc.property(serverName, (source) => nextServerName(source) !== source));
  });

  test("archive server name: the cluster name until a restore", () => {
    expect(archiveServerName(database())).toBe("reporting");
    expect(
      archiveServerName(database({ restore: { enabled: true, sourceServerName: "reporting" } })),
    ).toBe("reporting-g2");
  });
});
