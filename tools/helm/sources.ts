// Where the offline plan finds what the provider would download: each chart the program declares
// (chart reference + version) is a folder ../shared/charts/<name>-<version>, and each remote
// manifest URL a folder of ../shared/crds. A source fetched from a plant mirror is first mapped
// back to the pinned upstream it mirrors (pinnedChart, pinnedManifest). scripts/fetch-shared.sh fetches the same packages from
// their public repositories (it reads CHART_SOURCES through `ts-node tools/helm/sources.ts`).
import * as fs from "fs";
import * as path from "path";
import {
  CERT_MANAGER,
  ENVOY_GATEWAY,
  GATEWAY_API,
  METALLB,
} from "../../components/ingress/versions";
import { BARMAN_CHART, CHART_REPO, CNPG_CHART } from "../../components/postgres/operator-values";
import { KUBE_PROMETHEUS_STACK } from "../../components/observability/versions";
import {
  ChartMirror,
  HelmChartSource,
  mirrorsServing,
  upstreamChart,
  upstreamManifest,
} from "../../components/mirrors";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** ../shared beside the project (the tests read the same folder). */
export function sharedDir(): string {
  return path.resolve(PROJECT_DIR, "../shared");
}

export interface ChartSource {
  /** Chart name in its repository, or an `oci://` reference. */
  readonly chart: string;
  /** Classic Helm repository; absent for OCI references. */
  readonly repo?: string;
  readonly version: string;
}

/** Every chart package the project pins, from the program's own version constants. */
export const CHART_SOURCES: readonly ChartSource[] = [
  { chart: METALLB.chart, repo: METALLB.repo, version: METALLB.version },
  { chart: CERT_MANAGER.chart, repo: CERT_MANAGER.repo, version: CERT_MANAGER.version },
  { chart: ENVOY_GATEWAY.chart, version: ENVOY_GATEWAY.version },
  { chart: ENVOY_GATEWAY.crdsChart, version: ENVOY_GATEWAY.version },
  { chart: CNPG_CHART.chart, repo: CHART_REPO, version: CNPG_CHART.version },
  { chart: BARMAN_CHART.chart, repo: CHART_REPO, version: BARMAN_CHART.version },
  {
    chart: KUBE_PROMETHEUS_STACK.chart,
    repo: KUBE_PROMETHEUS_STACK.repo,
    version: KUBE_PROMETHEUS_STACK.version,
  },
];

/** The chart's own name: `oci://docker.io/envoyproxy/gateway-helm` → `gateway-helm`. */
export function chartName(chart: string): string {
  return chart.split("/").pop() ?? chart;
}

/** Folder under <shared>/charts, as `helm pull --untar` names it plus the version. */
export function chartFolder(chart: string, version: string): string {
  return `${chartName(chart)}-${version}`;
}

export class SharedSourceMissingError extends Error {
  constructor(what: string, where: string) {
    super(
      `${what} is not in ${where}: the offline plan renders from local copies of what the ` +
        `provider downloads. Run \`bash scripts/fetch-shared.sh ${sharedDir()}\` (after \`npm ci\`) ` +
        `to fetch the pinned packages.`,
    );
    this.name = "SharedSourceMissingError";
  }
}

function chartYamlField(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:\\s*["']?([^"'\\s]+)["']?\\s*$`, "m").exec(text);
  return m?.[1];
}

/** The unpacked chart of a declaration; checks that its Chart.yaml is the declared one. */
export function chartDir(chart: string, version: string): string {
  const dir = path.join(sharedDir(), "charts", chartFolder(chart, version));
  const chartYaml = path.join(dir, "Chart.yaml");
  if (!fs.existsSync(chartYaml)) {
    throw new SharedSourceMissingError(`chart ${chart}@${version}`, dir);
  }
  const text = fs.readFileSync(chartYaml, "utf8");
  const [name, found] = [chartYamlField(text, "name"), chartYamlField(text, "version")];
  if (name !== chartName(chart) || found !== version) {
    throw new Error(
      `${chartYaml} is ${name}@${found}, but the program declares ${chart}@${version}: ` +
        `refetch it with scripts/fetch-shared.sh`,
    );
  }
  return dir;
}

/** Remote manifests the program loads (yaml/v2 ConfigFile `file`), by URL → local folder. */
const MANIFEST_FOLDERS: Readonly<Record<string, string>> = {
  // Upstream builds standard-install.yaml by concatenating config/crd/standard/*.yaml in name order.
  [GATEWAY_API.standardInstallUrl]: `crds/gateway-api-${GATEWAY_API.version}`,
};

/** Why a source under a plant mirror has no local copy: which mirror serves it, for the message. */
function mirrorNote(location: string, mirrors: readonly ChartMirror[]): string {
  const serving = mirrorsServing(location, mirrors);
  if (serving.length === 0) return "";
  const entries = serving.map((s) => `plant:mirrors.charts[${s.index}] (${s.mirror.url})`);
  return ` (it is served by ${entries.join(", ")}, but no pinned source maps to it through the site's mirrors)`;
}

/**
 * The pinned chart a Chart declaration fetches: the one of CHART_SOURCES that helmChart maps,
 * through the site's chart mirrors, to exactly the declared chart, version and repository.
 */
export function pinnedChart(
  declared: HelmChartSource,
  mirrors: readonly ChartMirror[] = [],
): ChartSource {
  const found = upstreamChart(declared, CHART_SOURCES, mirrors);
  if (found) return found;
  const repo = declared.repositoryOpts?.repo;
  const location = repo ?? declared.chart;
  throw new Error(
    `the offline plan has no local copy of chart ${declared.chart}@${declared.version}` +
      `${repo === undefined ? "" : ` from ${repo}`}${mirrorNote(location, mirrors)}: ` +
      `add it to CHART_SOURCES in tools/helm/sources.ts and to scripts/fetch-shared.sh`,
  );
}

/**
 * The pinned manifest URL a ConfigFile's `file` is, through the site's chart mirrors: one of
 * MANIFEST_FOLDERS' URLs that manifestUrl maps to exactly `url`.
 */
export function pinnedManifest(url: string, mirrors: readonly ChartMirror[] = []): string {
  const found = upstreamManifest(url, Object.keys(MANIFEST_FOLDERS), mirrors);
  if (found) return found;
  throw new Error(
    `the offline plan has no local copy of ${url}${mirrorNote(url, mirrors)}: add it to ` +
      `MANIFEST_FOLDERS in tools/helm/sources.ts and to scripts/fetch-shared.sh`,
  );
}

/** The folder holding the local copy of what the provider would download from `url`. */
export function manifestDir(url: string): string {
  const folder = MANIFEST_FOLDERS[url];
  if (!folder) {
    throw new Error(
      `the offline plan has no local copy of ${url}: add it to MANIFEST_FOLDERS in tools/helm/sources.ts ` +
        `and to scripts/fetch-shared.sh`,
    );
  }
  const dir = path.join(sharedDir(), folder);
  if (!fs.existsSync(dir)) throw new SharedSourceMissingError(url, dir);
  return dir;
}

/** The YAML the provider would download from `url`, from its pinned local copy. */
export function manifestText(url: string): string {
  const dir = manifestDir(url);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  if (files.length === 0) throw new SharedSourceMissingError(url, dir);
  return files.map((f) => `---\n${fs.readFileSync(path.join(dir, f), "utf8")}`).join("\n");
}

/** Digest input for a local source: names, sizes and times of its files (cheap; no reads). */
export function folderFingerprint(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const s = fs.statSync(p);
        parts.push(`${path.relative(dir, p)}:${s.size}:${Math.round(s.mtimeMs)}`);
      }
    }
  };
  walk(dir);
  return parts.join("\n");
}

// `ts-node tools/helm/sources.ts` prints one chart per line for scripts/fetch-shared.sh:
// <chart> <repo or -> <version> <folder>
if (require.main === module) {
  for (const s of CHART_SOURCES) {
    console.log([s.chart, s.repo ?? "-", s.version, chartFolder(s.chart, s.version)].join(" "));
  }
}
