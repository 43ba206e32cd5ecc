// The host-loss drill end to end against stand-ins that really fail: Keystone and Nova on
// 127.0.0.1 (recorded answers; stopping r620-1's VMs is what makes things fail), the Kubernetes
// API (recorded answers the test moves as the cluster would), real HTTPS route servers that the
// test stops and restarts, and a real PostgreSQL primary + streaming standby on loopback whose
// primary the test crashes when the VM it "runs on" stops.
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { HostLossReport } from "../../tools/drills/host-loss-report";
import { hostLossMain } from "../../tools/drills/host-loss-main";
import { DrillKube } from "../../tools/drills/kube";
import { Route } from "../../tools/drills/probe";
import { fakeKubeconfig, startFakeKubeApi, FakeKubeApi } from "../support/fake-kube-api";
import {
  caughtUp,
  makePgSandbox,
  PgNode,
  PgSandbox,
  stopWalReceiver,
  waitFor,
} from "../support/pg-local";
import { makeTestPki } from "../support/x509";
import { avillaNodes, cnpgFake, loadBalancers } from "./cnpg-fixtures";
import { cloudsYaml, NovaFake, startNovaFake } from "./nova-fake";

// Real PostgreSQL servers start, replicate and promote here: more than the default 30 s on a slow machine.
const SLOW_MS = 60_000;

const pki = makeTestPki("drill-test-ca");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-host-loss-"));
let sandbox: PgSandbox;
let a: PgNode;
let b: PgNode;
let target: PgNode;

/** A route server on a fixed port that the test can take down and bring back. */
class RouteServer {
  private server?: https.Server;
  port = 0;
  async start(): Promise<void> {
    this.server = https.createServer(
      { cert: pki.server.certPem, key: pki.server.keyPem },
      (_, res) => res.end("ok"),
    );
    await new Promise<void>((r) => (this.server as https.Server).listen(this.port, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
  }
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
    this.server = undefined;
  }
}
const web = new RouteServer();
const api = new RouteServer();

function routes(): Route[] {
  const r = (service: string, p: string, port: number): Route => ({
    name: `reports1.busche-cnc.com${p}`,
    cluster: "reports",
    service,
    ip: "127.0.0.1",
    port,
    hostname: "localhost",
    path: p,
    protocol: "https",
  });
  return [
    r("report-web", "/", web.port),
    r("report-api", "/graphql", api.port),
    r("gauge-report", "/gauges", api.port),
  ];
}

beforeAll(async () => {
  process.env.OS_CLIENT_CONFIG_FILE = path.join(dir, "clouds.yaml");
  sandbox = makePgSandbox();
  a = await sandbox.primary("pg-a", { synchronous: true });
  b = await sandbox.standby("pg-b", a);
  target = a;
  await web.start();
  await api.start();
}, SLOW_MS);

afterAll(async () => {
  delete process.env.OS_CLIENT_CONFIG_FILE;
  await web.stop();
  await api.stop();
  await sandbox?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}, SLOW_MS);

async function reconfigure(node: PgNode, sync: string): Promise<void> {
  await node.query(`ALTER SYSTEM SET synchronous_standby_names = '${sync}'`);
  await node.query("SELECT pg_reload_conf()");
}

interface Stage {
  readonly cnpg: ReturnType<typeof cnpgFake>;
  readonly answers: Record<string, unknown>;
}

function stage(primary: string): Stage {
  const cnpg = cnpgFake(primary);
  Object.assign(cnpg.answers, loadBalancers("reports-worker-1"), {
    "/api/v1/nodes": avillaNodes(),
  });
  return { cnpg, answers: cnpg.answers };
}

/** What losing r620-1 does to the cluster's answers, and what its return undoes. */
function moveCluster(s: Stage, action: string, newPrimary: string): void {
  if (action === "os-stop") {
    Object.assign(s.answers, loadBalancers("reports-worker-2"), {
      "/api/v1/nodes": avillaNodes(["reports-cp-1", "reports-worker-1"]),
    });
    s.cnpg.set({
      phase: "Waiting for the instances to become active",
      currentPrimary: newPrimary,
      targetPrimary: newPrimary,
      readyInstances: 2,
    });
  } else {
    s.answers["/api/v1/nodes"] = avillaNodes();
    s.cnpg.set({ phase: "Cluster in healthy state", readyInstances: 3 });
  }
}

async function drill(
  nova: NovaFake,
  kubeApi: FakeKubeApi,
  extra: string[] = [],
): Promise<{ code: number; report?: HostLossReport; out: string; err: string[] }> {
  cloudsYaml(dir, nova, pki);
  const reportFile = path.join(dir, `report-${Date.now()}.json`);
  const out: string[] = [];
  const err: string[] = [];
  const kube = DrillKube.fromText(fakeKubeconfig(kubeApi.url, pki, { clientCert: "drill" }));
  const code = await hostLossMain(
    [
      "avilla",
      "--host",
      "r620-1",
      "--settle",
      "15",
      "--recover",
      "15",
      "--report",
      reportFile,
      "--json",
      ...extra,
    ],
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    {
      routes: routes(),
      overrides: {
        kube: () => kube,
        pooler: async () => ({ connect: () => target.connect(), close: async () => undefined }),
        verifyGate: async () => ({ ok: true, detail: "stand-in for npm run verify" }),
        probeCa: () => pki.ca.certPem,
        timing: {
          pollMs: 200,
          probeIntervalMs: 150,
          writeIntervalMs: 40,
          stableMs: 300,
          minDownMs: 0,
        },
      },
    },
  );
  const report = fs.existsSync(reportFile)
    ? (JSON.parse(fs.readFileSync(reportFile, "utf8")) as HostLossReport)
    : undefined;
  return { code, report, out: out.join("\n"), err };
}

test(
  "r620-1 lost: VMs stopped through Nova, the primary fails over, no acknowledged row lost",
  async () => {
    const s = stage("reporting-1");
    const kubeApi = await startFakeKubeApi({ pki, answers: s.answers });
    const nova = await startNovaFake(pki, {
      onAction: async (vm, action) => {
        if (vm !== "reports-worker-1") return;
        if (action === "os-stop") {
          // The host dies: the primary crashes, the report-web backend behind the gateway with it.
          await web.stop();
          await a.stop("immediate");
          await b.promote();
          await reconfigure(b, "");
          target = b;
          moveCluster(s, action, "reporting-2");
          setTimeout(() => void web.start(), 400);
        } else moveCluster(s, action, "reporting-2");
      },
    });
    try {
      const { code, report, out, err } = await drill(nova, kubeApi);
      expect(err.join("\n")).not.toMatch(/^error:/m);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(report);
      const r = report as HostLossReport;
      expect(r.ok).toBe(true);
      expect(nova.actions).toEqual([
        { server: "reports-cp-1", action: "os-stop" },
        { server: "reports-worker-1", action: "os-stop" },
        { server: "reports-cp-1", action: "os-start" },
        { server: "reports-worker-1", action: "os-start" },
      ]);
      expect(r.vms.map((v) => [v.name, v.finalStatus])).toEqual([
        ["reports-cp-1", "ACTIVE"],
        ["reports-worker-1", "ACTIVE"],
      ]);
      expect(r.settled && r.recovered).toBe(true);
      const failed = Object.fromEntries(r.routes.map((x) => [x.route, x.failedSeconds]));
      expect(failed["reports1.busche-cnc.com/"]).toBeGreaterThan(0.3);
      expect(failed["reports1.busche-cnc.com/graphql"]).toBe(0);
      expect(failed["reports1.busche-cnc.com/gauges"]).toBe(0);
      expect(r.databases).toHaveLength(1);
      expect(r.databases[0].missing).toBe(0);
      expect(r.databases[0].unwritableSeconds).toBeGreaterThan(0);
      expect(r.databases[0].acknowledged).toBeGreaterThan(10);
      expect(r.staticIps).toEqual([
        {
          cluster: "reports",
          ip: "10.1.0.8",
          before: { node: "reports-worker-1", host: "r620-1" },
          after: { node: "reports-worker-2", host: "r620-2" },
          onSurvivor: true,
        },
        {
          cluster: "optiplex",
          ip: "10.1.0.112",
          before: { node: "opti-2", host: "optiplex-2" },
          after: { node: "opti-2", host: "optiplex-2" },
          onSurvivor: true,
        },
      ]);
      expect(r.prediction.matched).toBe(true);
      const observed = r.prediction.rows.filter((p) => p.observed !== null);
      expect(observed.map((p) => `${p.tier} ${p.subject}`)).toContain(
        "postgres database reporting",
      );
      // The drill's table is gone again.
      expect(await b.query("SELECT 1 FROM pg_tables WHERE schemaname = 'plant_drill'")).toEqual([]);
    } finally {
      await nova.close();
      await kubeApi.close();
    }
  },
  SLOW_MS,
);

test(
  "asynchronous standby lagging when the host dies: the drill reports the lost rows",
  async () => {
    // The survivor b is primary; c is its standby, asynchronous; routes stay up this time.
    const c = await sandbox.standby("pg-c", b);
    await caughtUp(b);
    const s = stage("reporting-2");
    const kubeApi = await startFakeKubeApi({ pki, answers: s.answers });
    const nova = await startNovaFake(pki, {
      onAction: async (vm, action) => {
        if (vm !== "reports-worker-1") return;
        if (action === "os-stop") {
          await stopWalReceiver(c);
          // Let the primary acknowledge a few more commits that never reach c, then crash it.
          const [{ t }] = await b.query<{ t: string }>(
            "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'plant_drill'",
          );
          const count = async () =>
            Number(
              (await b.query<{ n: string }>(`SELECT count(*) AS n FROM plant_drill.${t}`))[0].n,
            );
          const at = await count();
          await waitFor("three more commits", async () => (await count()) >= at + 3);
          await b.stop("immediate");
          await c.promote();
          target = c;
        }
        moveCluster(s, action, "reporting-3");
      },
    });
    try {
      const { code, report } = await drill(nova, kubeApi);
      expect(code).toBe(1);
      const r = report as HostLossReport;
      expect(r.ok).toBe(false);
      expect(r.databases[0].missing).toBeGreaterThanOrEqual(2);
      expect(r.problems.join("\n")).toMatch(/database reporting: \d+ acknowledged rows lost/);
      expect(r.routes.map((x) => x.failedSeconds)).toEqual([0, 0, 0]);
      expect(r.prediction.matched).toBe(false);
      const wrong = r.prediction.rows.filter(
        (p) => p.observed !== null && p.observed !== p.predicted,
      );
      expect(wrong.map((p) => p.subject)).toEqual(["database reporting"]);
    } finally {
      await nova.close();
      await kubeApi.close();
    }
  },
  SLOW_MS,
);

test(
  "a VM that does not stop: the drill aborts, restarts what it stopped, exit 3",
  async () => {
    const s = stage("reporting-3");
    const kubeApi = await startFakeKubeApi({ pki, answers: s.answers });
    const nova = await startNovaFake(pki, { stuck: ["reports-worker-1"] });
    try {
      const { code, report } = await drill(nova, kubeApi, ["--stop-timeout", "1"]);
      expect(code).toBe(3);
      const r = report as HostLossReport;
      expect(r.aborted).toBe(
        "VM reports-worker-1 (ACTIVE) did not reach SHUTOFF within 1 s; the host was not taken out, the drill is void",
      );
      expect(nova.actions).toEqual([
        { server: "reports-cp-1", action: "os-stop" },
        { server: "reports-worker-1", action: "os-stop" },
        { server: "reports-cp-1", action: "os-start" },
      ]);
      expect(r.vms.map((v) => [v.name, v.finalStatus])).toEqual([
        ["reports-cp-1", "ACTIVE"],
        ["reports-worker-1", "ACTIVE"],
      ]);
      expect(r.databases[0].missing).toBe(0);
      expect(r.prediction.rows).toEqual([]);
    } finally {
      await nova.close();
      await kubeApi.close();
    }
  },
  SLOW_MS,
);
