// plant:clusters[].adopt in the program: the objects it names are registered with `import` (and
// retained on delete), every Chart/ConfigFile of the cluster carries the engine transform that
// imports its matching children, and nothing else changes — no rename, no other input.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
  adoptionOptions,
  adoptionTransformation,
  childAdoptionTransform,
  objectRefOf,
} from "../../components/adoption";
import { kubernetesImportId } from "../../config/kube-scope";
import { readStackFile } from "../../config/site";
import { PlanResult, PROJECT_DIR, runPlan } from "../../tools/plan/run";
import { expectedObjects } from "../../tools/preflight/expected";
import { parseSite } from "../../config/site";
import { SITE_STACKS, sitePlan } from "../support/plans";

describe("objectRefOf", () => {
  test.each([
    [
      "a Namespace",
      "kubernetes:core/v1:Namespace",
      { metadata: { name: "cert-manager" } },
      undefined,
      { kind: "Namespace", name: "cert-manager" },
    ],
    [
      "a Deployment",
      "kubernetes:apps/v1:Deployment",
      { metadata: { name: "web", namespace: "report-web" } },
      undefined,
      { kind: "Deployment", name: "web", namespace: "report-web" },
    ],
    [
      "a chart child in the release namespace",
      "kubernetes:v1:ServiceAccount",
      { kind: "ServiceAccount", metadata: { name: "sa" } },
      "cert-manager",
      { kind: "ServiceAccount", name: "sa", namespace: "cert-manager" },
    ],
    [
      "a custom resource",
      "kubernetes:metallb.io/v1beta1:IPAddressPool",
      {
        apiVersion: "metallb.io/v1beta1",
        kind: "IPAddressPool",
        metadata: { name: "p", namespace: "metallb-system" },
      },
      undefined,
      { kind: "IPAddressPool", name: "p", namespace: "metallb-system" },
    ],
    [
      "a cluster-scoped kind (namespace dropped)",
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      { metadata: { name: "gateways.gateway.networking.k8s.io", namespace: "ignored" } },
      undefined,
      { kind: "CustomResourceDefinition", name: "gateways.gateway.networking.k8s.io" },
    ],
    [
      "a Patch (creates nothing)",
      "kubernetes:core/v1:NodePatch",
      { kind: "Node", metadata: { name: "opti-1" } },
      undefined,
      undefined,
    ],
    [
      "a Chart",
      "kubernetes:helm.sh/v4:Chart",
      { name: "cert-manager", namespace: "cert-manager" },
      undefined,
      undefined,
    ],
    ["a provider", "pulumi:providers:kubernetes", { kubeconfig: "x" }, undefined, undefined],
    [
      "a computed name",
      "kubernetes:core/v1:Namespace",
      { metadata: { name: pulumi.output("computed") } },
      undefined,
      undefined,
    ],
  ])("%s", (_what, type, props, ns, ref) =>
    expect(objectRefOf(type, props as Record<string, unknown>, ns)).toEqual(ref),
  );
});

const ENTRIES = [
  { kind: "Namespace", name: "cert-manager", reason: "hand-installed" },
  { kind: "Deployment", name: "cert-manager", namespace: "cert-manager", reason: "hand-installed" },
];

describe("the transformations", () => {
  const t = adoptionTransformation(ENTRIES);

  test("an object named by an entry gets import, retainOnDelete and patchForce; others are left alone", () => {
    const props = { metadata: { name: "cert-manager" } };
    const opts = { parent: undefined, protect: false };
    const result = t({
      resource: {} as pulumi.Resource,
      type: "kubernetes:core/v1:Namespace",
      name: "ns",
      props,
      opts,
    });
    expect(result).toEqual({
      props: {
        metadata: { name: "cert-manager", annotations: { "pulumi.com/patchForce": "true" } },
      },
      opts: { parent: undefined, protect: false, import: "cert-manager", retainOnDelete: true },
    });
    expect(
      t({
        resource: {} as pulumi.Resource,
        type: "kubernetes:core/v1:Namespace",
        name: "ns",
        props: { metadata: { name: "other" } },
        opts,
      }),
    ).toBeUndefined();
    expect(
      t({
        resource: {} as pulumi.Resource,
        type: "random:index/randomPassword:RandomPassword",
        name: "pw",
        props: {},
        opts,
      }),
    ).toBeUndefined();
  });

  test("a Chart gets the engine transform for its children, after its own", async () => {
    const own: pulumi.ResourceTransform = () => undefined;
    const result = t({
      resource: {} as pulumi.Resource,
      type: "kubernetes:helm.sh/v4:Chart",
      name: "optiplex-cert-manager-chart",
      props: { namespace: "cert-manager" },
      opts: { transforms: [own] },
    });
    const transforms = result?.opts.transforms ?? [];
    expect(transforms).toHaveLength(2);
    expect(transforms[0]).toBe(own);
    // The engine calls it for each child the provider renders; a child without a namespace is in the release's.
    const child = await transforms[1]({
      custom: true,
      type: "kubernetes:apps/v1:Deployment",
      name: "optiplex-cert-manager-chart:cert-manager/cert-manager",
      props: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "cert-manager" } },
      opts: { ignoreChanges: ["spec.replicas"] },
    });
    expect(child?.props).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "cert-manager", annotations: { "pulumi.com/patchForce": "true" } },
    });
    expect(child?.opts).toEqual({
      ignoreChanges: ["spec.replicas"],
      import: "cert-manager/cert-manager",
      retainOnDelete: true,
    });
  });

  test("the child transform leaves other children and components alone", async () => {
    const child = childAdoptionTransform(ENTRIES, "cert-manager");
    const base = { name: "x", opts: {} };
    expect(
      await child({
        ...base,
        custom: true,
        type: "kubernetes:apps/v1:Deployment",
        props: { metadata: { name: "cert-manager-webhook" } },
      }),
    ).toBeUndefined();
    expect(
      await child({
        ...base,
        custom: false,
        type: "kubernetes:core/v1:Namespace",
        props: { metadata: { name: "cert-manager" } },
      }),
    ).toBeUndefined();
  });

  test("a cluster without entries gets no options at all", () => {
    expect(adoptionOptions({ clusters: [{ name: "reports", adopt: [] }] }, "reports")).toEqual({});
    expect(
      adoptionOptions({ clusters: [{ name: "reports", adopt: ENTRIES }] }, "reports")
        .transformations,
    ).toHaveLength(1);
  });
});

describe("in the plan", () => {
  let plain: PlanResult;
  let adopted: PlanResult;
  let entries: { kind: string; name: string; namespace?: string; reason: string }[];

  beforeAll(async () => {
    plain = await sitePlan("avilla");
    const raw = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml")) as {
      clusters: { adopt?: unknown[] }[];
    };
    // Adopt every object the program itself declares in the OptiPlex cluster.
    const site = parseSite("avilla", raw);
    const optiplex = expectedObjects(site, plain.resources).find((c) => c.cluster === "optiplex")!;
    entries = optiplex.objects
      .filter((o) => o.declaredBy.kind === "program" && !o.patch)
      .map((o) => ({
        kind: o.kind,
        name: o.name,
        ...(o.namespace ? { namespace: o.namespace } : {}),
        reason: "test",
      }));
    raw.clusters[1].adopt = entries;
    adopted = await runPlan({ stack: "avilla", rawConfig: raw });
  });

  test("a plan without adopt entries imports nothing and adds no transforms", async () => {
    for (const stack of SITE_STACKS) {
      const plan = await sitePlan(stack);
      expect(
        plan.resources.filter((r) => r.importId !== undefined || r.transforms !== undefined),
      ).toEqual([]);
    }
  });

  test("every object the program declares in the cluster is imported and retained", () => {
    expect(entries.length).toBeGreaterThan(10);
    const byId = new Map(
      adopted.resources
        .filter((r) => r.importId)
        .map((r) => [`${r.type.split(":").pop()} ${r.importId}`, r]),
    );
    for (const e of entries) {
      const r = byId.get(`${e.kind} ${kubernetesImportId(e)}`);
      expect(r).toBeDefined();
      expect(r?.retainOnDelete).toBe(true);
      expect(r?.provider).toMatch(/::k8s-optiplex$/);
    }
    expect(byId.size).toBe(entries.length);
  });

  test("every Chart and ConfigFile of that cluster carries the child transform; the other cluster's none", () => {
    const containers = adopted.resources.filter((r) =>
      /^kubernetes:(helm\.sh\/v4:Chart|yaml\/v2:ConfigFile)$/.test(r.type),
    );
    expect(
      containers
        .filter((r) => r.transforms === 1)
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      containers
        .filter((r) => r.provider?.endsWith("::k8s-optiplex"))
        .map((r) => r.name)
        .sort(),
    );
    expect(
      containers
        .filter((r) => r.provider?.endsWith("::k8s-reports"))
        .every((r) => r.transforms === undefined),
    ).toBe(true);
  });

  test("nothing is renamed; adopted objects only gain the patchForce annotation", () => {
    // Registration order may differ: a transform is registered with the engine before its Chart.
    const strip = (p: PlanResult) =>
      p.resources
        .map(({ importId, transforms: _t, retainOnDelete: _r, ...rest }) => {
          if (!importId) return rest;
          const md = rest.inputs.metadata as { annotations: Record<string, string> };
          expect(md.annotations["pulumi.com/patchForce"]).toBe("true");
          const annotations = Object.fromEntries(
            Object.entries(md.annotations).filter(([k]) => k !== "pulumi.com/patchForce"),
          );
          const metadata = { ...md, annotations } as Record<string, unknown>;
          if (Object.keys(annotations).length === 0) delete metadata.annotations;
          return { ...rest, inputs: { ...rest.inputs, metadata } };
        })
        .sort((a, b) => a.urn.localeCompare(b.urn));
    expect(strip(adopted)).toEqual(strip(plain));
  });
});
