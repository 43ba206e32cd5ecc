// The switchover drill's writer and checker across real promotions of a real PostgreSQL standby
// on 127.0.0.1: with synchronous commit every acknowledged row survives; with asynchronous
// replication and a standby that lags, the check finds the acknowledged rows the promotion lost.
import { Client } from "pg";
import { checkAcknowledged, createDrillTable, drillTable } from "../../tools/drills/rows";
import { NumberedWriter } from "../../tools/drills/writer";
import { SwitchoverReport } from "../../tools/drills/switchover";
import { switchoverMain } from "../../tools/drills/switchover-main";
import { startFakeKubeApi, fakeKubeconfig } from "../support/fake-kube-api";
import {
  caughtUp,
  makePgSandbox,
  PG_USER,
  PgNode,
  PgSandbox,
  stopWalReceiver,
} from "../support/pg-local";
import { makeTestPki } from "../support/x509";
import { CLUSTER_PATH, cnpgFake, NAMESPACE, writeOutputs } from "./cnpg-fixtures";

const b64 = (s: string) => Buffer.from(s).toString("base64");

// Real PostgreSQL servers start, replicate and promote here: more than the default 30 s on a slow machine.
const SLOW_MS = 60_000;

const pki = makeTestPki("drill-test-ca");
let sandbox: PgSandbox;
let primary: PgNode;
let standby: PgNode;

beforeAll(async () => {
  sandbox = makePgSandbox();
  primary = await sandbox.primary("pg-a", { synchronous: true });
  standby = await sandbox.standby("pg-b", primary);
  // The database the stack names (plant:databases[0].database), which the drill connects to
  // (created once the synchronous standby is there: a commit waits for it).
  await primary.query("CREATE DATABASE reporting");
  await caughtUp(primary);
}, SLOW_MS);

afterAll(async () => {
  await sandbox?.destroy();
}, SLOW_MS);

async function onServer<T>(node: PgNode, f: (c: Client) => Promise<T>): Promise<T> {
  const c = await node.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

test(
  "synchronous commit: the drill switches over mid-write and loses no acknowledged row",
  async () => {
    // CloudNativePG, played by the test: the status patch starts the real switchover of the local
    // pair (old primary shut down fast, so its WAL senders hand everything over; standby promoted;
    // its synchronous standby list rewritten; the "pooler" re-pointed); then the Cluster reports
    // the new primary healthy.
    let target = primary;
    let switchover: Promise<void> | undefined;
    const cnpg = cnpgFake("reporting-1");
    // The read-write pooler as the drill reaches it: the owner Secret, the pooler's ready pods, and
    // a port-forward to one of them, which (as PgBouncer would) leads to the current primary.
    Object.assign(cnpg.answers, {
      [`/api/v1/namespaces/${NAMESPACE}/secrets/reporting-owner`]: {
        metadata: { name: "reporting-owner", namespace: NAMESPACE },
        type: "kubernetes.io/basic-auth",
        data: { username: b64(PG_USER), password: b64("not-checked-trust-auth") },
      },
      [`/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=cnpg.io%2FpoolerName%3Dreporting-pooler-rw`]:
        {
          items: ["reporting-pooler-rw-7f9c-a", "reporting-pooler-rw-7f9c-b"].map((name) => ({
            metadata: {
              name,
              namespace: NAMESPACE,
              labels: { "cnpg.io/poolerName": "reporting-pooler-rw" },
            },
            spec: { nodeName: "reports-worker-3" },
            status: { conditions: [{ type: "Ready", status: "True" }] },
          })),
        },
    });
    const forwards: string[] = [];
    const api = await startFakeKubeApi({
      pki,
      answers: cnpg.answers,
      portForward: (namespace, pod, port) => {
        forwards.push(`${namespace}/${pod}:${port}`);
        return target.port;
      },
      onWrite: (w) => {
        if (w.method !== "PATCH" || w.path !== `${CLUSTER_PATH}/status`) return undefined;
        const status = (w.body as { status: { targetPrimary: string } }).status;
        cnpg.set({ phase: "Switchover in progress", targetPrimary: status.targetPrimary });
        switchover = (async () => {
          await primary.stop("fast");
          await standby.promote();
          await onServer(standby, async (c) => {
            await c.query("ALTER SYSTEM SET synchronous_standby_names = ''");
            await c.query("SELECT pg_reload_conf()");
          });
          target = standby;
          cnpg.set({ phase: "Cluster in healthy state", currentPrimary: status.targetPrimary });
        })();
        return { status: 200, body: cnpg.answers[CLUSTER_PATH] };
      },
    });
    const out: string[] = [];
    const err: string[] = [];
    try {
      const outputs = writeOutputs(fakeKubeconfig(api.url, pki, { clientCert: "drill" }));
      const code = await switchoverMain(
        ["avilla", "--outputs", outputs, "--json"],
        { out: (t) => out.push(t), err: (t) => err.push(t) },
        { pollMs: 50, writeIntervalMs: 20 },
      );
      await switchover;
      expect(err.join("\n")).not.toMatch(/^error:/m);
      expect(code).toBe(0);
    } finally {
      await api.close();
    }
    const report = JSON.parse(out.join("\n")) as SwitchoverReport;
    expect(report.from).toEqual({ name: "reporting-1", node: "reports-worker-1", host: "r620-1" });
    expect(report.to).toEqual({ name: "reporting-2", node: "reports-worker-2", host: "r620-2" });
    expect(report.completed).toBe(true);
    expect(report.rows.missing).toBe(0);
    expect(report.rows.present).toBe(report.writes.acknowledged);
    expect(report.writes.acknowledged).toBeGreaterThanOrEqual(20);
    // Writes stopped while the primary changed, and that time was measured.
    expect(report.unwritableStreaks.length).toBeGreaterThanOrEqual(1);
    expect(report.unwritableSeconds).toBeGreaterThan(0);
    expect(report.unwritableSeconds).toBeLessThan(20);
    expect(report.ok).toBe(true);
    // The patch is the one `kubectl cnpg promote` sends: merge patch of the status subresource,
    // optimistic lock on the resourceVersion.
    const patch = api.requests.find((r) => r.method === "PATCH");
    expect(patch?.contentType).toBe("application/merge-patch+json");
    expect(patch?.body).toMatchObject({
      metadata: { resourceVersion: "41" },
      status: {
        targetPrimary: "reporting-2",
        phase: "Switchover in progress",
        phaseReason: "Switching over to reporting-2",
        conditions: [
          { type: "Ready", status: "False", reason: "ClusterIsNotReady" },
          { type: "ContinuousArchiving", status: "True" },
        ],
      },
    });
    // Every connection went through a port-forward to a pooler pod, alternating between the two.
    expect(forwards.length).toBeGreaterThanOrEqual(4);
    expect(new Set(forwards)).toEqual(
      new Set([
        "postgres-reporting/reporting-pooler-rw-7f9c-a:5432",
        "postgres-reporting/reporting-pooler-rw-7f9c-b:5432",
      ]),
    );
    // The drill table is gone from the new primary.
    const left = await standby.query(
      "SELECT 1 FROM pg_tables WHERE schemaname = 'plant_drill'",
      [],
      "reporting",
    );
    expect(left).toEqual([]);
  },
  SLOW_MS,
);

test(
  "asynchronous replication with a lagging standby: the check finds the lost rows",
  async () => {
    // The survivor of the first test is the primary now; give it a new standby, asynchronous.
    const oldPrimary = standby;
    await onServer(oldPrimary, async (c) => {
      await c.query("ALTER SYSTEM SET synchronous_standby_names = ''");
      await c.query("SELECT pg_reload_conf()");
    });
    const lagging = await sandbox.standby("pg-c", oldPrimary);
    const table2 = drillTable("switchover", new Date("2026-11-30T16:00:00Z"));
    const writer = new NumberedWriter({ connect: () => oldPrimary.connect(), table: table2 });
    await onServer(oldPrimary, (c) => createDrillTable(c, table2));
    for (let i = 0; i < 10; i++) expect(await writer.tick()).toBe(true);
    await caughtUp(oldPrimary);
    // The standby stops receiving WAL; the primary still acknowledges (nothing waits for it).
    await stopWalReceiver(lagging);
    for (let i = 0; i < 7; i++) expect(await writer.tick()).toBe(true);
    await oldPrimary.stop("immediate");
    await lagging.promote();
    const summary = await writer.stop();

    const check = await onServer(lagging, (c) =>
      checkAcknowledged(c, table2, summary.acknowledged),
    );
    expect(summary.acknowledged).toEqual([...Array(17).keys()].map((i) => i + 1));
    expect(check.missing).toEqual([11, 12, 13, 14, 15, 16, 17]);
    expect(check.present).toBe(10);
  },
  SLOW_MS,
);
