// The plans of the project's own stack files, shared by the test files of one jest run
// (see global-setup.ts); outside jest's global setup they are planned on first use.
import * as fs from "fs";
import * as path from "path";
import { collectManifests } from "../../tools/plan/manifests";
import { PlanResult, runPlan } from "../../tools/plan/run";

export const SITE_STACKS = ["avilla", "albion"] as const;
export const PLAN_CACHE_ENV = "PLANT_PLAN_CACHE";

const memo = new Map<string, Promise<PlanResult>>();

function fromCache(stack: string): PlanResult | undefined {
  const dir = process.env[PLAN_CACHE_ENV];
  if (!dir) return undefined;
  const error = path.join(dir, `${stack}.error`);
  if (fs.existsSync(error)) throw new Error(fs.readFileSync(error, "utf8"));
  const file = path.join(dir, `${stack}.json`);
  if (!fs.existsSync(file)) return undefined;
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as PlanResult;
  return { ...plan, manifests: collectManifests(plan.resources) };
}

/** The plan of `Pulumi.<stack>.yaml` as it is in the repository. */
export function sitePlan(stack: string): Promise<PlanResult> {
  if (!memo.has(stack)) {
    memo.set(
      stack,
      Promise.resolve().then(() => fromCache(stack) ?? runPlan({ stack })),
    );
  }
  return memo.get(stack)!;
}
