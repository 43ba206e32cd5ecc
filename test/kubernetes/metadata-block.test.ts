// The metadata-service block: Calico objects valid against the CRDs Canal installs (Calico
// v3.32.1's, pinned in test/fixtures/upstream: ../shared has none), denying pod
// egress to Nova's metadata service and passing everything else on, on every RKE2 cluster of
// both plans (and only there), before any workload.
import { ipInCidr } from "../../config/ip";
import {
  GUARDRAIL_TIER,
  guardrailTier,
  metadataServicePolicy,
} from "../../components/kubernetes/metadata-block-spec";
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { knownFixtureCrd, validateFixtureObject } from "../support/upstream-schemas";

type Rule = { action: string; ipVersion?: number; destination?: { nets?: string[] } };

/**
 * Calico's verdict for an IPv4 egress packet from a pod, in the guardrail tier: the first rule
 * that matches decides; none matching means the tier's default action.
 */
function verdict(destination: string): string {
  const rules = metadataServicePolicy().spec.egress as Rule[];
  for (const r of rules) {
    if (r.ipVersion === 6) continue;
    const nets = r.destination?.nets;
    if (!nets || nets.some((n) => ipInCidr(destination, n))) return r.action;
  }
  return String(guardrailTier().spec.defaultAction);
}

describe("metadata-service block (spec)", () => {
  test("validates against Calico v3.32.1's CRDs as Canal installs them", () => {
    expect(knownFixtureCrd("crd.projectcalico.org/v1", "Tier")).toBe(true);
    expect(knownFixtureCrd("crd.projectcalico.org/v1", "GlobalNetworkPolicy")).toBe(true);
    expect(validateFixtureObject(guardrailTier())).toEqual([]);
    expect(validateFixtureObject(metadataServicePolicy())).toEqual([]);
    // The validator does reject a malformed policy and a misspelt field (not vacuous).
    const broken = metadataServicePolicy();
    expect(
      validateFixtureObject({ ...broken, spec: { ...broken.spec, egress: [{ action: "Drop" }] } }),
    ).toEqual(["/spec/egress/0/action must be equal to one of the allowed values"]);
    expect(
      validateFixtureObject({ ...broken, spec: { ...broken.spec, namespaceSelecter: "all()" } }),
    ).toEqual(["/spec must NOT have additional properties 'namespaceSelecter'"]);
  });

  test("pods' egress to the metadata service is denied; everything else passes on to the NetworkPolicies", () => {
    expect(verdict("169.254.169.254")).toBe("Deny");
    for (const other of ["169.254.169.253", "10.43.0.10", "10.1.0.8", "1.1.1.1"])
      expect([other, verdict(other)]).toEqual([other, "Pass"]);
    const rules = metadataServicePolicy().spec.egress as Rule[];
    expect(rules[1]).toEqual({
      action: "Deny",
      ipVersion: 6,
      destination: { nets: ["fe80::a9fe:a9fe/128"] },
    });
    // An Allow here would skip the namespaces' own NetworkPolicies: never.
    expect(rules.map((r) => r.action)).not.toContain("Allow");
  });

  test("its tier runs before kube-admin and default, and passes what it does not deny", () => {
    const tier = guardrailTier();
    expect(tier.spec).toEqual({ order: 100, defaultAction: "Pass" });
    expect(Number(tier.spec.order)).toBeLessThan(1000);
    const policy = metadataServicePolicy();
    expect(policy.spec).toMatchObject({
      tier: GUARDRAIL_TIER,
      namespaceSelector: "all()",
      types: ["Egress"],
    });
    // No pod selector: every workload endpoint; a namespaceSelector never selects host endpoints.
    expect(policy.spec.selector).toBeUndefined();
  });
});

describe.each(["avilla", "albion"] as const)("metadata-service block in the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });

  test("every RKE2 cluster has the tier and the policy; existing clusters have neither", () => {
    const calico = plan.manifests
      .filter((m) => m.object.apiVersion === "crd.projectcalico.org/v1")
      .map((m) => `${m.cluster} ${m.kind} ${m.name}`);
    expect(calico).toEqual([
      "reports Tier plant-guardrails",
      "reports GlobalNetworkPolicy deny-metadata-service",
    ]);
  });

  test("workloads wait for it: everything on the cluster's provider depends on the policy (directly or not)", () => {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const policy = plan.manifests.find((m) => m.kind === "GlobalNetworkPolicy")!;
    const upstream = (urn: string, seen = new Set<string>()): Set<string> => {
      for (const d of byUrn.get(urn)?.dependencies ?? []) {
        if (d && !seen.has(d)) {
          seen.add(d);
          upstream(d, seen);
        }
      }
      return seen;
    };
    const workloads = plan.manifests.filter(
      (m) =>
        m.cluster === "reports" &&
        ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Chart"].includes(m.kind),
    );
    expect(workloads.length).toBeGreaterThan(5);
    const unguarded = workloads
      .filter((w) => !upstream(w.urn).has(policy.urn))
      .map((w) => `${w.namespace}/${w.kind}/${w.name}`);
    expect(unguarded).toEqual([]);
  });
});
