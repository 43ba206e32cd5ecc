// What preflight expects the program to create, read from plan records: objects the program
// declares, children of a Chart in the plan (as the chart rendering adds them), and the known
// contents of the Gateway API file, checked against the upstream copy in ../shared.
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { PlannedResource } from "../../tools/plan/recorder";
import { apiVersionOfType, expectedObjects } from "../../tools/preflight/expected";
import {
  GATEWAY_API_STANDARD_INSTALL,
  knownFileContents,
} from "../../tools/preflight/known-contents";
import { GATEWAY_API } from "../../components/ingress/versions";
import { judgeCluster } from "../../tools/preflight/verdict";
import { ClusterObservation, objectKey } from "../../tools/preflight/inspect";

const SHARED_GATEWAY_API = path.resolve(__dirname, "../../../shared/crds/gateway-api-v1.6.1");

test("the Gateway API standard install is what ../shared holds at the pinned version", () => {
  expect(GATEWAY_API.version).toBe("v1.6.1");
  const upstream = fs
    .readdirSync(SHARED_GATEWAY_API)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(SHARED_GATEWAY_API, f), "utf8")))
    .map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } })
    .filter((d) => d?.kind)
    .map((d) => ({ apiVersion: d.apiVersion, kind: d.kind, name: d.metadata.name }));
  const key = (o: { kind: string; name: string }) => `${o.kind}/${o.name}`;
  expect([...GATEWAY_API_STANDARD_INSTALL].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
    upstream.sort((a, b) => key(a).localeCompare(key(b))),
  );
  expect(knownFileContents(GATEWAY_API.standardInstallUrl)).toBe(GATEWAY_API_STANDARD_INSTALL);
  expect(knownFileContents("https://mirror.plant/gateway-api/v1.6.1/standard-install.yaml")).toBe(
    GATEWAY_API_STANDARD_INSTALL,
  );
  expect(knownFileContents("https://example.com/v1.5.0/standard-install.yaml")).toBeUndefined();
});

test.each([
  ["kubernetes:core/v1:Namespace", "v1"],
  ["kubernetes:apps/v1:Deployment", "apps/v1"],
  ["kubernetes:metallb.io/v1beta1:IPAddressPool", "metallb.io/v1beta1"],
  ["random:index/randomPassword:RandomPassword", undefined],
])("apiVersionOfType(%s) = %s", (type, apiVersion) =>
  expect(apiVersionOfType(type)).toBe(apiVersion),
);

const STACK = "urn:pulumi:avilla::plant";
const PROVIDER = `${STACK}::plant:kubernetes:ExistingCluster$pulumi:providers:kubernetes::k8s-optiplex`;

function record(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PlannedResource> = {},
): PlannedResource {
  return {
    urn: `${STACK}::${type}::${name}`,
    type,
    name,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    custom: true,
    remote: false,
    inputs,
    ...extra,
  };
}

/** A plan of one cluster: a Namespace and a rendered cert-manager chart with three children. */
function renderedPlan(): PlannedResource[] {
  const chart = record(
    "kubernetes:helm.sh/v4:Chart",
    "optiplex-cert-manager-chart",
    { name: "cert-manager", namespace: "cert-manager", chart: "cert-manager" },
    { provider: PROVIDER, custom: false, remote: true, transforms: 1 },
  );
  return [
    record(
      "kubernetes:core/v1:Namespace",
      "optiplex-cert-manager-ns",
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "cert-manager" } },
      { provider: PROVIDER, importId: "cert-manager" },
    ),
    chart,
    // Children as the rendered chart records them: parented to the chart, provider inherited.
    record(
      "kubernetes:apps/v1:Deployment",
      "optiplex-cert-manager-chart:cert-manager/cert-manager",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "cert-manager", namespace: "cert-manager" },
      },
      { parent: chart.urn },
    ),
    record(
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      "optiplex-cert-manager-chart:certificates.cert-manager.io",
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "certificates.cert-manager.io" },
      },
      { parent: chart.urn },
    ),
    // A namespaced child the chart leaves in its release namespace.
    record(
      "kubernetes:core/v1:ServiceAccount",
      "optiplex-cert-manager-chart:cert-manager-webhook",
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "cert-manager-webhook" } },
      { parent: chart.urn },
    ),
  ];
}

const SITE = {
  clusters: [
    {
      name: "optiplex",
      kind: "existing" as const,
      adopt: [
        { kind: "Namespace", name: "cert-manager", reason: "hand-installed" },
        {
          kind: "Deployment",
          name: "cert-manager",
          namespace: "cert-manager",
          reason: "hand-installed",
        },
        { kind: "Secret", name: "left-over", namespace: "cert-manager", reason: "typo" },
      ],
    },
  ],
};

describe("expectedObjects", () => {
  const [optiplex] = expectedObjects(SITE, renderedPlan());

  test("objects the program declares and the chart's children", () => {
    expect(
      optiplex.objects.map((o) => [o.apiVersion, o.kind, o.namespace ?? "", o.name, o.declaredBy]),
    ).toEqual([
      ["v1", "Namespace", "", "cert-manager", { kind: "program" }],
      [
        "apps/v1",
        "Deployment",
        "cert-manager",
        "cert-manager",
        { kind: "chart", resource: "optiplex-cert-manager-chart" },
      ],
      [
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "",
        "certificates.cert-manager.io",
        { kind: "chart", resource: "optiplex-cert-manager-chart" },
      ],
      [
        "v1",
        "ServiceAccount",
        "cert-manager",
        "cert-manager-webhook",
        { kind: "chart", resource: "optiplex-cert-manager-chart" },
      ],
    ]);
  });

  test("adopt entries are matched, the import and the chart's transform carried", () => {
    expect(optiplex.objects[0]).toMatchObject({ importId: "cert-manager", adopt: { index: 0 } });
    expect(optiplex.objects[1]).toMatchObject({ containerTransforms: 1, adopt: { index: 1 } });
    expect(optiplex.objects[2].adopt).toBeUndefined();
    expect(optiplex.unmatchedAdopt).toEqual([{ index: 2, entry: SITE.clusters[0].adopt[2] }]);
  });

  test("the chart's contents are known once its children are in the plan", () => {
    expect(optiplex.containers).toEqual([
      {
        cluster: "optiplex",
        type: "kubernetes:helm.sh/v4:Chart",
        resource: "optiplex-cert-manager-chart",
        release: "cert-manager",
        namespace: "cert-manager",
        contentsKnown: true,
        objects: 3,
        transforms: 1,
      },
    ]);
  });

  test("with every chart rendered, an adopt entry that names nothing is a finding", () => {
    const observed: ClusterObservation = {
      objects: new Map(
        optiplex.objects.map((o) => [
          objectKey(o),
          {
            state: "present",
            metadata: { labels: {}, annotations: {}, owners: [], managers: ["helm"] },
          } as const,
        ]),
      ),
      releases: new Map([
        [
          "cert-manager",
          [{ name: "cert-manager", namespace: "cert-manager", revision: 2, status: "deployed" }],
        ],
      ]),
    };
    const rows = judgeCluster(optiplex, observed, undefined);
    expect(rows.map((r) => [r.kind, r.name, r.action, r.verdict])).toEqual([
      ["Namespace", "cert-manager", "import", "adopt"],
      ["Deployment", "cert-manager", "import", "adopt"],
      ["CustomResourceDefinition", "certificates.cert-manager.io", "create", "conflict"],
      ["ServiceAccount", "cert-manager-webhook", "create", "conflict"],
      ["Chart", "cert-manager", "render 3 objects", "info"],
      ["Secret", "left-over", "-", "unmatched"],
    ]);
    expect(rows[5].detail).toBe(
      "UNMATCHED: plant:clusters[0].adopt[2] names nothing the program declares in cluster optiplex; fix or remove it",
    );
    expect(rows[4].found).toBe("Helm release cert-manager (revision 2, deployed)");
  });

  test("an adopt entry the program does not apply is still a conflict", () => {
    const plan = renderedPlan().map((r) =>
      r.type === "kubernetes:core/v1:Namespace"
        ? { ...r, importId: undefined }
        : r.type.endsWith(":Chart")
          ? { ...r, transforms: undefined }
          : r,
    );
    const [c] = expectedObjects(SITE, plan);
    const present = {
      state: "present",
      metadata: { labels: {}, annotations: {}, owners: [], managers: [] },
    } as const;
    const rows = judgeCluster(
      c,
      { objects: new Map(c.objects.map((o) => [objectKey(o), present])), releases: new Map() },
      undefined,
    );
    expect(rows.slice(0, 2).map((r) => r.detail)).toEqual([
      "CONFLICT: plant:clusters[0].adopt[0] is not applied to it (the program does not register it with `import`)",
      "CONFLICT: plant:clusters[0].adopt[1] is not applied to it (the program does not register it with `import`)",
    ]);
  });

  test("objects written by Pulumi are not conflicts when the stack's state is unknown", () => {
    const [c] = expectedObjects({ clusters: [{ ...SITE.clusters[0], adopt: [] }] }, renderedPlan());
    const pulumi = {
      state: "present",
      metadata: { labels: {}, annotations: {}, owners: [], managers: ["pulumi-kubernetes-4f2a"] },
    } as const;
    const rows = judgeCluster(
      c,
      { objects: new Map(c.objects.map((o) => [objectKey(o), pulumi])), releases: new Map() },
      undefined,
    );
    expect(rows[0]).toMatchObject({
      verdict: "ok",
      found: "present: written by pulumi-kubernetes-4f2a",
      detail: "ok if this stack created it (written by Pulumi; the stack's state was not read)",
    });
    const known = judgeCluster(
      c,
      { objects: new Map(c.objects.map((o) => [objectKey(o), pulumi])), releases: new Map() },
      { source: "test", objects: new Set() },
    );
    expect(known[0].verdict).toBe("conflict");
  });

  test("a patch names the object it changes, which must exist", () => {
    const patch = record(
      "kubernetes:core/v1:NodePatch",
      "optiplex-node-opti-1",
      { apiVersion: "v1", kind: "Node", metadata: { name: "opti-1" } },
      { provider: PROVIDER },
    );
    const [c] = expectedObjects({ clusters: [{ ...SITE.clusters[0], adopt: [] }] }, [patch]);
    expect(c.objects).toEqual([
      {
        cluster: "optiplex",
        apiVersion: "v1",
        kind: "Node",
        name: "opti-1",
        declaredBy: { kind: "program" },
        patch: true,
      },
    ]);
    const judge = (state: "present" | "absent") =>
      judgeCluster(
        c,
        {
          objects: new Map([
            [
              objectKey(c.objects[0]),
              state === "present"
                ? {
                    state,
                    metadata: { labels: {}, annotations: {}, owners: [], managers: ["k3s"] },
                  }
                : { state },
            ],
          ]),
          releases: new Map(),
        },
        undefined,
      )[0];
    expect([judge("present").action, judge("present").verdict]).toEqual(["patch", "ok"]);
    expect([judge("absent").verdict, judge("absent").detail]).toEqual([
      "conflict",
      "PATCH WOULD FAIL: there is nothing to patch",
    ]);
  });
});
