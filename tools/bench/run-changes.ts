// Plans every routine change against a base site and reports what it touches.
import { PlanResult, runPlan } from "../plan/run";
import { readStackFile } from "../../config/site";
import { PROJECT_DIR } from "../plan/run";
import * as path from "path";
import { ChangeReport, compareWithBase, formatChangeReport } from "./change-safety";
import { ROUTINE_CHANGES } from "./changes";

export interface ChangeOutcome {
  readonly name: string;
  readonly description: string;
  readonly report: ChangeReport;
  readonly seconds: number;
}

export async function planChangeCatalogue(
  stack = "avilla",
  base?: PlanResult,
): Promise<{ base: PlanResult; outcomes: ChangeOutcome[] }> {
  const raw = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
  const basePlan = base ?? (await runPlan({ stack, rawConfig: raw }));
  const outcomes: ChangeOutcome[] = [];
  for (const change of ROUTINE_CHANGES) {
    const plan = await runPlan({ stack, rawConfig: change.apply(stack, raw) });
    outcomes.push({
      name: change.name,
      description: change.description,
      report: compareWithBase(basePlan.resources, plan.resources),
      seconds: plan.seconds,
    });
  }
  return { base: basePlan, outcomes };
}

export function formatOutcomes(outcomes: readonly ChangeOutcome[]): string {
  return outcomes
    .map((o) => formatChangeReport(`${o.name} (${o.description})`, o.report))
    .join("\n\n");
}
