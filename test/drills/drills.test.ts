// The drills' parts that need no database: command lines, outage arithmetic, routes and the
// forecast from the stack file, refusals (analysis, verify, an unhealthy cluster, a bad --to),
// clouds.yaml, and the Kubernetes writes (cordon, drain through evictions) against recorded answers.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseHostLossArgs, parseSwitchoverArgs } from "../../tools/drills/args";
import { forecastHostLoss } from "../../tools/drills/host-loss-report";
import { hostLossMain } from "../../tools/drills/host-loss-main";
import { clusterState, DrillKube, promoteStatus } from "../../tools/drills/kube";
import { readCloud } from "../../tools/drills/openstack";
import { OutageClock } from "../../tools/drills/outage";
import { configuredRoutes } from "../../tools/drills/probe";
import { drillTable, formatRanges } from "../../tools/drills/rows";
import { DrillError, loadSite } from "../../tools/drills/stack";
import { switchoverMain } from "../../tools/drills/switchover-main";
import { verifyCommandGate } from "../../tools/drills/verify-gate";
import { fakeKubeconfig, startFakeKubeApi } from "../support/fake-kube-api";
import { makeTestPki } from "../support/x509";
import { avillaNodes, cnpgFake, writeOutputs } from "./cnpg-fixtures";

const pki = makeTestPki("drill-test-ca");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drills-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe("command lines", () => {
  test("switchover defaults and options", () => {
    expect(parseSwitchoverArgs(["avilla"])).toEqual({
      stack: "avilla",
      kubeconfigs: new Map(),
      json: false,
      timeoutSeconds: 10,
      switchoverTimeoutSeconds: 180,
      keepTable: false,
    });
    const a = parseSwitchoverArgs([
      "albion",
      "--database",
      "reporting",
      "--to",
      "reporting-3",
      "--kubeconfig",
      "reports=/k/r.yaml",
      "--switchover-timeout",
      "90",
      "--keep-table",
      "--json",
    ]);
    expect(a).toMatchObject({
      stack: "albion",
      database: "reporting",
      to: "reporting-3",
      switchoverTimeoutSeconds: 90,
      keepTable: true,
      json: true,
    });
    expect(a !== "help" && [...a.kubeconfigs]).toEqual([["reports", "/k/r.yaml"]]);
    expect(parseSwitchoverArgs(["-h"])).toBe("help");
  });

  test.each([
    [[], /^which stack\?/],
    [["a", "b"], /^one stack at a time/],
    [["a", "--to"], /^--to needs a value/],
    [["a", "--switchover-timeout", "0"], /^--switchover-timeout 0 is not a number of seconds/],
    [["a", "--kubeconfig", "x"], /^--kubeconfig x is not <cluster>=<path>/],
    [["a", "--database", "x", "--database", "y"], /^--database given twice/],
    [["a", "--what"], /^unknown option --what/],
  ])("switchover %j is refused", (argv, message) => {
    expect(() => parseSwitchoverArgs(argv)).toThrow(message);
  });

  test("host-loss needs --host; --pause and bounds", () => {
    expect(() => parseHostLossArgs(["avilla"])).toThrow(/^--host <physical host> is required/);
    expect(parseHostLossArgs(["avilla", "--host", "r620-2"])).toMatchObject({
      host: "r620-2",
      settleSeconds: 300,
      recoverSeconds: 900,
      stopTimeoutSeconds: 180,
      how: "stop",
    });
    expect(
      parseHostLossArgs([
        "avilla",
        "--host",
        "r620-2",
        "--pause",
        "--settle",
        "60",
        "--report",
        "r.json",
      ]),
    ).toMatchObject({ how: "pause", settleSeconds: 60, reportFile: path.resolve("r.json") });
  });
});

describe("outage arithmetic", () => {
  test("a streak runs from the last success to the next one; an open streak to the end", () => {
    const c = new OutageClock();
    c.record(true, 1000);
    c.record(false, 1200, "ECONNREFUSED");
    c.record(false, 1400, "timeout");
    c.record(true, 2600);
    c.record(true, 2800);
    c.record(false, 3000, "HTTP 503");
    expect(c.failing).toBe(true);
    expect(c.sinceLastOk(3500)).toBe(700);
    expect(c.summary(4000)).toEqual({
      attempts: 6,
      failures: 3,
      seconds: 2.8,
      streaks: [
        { from: 1000, to: 2600, seconds: 1.6, firstError: "ECONNREFUSED", open: false },
        { from: 2800, to: 4000, seconds: 1.2, firstError: "HTTP 503", open: true },
      ],
    });
  });

  test("failures before any success count from the first failure", () => {
    const c = new OutageClock();
    c.record(false, 500, "x");
    c.record(true, 900);
    expect(c.summary(1000).seconds).toBe(0.4);
  });

  test("missing rows as ranges; drill table names", () => {
    expect(formatRanges([1, 2, 3, 7, 9, 10])).toBe("1-3, 7, 9-10");
    expect(formatRanges([])).toBe("");
    expect(drillTable("host_loss", new Date("2026-11-30T15:07:09.123Z"))).toEqual({
      name: "host_loss_20261130t150709z",
      qualified: "plant_drill.host_loss_20261130t150709z",
    });
  });
});

describe("the site as the drills read it", () => {
  const site = loadSite("avilla");

  test("every route through the static IP carrying its host name", () => {
    expect(configuredRoutes(site).map((r) => [r.name, r.ip, r.service, r.hostname])).toEqual([
      ["reports1.busche-cnc.com/", "10.1.0.8", "report-web", "reports1.busche-cnc.com"],
      ["reports1.busche-cnc.com/gauges", "10.1.0.8", "gauge-report", "reports1.busche-cnc.com"],
      ["reports1.busche-cnc.com/graphql", "10.1.0.8", "report-api", "reports1.busche-cnc.com"],
    ]);
  });

  test("the forecast names the host's VMs and existing nodes", () => {
    const r620 = forecastHostLoss(site, "r620-2");
    expect(r620.vms.map((v) => v.name)).toEqual(["reports-cp-2", "reports-worker-2"]);
    expect(r620.existingNodes).toEqual([]);
    expect(r620.scenario.ok).toBe(true);
    expect(forecastHostLoss(site, "optiplex-3").existingNodes).toEqual([
      { cluster: "optiplex", name: "opti-3" },
    ]);
    expect(() => forecastHostLoss(site, "r620-9")).toThrow(
      "stack 'avilla' has no physical host 'r620-9' (hosts: r620-1, r620-2, r620-3, optiplex-1, optiplex-2, optiplex-3)",
    );
  });
});

describe("host-loss refusals", () => {
  const never = async (): Promise<never> => {
    throw new Error("must not be called");
  };

  test("a host whose loss the analysis says the site would not survive", async () => {
    // The same site tolerating no failure: one control-plane VM, on r620-1.
    const file = path.join(tmp, "Pulumi.avilla.yaml");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(path.resolve(__dirname, "../../Pulumi.avilla.yaml"), "utf8")
        .replace("failuresTolerated: 1", "failuresTolerated: 0"),
    );
    const o = io();
    const code = await hostLossMain(["avilla", "--host", "r620-1", "--config", file], o.io, {
      overrides: { nova: never, kube: () => never() as never, verifyGate: never, pooler: never },
    });
    expect(code).toBe(3);
    expect(o.err.join("\n")).toContain(
      "error: refused: the failure-domain analysis says stack 'avilla' does not survive the loss of r620-1:\n  - cluster reports loses etcd quorum (0 of 1 control-plane members left)",
    );
  });

  test("while verify fails, nothing is touched", async () => {
    const o = io();
    const code = await hostLossMain(["avilla", "--host", "r620-1"], o.io, {
      overrides: {
        nova: never,
        kube: () => ({}) as DrillKube,
        pooler: never,
        probeCa: () => undefined,
        verifyGate: async () => ({
          ok: false,
          detail: "npm run verify exited 1: static IP 10.1.0.8 does not answer",
        }),
      },
    });
    expect(code).toBe(3);
    expect(o.err.join("\n")).toContain(
      "error: refused: verify does not pass, fix the site first: npm run verify exited 1: static IP 10.1.0.8 does not answer",
    );
  });

  test("the verify hook runs the verify command and passes on its verdict", async () => {
    const args = {
      stack: "avilla",
      kubeconfigs: new Map([["reports", "/k"]]),
      json: false,
      timeoutSeconds: 10,
    };
    const shown: string[] = [];
    const missing = await verifyCommandGate(
      args,
      (l) => shown.push(l),
      path.join(tmp, "none.ts"),
    )();
    expect(missing).toEqual({
      ok: false,
      detail: expect.stringMatching(/^npm run verify is not available in this checkout/),
    });
    const script = path.join(tmp, "verify.js");
    fs.writeFileSync(
      script,
      "console.log('argv ' + process.argv.slice(2).join(' ')); console.error('FAIL tls'); process.exit(1);\n",
    );
    const failed = await verifyCommandGate(args, (l) => shown.push(l), script)();
    expect(failed.ok).toBe(false);
    expect(shown).toContain("verify: argv avilla --kubeconfig reports=/k");
    expect(failed.detail).toMatch(/^npm run verify exited 1: .*FAIL tls/);
  });
});

describe("switchover refusals (recorded Cluster answers)", () => {
  const never = async (): Promise<never> => {
    throw new Error("must not be called");
  };
  async function run(cnpg: ReturnType<typeof cnpgFake>, extra: string[] = []) {
    const api = await startFakeKubeApi({ pki, answers: cnpg.answers });
    const o = io();
    try {
      const code = await switchoverMain(
        [
          "avilla",
          "--outputs",
          writeOutputs(fakeKubeconfig(api.url, pki, { clientCert: "drill" })),
          ...extra,
        ],
        o.io,
        {
          pooler: async () => ({
            connect: () => Promise.reject(new Error("no database here")),
            close: async () => undefined,
          }),
        },
      );
      return {
        code,
        err: o.err.join("\n"),
        writes: api.requests.filter((r) => r.method !== "GET"),
      };
    } finally {
      await api.close();
    }
  }

  test("an unreachable cluster: exit 3 and one line saying so", async () => {
    const o = io();
    const outputs = writeOutputs(
      fakeKubeconfig("https://127.0.0.1:9", pki, { clientCert: "drill" }),
    );
    const code = await switchoverMain(["avilla", "--outputs", outputs], o.io, {
      pooler: async () => ({ connect: never, close: async () => undefined }),
    });
    expect(code).toBe(3);
    expect(o.err).toHaveLength(1);
    expect(o.err[0]).toMatch(/^error: stack avilla: .*ECONNREFUSED/);
  });

  test("an unhealthy cluster", async () => {
    const r = await run(
      cnpgFake("reporting-1", {
        phase: "Waiting for the instances to become active",
        readyInstances: 2,
      }),
    );
    expect(r.code).toBe(3);
    expect(r.err).toBe(
      'error: Cluster postgres-reporting/reporting is not healthy (phase "Waiting for the instances to become active", 2 of 3 instances ready): a switchover drill starts only from a healthy cluster',
    );
    expect(r.writes).toEqual([]);
  });

  test("--to the primary, or a standby on the primary's host", async () => {
    expect((await run(cnpgFake("reporting-1"), ["--to", "reporting-1"])).err).toBe(
      "error: --to reporting-1 is the primary already",
    );
    const sameHost = cnpgFake("reporting-1");
    sameHost.answers["/api/v1/nodes"] = {
      items: [1, 2, 3].map((i) => ({
        metadata: {
          name: `reports-worker-${i}`,
          labels: { "topology.kubernetes.io/zone": i === 3 ? "r620-3" : "r620-1" },
        },
      })),
    };
    const r = await run(sameHost, ["--to", "reporting-2"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "error: --to reporting-2 runs on r620-1, the primary's physical host is r620-1",
    );
  });

  test("the writer cannot commit: refused before any status patch", async () => {
    const r = await run(cnpgFake("reporting-1"));
    expect(r.code).toBe(3);
    expect(r.err.split("\n").pop()).toBe(
      "error: cannot connect through the read-write pooler: no database here",
    );
    expect(r.writes).toEqual([]);
  });

  test("the promote status keeps condition order and an existing transition time", () => {
    const state = clusterState(
      cnpgFake("reporting-1").answers[
        "/apis/postgresql.cnpg.io/v1/namespaces/postgres-reporting/clusters/reporting"
      ],
    );
    const s = promoteStatus(state, "reporting-3", new Date("2026-11-30T15:00:00.250Z"));
    expect(s).toEqual({
      targetPrimary: "reporting-3",
      targetPrimaryTimestamp: "2026-11-30T15:00:00.250000Z",
      phase: "Switchover in progress",
      phaseReason: "Switching over to reporting-3",
      conditions: [
        {
          type: "Ready",
          status: "False",
          reason: "ClusterIsNotReady",
          message: "Cluster Is Not Ready",
          lastTransitionTime: "2026-11-30T15:00:00Z",
        },
        { type: "ContinuousArchiving", status: "True", reason: "ContinuousArchivingSuccess" },
      ],
    });
  });
});

describe("existing clusters: cordon and drain through the Eviction API", () => {
  test("DaemonSet pods stay, a PodDisruptionBudget is retried, uncordon undoes it", async () => {
    const pods = `/api/v1/pods?fieldSelector=spec.nodeName%3Dopti-1`;
    const pod = (name: string, ns: string, owner?: string) => ({
      metadata: {
        name,
        namespace: ns,
        ...(owner
          ? { ownerReferences: [{ kind: owner, name: "x", apiVersion: "apps/v1", uid: "u" }] }
          : {}),
      },
      spec: { nodeName: "opti-1" },
    });
    const answers: Record<string, unknown> = {
      [pods]: {
        items: [
          pod("speaker-abc", "metallb-system", "DaemonSet"),
          pod("report-web-1", "reporting", "ReplicaSet"),
          pod("pg-1", "postgres-reporting"),
        ],
      },
      "/api/v1/nodes": avillaNodes(),
    };
    let pdbRefusals = 1;
    const api = await startFakeKubeApi({
      pki,
      answers,
      onWrite: (w) => {
        if (w.method === "PATCH") return { status: 200, body: {} };
        if (w.path.endsWith("/pg-1/eviction") && pdbRefusals-- > 0)
          return {
            status: 429,
            body: {
              kind: "Status",
              code: 429,
              message: "Cannot evict pod as it would violate the pod's disruption budget.",
            },
          };
        const name = /pods\/([^/]+)\/eviction$/.exec(w.path)?.[1];
        (answers[pods] as { items: { metadata: { name: string } }[] }).items = (
          answers[pods] as { items: { metadata: { name: string } }[] }
        ).items.filter((p) => p.metadata.name !== name);
        return { status: 201, body: { kind: "Status", status: "Success" } };
      },
    });
    try {
      const kube = DrillKube.fromText(fakeKubeconfig(api.url, pki, { clientCert: "drill" }));
      await kube.cordon("opti-1", true);
      expect(await kube.drain("opti-1", 5000, 50)).toEqual([]);
      await kube.cordon("opti-1", false);
      const writes = api.requests.filter((r) => r.method !== "GET");
      expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
        "PATCH /api/v1/nodes/opti-1",
        "POST /api/v1/namespaces/reporting/pods/report-web-1/eviction",
        "POST /api/v1/namespaces/postgres-reporting/pods/pg-1/eviction",
        "POST /api/v1/namespaces/postgres-reporting/pods/pg-1/eviction",
        "PATCH /api/v1/nodes/opti-1",
      ]);
      expect(writes[0]).toMatchObject({
        contentType: "application/merge-patch+json",
        body: { spec: { unschedulable: true } },
      });
      expect(writes[1].body).toMatchObject({
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: "report-web-1" },
      });
      expect(writes[4].body).toEqual({ spec: { unschedulable: false } });
    } finally {
      await api.close();
    }
  });
});

describe("clouds.yaml", () => {
  const file = path.join(tmp, "clouds.yaml");
  test("password with the domain defaults, and application credentials", () => {
    fs.writeFileSync(
      file,
      [
        "clouds:",
        "  avilla:",
        "    auth: { auth_url: 'https://keystone.avilla:5000/v3', username: admin, password: p, project_name: admin }",
        "    region_name: RegionOne",
        "  albion:",
        "    auth_type: v3applicationcredential",
        "    auth: { auth_url: 'https://keystone.albion:5000', application_credential_id: id1, application_credential_secret: s1 }",
        "    verify: false",
      ].join("\n"),
    );
    expect(readCloud("avilla", [file], {})).toEqual({
      cloud: "avilla",
      authUrl: "https://keystone.avilla:5000/v3",
      regionName: "RegionOne",
      identity: {
        kind: "password",
        username: "admin",
        password: "p",
        projectName: "admin",
        userDomainName: "Default",
        projectDomainName: "Default",
      },
      insecure: false,
    });
    expect(readCloud("albion", [file], {})).toMatchObject({
      identity: { kind: "application_credential", id: "id1", secret: "s1" },
      insecure: true,
    });
    expect(() => readCloud("nowhere", [file], {})).toThrow(
      `${file}: cloud 'nowhere' is missing or has no auth.auth_url`,
    );
    expect(() => readCloud("avilla", [path.join(tmp, "none.yaml")], {})).toThrow(DrillError);
  });
});
