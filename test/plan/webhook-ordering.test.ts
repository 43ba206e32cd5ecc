// Whole-site webhook ordering: every object a fail-closed admission webhook covers (MetalLB pools,
// cert-manager issuers and certificates, CNPG clusters, poolers, backups…) waits for a gate Job
// that proves that webhook serving with its CA bundle injected — not merely for the chart that
// installs it (tools/plan/checks/webhook-ordering.ts; its fixtures are in chart-checks.test.ts).
import { webhookOrderingViolations } from "../../tools/plan/checks/webhook-ordering";
import { sitePlan } from "../support/plans";

describe.each(["avilla", "albion"])("webhook ordering, stack %s", (stack) => {
  test("every object a fail-closed webhook checks waits for that webhook's gate", async () => {
    const plan = await sitePlan(stack);
    expect(webhookOrderingViolations(plan.resources)).toEqual([]);
  });
});
