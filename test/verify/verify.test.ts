// `npm run verify` end to end against the Avilla stack: its real stack outputs (from the offline
// plan) pointed at loopback — real HTTPS/HTTP servers presenting certificates from a test CA, and
// two fake Kubernetes API servers holding recorded answers — through the kept clients
// (@kubernetes/client-node, Node's TLS). Each scenario breaks one promise and expects the failing
// row to name the object and the runbook section.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile } from "../../config/site";
import { PROJECT_DIR } from "../../tools/plan/run";
import { previousFire, parseCron } from "../../tools/verify/cron";
import { verifyMain } from "../../tools/verify/run";
import { FakeCluster } from "../support/fake-cluster";
import { fakeKubeconfig, FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api";
import { sitePlan } from "../support/plans";
import { makeTestPki, TestPki } from "../support/x509";
import { optiplexCluster, reportsCluster, SiteServers, startSiteServers } from "./site-fixtures";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LOOPBACK = "127.0.0.1";
const REPORTS = "reports1.busche-cnc.com";
const ALB = "reports-alb.busche-cnc.com";
const now = new Date();
// Backups fire on the site's wall clock (plant:site.timeZone), where the CNPG operator runs.
const SITE_ZONE = (
  readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml")).site as {
    timeZone: string;
  }
).timeZone;
const BACKUPS = parseCron("0 0 2 * * *");
const latestRun = previousFire(BACKUPS, now, SITE_ZONE)!;

let sitePki: TestPki;
let apiPki: TestPki;
let servers: SiteServers;
let reportsApi: FakeKubeApi;
let optiplexApi: FakeKubeApi;
let reports: FakeCluster;
let optiplex: FakeCluster;
let outputs: Obj;
let dir: string;

const certFor = (pki: TestPki, name: string, days = 90) =>
  pki.issue(name, { dnsNames: [name], notAfter: new Date(now.getTime() + days * 86400_000) });

beforeAll(async () => {
  sitePki = makeTestPki("plant-site-ca");
  apiPki = makeTestPki("kube-ca");
  servers = await startSiteServers(
    new Map([
      [REPORTS, certFor(sitePki, REPORTS)],
      [ALB, certFor(sitePki, ALB)],
    ]),
  );
  reports = reportsCluster(
    now,
    new Date(latestRun.getTime() + 20 * 60_000 - 86400_000 * 0),
    LOOPBACK,
  );
  optiplex = optiplexCluster(LOOPBACK);
  [reportsApi, optiplexApi] = await Promise.all([
    startFakeKubeApi({ pki: apiPki, answers: {}, tokens: ["t"], route: (r) => reports.route(r) }),
    startFakeKubeApi({ pki: apiPki, answers: {}, tokens: ["t"], route: (r) => optiplex.route(r) }),
  ]);
  // The stack outputs exactly as the program writes them, pointed at loopback.
  outputs = JSON.parse(JSON.stringify((await sitePlan("avilla")).outputs)) as Obj;
  outputs.clusters.reports.kubeconfig = fakeKubeconfig(reportsApi.url, apiPki, { token: "t" });
  outputs.clusters.optiplex.kubeconfig = fakeKubeconfig(optiplexApi.url, apiPki, { token: "t" });
  for (const c of ["reports", "optiplex"]) {
    outputs.clusters[c].ingress.caCertificate = sitePki.ca.certPem;
    for (const a of outputs.clusters[c].ingress.addresses) a.ip = LOOPBACK;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-test-"));
});

afterAll(async () => {
  await Promise.all([servers?.close(), reportsApi?.close(), optiplexApi?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly doc: {
    checks: {
      area: string;
      subject: string;
      status: string;
      detail: string;
      object?: string;
      runbook?: string;
    }[];
  };
  readonly progress: string[];
  readonly stderr: string;
}

async function verify(
  extra: string[] = [],
  opts: { outputs?: Obj; dns?: Record<string, string[]> } = {},
): Promise<Run> {
  const file = path.join(dir, `outputs-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(opts.outputs ?? outputs));
  const out: string[] = [];
  const err: string[] = [];
  const dns = opts.dns ?? { [REPORTS]: [LOOPBACK], [ALB]: [LOOPBACK] };
  const code = await verifyMain(
    ["avilla", "--outputs", file, "--json", "--timeout", "3", ...extra],
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    {
      lookup: async (host) => {
        const a = dns[host];
        if (a) return a;
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      },
      httpsPort: servers.httpsPort,
      httpPort: servers.httpPort,
      now,
    },
  );
  return {
    code,
    doc: JSON.parse(out.join("\n")) as Run["doc"],
    progress: err,
    stderr: err.join("\n"),
  };
}

const row = (r: Run, area: string, subject: string | RegExp) => {
  const found = r.doc.checks.find(
    (c) =>
      c.area === area &&
      (typeof subject === "string" ? c.subject === subject : subject.test(c.subject)),
  );
  if (!found)
    throw new Error(
      `no ${area} row ${subject}: ${r.doc.checks.map((c) => `${c.area} ${c.subject}`).join("; ")}`,
    );
  return found;
};
const notOk = (r: Run) =>
  r.doc.checks
    .filter((c) => c.status !== "ok")
    .map((c) => `${c.area} ${c.subject}: ${c.status} ${c.detail}`);

test("a healthy site passes every check, and verify only reads", async () => {
  const r = await verify();
  expect(notOk(r)).toEqual([]);
  expect(r.code).toBe(0);
  const areas = r.doc.checks.map((c) => c.area);
  for (const area of [
    "dns",
    "tls",
    "redirect",
    "route",
    "graphql",
    "nodes",
    "spread",
    "static-ip",
    "postgres",
  ])
    expect(areas).toContain(area);
  expect(row(r, "tls", REPORTS).detail).toMatch(
    /^chains to the site CA, covers the name, 8[89] days left \(issuer plant-site-ca\)$/,
  );
  expect(row(r, "graphql", `https://${REPORTS}/graphql`).detail).toMatch(/^__typename Query/);
  expect(row(r, "spread", "cluster reports: database reporting instances").detail).toBe(
    "3 ready on 3 hosts (r620-1: 1, r620-2: 1, r620-3: 1)",
  );
  expect(row(r, "postgres", "database reporting: primary and synchronous standbys").detail).toBe(
    "primary reporting-1 (r620-1); standbys reporting-2 (r620-2), reporting-3 (r620-3); synchronous 1",
  );
  expect(row(r, "static-ip", `cluster reports: reports ${LOOPBACK}`).status).toBe("ok");
  // Every HA workload of the stack: 2 gateways, 3 services, the instances, 2 poolers.
  expect(r.doc.checks.filter((c) => c.area === "spread")).toHaveLength(8);
  // Progress while it runs: one line per check, on stderr.
  expect(r.progress.filter((l) => /^verify avilla: \[\d+\] /.test(l))).toHaveLength(
    r.doc.checks.length,
  );
  for (const api of [reportsApi, optiplexApi])
    expect(new Set(api.requests.map((q) => q.method))).toEqual(new Set(["GET"]));
});

describe("TLS and routes", () => {
  afterEach(() => {
    servers.certs.set(REPORTS, certFor(sitePki, REPORTS));
    servers.statuses.clear();
  });

  test.each([
    [
      "a certificate from another CA",
      () => certFor(makeTestPki("someone-else"), REPORTS),
      "fail",
      /^does not chain to the site CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
    ],
    [
      "a certificate for another name",
      () => certFor(sitePki, "other.busche-cnc.com"),
      "fail",
      /^does not cover reports1\.busche-cnc\.com \(names: DNS:other\.busche-cnc\.com\)/,
    ],
    [
      "a certificate near expiry",
      () => certFor(sitePki, REPORTS, 5),
      "warn",
      /covers the name, [45] days left/,
    ],
    [
      "an expired certificate",
      () =>
        sitePki.issue(REPORTS, {
          dnsNames: [REPORTS],
          notBefore: new Date(now.getTime() - 90 * 86400_000),
          notAfter: new Date(now.getTime() - 2 * 86400_000),
        }),
      "fail",
      /^expired [23] days ago/,
    ],
  ])("%s", async (_, cert, status, detail) => {
    servers.certs.set(REPORTS, cert());
    const r = await verify();
    const tlsRow = row(r, "tls", REPORTS);
    expect(tlsRow.status).toBe(status);
    expect(tlsRow.detail).toMatch(detail);
    expect(tlsRow.runbook).toBe("docs/verify.md#tls");
    expect(tlsRow.object).toBe(
      `certificate ${REPORTS} (Secret plant-gateways/${REPORTS}-tls, cluster reports)`,
    );
    expect(r.code).toBe(status === "warn" ? 0 : 1);
  });

  test("a route without a ready backend, and a route the gateway does not know", async () => {
    servers.statuses.set("/gauges", 503);
    servers.statuses.set("/", 404);
    const r = await verify();
    expect(row(r, "route", `https://${REPORTS}/gauges`)).toMatchObject({
      status: "fail",
      object: "HTTPRoute and Deployment of service gauge-report (namespace gauge-report)",
      runbook: "docs/verify.md#routes",
    });
    expect(row(r, "route", `https://${REPORTS}/gauges`).detail).toMatch(
      /^answered 503 in \d+ ms: the gateway has no ready backend for it$/,
    );
    expect(row(r, "route", `https://${REPORTS}/`).detail).toBe(
      "answered 404: the gateway has no route for this host and path",
    );
    expect(row(r, "route", `https://${REPORTS}/graphql`).status).toBe("ok");
    expect(r.code).toBe(1);
  });

  test("DNS: a name not pointed yet, a name pointed elsewhere, and --resolve before DNS", async () => {
    let r = await verify([], { dns: { [ALB]: [LOOPBACK] } });
    expect(row(r, "dns", REPORTS)).toMatchObject({
      status: "fail",
      detail: `does not resolve (ENOTFOUND); point it at ${LOOPBACK}, or check before that with --resolve ${REPORTS}=${LOOPBACK}`,
      runbook: "docs/verify.md#dns",
    });
    // The static IP is still checked: TLS and routes go through it.
    expect(row(r, "tls", REPORTS).status).toBe("ok");
    r = await verify([], { dns: { [REPORTS]: ["10.9.9.9"], [ALB]: [LOOPBACK] } });
    expect(row(r, "dns", REPORTS).detail).toBe(
      `DNS answers 10.9.9.9, not the static IP ${LOOPBACK}`,
    );
    r = await verify(["--resolve", `${REPORTS}=${LOOPBACK}`], { dns: { [ALB]: [LOOPBACK] } });
    expect(row(r, "dns", REPORTS)).toMatchObject({
      status: "ok",
      detail: `--resolve: ${LOOPBACK}`,
    });
    expect(r.code).toBe(0);
  });
});

describe("Kubernetes and PostgreSQL from recorded API answers", () => {
  const CNPG = "/apis/postgresql.cnpg.io/v1";
  let saved: Obj[];
  beforeEach(() => {
    saved = JSON.parse(
      JSON.stringify([...reports.all("/api/v1", "pods"), ...reports.all(CNPG, "clusters")]),
    ) as Obj[];
  });
  afterEach(() => {
    for (const o of saved)
      reports.put(o.kind === "Pod" ? "/api/v1" : CNPG, o.kind === "Pod" ? "pods" : "clusters", o);
    for (const p of reports.all("/api/v1", "pods"))
      if (!saved.some((s) => s.metadata.name === p.metadata.name))
        reports.remove("/api/v1", "pods", p.metadata.namespace, p.metadata.name);
  });
  const cluster = () => reports.get(CNPG, "clusters", "postgres-reporting", "reporting")!;

  test("standbys missing: no synchronous partner, replication not healthy", async () => {
    for (const n of ["reporting-2", "reporting-3"])
      reports.remove("/api/v1", "pods", "postgres-reporting", n);
    Object.assign(cluster().status, {
      phase: "Waiting for the instances to become active",
      readyInstances: 1,
      instancesStatus: { healthy: ["reporting-1"], failed: ["reporting-2", "reporting-3"] },
    });
    const r = await verify();
    expect(
      row(r, "postgres", "database reporting: primary and synchronous standbys"),
    ).toMatchObject({
      status: "fail",
      object: "Cluster postgres-reporting/reporting",
      runbook: "docs/verify.md#primary-and-synchronous-standbys",
      detail:
        "0 healthy standbys, the cluster needs 1 synchronous (commits wait): primary reporting-1 (r620-1); standbys none",
    });
    expect(row(r, "postgres", "database reporting: replication").detail).toBe(
      "phase 'Waiting for the instances to become active'; reporting-2 failed, reporting-3 failed",
    );
    expect(row(r, "spread", "cluster reports: database reporting instances").detail).toBe(
      "1 of 3 pods ready (r620-1: 1)",
    );
    expect(r.code).toBe(1);
  });

  test("WAL archiving failing", async () => {
    const c = cluster().status.conditions.find((x: Obj) => x.type === "ContinuousArchiving");
    Object.assign(c, {
      status: "False",
      reason: "ContinuousArchivingFailing",
      message: "unexpected failure invoking barman-cloud-wal-archive: exit status 4",
    });
    const r = await verify();
    expect(row(r, "postgres", "database reporting: WAL archiving")).toMatchObject({
      status: "fail",
      detail:
        "ContinuousArchiving is False (ContinuousArchivingFailing): unexpected failure invoking barman-cloud-wal-archive: exit status 4",
      object:
        "Cluster postgres-reporting/reporting (ObjectStore postgres-reporting/reporting-backups)",
      runbook: "docs/verify.md#wal-archiving",
    });
    expect(r.code).toBe(1);
  });

  test("the pods of an HA service on one physical host", async () => {
    const p = reports.get("/api/v1", "pods", "report-web", "report-web-7d9f8c6b5-x2")!;
    p.spec.nodeName = "reports-worker-2";
    const r = await verify();
    expect(row(r, "spread", "cluster reports: service report-web")).toMatchObject({
      status: "fail",
      object:
        "Deployment pods in namespace report-web (app.kubernetes.io/name=report-web,app.kubernetes.io/component=server,app.kubernetes.io/part-of=plant-reporting)",
      detail:
        "2 ready pods on 1 physical host, need 2: report-web-7d9f8c6b5-x1, report-web-7d9f8c6b5-x2 share r620-2",
      runbook: "docs/verify.md#pods-on-distinct-physical-hosts",
    });
    expect(r.code).toBe(1);
  });

  test("a missed base backup, a node without its label, a static IP not held", async () => {
    const store = reports.get(
      "/apis/barmancloud.cnpg.io/v1",
      "objectstores",
      "postgres-reporting",
      "reporting-backups",
    )!;
    const window = store.status.serverRecoveryWindow.reporting;
    const kept = window.lastSuccessfulBackupTime;
    window.lastSuccessfulBackupTime = new Date(
      latestRun.getTime() - 2 * 86400_000 + 600_000,
    ).toISOString();
    const n = reports.get("/api/v1", "nodes", undefined, "reports-worker-3")!;
    const labels = n.metadata.labels;
    n.metadata.labels = {};
    const svc = optiplex.all("/api/v1", "services")[0];
    svc.status.loadBalancer.ingress = [];
    try {
      const r = await verify();
      const backup = row(r, "postgres", "database reporting: last base backup");
      expect(backup.status).toBe("fail");
      const missed = previousFire(BACKUPS, latestRun, SITE_ZONE)!.toISOString();
      expect(backup.detail).toContain(
        `; the run of ${missed} ('0 0 2 * * *' in America/Indiana/Indianapolis) is missing`,
      );
      expect(backup.object).toBe(
        "ScheduledBackup postgres-reporting/reporting-daily (server reporting)",
      );
      expect(row(r, "nodes", /^cluster reports:/).detail).toBe(
        "node reports-worker-3 has no label",
      );
      expect(row(r, "static-ip", `cluster optiplex: reports-alb ${LOOPBACK}`)).toMatchObject({
        status: "fail",
        detail: "the Service has no address yet (pending: MetalLB pool or annotation)",
        runbook: "docs/verify.md#static-ips",
      });
    } finally {
      window.lastSuccessfulBackupTime = kept;
      n.metadata.labels = labels;
      svc.status.loadBalancer.ingress = [{ ip: LOOPBACK }];
    }
  });
});

test("an unreachable cluster: each of its checks says so and why; exit 3", async () => {
  const broken = JSON.parse(JSON.stringify(outputs)) as Obj;
  const closed = await startFakeKubeApi({ pki: apiPki, answers: {} });
  await closed.close();
  broken.clusters.optiplex.kubeconfig = fakeKubeconfig(closed.url, apiPki, { token: "t" });
  const r = await verify([], { outputs: broken });
  const rows = r.doc.checks.filter((c) => c.status === "unreachable");
  expect(rows.map((c) => `${c.area} ${c.subject}`)).toEqual([
    "nodes cluster optiplex",
    "spread cluster optiplex: gateway reports-alb",
    `static-ip cluster optiplex: reports-alb ${LOOPBACK}`,
  ]);
  for (const c of rows)
    expect(c.detail).toBe(`cannot connect to ${closed.url}: connection refused`);
  expect(r.code).toBe(3);
});

test("outputs read without --show-secrets, and bad usage, exit 2 with the reason", async () => {
  const masked = JSON.parse(JSON.stringify(outputs)) as Obj;
  masked.clusters.reports.kubeconfig = "[secret]";
  const file = path.join(dir, "masked.json");
  fs.writeFileSync(file, JSON.stringify(masked));
  const err: string[] = [];
  const io = { out: () => undefined, err: (t: string) => err.push(t) };
  expect(await verifyMain(["avilla", "--outputs", file], io)).toBe(2);
  expect(err[0]).toBe(
    `error: --outputs ${file}: [clusters.reports.kubeconfig] is masked: read the outputs with \`pulumi stack output --json --show-secrets\``,
  );
  expect(await verifyMain(["avilla", "--resolve", "reports1=not-an-ip"], io)).toBe(2);
  expect(err[1]).toMatch(
    /^--resolve reports1=not-an-ip is not <host>=<IPv4>\nusage: npm run verify/,
  );
  // No Pulumi CLI here: the command says how to give the outputs instead.
  expect(await verifyMain(["avilla"], io, { cli: async () => undefined })).toBe(2);
  expect(err[2]).toBe(
    "error: pulumi stack output --json --show-secrets -s avilla: the Pulumi CLI is not installed (or not on PATH); give the outputs with --outputs <file>",
  );
});

test("every runbook a check or the drill names is a heading in docs/", () => {
  const slug = (h: string) =>
    h
      .toLowerCase()
      .replace(/[^\w\s-]/g, "")
      .trim()
      .replace(/\s/g, "-");
  const anchors = (file: string) =>
    new Set(
      fs
        .readFileSync(path.join(__dirname, "../..", file), "utf8")
        .split("\n")
        .filter((l) => /^#+ /.test(l))
        .map((l) => slug(l.replace(/^#+ /, ""))),
    );
  const sources = ["http-checks", "kube-checks", "postgres-checks", "../drill/restore"].map((f) =>
    fs.readFileSync(path.join(__dirname, "../../tools/verify", `${f}.ts`), "utf8"),
  );
  const refs = [...sources.join("\n").matchAll(/"(docs\/[a-z-]+\.md)#([a-z0-9-]+)"/g)];
  expect(refs.length).toBeGreaterThan(10);
  for (const [, file, anchor] of refs)
    expect(`${file}#${[...anchors(file)].find((a) => a === anchor) ?? "(missing)"}`).toBe(
      `${file}#${anchor}`,
    );
});
