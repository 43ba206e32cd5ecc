// Asks one cluster what it already holds: API discovery for each apiVersion the plan uses (which
// also maps each kind to its resource path), one metadata-only GET per object, and the Helm
// releases recorded in each chart's namespace. Read-only: GET requests only.
import {
  ApiAnswer,
  ClusterUnreachableError,
  KubeApi,
  METADATA_LIST_ACCEPT,
  statusMessage,
} from "./kube-api";

export interface ObjectKey {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface ObservedMetadata {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly owners: readonly { readonly kind: string; readonly name: string }[];
  /** Field managers that wrote the object (managedFields), in first-seen order. */
  readonly managers: readonly string[];
  readonly created?: string;
}

export type Observation =
  | { readonly state: "absent" }
  /** The apiVersion/kind is not served: its CRD is not installed, so no such object exists. */
  | { readonly state: "not-served" }
  | { readonly state: "present"; readonly metadata: ObservedMetadata }
  | { readonly state: "unknown"; readonly error: string };

export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: string;
}

export interface ClusterObservation {
  readonly objects: ReadonlyMap<string, Observation>;
  /** Helm releases (latest revision each) by namespace; an error string when they could not be listed. */
  readonly releases: ReadonlyMap<string, readonly HelmRelease[] | string>;
}

export function objectKey(o: ObjectKey): string {
  return `${o.apiVersion}|${o.kind}|${o.namespace ?? ""}|${o.name}`;
}

interface KindInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

type Discovery =
  { served: false } | { served: true; kinds: Map<string, KindInfo> } | { error: string };

function discoveryPath(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function parseResourceList(body: unknown): Map<string, KindInfo> {
  const kinds = new Map<string, KindInfo>();
  const resources = (body as { resources?: unknown })?.resources;
  for (const r of Array.isArray(resources) ? resources : []) {
    const res = r as { name?: unknown; kind?: unknown; namespaced?: unknown };
    if (typeof res.name !== "string" || res.name.includes("/") || typeof res.kind !== "string")
      continue;
    kinds.set(res.kind, { plural: res.name, namespaced: res.namespaced === true });
  }
  return kinds;
}

/** The first answer also proves the cluster is reachable and takes the credentials. */
async function probe(api: KubeApi): Promise<ApiAnswer> {
  const answer = await api.get("/api/v1", "application/json");
  if (answer.status === 401)
    throw new ClusterUnreachableError("the API server rejected the credentials (401 Unauthorized)");
  if (answer.status === 403)
    throw new ClusterUnreachableError(
      `the credentials may not read the API (403 Forbidden on GET /api/v1: ${statusMessage(answer)})`,
    );
  if (answer.status !== 200)
    throw new ClusterUnreachableError(`unexpected answer to GET /api/v1: ${statusMessage(answer)}`);
  return answer;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === "object")
    for (const [k, val] of Object.entries(v as Record<string, unknown>))
      if (typeof val === "string") out[k] = val;
  return out;
}

/** Annotations worth showing; everything else (last-applied configs, checksums) is left out. */
const SHOWN_ANNOTATIONS = [
  "meta.helm.sh/release-name",
  "meta.helm.sh/release-namespace",
  "helm.sh/resource-policy",
  "gateway.networking.k8s.io/bundle-version",
  "gateway.networking.k8s.io/channel",
  "objectset.rio.cattle.io/id",
];

export function observedMetadata(body: unknown): ObservedMetadata {
  const md = ((body as { metadata?: unknown })?.metadata ?? {}) as Record<string, unknown>;
  const annotations = stringMap(md.annotations);
  const managers: string[] = [];
  for (const f of Array.isArray(md.managedFields) ? md.managedFields : []) {
    const manager = str((f as { manager?: unknown }).manager);
    if (manager && !managers.includes(manager)) managers.push(manager);
  }
  return {
    labels: stringMap(md.labels),
    annotations: Object.fromEntries(
      SHOWN_ANNOTATIONS.filter((k) => k in annotations).map((k) => [k, annotations[k]]),
    ),
    owners: (Array.isArray(md.ownerReferences) ? md.ownerReferences : []).flatMap((o) => {
      const ref = o as { kind?: unknown; name?: unknown };
      return typeof ref.kind === "string" && typeof ref.name === "string"
        ? [{ kind: ref.kind, name: ref.name }]
        : [];
    }),
    managers,
    ...(str(md.creationTimestamp) ? { created: str(md.creationTimestamp) } : {}),
  };
}

async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

async function observe(api: KubeApi, o: ObjectKey, d: Discovery): Promise<Observation> {
  if ("error" in d) return { state: "unknown", error: d.error };
  if (!d.served) return { state: "not-served" };
  const info = d.kinds.get(o.kind);
  if (!info) return { state: "not-served" };
  const base = discoveryPath(o.apiVersion);
  const ns = info.namespaced ? `/namespaces/${encodeURIComponent(o.namespace ?? "default")}` : "";
  const answer = await api.get(`${base}${ns}/${info.plural}/${encodeURIComponent(o.name)}`);
  if (answer.status === 200) return { state: "present", metadata: observedMetadata(answer.body) };
  if (answer.status === 404) return { state: "absent" };
  return { state: "unknown", error: `GET answered ${statusMessage(answer)}` };
}

async function helmReleases(
  api: KubeApi,
  namespace: string,
): Promise<readonly HelmRelease[] | string> {
  const answer = await api.get(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets?labelSelector=${encodeURIComponent("owner=helm")}`,
    METADATA_LIST_ACCEPT,
  );
  if (answer.status === 404) return [];
  if (answer.status !== 200)
    return `listing Helm release records answered ${statusMessage(answer)}`;
  const latest = new Map<string, HelmRelease>();
  for (const item of (answer.body as { items?: unknown[] })?.items ?? []) {
    const labels = stringMap((item as { metadata?: { labels?: unknown } })?.metadata?.labels);
    if (!labels.name) continue;
    const release = {
      name: labels.name,
      namespace,
      revision: Number(labels.version ?? 0),
      status: labels.status ?? "unknown",
    };
    const seen = latest.get(release.name);
    if (!seen || release.revision > seen.revision) latest.set(release.name, release);
  }
  return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function inspectCluster(
  api: KubeApi,
  objects: readonly ObjectKey[],
  releaseNamespaces: readonly string[],
): Promise<ClusterObservation> {
  const core = await probe(api);
  const discovery = new Map<string, Discovery>([
    ["v1", { served: true, kinds: parseResourceList(core.body) }],
  ]);
  const versions = [...new Set(objects.map((o) => o.apiVersion))].filter((v) => !discovery.has(v));
  await pool(versions, 6, async (v) => {
    const answer = await api.get(discoveryPath(v), "application/json");
    if (answer.status === 404) discovery.set(v, { served: false });
    else if (answer.status === 200)
      discovery.set(v, { served: true, kinds: parseResourceList(answer.body) });
    else discovery.set(v, { error: `API discovery of ${v} answered ${statusMessage(answer)}` });
  });
  const observed = new Map<string, Observation>();
  await pool(objects, 8, async (o) => {
    observed.set(objectKey(o), await observe(api, o, discovery.get(o.apiVersion)!));
  });
  const releases = new Map<string, readonly HelmRelease[] | string>();
  await pool([...new Set(releaseNamespaces)], 4, async (ns) => {
    releases.set(ns, await helmReleases(api, ns));
  });
  return { objects: observed, releases };
}
