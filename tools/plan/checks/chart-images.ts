// Images of the charts' pods: pinned (a tag, never `latest`, or a digest), and at the version the
// chart was released with (its appVersion, or a subchart's) unless the program sets that image
// itself in the chart's values. A chart bump that moves an image the program overrides shows up
// here, as does a chart that pulls an image nobody pinned.
import * as fs from "fs";
import * as path from "path";
import { imagePinProblem } from "../../../policy/rules/images";
import { containers, podSpec } from "../../../policy/rules/workloads";
import { chartDir } from "../../helm/sources";
import { PlannedResource } from "../recorder";
import { CHART_TYPE } from "../chart-children";

/** appVersion of the chart and of each chart under its charts/ folder. */
export function chartAppVersions(chart: string, version: string): string[] {
  const dir = chartDir(chart, version);
  const read = (file: string): string[] => {
    const m = /^appVersion:\s*["']?([^"'\s]+)/m.exec(fs.readFileSync(file, "utf8"));
    return m ? [m[1]] : [];
  };
  const sub = path.join(dir, "charts");
  const subs = fs.existsSync(sub)
    ? fs
        .readdirSync(sub)
        .map((d) => path.join(sub, d, "Chart.yaml"))
        .filter((f) => fs.existsSync(f))
    : [];
  return [...new Set([...read(path.join(dir, "Chart.yaml")), ...subs.flatMap(read)])];
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

const bare = (v: string): string => v.replace(/^v/, "");

/** Why an image of a chart pod is not acceptable, or undefined. */
export function chartImageProblem(
  image: string,
  appVersions: readonly string[],
  values: unknown,
): string | undefined {
  const pin = imagePinProblem(image);
  if (pin) return pin;
  if (/@sha256:/.test(image)) return undefined;
  const tag = image.slice(image.lastIndexOf(":") + 1);
  if (appVersions.some((a) => bare(a) === bare(tag))) return undefined;
  const set = strings(values);
  if (set.some((s) => s === tag || s === image || s.endsWith(`:${tag}`))) return undefined;
  return `has tag ${tag}, which is neither the appVersion of the chart or a subchart (${appVersions.join(", ") || "none"}) nor set by the program's values`;
}

export function chartImageViolations(
  resources: readonly PlannedResource[],
  appVersionsOf: (chart: string, version: string) => string[] = chartAppVersions,
): string[] {
  const charts = new Map(resources.filter((r) => r.type === CHART_TYPE).map((r) => [r.urn, r]));
  const out: string[] = [];
  for (const r of resources) {
    const chart = r.parent ? charts.get(r.parent) : undefined;
    const pod = chart ? podSpec({ type: r.type, props: r.inputs }) : undefined;
    if (!chart || !pod) continue;
    const {
      chart: ref,
      version,
      values,
    } = chart.inputs as {
      chart: string;
      version: string;
      values?: unknown;
    };
    const apps = appVersionsOf(ref, version);
    for (const c of containers(pod)) {
      const image = typeof c.spec.image === "string" ? c.spec.image : "";
      const problem = image ? chartImageProblem(image, apps, values) : "is not set";
      if (problem)
        out.push(
          `${chart.name} (${ref}@${version}) ${r.name} ${c.where}: image ${image || "(none)"} ${problem}`,
        );
    }
  }
  return out;
}
