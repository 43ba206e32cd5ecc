// Writes a plan's artifacts: resources.json, outputs.json, hooks.json,
// manifests/<cluster>/<ns>/<kind>-<name>.yaml and site.svg (the picture of the site).
import * as fs from "fs";
import * as path from "path";
import * as jsYaml from "js-yaml";
import { PlanResult } from "./run";
import { renderSiteSvg } from "./site-svg";

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9_.-]/g, "_");
}

const ARTIFACTS = ["resources.json", "outputs.json", "hooks.json", "manifests", "site.svg"];

/**
 * `--out` may name any folder: one that holds anything but a previous plan's artifacts (a
 * checkout, a home directory) is refused rather than emptied.
 */
function refuseForeignFiles(outDir: string): void {
  if (!fs.existsSync(outDir)) return;
  const foreign = fs.readdirSync(outDir).filter((f) => !ARTIFACTS.includes(f));
  if (foreign.length > 0) {
    throw new Error(
      `refusing to write the plan into ${outDir}: it holds other files (${foreign.slice(0, 3).join(", ")}); choose an empty or new folder`,
    );
  }
}

/** Clears the previous plan's artifacts, and only those. */
function clearOutDir(outDir: string): void {
  for (const f of ARTIFACTS) fs.rmSync(path.join(outDir, f), { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
}

export async function writePlan(plan: PlanResult, outDir: string): Promise<string[]> {
  refuseForeignFiles(outDir);
  // Rendered before anything is cleared: a picture that fails leaves the previous plan in place.
  const svg = await renderSiteSvg(plan);
  clearOutDir(outDir);
  const written: string[] = [];
  const write = (rel: string, text: string): void => {
    const file = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written.push(file);
  };
  // Secret digests serve plan diffs in memory only.
  const resources = plan.resources.map(({ secretDigests: _digests, ...r }) => r);
  write("resources.json", `${JSON.stringify(resources, null, 2)}\n`);
  write("outputs.json", `${JSON.stringify(plan.outputs, null, 2)}\n`);
  write("hooks.json", `${JSON.stringify(plan.hooks, null, 2)}\n`);
  fs.mkdirSync(path.join(outDir, "manifests"), { recursive: true });
  for (const m of plan.manifests) {
    const rel = path.join(
      "manifests",
      safe(m.cluster),
      safe(m.namespace),
      `${safe(m.kind)}-${safe(m.name)}.yaml`,
    );
    // js-yaml: three times faster than yaml's stringify on the charts' large CRDs.
    write(rel, jsYaml.dump(m.object, { noRefs: true, lineWidth: -1 }));
  }
  write("site.svg", svg);
  return written;
}
