// Once per `jest` run, for every test file: plans both stacks and caches them on disk (a full
// plan takes seconds, and a dozen files read the same two plans), and makes sure the JSON copy
// of the upstream CRD schemas exists (see crd-schemas.ts).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlan } from "../../tools/plan/run";
import { CRD_CACHE_ENV, prepareCrdCache } from "./crd-schemas";
import { PLAN_CACHE_ENV, SITE_STACKS } from "./plans";

const CACHE_ROOT = path.resolve(__dirname, "../../node_modules/.cache/plant-tests");

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
  try {
    process.env[CRD_CACHE_ENV] = prepareCrdCache(CACHE_ROOT);
  } catch (e) {
    // Without the copy each test file parses the YAML itself: slower, same verdicts.
    console.warn(`CRD schema cache not written (${e instanceof Error ? e.message : e})`);
  }
}
