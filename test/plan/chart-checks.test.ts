// Checks over what the charts really create, on the plans of both sites, each with a fixture
// proving it can fail: dropped hooks covered, images pinned to the release, Pod Security of the
// namespace each pod lands in, no object declared twice, webhook ordering (the
// whole-site assertion of the last is test/plan/webhook-ordering.test.ts; schemas of the
// children are checked with everything else in test/plan/upstream-schemas.test.ts).
import { BELOW_RESTRICTED } from "../../components/pod-security-levels";
import { HOOK_COVERS, coverHooks, uncoveredHooks } from "../../tools/plan/hooks";
import { chartImageProblem, chartImageViolations } from "../../tools/plan/checks/chart-images";
import { duplicateObjectViolations } from "../../tools/plan/checks/duplicates";
import {
  chartPodSecurityViolations,
  unusedPodSecurityReasons,
} from "../../tools/plan/checks/pod-security";
import {
  GATES_ANNOTATION,
  webhookOrderingViolations,
} from "../../tools/plan/checks/webhook-ordering";
import {
  podSecurityLevelNeeded,
  podSecurityStandardProblems,
} from "../../policy/rules/pod-security-standards";
import { PlannedResource, PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";

const STACKS = ["avilla", "albion"] as const;
const plans = new Map<string, PlanResult>();
beforeAll(async () => {
  for (const s of STACKS) plans.set(s, await sitePlan(s));
});
const all = (): PlanResult[] => [...plans.values()];

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures poke into untyped manifests */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const find = (plan: PlanResult, name: string, kind: string): PlannedResource => {
  const r = plan.resources.find((x) => x.name === name && x.type.endsWith(`:${kind}`));
  if (!r) throw new Error(`no ${kind} ${name} in the plan`);
  return r;
};

describe("dropped Helm hooks", () => {
  test.each(STACKS)("%s: every hook the provider drops has a cover", (stack) => {
    const hooks = plans.get(stack)!.hooks;
    expect(hooks.map((h) => `${h.cluster}/${h.chart}/${h.kind}/${h.name}`)).toEqual(
      expect.arrayContaining(["reports/gateway-helm/Job/envoy-gateway-gateway-helm-certgen"]),
    );
    expect(uncoveredHooks(hooks)).toEqual([]);
  });

  test("every cover answers for a hook the charts render (no stale entries)", () => {
    const rendered = new Set(
      all().flatMap((p) => p.hooks.map((h) => `${h.chart}/${h.kind}/${h.name}`)),
    );
    const stale = HOOK_COVERS.flatMap((c) =>
      c.hooks.map((h) => `${c.chart}/${h.kind}/${h.name}`).filter((k) => !rendered.has(k)),
    );
    expect(stale).toEqual([]);
  });

  test("a new hook without a cover fails", () => {
    const hook = { ...plans.get("avilla")!.hooks[0], kind: "Job", name: "new-chart-hook" };
    expect(uncoveredHooks(coverHooks([hook]))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^optiplex: cert-manager@v1.21.1 hook Job cert-manager/new-chart-hook \\(post-install, from .*\\) is dropped by helm.v4.Chart and nothing in the program covers it`,
        ),
      ),
    ]);
  });
});

describe("images of chart pods", () => {
  test.each(STACKS)("%s: pinned, at the chart's appVersion or the program's override", (stack) => {
    expect(chartImageViolations(plans.get(stack)!.resources)).toEqual([]);
  });

  test("latest, a missing tag and an unexplained version fail; an override passes", () => {
    expect(chartImageProblem("quay.io/x/y:latest", ["v1"], {})).toBe("uses the tag 'latest'");
    expect(chartImageProblem("quay.io/x/y", ["v1"], {})).toBe("has no tag");
    expect(chartImageProblem("quay.io/x/y:v2", ["v1"], {})).toBe(
      "has tag v2, which is neither the appVersion of the chart or a subchart (v1) nor set by the program's values",
    );
    expect(chartImageProblem("quay.io/x/y:1.0.0", ["v1.0.0"], {})).toBeUndefined();
    expect(chartImageProblem("quay.io/x/y:v2", ["v1"], { image: { tag: "v2" } })).toBeUndefined();
  });

  test("a chart child whose image moved off the release is reported", () => {
    const plan = plans.get("avilla")!;
    const resources = plan.resources.map((r) => {
      if (
        r.name !== "reports-metallb-chart:metallb-system/metallb-controller" ||
        r.type !== "kubernetes:apps/v1:Deployment"
      )
        return r;
      const bad = copy(r);
      (bad.inputs as any).spec.template.spec.containers[0].image =
        "quay.io/metallb/controller:v0.15.0";
      return bad;
    });
    expect(chartImageViolations(resources)).toEqual([
      "reports-metallb-chart (metallb@0.16.1) reports-metallb-chart:metallb-system/metallb-controller container controller: image quay.io/metallb/controller:v0.15.0 has tag v0.15.0, which is neither the appVersion of the chart or a subchart (v0.16.1, v0.0.25) nor set by the program's values",
    ]);
  });
});

describe("Pod Security of chart pods", () => {
  test.each(STACKS)(
    "%s: each passes its namespace's level; every lower level has a reason",
    (stack) => {
      expect(chartPodSecurityViolations(plans.get(stack)!.resources)).toEqual([]);
    },
  );

  test("every recorded reason is used by a namespace at that level", () => {
    expect(unusedPodSecurityReasons(all().map((p) => p.resources))).toEqual([]);
    expect(BELOW_RESTRICTED["metallb-system"].level).toBe("privileged");
  });

  test("MetalLB's speaker in a restricted namespace, and a baseline namespace without a reason, fail", () => {
    const plan = plans.get("avilla")!;
    const resources = plan.resources.map((r) => {
      if (r.name !== "reports-metallb-ns" && r.name !== "reports-envoy-gateway-ns") return r;
      const ns = copy(r);
      const labels = (ns.inputs as any).metadata.labels;
      labels["pod-security.kubernetes.io/enforce"] =
        r.name === "reports-metallb-ns" ? "restricted" : "baseline";
      return ns;
    });
    const reasons = Object.fromEntries(
      Object.entries(BELOW_RESTRICTED).filter(([ns]) => ns !== "envoy-gateway-system"),
    );
    const found = chartPodSecurityViolations(resources, reasons);
    expect(found).toEqual([
      'namespace envoy-gateway-system enforces Pod Security "baseline" with no reason recorded in components/pod-security-levels.ts',
      'namespace envoy-gateway-system enforces Pod Security "baseline" with no reason recorded in components/pod-security-levels.ts',
      'reports-metallb-chart: DaemonSet metallb-system/metallb-speaker would be refused by Pod Security "restricted": ' +
        "pod sets hostNetwork; container speaker: adds capabilities NET_RAW; container speaker: livenessProbe.httpGet.host is set; " +
        "container speaker: readinessProbe.httpGet.host is set; container speaker: runAsNonRoot must be true; " +
        "container speaker: seccompProfile.type must be RuntimeDefault or Localhost; container speaker: may add only NET_BIND_SERVICE, adds NET_RAW",
      'reports-metallb-chart: Deployment metallb-system/metallb-controller would be refused by Pod Security "restricted": ' +
        "container controller: seccompProfile.type must be RuntimeDefault or Localhost",
    ]);
  });

  test("chart pods in a namespace the program does not label fail", () => {
    const plan = plans.get("avilla")!;
    const resources = plan.resources.filter((r) => r.name !== "cnpg-reports-ns");
    expect(chartPodSecurityViolations(resources)).toEqual([
      "cnpg-reports-operator: Deployment cnpg-system/cloudnative-pg lands in namespace cnpg-system, which the program does not label with pod-security.kubernetes.io/enforce",
      "cnpg-reports-barman-cloud: Deployment cnpg-system/plugin-barman-cloud lands in namespace cnpg-system, which the program does not label with pod-security.kubernetes.io/enforce",
    ]);
  });

  // The checks of the Pod Security Standards (v1.36), one per row: what each level refuses.
  const pod = (extra: Record<string, unknown> = {}, ctx: Record<string, unknown> = {}) => ({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "c",
        image: "x:1",
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          ...ctx,
        },
      },
    ],
    ...extra,
  });
  test.each([
    ["a compliant pod", pod(), "restricted", []],
    ["hostNetwork", pod({ hostNetwork: true }), "privileged", ["pod sets hostNetwork"]],
    ["privileged", pod({}, { privileged: true }), "privileged", ["container c: is privileged"]],
    [
      "NET_RAW",
      pod({}, { capabilities: { drop: ["ALL"], add: ["NET_RAW"] } }),
      "privileged",
      ["container c: adds capabilities NET_RAW"],
    ],
    [
      "hostPath",
      pod({ volumes: [{ name: "h", hostPath: { path: "/" } }] }),
      "privileged",
      ["volume h is a hostPath"],
    ],
    [
      "a hostPort",
      pod({ containers: [{ name: "c", ports: [{ containerPort: 1, hostPort: 80 }] }] }),
      "privileged",
      ["container c: uses hostPort 80"],
    ],
    [
      "an unsafe sysctl",
      pod({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } }),
      "privileged",
      ["pod sets the unsafe sysctl kernel.msgmax"],
    ],
    [
      "a probe on another host",
      pod({
        containers: [{ name: "c", readinessProbe: { httpGet: { host: "1.2.3.4", port: 1 } } }],
      }),
      "privileged",
      ["container c: readinessProbe.httpGet.host is set"],
    ],
    [
      "no seccomp profile",
      pod({ securityContext: { runAsNonRoot: true } }),
      "baseline",
      ["container c: seccompProfile.type must be RuntimeDefault or Localhost"],
    ],
    [
      "privilege escalation",
      pod({}, { allowPrivilegeEscalation: true }),
      "baseline",
      ["container c: allowPrivilegeEscalation must be false"],
    ],
    [
      "root",
      pod({ securityContext: { seccompProfile: { type: "RuntimeDefault" } } }),
      "baseline",
      ["container c: runAsNonRoot must be true"],
    ],
    [
      "a hostPath-free NFS volume",
      pod({ volumes: [{ name: "n", nfs: { server: "s", path: "/" } }] }),
      "baseline",
      ["volume n is of type nfs"],
    ],
  ])("%s needs %s", (_name, spec, needed, restrictedProblems) => {
    expect(podSecurityLevelNeeded(spec)).toBe(needed);
    const problems = podSecurityStandardProblems(spec, "restricted");
    for (const p of restrictedProblems as string[]) expect(problems).toContain(p);
    if ((restrictedProblems as string[]).length === 0) expect(problems).toEqual([]);
  });
});

describe("objects declared twice", () => {
  test.each(STACKS)("%s: none", (stack) => {
    expect(duplicateObjectViolations(plans.get(stack)!.resources)).toEqual([]);
  });

  test("a chart rendering an object the program declares fails", () => {
    const plan = plans.get("avilla")!;
    const ns = find(plan, "reports-metallb-ns", "Namespace");
    const twin = { ...copy(ns), urn: `${ns.urn}-twin`, name: "twin" };
    expect(duplicateObjectViolations([...plan.resources, twin])).toEqual([
      `Namespace metallb-system is declared twice on one cluster: ${ns.urn} and ${ns.urn}-twin`,
    ]);
  });
});

describe("webhook ordering (fixtures)", () => {
  const P = "urn:pulumi:s::p::pulumi:providers:kubernetes::k8s-a";
  const urn = (type: string, name: string, chain = "plant:x:X") =>
    `urn:pulumi:s::p::${chain}$${type}::${name}`;
  const res = (
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<PlannedResource> = {},
  ): PlannedResource => ({
    urn: urn(type, name),
    type,
    name,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    provider: P,
    custom: true,
    remote: false,
    inputs,
    ...extra,
  });
  const VWC = "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration";
  const webhook = (failurePolicy?: string) =>
    res(VWC, "c:vwc", {
      metadata: { name: "pools-webhook" },
      webhooks: [
        {
          name: "pools.example.com",
          ...(failurePolicy ? { failurePolicy } : {}),
          rules: [
            {
              apiGroups: ["example.com"],
              apiVersions: ["v1"],
              operations: ["CREATE", "UPDATE"],
              resources: ["pools"],
            },
          ],
          namespaceSelector: {
            matchExpressions: [{ key: "skip", operator: "NotIn", values: ["true"] }],
          },
        },
      ],
    });
  const gate = (gated = "ValidatingWebhookConfiguration/pools-webhook", provider = P) =>
    res(
      "kubernetes:batch/v1:Job",
      "gate",
      { metadata: { name: "gate", annotations: { [GATES_ANNOTATION]: gated } } },
      { provider },
    );
  const component = res(
    "plant:x:Gates",
    "gates",
    {},
    { custom: false, urn: urn("plant:x:Gates", "gates") },
  );
  const pool = (deps: string[], ns = "apps") =>
    res(
      "kubernetes:example.com/v1:Pool",
      "pool",
      { metadata: { name: "p", namespace: ns } },
      { dependencies: deps },
    );
  const nsSkipped = res("kubernetes:core/v1:Namespace", "ns", {
    metadata: { name: "skipped", labels: { skip: "true" } },
  });

  test("an object waiting for the gate, directly or through a component, passes", () => {
    expect(webhookOrderingViolations([webhook(), gate(), pool([gate().urn])])).toEqual([]);
    const inside = {
      ...gate(),
      parent: component.urn,
      urn: urn("kubernetes:batch/v1:Job", "gate", "plant:x:Gates"),
    };
    expect(
      webhookOrderingViolations([webhook(), component, inside, pool([component.urn])]),
    ).toEqual([]);
  });

  test("a chart child waits for what its chart waits for", () => {
    const chart = res(
      "kubernetes:helm.sh/v4:Chart",
      "chart",
      {},
      { custom: false, dependencies: [gate().urn] },
    );
    const child = { ...pool([]), parent: chart.urn };
    expect(webhookOrderingViolations([webhook(), gate(), chart, child])).toEqual([]);
  });

  test("no gate, a gate for another webhook or on another cluster fails; Fail is the default", () => {
    const message =
      `Pool apps/p (${pool([]).urn}) is checked by webhook pools.example.com of ValidatingWebhookConfiguration/pools-webhook ` +
      `(failurePolicy Fail) but waits for no gate Job annotated ${GATES_ANNOTATION}: ValidatingWebhookConfiguration/pools-webhook`;
    expect(webhookOrderingViolations([webhook(), pool([])])).toEqual([message]);
    expect(
      webhookOrderingViolations([
        webhook("Fail"),
        gate("ValidatingWebhookConfiguration/other"),
        pool([gate().urn]),
      ]),
    ).toEqual([message]);
    const elsewhere = gate(undefined, "urn:pulumi:s::p::pulumi:providers:kubernetes::k8s-b");
    expect(webhookOrderingViolations([webhook(), elsewhere, pool([elsewhere.urn])])).toEqual([
      message,
    ]);
  });

  test("Ignore webhooks and namespaces the selector leaves out are not checked", () => {
    expect(webhookOrderingViolations([webhook("Ignore"), pool([])])).toEqual([]);
    expect(webhookOrderingViolations([webhook(), nsSkipped, pool([], "skipped")])).toEqual([]);
  });
});
