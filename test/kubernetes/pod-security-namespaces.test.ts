// Every namespace the program creates carries Pod Security labels at the strictest level its pods
// pass (issue 15, defect 8), in both plans: `restricted` unless components/pod-security-levels.ts
// records why not, and each lower level is what some pod there needs. That each chart pod passes
// its namespace's level, as rendered, is test/plan/chart-checks.test.ts.
import { BELOW_RESTRICTED } from "../../components/pod-security-levels";
import { podTemplateMetadata } from "../../policy/rules/namespace-pod-security";
import { podSecurityViolations } from "../../policy/rules/pod-security";
import {
  PodSecurityLevel,
  podSecurityLevelNeeded,
} from "../../policy/rules/pod-security-standards";
import { podSpec } from "../../policy/rules/workloads";
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped */

const RESTRICTED = "restricted";
const ORDER: readonly PodSecurityLevel[] = ["restricted", "baseline", "privileged"];

/** Namespaces below restricted whose deciding pods are made at runtime, so not in the plan. */
const RUNTIME_PODS: Readonly<Record<string, string>> = {
  "envoy-gateway-system":
    "Envoy Gateway creates the Envoy pods there (with its shutdown-manager sidecar) per Gateway",
};

const WORKLOAD_TYPES: Readonly<Record<string, string>> = {
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  DaemonSet: "kubernetes:apps/v1:DaemonSet",
  Job: "kubernetes:batch/v1:Job",
  CronJob: "kubernetes:batch/v1:CronJob",
};

function restrictedProblems(kind: string, object: any, urn: string): string[] {
  return podSecurityViolations({ type: WORKLOAD_TYPES[kind], urn, props: object }).map(
    (v) => v.message,
  );
}

/** The strictest level every pod of the plan in `namespace` (any cluster) passes. */
function levelNeeded(plan: PlanResult, namespace: string): PodSecurityLevel | undefined {
  const levels = plan.resources.flatMap((r) => {
    const pod = podSpec({ type: r.type, props: r.inputs });
    if (!pod || (r.inputs.metadata as any)?.namespace !== namespace) return [];
    return [podSecurityLevelNeeded(pod, podTemplateMetadata({ type: r.type, props: r.inputs }))];
  });
  if (levels.length === 0) return undefined;
  return ORDER[Math.max(...levels.map((l) => ORDER.indexOf(l)))];
}

describe.each(["avilla", "albion"] as const)("Pod Security labels in the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });

  test("every namespace enforces, audits and warns at its level: restricted unless recorded", () => {
    const namespaces = plan.manifests.filter((m) => m.kind === "Namespace");
    expect(namespaces.length).toBeGreaterThanOrEqual(12);
    for (const ns of namespaces) {
      const labels = ((ns.object.metadata as any).labels ?? {}) as Record<string, string>;
      const level = BELOW_RESTRICTED[ns.name]?.level ?? RESTRICTED;
      const got = ["enforce", "audit", "warn"].map(
        (mode) => labels[`pod-security.kubernetes.io/${mode}`],
      );
      // Audit and warn may ask for more than is enforced (they only report).
      const expected = [level, expect.any(String), expect.any(String)];
      expect([ns.cluster, ns.name, got]).toEqual([ns.cluster, ns.name, expected]);
    }
    // The namespaces the review found unlabelled.
    const byName = new Map(namespaces.map((n) => [`${n.cluster}/${n.name}`, n]));
    for (const name of ["reports/cnpg-system", "reports/postgres-reporting"]) {
      const labels = (byName.get(name)!.object.metadata as any).labels;
      expect(labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      });
    }
  });

  test("every workload declared object by object in a restricted namespace passes restricted", () => {
    const own = plan.manifests.filter(
      (m) => m.kind in WORKLOAD_TYPES && !BELOW_RESTRICTED[m.namespace],
    );
    const problems = own.flatMap((m) => restrictedProblems(m.kind, m.object, m.urn));
    expect(problems).toEqual([]);
  });

  test("a namespace below restricted holds a pod that needs that level (none is lower than it must be)", () => {
    const used = Object.keys(BELOW_RESTRICTED).filter((ns) =>
      plan.manifests.some((m) => m.kind === "Namespace" && m.name === ns),
    );
    expect(used).toEqual(expect.arrayContaining(["metallb-system", "cinder-csi"]));
    for (const ns of used) {
      const needed = levelNeeded(plan, ns);
      if (ns in RUNTIME_PODS) {
        // What the plan holds there passes the recorded level; the rest is made at runtime.
        expect([
          ns,
          ORDER.indexOf(needed ?? RESTRICTED) <= ORDER.indexOf(BELOW_RESTRICTED[ns].level),
        ]).toEqual([ns, true]);
        continue;
      }
      expect([ns, needed]).toEqual([ns, BELOW_RESTRICTED[ns].level]);
    }
  });
});
