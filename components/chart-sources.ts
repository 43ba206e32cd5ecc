// Every chart and remote manifest the program fetches, from the areas' pinned versions, and the
// checks of `plant:mirrors.charts` against them (run by planning/area-checks.ts before anything is
// declared). A test compares this list with the Charts and ConfigFiles of both sites' plans.
import { CERT_MANAGER, ENVOY_GATEWAY, GATEWAY_API, METALLB } from "./ingress/versions";
import { chartLocation, ChartMirror, HelmChartRef, mirrorFor, mirroredUrl } from "./mirrors";
import { BARMAN_CHART, CHART_REPO, CNPG_CHART } from "./postgres/operator-values";
import { KUBE_PROMETHEUS_STACK } from "./observability/versions";

export type ProgramSource =
  | { readonly kind: "chart"; readonly ref: HelmChartRef }
  | { readonly kind: "manifest"; readonly url: string; readonly version: string };

export const PROGRAM_SOURCES: readonly ProgramSource[] = [
  { kind: "chart", ref: CERT_MANAGER },
  { kind: "chart", ref: METALLB },
  { kind: "chart", ref: { chart: ENVOY_GATEWAY.crdsChart, version: ENVOY_GATEWAY.version } },
  { kind: "chart", ref: { chart: ENVOY_GATEWAY.chart, version: ENVOY_GATEWAY.version } },
  { kind: "chart", ref: { ...CNPG_CHART, repo: CHART_REPO } },
  { kind: "chart", ref: { ...BARMAN_CHART, repo: CHART_REPO } },
  { kind: "chart", ref: KUBE_PROMETHEUS_STACK },
  { kind: "manifest", url: GATEWAY_API.standardInstallUrl, version: GATEWAY_API.version },
];

/** The URL a mirror entry must cover: a chart's repository, or the manifest itself. */
function sourceUrl(s: ProgramSource): string {
  return s.kind === "chart" ? chartLocation(s.ref).repository : s.url;
}

function sourceName(s: ProgramSource): string {
  return s.kind === "chart" ? `chart ${chartLocation(s.ref).name}` : `manifest ${s.url}`;
}

export interface ChartMirrorProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * Mirror entries that match nothing the program fetches (a typo would silently leave a source
 * upstream), and manifests mirrored somewhere they cannot be fetched from as a release file.
 */
export function chartMirrorProblems(
  mirrors: readonly ChartMirror[],
  sources: readonly ProgramSource[] = PROGRAM_SOURCES,
): ChartMirrorProblem[] {
  const problems: ChartMirrorProblem[] = [];
  const urls = [...new Set(sources.map(sourceUrl))].sort();
  mirrors.forEach((m, i) => {
    if (!sources.some((s) => mirrorFor(sourceUrl(s), [m]) !== undefined)) {
      problems.push({
        key: `plant:mirrors.charts[${i}].upstream`,
        message: `'${m.upstream}' covers nothing the program fetches; the sources are: ${urls.join(", ")}`,
      });
    }
  });
  for (const s of sources) {
    if (s.kind !== "manifest") continue;
    const m = mirrorFor(s.url, mirrors);
    if (!m) continue;
    const key = `plant:mirrors.charts[${mirrors.indexOf(m)}].url`;
    const target = mirroredUrl(s.url, mirrors);
    if (!/^https?:\/\//.test(target)) {
      problems.push({
        key,
        message: `maps the ${sourceName(s)} to '${target}'; a manifest is a file and needs an http(s) mirror`,
      });
    } else if (!target.includes(s.version)) {
      problems.push({
        key,
        message: `maps the ${sourceName(s)} to '${target}', which no longer names its release ${s.version} (the pinned-charts policy refuses unversioned manifest URLs)`,
      });
    }
  }
  return problems;
}
