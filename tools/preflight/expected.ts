// What the program would create in each cluster, from the offline plan: every Kubernetes object
// record (type `kubernetes:<group>/<version>:<Kind>`), whether the program declares it or it is a
// child of a Chart/ConfigFile in the plan, plus the known contents of files the plan cannot open.
// Pure: plan records and the site's cluster list in, per-cluster expectations out.
import { CONTAINER_TYPES, findAdoption, objectRefOf } from "../../components/adoption";
import { AdoptEntry } from "../../config/schema";
import { PlannedResource } from "../plan/recorder";
import { knownFileContents } from "./known-contents";

export type DeclaredBy =
  | { readonly kind: "program" }
  | {
      readonly kind: "chart" | "file";
      /** The Chart/ConfigFile resource name. */
      readonly resource: string;
    };

export interface AdoptRef {
  /** Index in plant:clusters[<cluster>].adopt. */
  readonly index: number;
  readonly entry: AdoptEntry;
}

export interface ExpectedObject {
  readonly cluster: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Undefined for cluster-scoped objects. */
  readonly namespace?: string;
  readonly declaredBy: DeclaredBy;
  /** The `import` option the program registers the object with (objects it declares itself). */
  readonly importId?: string;
  /** The adopt entry of the cluster that names this object. */
  readonly adopt?: AdoptRef;
  /** Children of a Chart/ConfigFile: how many engine transforms their container carries. */
  readonly containerTransforms?: number;
  /** A `<Kind>Patch`: it changes an object that must already exist (e.g. the existing nodes). */
  readonly patch?: true;
}

export interface ExpectedContainer {
  readonly cluster: string;
  readonly type: string;
  /** Resource name of the Chart/ConfigFile. */
  readonly resource: string;
  /** Helm release name (Charts). */
  readonly release?: string;
  readonly namespace?: string;
  /** Whether the objects it creates are listed (children in the plan, or known file contents). */
  readonly contentsKnown: boolean;
  readonly objects: number;
  readonly transforms: number;
}

export interface ClusterExpectation {
  readonly cluster: string;
  /** Index in plant:clusters. */
  readonly index: number;
  readonly kind: "openstack" | "existing";
  readonly objects: readonly ExpectedObject[];
  readonly containers: readonly ExpectedContainer[];
  /** Adopt entries that name no object of the plan in this cluster. */
  readonly unmatchedAdopt: readonly AdoptRef[];
}

export interface SiteClusters {
  readonly clusters: readonly {
    readonly name: string;
    readonly kind: "openstack" | "existing";
    readonly adopt: readonly AdoptEntry[];
  }[];
}

/** `kubernetes:apps/v1:Deployment` → `apps/v1`; the core group has no prefix (`v1`). */
export function apiVersionOfType(type: string): string | undefined {
  const m = /^kubernetes:([^:]+):[^:]+$/.exec(type);
  if (!m) return undefined;
  return m[1].startsWith("core/") ? m[1].slice("core/".length) : m[1];
}

/** Name of the resource a URN names (its last `::` part). */
function urnName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** The cluster of a record: its provider `k8s-<cluster>`, or its nearest ancestor's. */
function clusterOf(
  r: PlannedResource,
  byUrn: ReadonlyMap<string, PlannedResource>,
): string | undefined {
  for (
    let at: PlannedResource | undefined = r;
    at;
    at = at.parent ? byUrn.get(at.parent) : undefined
  ) {
    if (at.provider) {
      const name = urnName(at.provider);
      return name.startsWith("k8s-") ? name.slice(4) : undefined;
    }
  }
  return undefined;
}

/** The object a `<Kind>Patch` record changes; undefined for anything else. */
export function patchedObjectOf(
  type: string,
  props: Record<string, unknown>,
): { kind: string; name: string; namespace?: string } | undefined {
  const typeKind = /^kubernetes:[^:]+:([A-Za-z0-9]+)$/.exec(type)?.[1];
  const metadata = props.metadata as { name?: unknown; namespace?: unknown } | undefined;
  if (!typeKind || typeof props.kind !== "string" || typeKind !== `${props.kind}Patch`)
    return undefined;
  if (typeof metadata?.name !== "string") return undefined;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  return { kind: props.kind, name: metadata.name, ...(namespace ? { namespace } : {}) };
}

function containerOf(
  r: PlannedResource,
  byUrn: ReadonlyMap<string, PlannedResource>,
): PlannedResource | undefined {
  for (
    let at = r.parent ? byUrn.get(r.parent) : undefined;
    at;
    at = at.parent ? byUrn.get(at.parent) : undefined
  ) {
    if (CONTAINER_TYPES.has(at.type)) return at;
  }
  return undefined;
}

function containerKind(type: string): "chart" | "file" {
  return type.startsWith("kubernetes:helm.sh/") ? "chart" : "file";
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function expectedObjects(
  site: SiteClusters,
  resources: readonly PlannedResource[],
): ClusterExpectation[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const objects = new Map<string, ExpectedObject[]>();
  const containers = new Map<string, ExpectedContainer[]>();
  const childCount = new Map<string, number>();
  const adoptOf = (cluster: string, ref: { kind: string; name: string; namespace?: string }) => {
    const entries = site.clusters.find((c) => c.name === cluster)?.adopt ?? [];
    const entry = findAdoption(entries, ref);
    return entry ? { index: entries.indexOf(entry), entry } : undefined;
  };
  const push = (o: ExpectedObject): void => {
    const list = objects.get(o.cluster) ?? [];
    list.push(o);
    objects.set(o.cluster, list);
  };

  for (const r of resources) {
    if (CONTAINER_TYPES.has(r.type)) continue;
    const cluster = clusterOf(r, byUrn);
    const container = containerOf(r, byUrn);
    const patched = cluster ? patchedObjectOf(r.type, r.inputs) : undefined;
    if (cluster && patched) {
      const apiVersion = str(r.inputs.apiVersion) ?? apiVersionOfType(r.type) ?? "";
      push({ cluster, apiVersion, ...patched, declaredBy: { kind: "program" }, patch: true });
      continue;
    }
    const ref = cluster && objectRefOf(r.type, r.inputs, str(container?.inputs.namespace));
    if (!cluster || !ref) continue;
    if (container) childCount.set(container.urn, (childCount.get(container.urn) ?? 0) + 1);
    const adopt = adoptOf(cluster, ref);
    push({
      cluster,
      apiVersion: str(r.inputs.apiVersion) ?? apiVersionOfType(r.type) ?? "",
      ...ref,
      declaredBy: container
        ? { kind: containerKind(container.type), resource: container.name }
        : { kind: "program" },
      ...(r.importId ? { importId: r.importId } : {}),
      ...(adopt ? { adopt } : {}),
      ...(container ? { containerTransforms: container.transforms ?? 0 } : {}),
    });
  }

  // By name: a Chart that carries a transform registers a little later, so the plan's order of
  // containers is not stable; the report's must be.
  const containerRecords = resources
    .filter((r) => CONTAINER_TYPES.has(r.type))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const r of containerRecords) {
    const cluster = clusterOf(r, byUrn);
    if (!cluster) continue;
    const children = childCount.get(r.urn) ?? 0;
    const known = children === 0 ? knownFileContents(r.inputs.file) : undefined;
    for (const k of known ?? []) {
      const ref = { kind: k.kind, name: k.name };
      const adopt = adoptOf(cluster, ref);
      push({
        cluster,
        apiVersion: k.apiVersion,
        ...ref,
        declaredBy: { kind: containerKind(r.type), resource: r.name },
        ...(adopt ? { adopt } : {}),
        containerTransforms: r.transforms ?? 0,
      });
    }
    const list = containers.get(cluster) ?? [];
    const chart = containerKind(r.type) === "chart";
    list.push({
      cluster,
      type: r.type,
      resource: r.name,
      ...(chart ? { release: str(r.inputs.name) ?? r.name } : {}),
      ...(str(r.inputs.namespace) ? { namespace: str(r.inputs.namespace) } : {}),
      contentsKnown: children > 0 || known !== undefined,
      objects: children + (known?.length ?? 0),
      transforms: r.transforms ?? 0,
    });
    containers.set(cluster, list);
  }

  return site.clusters.map((c, index) => {
    const own = objects.get(c.name) ?? [];
    const matched = new Set(own.flatMap((o) => (o.adopt ? [o.adopt.index] : [])));
    return {
      cluster: c.name,
      index,
      kind: c.kind,
      objects: own,
      containers: containers.get(c.name) ?? [],
      unmatchedAdopt: c.adopt.flatMap((entry, i) => (matched.has(i) ? [] : [{ index: i, entry }])),
    };
  });
}
