// Every namespace the program creates carries Pod Security labels at the strictest level its pods
// pass (issue 15, defect 8): the levels of both plans, the workloads declared object by object
// checked against their namespace's level, and the charts' pod settings where ../shared has them.
import {
  BARMAN_CHART,
  CNPG_CHART,
  operatorValues,
  pluginValues,
} from "../../components/postgres/operator-values";
import { podSecurityViolations } from "../../policy/rules/pod-security";
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { chartDefaults, coalesceValues } from "../support/upstream-schemas";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests and chart values are untyped */

const RESTRICTED = "restricted";
/**
 * Namespaces below `restricted`, each with the pod that keeps it there. Everything else the
 * program creates must enforce `restricted`.
 */
const BELOW_RESTRICTED: Readonly<Record<string, { level: string; why: string }>> = {
  "metallb-system": {
    level: "privileged",
    why: "the speaker answers ARP for the static IPs with host networking and NET_RAW",
  },
  "envoy-gateway-system": {
    level: "baseline",
    why: "Envoy's shutdown-manager sidecar's settings come from Envoy Gateway, unverified against restricted",
  },
  "cinder-csi": {
    level: "privileged",
    why: "the node plugin attaches and mounts volumes: privileged, host network, the kubelet's directory and /dev",
  },
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

describe.each(["avilla", "albion"] as const)("Pod Security labels in the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });

  test("every namespace enforces, audits and warns at its level: restricted unless listed below", () => {
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

  test("every workload declared object by object passes its namespace's level", () => {
    const problems = plan.manifests
      .filter((m) => m.kind in WORKLOAD_TYPES && !BELOW_RESTRICTED[m.namespace])
      .flatMap((m) => restrictedProblems(m.kind, m.object, m.urn));
    expect(problems).toEqual([]);
  });

  test("a namespace below restricted holds a chart (whose pods need it), never only our own workloads", () => {
    for (const ns of Object.keys(BELOW_RESTRICTED)) {
      const inNs = plan.manifests.filter((m) => m.namespace === ns && m.cluster === "reports");
      if (inNs.length === 0) continue;
      expect([ns, inNs.some((m) => m.kind === "Chart")]).toEqual([ns, true]);
    }
  });
});

describe("cnpg-system is restricted: the operator's and the plugin's pods as their charts render them", () => {
  test.each([
    [CNPG_CHART.chart, CNPG_CHART.version, operatorValues()],
    [BARMAN_CHART.chart, BARMAN_CHART.version, pluginValues()],
  ])("%s %s", (chart, version, values) => {
    const merged = coalesceValues(chartDefaults(chart, version), values);
    expect(merged.containerSecurityContext).toBeDefined();
    expect(merged.hostNetwork ?? false).toBe(false);
    // The charts' deployment.yaml put these two values on the pod and its container.
    const pod = {
      securityContext: merged.podSecurityContext,
      containers: [{ name: chart, securityContext: merged.containerSecurityContext }],
    };
    expect(
      restrictedProblems(
        "Deployment",
        { metadata: { name: chart, namespace: "cnpg-system" }, spec: { template: { spec: pod } } },
        `urn:pulumi:s::p::kubernetes:apps/v1:Deployment::${chart}`,
      ),
    ).toEqual([]);
  });
});
