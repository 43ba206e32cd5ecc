// Plans both stacks once per `jest` run and caches them on disk for every test file: a full
// plan takes seconds, and a dozen files read the same two plans.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlan } from "../../tools/plan/run";
import { PLAN_CACHE_ENV, SITE_STACKS } from "./plans";

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-plans-"));
  for (const stack of SITE_STACKS) {
    try {
      const plan = await runPlan({ stack });
      // The manifests are the same objects as the resources' inputs: rebuilt on reading, not
      // written twice (the rendered charts make a plan tens of megabytes).
      fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify({ ...plan, manifests: [] }));
    } catch (e) {
      // Each test that needs the plan reports the failure itself.
      fs.writeFileSync(
        path.join(dir, `${stack}.error`),
        e instanceof Error ? e.message : String(e),
      );
    }
  }
  process.env[PLAN_CACHE_ENV] = dir;
}
