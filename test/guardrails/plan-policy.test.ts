// The policy pack's rules over the offline plan of both real sites, as the PR preview would run
// them — the program's own objects and everything the charts render — plus the stack-output half
// of "credentials only as secrets" (which the engine cannot check).
import { sitePlan } from "../support/plans";
import { PlanResult } from "../../tools/plan/run";
import { checkAll } from "../../policy/rules/catalogue";
import { stackOutputViolations } from "../../policy/rules/secrets";
import { PlainResource } from "../../policy/rules/types";
import { CHART_EXEMPTIONS, exemptionFor, isChartChild } from "../../policy/rules/exemptions";

function asPlain(plan: PlanResult): PlainResource[] {
  return plan.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
    protect: r.protect,
    ...(r.provider ? { provider: r.provider } : {}),
  }));
}

describe.each(["avilla", "albion"])("policy pack on the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  }, 120_000);

  it("has no violation of any policy", () => {
    const found = checkAll(asPlain(plan)).map((v) => `${v.rule}: ${v.message}`);
    expect(found).toEqual([]);
  });

  it("runs over the charts' children", () => {
    const rendered = asPlain(plan).filter(isChartChild);
    expect(
      rendered.filter((r) => r.type === "kubernetes:apps/v1:DaemonSet").length,
    ).toBeGreaterThan(0);
    // A chart Deployment that lost its resources is caught unless an exemption names it.
    const deployment = rendered.find(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && !exemptionFor("requests-and-limits", r),
    )!;
    const broken = JSON.parse(JSON.stringify(deployment)) as PlainResource;
    const spec = broken.props.spec as {
      template: { spec: { containers: { resources?: unknown }[] } };
    };
    delete spec.template.spec.containers[0].resources;
    expect(checkAll([broken]).map((v) => v.rule)).toContain("requests-and-limits");
  });

  it("keeps every credential-named stack output secret", () => {
    expect(stackOutputViolations(plan.outputs)).toEqual([]);
    // The check is not vacuous: the plan has kubeconfig outputs to look at.
    expect(JSON.stringify(plan.outputs)).toContain('"kubeconfig":"[secret]"');
  });

  it("declares the resources the stack policies reason about", () => {
    const types = new Set(plan.resources.map((r) => r.type));
    for (const t of [
      "kubernetes:apps/v1:Deployment",
      "kubernetes:policy/v1:PodDisruptionBudget",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "kubernetes:postgresql.cnpg.io/v1:Cluster",
      "openstack:networking/secGroupRule:SecGroupRule",
    ]) {
      expect(types).toContain(t);
    }
  });
});

describe("chart exemptions", () => {
  it("each is used by an object the charts render at some site, and says why", async () => {
    const rendered = (await Promise.all(["avilla", "albion"].map(sitePlan)))
      .flatMap(asPlain)
      .filter(isChartChild);
    const unused = CHART_EXEMPTIONS.filter(
      (e) => !rendered.some((r) => exemptionFor(e.rule, r, [e]) !== undefined),
    );
    expect(unused).toEqual([]);
    for (const e of CHART_EXEMPTIONS) expect(e.reason.length).toBeGreaterThan(20);
  });
});
