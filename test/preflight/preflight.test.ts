// `npm run preflight` against fake Kubernetes API servers on 127.0.0.1 (real HTTPS, a CA made in
// the test, client-certificate and bearer-token users) serving recorded answers: the Avilla
// OptiPlex cluster as it is today (k3s-shipped Gateway API CRDs, cert-manager installed by hand
// with Helm, every object of that release included) and a new RKE2 cluster that holds nothing of
// the program. The plan holds every chart's objects, so a Helm release in the way shows object by
// object.
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";
import { readStackFile } from "../../config/site";
import { PROJECT_DIR } from "../../tools/plan/run";
import { preflightMain } from "../../tools/preflight/run";
import { CliResult, PulumiCli } from "../../tools/preflight/sources";
import {
  fakeKubeconfig,
  FakeKubeApi,
  recordedAnswers,
  startFakeKubeApi,
} from "../support/fake-kube-api";
import { sitePlan } from "../support/plans";
import { afterUninstall, ofRelease } from "../support/record-helm-release";
import { makeTestPki, TestPki } from "../support/x509";

const GATEWAY_CRDS = ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"];
const NO_CLI: PulumiCli = async () => undefined;

interface RecordedObject {
  metadata: { name: string; namespace?: string; annotations: Record<string, string> };
}

/** The objects of the hand-installed cert-manager release in the OptiPlex answers. */
const certManagerRelease = (): RecordedObject[] =>
  Object.values(recordedAnswers("optiplex-k3s.json")).filter((body): body is RecordedObject =>
    ofRelease(body, "cert-manager", "cert-manager"),
  );
const nsName = (o: { namespace?: string; name: string }): string =>
  `${o.namespace ?? ""}/${o.name}`;
/** The cert-manager CRDs: `helm uninstall` keeps them (the chart's crds.keep). */
const CERT_MANAGER_CRDS = [
  "challenges.acme.cert-manager.io",
  "orders.acme.cert-manager.io",
  "certificaterequests.cert-manager.io",
  "certificates.cert-manager.io",
  "clusterissuers.cert-manager.io",
  "issuers.cert-manager.io",
];
/** Conflicts at the OptiPlex cluster: the namespace, the k3s Gateway API CRDs, the release's objects. */
const optiplexConflicts = (): number => 1 + GATEWAY_CRDS.length + certManagerRelease().length;

let pki: TestPki;
let tmp: string;
let optiplex: FakeKubeApi;
let reports: FakeKubeApi;
const files: Record<string, string> = {};

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A copy of Pulumi.avilla.yaml with the OptiPlex cluster's adopt entries. */
function avillaWithAdopt(adopt: unknown[]): string {
  const doc = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"), "utf8")) as {
    config: Record<string, { name: string; adopt?: unknown[] }[]>;
  };
  doc.config["plant:clusters"][1].adopt = adopt;
  return write(`Pulumi.avilla-adopt-${adopt.length}.yaml`, stringify(doc));
}

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the command in-process; the repository's own Avilla file reuses the run's shared plan. */
async function preflight(argv: string[], cli: PulumiCli = NO_CLI): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const ownFile = argv[0] === "avilla" && !argv.includes("--config");
  const plan = ownFile ? await sitePlan("avilla") : undefined;
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const code = await preflightMain(argv, io, { cli, ...(plan ? { plan } : {}) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

interface TableRow {
  cluster: string;
  object: string;
  declaredBy: string;
  program: string;
  found: string;
  verdict: string;
}

/** The rows of the printed table, cells trimmed. */
function tableRows(out: string): TableRow[] {
  const lines = out.split("\n");
  const header = lines.findIndex((l) => l.startsWith("cluster ") && l.includes("| verdict"));
  const rows: TableRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.includes(" | ")) break;
    const [cluster, object, declaredBy, program, found, verdict] = line
      .split(" | ")
      .map((c) => c.trim());
    rows.push({ cluster, object, declaredBy, program, found, verdict });
  }
  return rows;
}

function row(rows: TableRow[], cluster: string, object: string): TableRow {
  const found = rows.find((r) => r.cluster === cluster && r.object === object);
  if (!found) throw new Error(`no row ${cluster} ${object}`);
  return found;
}

const kubeconfigArgs = () => [
  "--kubeconfig",
  `optiplex=${files.optiplex}`,
  "--kubeconfig",
  `reports=${files.reports}`,
];

beforeAll(async () => {
  pki = makeTestPki();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
  optiplex = await startFakeKubeApi({ pki, answers: recordedAnswers("optiplex-k3s.json") });
  reports = await startFakeKubeApi({
    pki,
    answers: recordedAnswers("rke2-fresh.json"),
    tokens: ["reports-token"],
  });
  files.optiplex = write(
    "optiplex.yaml",
    fakeKubeconfig(optiplex.url, pki, { clientCert: "plant-admin" }, "optiplex"),
  );
  files.reports = write(
    "reports.yaml",
    fakeKubeconfig(reports.url, pki, { token: "reports-token" }, "reports"),
  );
  files.badToken = write(
    "bad-token.yaml",
    fakeKubeconfig(reports.url, pki, { token: "stale" }, "reports"),
  );
  files.unreachable = write(
    "unreachable.yaml",
    fakeKubeconfig(`https://127.0.0.1:${await closedPort()}`, pki, { token: "x" }, "optiplex"),
  );
});

afterAll(async () => {
  await optiplex?.close();
  await reports?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("preflight of Avilla against today's clusters", () => {
  let run: Run;
  beforeAll(async () => {
    run = await preflight(["avilla", ...kubeconfigArgs()]);
  });

  test("exits 1: the run would fail on objects already there", () => {
    expect(run.err).toBe("");
    expect(run.code).toBe(1);
  });

  test("names each cluster with its address, kubeconfig source and auth form", () => {
    expect(run.out).toContain(
      `cluster reports: ${reports.url} (kubeconfig from --kubeconfig reports=${files.reports}, bearer token)`,
    );
    expect(run.out).toContain(
      `cluster optiplex: ${optiplex.url} (kubeconfig from --kubeconfig optiplex=${files.optiplex}, client certificate)`,
    );
    expect(run.out).toContain(
      "note: stack state not read (no Pulumi CLI): every object is judged as a create",
    );
  });

  test("the hand-made cert-manager namespace is a conflict", () => {
    expect(row(tableRows(run.out), "optiplex", "Namespace cert-manager")).toEqual({
      cluster: "optiplex",
      object: "Namespace cert-manager",
      declaredBy: "program",
      program: "create",
      found: "present: written by helm",
      verdict: "CONFLICT: create would fail (AlreadyExists)",
    });
  });

  test("the distribution's Gateway API CRDs are conflicts; the ones it lacks are free", () => {
    const rows = tableRows(run.out);
    for (const plural of GATEWAY_CRDS) {
      expect(
        row(rows, "optiplex", `CustomResourceDefinition ${plural}.gateway.networking.k8s.io`),
      ).toEqual({
        cluster: "optiplex",
        object: `CustomResourceDefinition ${plural}.gateway.networking.k8s.io`,
        declaredBy: "file optiplex-envoy-gateway-gateway-api-crds",
        program: "create",
        found:
          "present: managed-by=Helm; Helm release kube-system/traefik-crd; Gateway API v1.2.1 standard; written by helm, kube-apiserver",
        verdict: "CONFLICT: create would fail (AlreadyExists)",
      });
    }
    const tls = row(
      rows,
      "optiplex",
      "CustomResourceDefinition backendtlspolicies.gateway.networking.k8s.io",
    );
    expect([tls.found, tls.verdict]).toEqual(["absent", "ok"]);
  });

  test("the node patches find the OptiPlex nodes they label", () => {
    expect(row(tableRows(run.out), "optiplex", "Node opti-2")).toEqual({
      cluster: "optiplex",
      object: "Node opti-2",
      declaredBy: "program",
      program: "patch",
      found: "present: written by k3s, kubectl-label",
      verdict: "ok: the patch changes the existing object",
    });
  });

  test("kinds whose API is not served yet cannot exist", () => {
    const pool = row(tableRows(run.out), "optiplex", "IPAddressPool metallb-system/reports-alb");
    expect([pool.found, pool.verdict]).toEqual(["absent (its API is not served yet)", "ok"]);
    const cls = row(tableRows(run.out), "optiplex", "GatewayClass plant-envoy");
    expect([cls.found, cls.verdict]).toEqual(["absent", "ok"]);
  });

  test("the hand-installed Helm release of cert-manager collides object by object", () => {
    const rows = tableRows(run.out);
    expect(row(rows, "optiplex", "Deployment cert-manager/cert-manager-webhook")).toEqual({
      cluster: "optiplex",
      object: "Deployment cert-manager/cert-manager-webhook",
      declaredBy: "chart optiplex-cert-manager-chart",
      program: "create",
      found:
        "present: managed-by=Helm; Helm release cert-manager/cert-manager; written by helm, kube-controller-manager",
      verdict: "CONFLICT: create would fail (AlreadyExists)",
    });
    const chartRows = rows.filter((r) => r.declaredBy === "chart optiplex-cert-manager-chart");
    const conflicts = chartRows.filter((r) => r.verdict.startsWith("CONFLICT"));
    // Every object of the release the chart would create again, and nothing else.
    const nsNameOf = (r: TableRow): string => {
      const local = r.object.slice(r.object.indexOf(" ") + 1);
      return local.includes("/") ? local : `/${local}`;
    };
    expect(conflicts.map(nsNameOf).sort()).toEqual(
      certManagerRelease()
        .map((o) => nsName(o.metadata))
        .sort(),
    );
    expect(conflicts.length).toBeGreaterThan(40);
    // The release was installed without the PodDisruptionBudgets the program's values add.
    expect(
      chartRows
        .filter((r) => !r.verdict.startsWith("CONFLICT") && !r.object.startsWith("Chart "))
        .map((r) => [r.object, r.found, r.verdict]),
    ).toEqual(
      ["cert-manager-cainjector", "cert-manager", "cert-manager-webhook"].map((name) => [
        `PodDisruptionBudget cert-manager/${name}`,
        "absent",
        "ok",
      ]),
    );
    expect(row(rows, "optiplex", "Chart cert-manager/cert-manager")).toEqual({
      cluster: "optiplex",
      object: "Chart cert-manager/cert-manager",
      declaredBy: "chart optiplex-cert-manager-chart",
      program: `render ${chartRows.length - 1} objects`,
      found: "Helm release cert-manager (revision 2, deployed)",
      verdict: "its objects are listed",
    });
    const metallb = row(rows, "optiplex", "Chart metallb-system/metallb");
    expect([metallb.found, metallb.verdict]).toEqual([
      "no Helm release in metallb-system",
      "its objects are listed",
    ]);
  });

  test("the new RKE2 cluster holds nothing in the way", () => {
    const rows = tableRows(run.out).filter((r) => r.cluster === "reports");
    expect(rows.length).toBeGreaterThan(100);
    expect(
      rows
        .filter((r) => r.object.startsWith("Chart ") || r.object.startsWith("ConfigFile "))
        .every((r) => !r.verdict.startsWith("CONFLICT")),
    ).toBe(true);
    expect(
      rows
        .filter((r) => !r.object.startsWith("Chart ") && !r.object.startsWith("ConfigFile "))
        .every((r) => r.verdict === "ok"),
    ).toBe(true);
    expect(row(rows, "reports", "Deployment report-api/report-api").found).toBe("absent");
  });

  test("the summary counts every verdict", () => {
    // Charts and files are context rows now that their objects are judged one by one.
    const objects = tableRows(run.out).filter((r) => !/^(Chart|ConfigFile) /.test(r.object)).length;
    const conflicts = optiplexConflicts();
    expect(run.out).toContain(
      `Judged ${objects}: ${objects - conflicts} ok, 0 adopt, ${conflicts} conflict, 0 import would fail, 0 unmatched adopt entries, 0 unchecked`,
    );
  });

  test("it prints the adopt entries that would take the conflicting objects over", () => {
    const lines = run.out.slice(run.out.indexOf("To take these over")).split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "To take these over instead of creating them (read docs/preflight.md first), add to plant:clusters[1] (optiplex):",
      "  adopt:",
      "    - kind: CustomResourceDefinition",
      "      name: gatewayclasses.gateway.networking.k8s.io",
      "      reason: part of Helm release kube-system/traefik-crd; <who installed it, why the program takes it over>",
    ]);
    const { adopt } = parseYaml(lines.slice(1).join("\n")) as { adopt: unknown[] };
    expect(adopt).toHaveLength(optiplexConflicts());
    const ask = "<who installed it, why the program takes it over>";
    expect(adopt).toEqual(
      expect.arrayContaining([
        { kind: "Namespace", name: "cert-manager", reason: ask },
        {
          kind: "Deployment",
          name: "cert-manager-webhook",
          namespace: "cert-manager",
          reason: `part of Helm release cert-manager/cert-manager; ${ask}`,
        },
        {
          kind: "CustomResourceDefinition",
          name: "certificates.cert-manager.io",
          reason: `part of Helm release cert-manager/cert-manager; ${ask}`,
        },
      ]),
    );
  });

  test("it only reads: GET requests, objects as metadata only", () => {
    const all = [...optiplex.requests, ...reports.requests];
    expect(all.length).toBeGreaterThan(100);
    expect(new Set(all.map((r) => r.method))).toEqual(new Set(["GET"]));
    const secrets = all.filter((r) => r.path.includes("/secrets"));
    expect(secrets.length).toBeGreaterThan(0);
    for (const r of secrets)
      expect(r.accept).toMatch(
        /^application\/json;as=PartialObjectMetadata(List)?;g=meta\.k8s\.io;v=v1,/,
      );
    expect(new Set(optiplex.requests.map((r) => r.auth))).toEqual(
      new Set(["client-certificate plant-admin"]),
    );
    expect(new Set(reports.requests.map((r) => r.auth))).toEqual(new Set(["token"]));
  });
});

describe("adoption configured in the stack file", () => {
  const namespaceAdopt = {
    kind: "Namespace",
    name: "cert-manager",
    reason: "made by hand for the old ACME setup",
  };
  const crdAdopt = GATEWAY_CRDS.map((p) => ({
    kind: "CustomResourceDefinition",
    name: `${p}.gateway.networking.k8s.io`,
    reason: "shipped by k3s (traefik-crd), taken over at v1.6.1",
  }));
  const keptCrdAdopt = CERT_MANAGER_CRDS.map((name) => ({
    kind: "CustomResourceDefinition",
    name,
    reason: "kept by helm uninstall cert-manager (crds.keep); Certificates and Issuers survive",
  }));
  let noHelm: FakeKubeApi;
  let noHelmConfig: string;

  beforeAll(async () => {
    // The same cluster after `helm uninstall cert-manager`: the namespace and the CRDs the
    // release keeps are left behind, the rest of the release is gone.
    const answers = afterUninstall(
      recordedAnswers("optiplex-k3s.json"),
      "cert-manager",
      "cert-manager",
    );
    noHelm = await startFakeKubeApi({ pki, answers });
    noHelmConfig = write(
      "no-helm.yaml",
      fakeKubeconfig(noHelm.url, pki, { clientCert: "plant-admin" }, "optiplex"),
    );
  });
  afterAll(() => noHelm?.close());

  test("every existing object adopted: nothing in the way, exit 0", async () => {
    const config = avillaWithAdopt([namespaceAdopt, ...crdAdopt, ...keptCrdAdopt]);
    const run = await preflight([
      "avilla",
      "--config",
      config,
      "--kubeconfig",
      `optiplex=${noHelmConfig}`,
      "--kubeconfig",
      `reports=${files.reports}`,
    ]);
    expect(run.code).toBe(0);
    const rows = tableRows(run.out);
    expect(row(rows, "optiplex", "Namespace cert-manager")).toMatchObject({
      program: "import",
      verdict: "adopt: import, then update (plant:clusters[1].adopt[0])",
    });
    expect(
      row(rows, "optiplex", "CustomResourceDefinition httproutes.gateway.networking.k8s.io"),
    ).toMatchObject({
      declaredBy: "file optiplex-envoy-gateway-gateway-api-crds",
      program: "import",
      verdict: "adopt: import, then update (plant:clusters[1].adopt[4])",
    });
    // A chart's object is taken over by the chart's transform.
    expect(
      row(rows, "optiplex", "CustomResourceDefinition certificates.cert-manager.io"),
    ).toMatchObject({
      declaredBy: "chart optiplex-cert-manager-chart",
      program: "import",
      found:
        "present: managed-by=Helm; Helm release cert-manager/cert-manager; written by helm, kube-apiserver",
      verdict: "adopt: import, then update (plant:clusters[1].adopt[9])",
    });
    expect(row(rows, "optiplex", "Deployment cert-manager/cert-manager")).toMatchObject({
      found: "absent",
      verdict: "ok",
    });
    expect(rows.filter((r) => r.verdict.startsWith("CONFLICT"))).toEqual([]);
    expect(run.out).toContain("12 adopt, 0 conflict");
    expect(run.out).not.toContain("To take these over");
  });

  test("an adopt entry for an object that is not there: the import would fail, exit 1", async () => {
    const missing = {
      kind: "Namespace",
      name: "metallb-system",
      reason: "thought MetalLB was installed",
    };
    const config = avillaWithAdopt([namespaceAdopt, ...crdAdopt, ...keptCrdAdopt, missing]);
    const run = await preflight([
      "avilla",
      "--config",
      config,
      "--kubeconfig",
      `optiplex=${noHelmConfig}`,
      "--kubeconfig",
      `reports=${files.reports}`,
    ]);
    expect(run.code).toBe(1);
    const rows = tableRows(run.out);
    expect(row(rows, "optiplex", "Namespace metallb-system")).toMatchObject({
      program: "import",
      found: "absent",
      verdict: "IMPORT WOULD FAIL: nothing to import; remove plant:clusters[1].adopt[12]",
    });
    // The only problem: CONFLICT, IMPORT WOULD FAIL, UNMATCHED… are written in capitals.
    const problems = rows.filter((r) => /^[A-Z]{3,}/.test(r.verdict));
    expect(problems).toEqual([row(rows, "optiplex", "Namespace metallb-system")]);
  });

  test("an adopt entry for an object a chart renders is applied by the chart's transform", async () => {
    const webhook = {
      kind: "Deployment",
      name: "cert-manager-webhook",
      namespace: "cert-manager",
      reason: "hand-installed cert-manager, adopted in place",
    };
    const config = avillaWithAdopt([namespaceAdopt, webhook]);
    const run = await preflight(["avilla", "--config", config, ...kubeconfigArgs()]);
    expect(
      row(tableRows(run.out), "optiplex", "Deployment cert-manager/cert-manager-webhook"),
    ).toEqual({
      cluster: "optiplex",
      object: "Deployment cert-manager/cert-manager-webhook",
      declaredBy: "chart optiplex-cert-manager-chart",
      program: "import",
      found:
        "present: managed-by=Helm; Helm release cert-manager/cert-manager; written by helm, kube-controller-manager",
      verdict: "adopt: import, then update (plant:clusters[1].adopt[1])",
    });
  });

  test("an adopt entry naming nothing the program declares is unmatched: every chart's objects are in the plan", async () => {
    // startupapicheck is a Helm hook: helm.v4.Chart drops it, so the program never creates it.
    const hook = {
      kind: "Job",
      name: "cert-manager-startupapicheck",
      namespace: "cert-manager",
      reason: "hand-installed cert-manager",
    };
    const config = avillaWithAdopt([namespaceAdopt, hook]);
    const run = await preflight(["avilla", "--config", config, ...kubeconfigArgs(), "--json"]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.out) as {
      summary: Record<string, number>;
      clusters: { name: string; objects: Record<string, unknown>[] }[];
    };
    expect(doc.summary.unmatched).toBe(1);
    const entry = doc.clusters[1].objects.find((o) => o.name === "cert-manager-startupapicheck");
    expect(entry).toEqual({
      kind: "Job",
      name: "cert-manager-startupapicheck",
      namespace: "cert-manager",
      declaredBy: "adopt entry",
      action: "-",
      found: "not looked up",
      verdict: "unmatched",
      detail:
        "UNMATCHED: plant:clusters[1].adopt[1] names nothing the program declares in cluster optiplex; fix or remove it",
      adoptKey: "plant:clusters[1].adopt[1]",
    });
  });
});

describe("clusters that cannot be asked", () => {
  test("unreachable and rejected credentials: one clear line each, exit 3", async () => {
    const run = await preflight([
      "avilla",
      "--kubeconfig",
      `optiplex=${files.unreachable}`,
      "--kubeconfig",
      `reports=${files.badToken}`,
    ]);
    expect(run.code).toBe(3);
    const port = /127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(files.unreachable, "utf8"))![1];
    const errors = run.out.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([
      `error: cluster reports (kubeconfig from --kubeconfig reports=${files.badToken}): the API server rejected the credentials (401 Unauthorized)`,
      `error: cluster optiplex (kubeconfig from --kubeconfig optiplex=${files.unreachable}): cannot connect to https://127.0.0.1:${port}: connection refused`,
    ]);
    expect(run.out).not.toMatch(/\n\s+at /);
    expect(run.out).toContain("; 2 clusters not reachable");
  });

  test("a server that accepts the connection but never answers: timed out after --timeout", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const { port } = silent.address() as net.AddressInfo;
    const file = write(
      "silent.yaml",
      fakeKubeconfig(`https://127.0.0.1:${port}`, pki, { token: "x" }, "optiplex"),
    );
    try {
      const run = await preflight([
        "avilla",
        "--timeout",
        "0.5",
        "--kubeconfig",
        `optiplex=${file}`,
        "--kubeconfig",
        `reports=${files.reports}`,
      ]);
      expect(run.code).toBe(3);
      expect(run.out).toContain(
        `error: cluster optiplex (kubeconfig from --kubeconfig optiplex=${file}): cannot connect to https://127.0.0.1:${port}: timed out`,
      );
    } finally {
      silent.close();
    }
  });

  test("a kubeconfig whose CA does not sign the server's certificate", async () => {
    const other = makeTestPki("another-ca");
    const text = fakeKubeconfig(optiplex.url, other, { token: "x" }, "optiplex");
    const file = write("wrong-ca.yaml", text);
    const run = await preflight([
      "avilla",
      "--kubeconfig",
      `optiplex=${file}`,
      "--kubeconfig",
      `reports=${files.reports}`,
    ]);
    expect(run.code).toBe(3);
    expect(run.out).toMatch(
      new RegExp(
        `error: cluster optiplex \\(kubeconfig from --kubeconfig optiplex=${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\): TLS: ${optiplex.url.replace(/\./g, "\\.")} presented a certificate the kubeconfig's certificate authority does not trust \\(`,
      ),
    );
  });

  test("an unreadable kubeconfig names the file", async () => {
    const run = await preflight([
      "avilla",
      "--kubeconfig",
      `optiplex=${tmp}/none.yaml`,
      "--kubeconfig",
      `reports=${files.reports}`,
    ]);
    expect(run.code).toBe(3);
    expect(run.out).toContain(
      `error: cluster optiplex (kubeconfig from --kubeconfig optiplex=${tmp}/none.yaml): cannot read ${tmp}/none.yaml (ENOENT)`,
    );
  });

  test("in --json the error is the cluster's status, and also on stderr", async () => {
    const run = await preflight([
      "avilla",
      "--json",
      "--kubeconfig",
      `optiplex=${files.unreachable}`,
      "--kubeconfig",
      `reports=${files.reports}`,
    ]);
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.out) as {
      exitCode: number;
      clusters: { name: string; status: string; error?: string }[];
    };
    expect(doc.exitCode).toBe(3);
    expect(doc.clusters.map((c) => [c.name, c.status])).toEqual([
      ["reports", "checked"],
      ["optiplex", "error"],
    ]);
    expect(run.err).toMatch(
      /^error: cluster optiplex \(kubeconfig from --kubeconfig optiplex=.*\): cannot connect to https:\/\/127\.0\.0\.1:\d+: connection refused$/,
    );
  });
});

describe("--json", () => {
  test("one document: summary, clusters, every object with what was observed", async () => {
    const run = await preflight(["avilla", "--json", ...kubeconfigArgs()]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.out) as {
      stack: string;
      exitCode: number;
      summary: Record<string, number>;
      clusters: {
        name: string;
        status: string;
        auth: string;
        objects: Record<string, unknown>[];
      }[];
    };
    expect(doc.stack).toBe("avilla");
    expect(doc.exitCode).toBe(1);
    expect(doc.summary).toMatchObject({ conflict: optiplexConflicts(), adopt: 0, unchecked: 0 });
    expect(doc.clusters.map((c) => [c.name, c.status, c.auth])).toEqual([
      ["reports", "checked", "bearer token"],
      ["optiplex", "checked", "client certificate"],
    ]);
    const crd = doc.clusters[1].objects.find(
      (o) => o.name === "gateways.gateway.networking.k8s.io",
    );
    expect(crd).toMatchObject({
      kind: "CustomResourceDefinition",
      apiVersion: "apiextensions.k8s.io/v1",
      declaredBy: "file optiplex-envoy-gateway-gateway-api-crds",
      action: "create",
      verdict: "conflict",
      observed: {
        state: "present",
        metadata: {
          labels: { "app.kubernetes.io/managed-by": "Helm" },
          annotations: {
            "meta.helm.sh/release-name": "traefik-crd",
            "meta.helm.sh/release-namespace": "kube-system",
            "gateway.networking.k8s.io/bundle-version": "v1.2.1",
            "gateway.networking.k8s.io/channel": "standard",
          },
          owners: [],
          managers: ["helm", "kube-apiserver"],
          created: "2024-11-02T16:40:03Z",
        },
      },
    });
  });
});

describe("the stack's state and the Pulumi CLI", () => {
  const k8sProvider = (cluster: string) =>
    `urn:pulumi:avilla::plant::plant:kubernetes:ExistingCluster$pulumi:providers:kubernetes::k8s-${cluster}::0a1b2c3d`;

  function exportOf(objects: [string, string, string][]): string {
    return JSON.stringify({
      version: 3,
      deployment: {
        resources: objects.map(([cluster, type, id]) => ({
          urn: `urn:pulumi:avilla::plant::${type}::x-${id}`,
          custom: true,
          type,
          id,
          provider: k8sProvider(cluster),
        })),
      },
    });
  }

  test("--state: objects the stack already manages are updates, not conflicts", async () => {
    const state = write(
      "state.json",
      exportOf([
        ["optiplex", "kubernetes:core/v1:Namespace", "cert-manager"],
        [
          "optiplex",
          "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
          "gateways.gateway.networking.k8s.io",
        ],
        ["reports", "kubernetes:core/v1:Namespace", "cert-manager"],
      ]),
    );
    const run = await preflight(["avilla", "--state", state, ...kubeconfigArgs()]);
    const rows = tableRows(run.out);
    expect(row(rows, "optiplex", "Namespace cert-manager")).toMatchObject({
      program: "update",
      verdict: "ok: the stack already manages it",
    });
    expect(row(rows, "reports", "Namespace cert-manager")).toMatchObject({
      program: "update",
      found: "absent",
      verdict: "ok: in the stack, gone from the cluster (run `pulumi refresh`)",
    });
    expect(
      row(rows, "optiplex", "CustomResourceDefinition httproutes.gateway.networking.k8s.io")
        .verdict,
    ).toBe("CONFLICT: create would fail (AlreadyExists)");
    expect(run.out).toContain(`note: stack state from --state ${state}: 3 Kubernetes objects`);
    expect(run.code).toBe(1);
  });

  test("without --kubeconfig: the kubeconfigs and the state come from the Pulumi CLI", async () => {
    const calls: string[] = [];
    const cli: PulumiCli = async (args): Promise<CliResult> => {
      calls.push(args.join(" "));
      const line = args.join(" ");
      if (line === "config get plant:kubeconfig-optiplex -s avilla")
        return { code: 0, stdout: fs.readFileSync(files.optiplex, "utf8"), stderr: "" };
      if (line === "stack output clusters --show-secrets --json -s avilla")
        return {
          code: 255,
          stdout: "",
          stderr: "error: current stack does not have output property 'clusters'\n",
        };
      if (line === "stack export -s avilla")
        return {
          code: 0,
          stdout: exportOf([["optiplex", "kubernetes:core/v1:Namespace", "cert-manager"]]),
          stderr: "",
        };
      return { code: 1, stdout: "", stderr: `unexpected: ${line}` };
    };
    const run = await preflight(["avilla"], cli);
    expect(calls.sort()).toEqual([
      "config get plant:kubeconfig-optiplex -s avilla",
      "stack export -s avilla",
      "stack output clusters --show-secrets --json -s avilla",
    ]);
    expect(run.out).toContain(
      "cluster reports: not created yet (no kubeconfig in pulumi stack output clusters --show-secrets -s avilla (.reports.kubeconfig)); a new cluster holds nothing the program would create",
    );
    expect(run.out).toContain(
      `cluster optiplex: ${optiplex.url} (kubeconfig from pulumi config get plant:kubeconfig-optiplex -s avilla, client certificate)`,
    );
    expect(run.out).toContain(
      "note: stack state from pulumi stack export -s avilla: 1 Kubernetes objects",
    );
    expect(row(tableRows(run.out), "optiplex", "Namespace cert-manager").verdict).toBe(
      "ok: the stack already manages it",
    );
    expect(tableRows(run.out).some((r) => r.cluster === "reports")).toBe(false);
    expect(run.code).toBe(1);
  });

  test("a secret the CLI cannot decrypt names the config key", async () => {
    const cli: PulumiCli = async (args) =>
      args[0] === "config"
        ? {
            code: 255,
            stdout: "",
            stderr: "error: getting stack configuration: incorrect passphrase\n",
          }
        : undefined;
    const run = await preflight(["avilla", "--kubeconfig", `reports=${files.reports}`], cli);
    expect(run.code).toBe(3);
    expect(run.out).toContain(
      "error: cluster optiplex (kubeconfig from pulumi config get plant:kubeconfig-optiplex -s avilla): error: getting stack configuration: incorrect passphrase",
    );
  });
});

describe("usage and config errors", () => {
  test.each([
    [[], "which stack?"],
    [["avilla", "albion"], "one stack at a time"],
    [["avilla", "--kubeconfig", "optiplex"], "--kubeconfig optiplex is not <cluster>=<path>"],
    [["avilla", "--timeout", "soon"], "--timeout soon is not a number of seconds"],
    [["avilla", "--frobnicate"], "unknown option --frobnicate"],
  ])("%j → exit 2: %s", async (argv, message) => {
    const run = await preflight(argv as string[]);
    expect(run.code).toBe(2);
    expect(run.err.split("\n")[0]).toBe(message);
    expect(run.err).toContain("usage: npm run preflight -- <stack> [options]");
  });

  test("a --kubeconfig for a cluster the stack does not have", async () => {
    const run = await preflight(["avilla", "--kubeconfig", `nowhere=${files.reports}`]);
    expect(run.code).toBe(2);
    expect(run.err.split("\n")[0]).toBe(
      "error: --kubeconfig names nowhere, not a cluster of stack 'avilla' (reports, optiplex)",
    );
  });

  test("bad config is refused with the key, as the plan refuses it", async () => {
    const raw = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml")) as {
      clusters: { adopt?: unknown }[];
    };
    raw.clusters[1].adopt = [
      { kind: "Namespace", name: "cert-manager", namespace: "x", reason: "r" },
    ];
    const file = write(
      "Pulumi.avilla-bad.yaml",
      stringify({
        config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`plant:${k}`, v])),
      }),
    );
    const run = await preflight(["avilla", "--config", file, ...kubeconfigArgs()]);
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      "error: Stack 'avilla' has invalid configuration:\n  - [plant:clusters[1].adopt[0].namespace] must not be set: Namespace is cluster-scoped",
    );
  });

  test("--help", async () => {
    const run = await preflight(["--help"]);
    expect(run.code).toBe(0);
    expect(run.out.split("\n")[0]).toBe("usage: npm run preflight -- <stack> [options]");
  });
});
