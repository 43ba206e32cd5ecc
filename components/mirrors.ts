// Pure mapping of the program's chart and manifest sources through the plant's mirrors
// (`plant:mirrors.charts`). Without mirrors every function returns its input unchanged, so a site
// that sets none plans exactly as before. Used at every `helm.v4.Chart` and remote ConfigFile;
// the offline plan inverts it (upstreamChart, upstreamManifest) to find its local copies.

/** One `plant:mirrors.charts[]` entry: sources starting with `upstream` come from `url`. */
export interface ChartMirror {
  readonly upstream: string;
  readonly url: string;
}

/** A pinned Helm chart: `chart` is a name in the https repository `repo`, or an `oci://` reference. */
export interface HelmChartRef {
  readonly chart: string;
  readonly version: string;
  readonly repo?: string;
}

/** The source arguments of a `k8s.helm.v4.Chart`. */
export interface HelmChartSource {
  readonly chart: string;
  readonly version: string;
  readonly repositoryOpts?: { readonly repo: string };
}

/** Whether `prefix` covers `url` at a path-segment boundary (…/charts covers …/charts/x, not …/charts2). */
export function coversUrl(prefix: string, url: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`);
}

/** The mirror that covers `url` (the longest upstream wins), if any. */
export function mirrorFor(
  url: string,
  mirrors: readonly ChartMirror[] = [],
): ChartMirror | undefined {
  return mirrors
    .filter((m) => coversUrl(m.upstream, url))
    .reduce<ChartMirror | undefined>(
      (best, m) => (best === undefined || m.upstream.length > best.upstream.length ? m : best),
      undefined,
    );
}

/** `url` with its mirrored prefix replaced; unchanged when no mirror covers it. */
export function mirroredUrl(url: string, mirrors: readonly ChartMirror[] = []): string {
  const m = mirrorFor(url, mirrors);
  return m ? `${m.url}${url.slice(m.upstream.length)}` : url;
}

/** Where a chart lives: its repository (https repo URL or oci:// path) and its name there. */
export function chartLocation(ref: HelmChartRef): { repository: string; name: string } {
  if (ref.repo !== undefined) return { repository: ref.repo, name: ref.chart };
  const slash = ref.chart.lastIndexOf("/");
  if (!ref.chart.startsWith("oci://") || slash < "oci://".length) {
    throw new Error(`[chart] '${ref.chart}' needs a repository: give repo, or an oci:// reference`);
  }
  return { repository: ref.chart.slice(0, slash), name: ref.chart.slice(slash + 1) };
}

/**
 * The Chart arguments for `ref`, its repository mapped through the mirrors. A repository mirrored
 * to `oci://…` becomes an OCI reference; one mirrored to http(s) becomes a classic repository.
 */
export function helmChart(
  ref: HelmChartRef,
  mirrors: readonly ChartMirror[] = [],
): HelmChartSource {
  const { repository, name } = chartLocation(ref);
  const mirror = mirrorFor(repository, mirrors);
  if (!mirror) {
    // Exactly what the call sites declared before mirrors existed.
    return ref.repo !== undefined
      ? { chart: ref.chart, version: ref.version, repositoryOpts: { repo: ref.repo } }
      : { chart: ref.chart, version: ref.version };
  }
  const target = mirroredUrl(repository, mirrors);
  return target.startsWith("oci://")
    ? { chart: `${target}/${name}`, version: ref.version }
    : { chart: name, version: ref.version, repositoryOpts: { repo: target } };
}

/** A remote manifest's URL (a `yaml.v2.ConfigFile` file) through the mirrors. */
export function manifestUrl(url: string, mirrors: readonly ChartMirror[] = []): string {
  return mirroredUrl(url, mirrors);
}

/** Whether two Chart source arguments are the same source (repositoryOpts absent = OCI). */
function sameChartSource(a: HelmChartSource, b: HelmChartSource): boolean {
  return (
    a.chart === b.chart &&
    a.version === b.version &&
    a.repositoryOpts?.repo === b.repositoryOpts?.repo
  );
}

/**
 * The inverse of helmChart over the pinned charts `known`: the one `helmChart` maps to exactly
 * `declared`, or undefined. Exact on purpose: a mirror that serves something no pinned chart
 * maps to has no upstream to stand for.
 */
export function upstreamChart<T extends HelmChartRef>(
  declared: HelmChartSource,
  known: readonly T[],
  mirrors: readonly ChartMirror[] = [],
): T | undefined {
  return known.find((ref) => sameChartSource(helmChart(ref, mirrors), declared));
}

/** The inverse of manifestUrl over the pinned manifest URLs `known`, or undefined. */
export function upstreamManifest(
  url: string,
  known: readonly string[],
  mirrors: readonly ChartMirror[] = [],
): string | undefined {
  return known.find((k) => manifestUrl(k, mirrors) === url);
}

/** The mirror entries (with their index in `mirrors`) whose `url` serves `location`. */
export function mirrorsServing(
  location: string,
  mirrors: readonly ChartMirror[] = [],
): { readonly index: number; readonly mirror: ChartMirror }[] {
  return mirrors.flatMap((mirror, index) =>
    coversUrl(mirror.url, location) ? [{ index, mirror }] : [],
  );
}
