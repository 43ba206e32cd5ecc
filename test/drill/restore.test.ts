// drill:restore: the consistency-query runner against a real PostgreSQL on loopback (Debian's
// server, one throwaway cluster for this file), and the Kubernetes orchestration against a fake
// API server (recorded shapes of the live Cluster, ObjectStore and Secret; a scratch Cluster that
// becomes ready as CloudNativePG's would) through @kubernetes/client-node. The "restored"
// database the checks run in is the local PostgreSQL.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { stringify, parse } from "yaml";
import { meets, recoveryPointFromLog, runCheck } from "../../tools/drill/checks";
import { restoreMain } from "../../tools/drill/restore-main";
import { Connector } from "../../tools/drill/restore";
import { FakeCluster } from "../support/fake-cluster";
import {
  fakeKubeconfig,
  FakeKubeApi,
  FakeRequest,
  startFakeKubeApi,
} from "../support/fake-kube-api";
import { makePgSandbox, PgNode, PgSandbox } from "../support/pg-local";
import { makeTestPki, TestPki } from "../support/x509";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = path.resolve(__dirname, "../..");
const CNPG = "/apis/postgresql.cnpg.io/v1";
const BARMAN = "/apis/barmancloud.cnpg.io/v1";
const REPLAYED = "2026-11-22 23:59:58.123456+00";

let sandbox: PgSandbox;
let pg: PgNode;
let admin: Client;
let pki: TestPki;
let api: FakeKubeApi;
let cluster: FakeCluster;
let dir: string;
let outputsFile: string;
let polls = 0;
let failJob = false;

const client = (database = "reporting") => pg.connect(database);

function liveObjects(c: FakeCluster): void {
  c.put(CNPG, "clusters", {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "reporting", namespace: "postgres-reporting" },
    spec: {
      instances: 3,
      imageName: "ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie",
      storage: { size: "100Gi", storageClass: "local-path" },
      walStorage: { size: "20Gi", storageClass: "local-path" },
      resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } },
      postgresql: { parameters: { max_connections: "200", shared_buffers: "1GB" } },
      plugins: [
        {
          name: "barman-cloud.cloudnative-pg.io",
          isWALArchiver: true,
          parameters: { barmanObjectName: "reporting-backups", serverName: "reporting" },
        },
      ],
    },
  });
  c.put(BARMAN, "objectstores", {
    apiVersion: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    metadata: { name: "reporting-backups", namespace: "postgres-reporting" },
    spec: {
      retentionPolicy: "30d",
      configuration: {
        destinationPath: "s3://avilla-pg-backups/postgres/reporting",
        endpointURL: "https://objects.avilla.busche-cnc.com:8080",
        s3Credentials: {
          accessKeyId: { name: "reporting-backup-s3", key: "ACCESS_KEY_ID" },
          secretAccessKey: { name: "reporting-backup-s3", key: "ACCESS_SECRET_KEY" },
          region: { name: "reporting-backup-s3", key: "REGION" },
        },
        wal: { compression: "gzip", maxParallel: 4 },
      },
    },
  });
  c.put("/api/v1", "secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "reporting-backup-s3", namespace: "postgres-reporting" },
    data: { ACCESS_KEY_ID: "a2V5", ACCESS_SECRET_KEY: "c2VjcmV0", REGION: "UmVnaW9uT25l" },
  });
}

/** What CloudNativePG does for a new recovery Cluster, as the drill polls it. */
function operator(req: FakeRequest): void {
  if (req.method !== "POST" || !req.path.endsWith("/namespaces/plant-drill/clusters")) return;
  const c = cluster.get(CNPG, "clusters", "plant-drill", "restore-reporting")!;
  c.status = {
    phase: "Setting up primary",
    phaseReason: "Creating primary instance restore-reporting-1",
  };
  cluster.put("/api/v1", "secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "restore-reporting-superuser", namespace: "plant-drill" },
    data: {
      username: Buffer.from("postgres").toString("base64"),
      password: Buffer.from("pw").toString("base64"),
    },
  });
  cluster.put("/api/v1", "pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "restore-reporting-1-full-recovery-abcde",
      namespace: "plant-drill",
      labels: { "cnpg.io/cluster": "restore-reporting", "cnpg.io/jobRole": "full-recovery" },
    },
  });
  cluster.logs.set(
    "plant-drill/restore-reporting-1-full-recovery-abcde",
    `{"level":"info","logger":"postgres","msg":"record","record":{"message":"last completed transaction was at log time ${REPLAYED}"}}\n`,
  );
  if (failJob)
    cluster.put("/apis/batch/v1", "jobs", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "restore-reporting-1-full-recovery",
        namespace: "plant-drill",
        labels: { "cnpg.io/cluster": "restore-reporting" },
      },
      status: { failed: 1 },
    });
}

function route(req: FakeRequest) {
  if (
    req.method === "GET" &&
    req.path === `${CNPG}/namespaces/plant-drill/clusters/restore-reporting`
  ) {
    const c = cluster.get(CNPG, "clusters", "plant-drill", "restore-reporting");
    if (c && !failJob && ++polls >= 2)
      c.status = {
        phase: "Cluster in healthy state",
        readyInstances: 1,
        currentPrimary: "restore-reporting-1",
        conditions: [{ type: "Ready", status: "True" }],
      };
  }
  return cluster.route(req);
}

const seen: { target?: Obj } = {};
const connect: Connector = async (target) => {
  seen.target = target;
  const c = await client(target.database);
  return { client: c, close: () => c.end() };
};

beforeAll(async () => {
  sandbox = makePgSandbox();
  pg = await sandbox.primary("restore");
  admin = await client("postgres");
  await admin.query("CREATE ROLE reporting_owner");
  await admin.query("CREATE DATABASE reporting OWNER reporting_owner");
  const db = await client();
  await db.query("CREATE TABLE shifts (id int primary key, line text not null)");
  await db.query("INSERT INTO shifts SELECT g, 'line-' || (g % 4) FROM generate_series(1, 120) g");
  await db.end();
  pki = makeTestPki("drill-kube-ca");
  cluster = new FakeCluster();
  cluster.onWrite = operator;
  api = await startFakeKubeApi({ pki, answers: {}, tokens: ["t"], route });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-test-"));
  outputsFile = path.join(dir, "outputs.json");
  fs.writeFileSync(
    outputsFile,
    JSON.stringify({
      version: 1,
      site: { name: "avilla", domain: "busche-cnc.com", failuresTolerated: 1 },
      clusters: {
        reports: {
          kind: "openstack",
          apiEndpoint: api.url,
          kubeconfig: fakeKubeconfig(api.url, pki, { token: "t" }),
          nodes: [],
        },
      },
      databases: {
        reporting: {
          cluster: "reports",
          database: "reporting",
          port: 5432,
          backupServerName: "reporting",
        },
      },
      services: {},
    }),
  );
});

afterAll(async () => {
  await admin?.end();
  await sandbox?.destroy();
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const k of [
    ["/api/v1", "namespaces"],
    ["/api/v1", "secrets"],
    ["/api/v1", "pods"],
    [CNPG, "clusters"],
    [BARMAN, "objectstores"],
    ["/apis/batch/v1", "jobs"],
  ] as const)
    for (const o of cluster.all(k[0], k[1]))
      cluster.remove(k[0], k[1], o.metadata.namespace, o.metadata.name);
  liveObjects(cluster);
  polls = 0;
  failJob = false;
  (api.requests as unknown[]).length = 0;
});

async function drill(extra: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await restoreMain(
    ["avilla", "--outputs", outputsFile, "--json", ...extra],
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    { connect, pollMs: 1 },
  );
  return {
    code,
    doc: out.length ? (JSON.parse(out.join("\n")) as Obj) : undefined,
    err: err.join("\n"),
  };
}

const writes = () => api.requests.filter((r) => r.method !== "GET");

describe("consistency checks on a real PostgreSQL", () => {
  let db: Client;
  beforeAll(async () => {
    db = await client();
  });
  afterAll(() => db.end());

  test.each([
    [
      "a row count in a range",
      "select count(*) from shifts",
      { min: 100, max: 200 },
      true,
      "'120' (expected between 100 and 200)",
    ],
    ["an exact number", "select count(distinct line) from shifts", 4, true, "'4' (expected 4)"],
    [
      "an exact number, wrong",
      "select count(*) from shifts where line = 'line-9'",
      1,
      false,
      "'0', expected 1",
    ],
    [
      "a boolean",
      "select exists (select 1 from shifts where id = 7)",
      true,
      true,
      "true (expected true)",
    ],
    [
      "text",
      "select line from shifts where id = 5",
      "line-1",
      true,
      "'line-1' (expected 'line-1')",
    ],
    ["null", "select max(id) from shifts where id > 1000", null, true, "null (expected null)"],
  ])("%s", async (_, sql, want, ok, detail) => {
    expect(await runCheck(db, { name: "c", sql, expect: want }, 5000)).toEqual({
      name: "c",
      ok,
      value: expectedValue(detail),
      detail,
    });
  });

  test("writes are refused, one statement only, a timeout holds, one value only", async () => {
    const run = (sql: string, timeout = 5000) =>
      runCheck(db, { name: "x", sql, expect: 1 }, timeout);
    expect((await run("insert into shifts values (999, 'x') returning 1")).detail).toBe(
      "query failed: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)",
    );
    expect((await run("select 1; select 2")).detail).toBe(
      "query failed: cannot insert multiple commands into a prepared statement (SQLSTATE 42601)",
    );
    expect((await run("select pg_sleep(5)", 100)).detail).toBe(
      "query failed: canceling statement due to statement timeout (SQLSTATE 57014)",
    );
    expect((await run("select id, line from shifts limit 2")).detail).toBe(
      "returned 2 rows × 2 columns; a check returns one value",
    );
    // Nothing was written, and the connection is usable after each failure.
    expect((await db.query("select count(*)::int as n from shifts")).rows[0].n).toBe(120);
  });

  test("values as pg returns them", () => {
    expect(meets("120", { min: 1 })).toBe(true);
    expect(meets("abc", { min: 1 })).toBe(false);
    expect(meets(null, 0)).toBe(false);
    expect(meets("1", "1")).toBe(true);
    expect(
      recoveryPointFromLog(
        `x\nlast completed transaction was at log time ${REPLAYED}"}`,
      )?.toISOString(),
    ).toBe("2026-11-22T23:59:58.123Z");
    expect(recoveryPointFromLog("nothing here")).toBeUndefined();
  });
});

function expectedValue(detail: string): string {
  return detail.split(/ \(expected|, expected/)[0];
}

describe("the drill against a fake cluster", () => {
  test("restores into a scratch cluster, runs the stack's checks, reports, removes it; the live database is only read", async () => {
    const r = await drill();
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.doc).toMatchObject({
      stack: "avilla",
      database: "reporting",
      recoveryPoint: "2026-11-22T23:59:58.123Z",
      recoveryPointSource: "the recovery job's log",
      cleanedUp: true,
      exitCode: 0,
    });
    expect(typeof r.doc!.restoreSeconds).toBe("number");
    expect(r.doc!.checks.map((c: Obj) => `${c.subject}: ${c.status} ${c.detail}`)).toEqual([
      expect.stringMatching(
        /^database reporting: restore: ok scratch cluster ready in \d+ s \(primary restore-reporting-1\)$/,
      ),
      "database reporting: check owner-present: ok '1' (expected 1)",
      "database reporting: check tables-present: ok '1' (expected at least 1)",
    ]);
    expect(seen.target).toEqual({
      namespace: "plant-drill",
      pod: "restore-reporting-1",
      database: "reporting",
      user: "postgres",
      password: "pw",
    });
    // Every write went to the drill namespace; the live namespace was only read.
    const w = writes();
    expect(w.length).toBeGreaterThan(0);
    for (const q of w) expect(q.path).not.toContain("postgres-reporting");
    const body = (suffix: string) =>
      w.find((q) => q.method === "POST" && q.path.endsWith(suffix))!.body as Obj;
    const scratch = body("/namespaces/plant-drill/clusters");
    // Same recovery shapes as components/postgres/cluster-spec.ts, which the plan tests validate
    // against the pinned CRD (loading that CRD here would cost seconds of CPU per run).
    expect(scratch.spec).toMatchObject({
      instances: 1,
      imageName: "ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie",
      storage: { size: "100Gi", storageClass: "local-path" },
      postgresql: { parameters: { max_connections: "200", shared_buffers: "1GB" } },
      bootstrap: {
        recovery: { source: "origin", database: "reporting", owner: "reporting_owner" },
      },
      externalClusters: [
        {
          name: "origin",
          plugin: {
            name: "barman-cloud.cloudnative-pg.io",
            parameters: { barmanObjectName: "restore-reporting", serverName: "reporting" },
          },
        },
      ],
    });
    // It archives nothing: no WAL archiver, so it never writes into the object store.
    expect(scratch.spec.plugins).toBeUndefined();
    const store = body("/namespaces/plant-drill/objectstores");
    expect(store.spec.retentionPolicy).toBeUndefined();
    expect(store.spec.configuration.s3Credentials.accessKeyId).toEqual({
      name: "restore-reporting-s3",
      key: "ACCESS_KEY_ID",
    });
    // Cleaned up: the namespace it made is gone with everything in it.
    expect(cluster.get("/api/v1", "namespaces", undefined, "plant-drill")).toBeUndefined();
    expect(cluster.get(CNPG, "clusters", "postgres-reporting", "reporting")).toBeDefined();
    // The S3 secret's values never reach the report or the progress lines.
    expect(JSON.stringify(r.doc) + r.err).not.toContain("c2VjcmV0");
    expect(r.err).toMatch(/restore-reporting: Setting up primary/);
  });

  test("refuses when its names are taken, and creates nothing", async () => {
    cluster.put("/api/v1", "namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "plant-drill" },
    });
    let r = await drill();
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[1]).toBe(
      "error: refused: namespace plant-drill exists and was not made by a drill (no label plant.busche-cnc.com/drill=restore); the drill will not write into it",
    );
    expect(writes()).toEqual([]);
    cluster.put("/api/v1", "namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "plant-drill", labels: { "plant.busche-cnc.com/drill": "restore" } },
    });
    cluster.put(CNPG, "clusters", {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: { name: "restore-reporting", namespace: "plant-drill" },
    });
    r = await drill();
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[1]).toMatch(
      /^error: refused: Cluster plant-drill\/restore-reporting already exists: another drill is running, or one was kept/,
    );
    expect(writes()).toEqual([]);
  });

  test("a failed recovery Job fails the drill, which still cleans up", async () => {
    failJob = true;
    const r = await drill();
    expect(r.code).toBe(1);
    expect(r.doc!.checks).toEqual([
      {
        area: "restore",
        subject: "database reporting: restore",
        status: "fail",
        object: "Cluster plant-drill/restore-reporting",
        detail:
          "the recovery Job plant-drill/restore-reporting-1-full-recovery failed: kubectl logs -n plant-drill job/restore-reporting-1-full-recovery",
        runbook: "docs/postgres.md#restore-drill",
      },
    ]);
    expect(r.doc!.cleanedUp).toBe(true);
    expect(cluster.get("/api/v1", "namespaces", undefined, "plant-drill")).toBeUndefined();
  });

  test("a failing consistency check fails the drill and names the check", async () => {
    const raw = parse(fs.readFileSync(path.join(ROOT, "Pulumi.avilla.yaml"), "utf8")) as Obj;
    raw.config["plant:databases"][0].drill.checks.push(
      { name: "shifts-counted", sql: "select count(*) from shifts", expect: { min: 500 } },
      { name: "orders-table", sql: "select count(*) from orders", expect: { min: 1 } },
    );
    const file = path.join(dir, "Pulumi.avilla.yaml");
    fs.writeFileSync(file, stringify(raw));
    const r = await drill(["--config", file]);
    expect(r.code).toBe(1);
    const rows = r.doc!.checks.filter((c: Obj) => c.status === "fail");
    expect(rows.map((c: Obj) => [c.subject, c.detail, c.runbook])).toEqual([
      [
        "database reporting: check shifts-counted",
        "'120', expected at least 500",
        "docs/postgres.md#restore-drill",
      ],
      [
        "database reporting: check orders-table",
        'query failed: relation "orders" does not exist (SQLSTATE 42P01)',
        "docs/postgres.md#restore-drill",
      ],
    ]);
    expect(r.doc!.cleanedUp).toBe(true);
  });

  test("usage: an unknown database, an unreachable cluster", async () => {
    let r = await drill(["--database", "nope"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: stack 'avilla' has no database 'nope' \(it has: reporting\)/);
    const closed = await startFakeKubeApi({ pki, answers: {} });
    await closed.close();
    const kc = path.join(dir, "closed.kubeconfig");
    fs.writeFileSync(kc, fakeKubeconfig(closed.url, pki, { token: "t" }));
    r = await drill(["--kubeconfig", kc]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /^drill:restore avilla\/reporting: cluster reports at https:\/\/127\.0\.0\.1:\d+\nerror: cannot connect to the cluster: connection refused$/,
    );
  });
});
