// Expands every helm.v4.Chart and yaml/v2.ConfigFile record into the objects the provider
// registers under it, as pulumi-kubernetes 4.34 does (helm/v4/chart.go, yaml/v2/yaml.go):
// default namespace on namespaced kinds (Normalize), one child per object named
// `<prefix>:<namespace>/<name>` (prefix = resourcePrefix, else the component's name), parented
// to the component, with the component's provider, in the dependency order of cli-utils
// (CRD before its resources, Namespace before its objects, config.kubernetes.io/depends-on),
// Secret data and stringData secret, `helm.sh/resource-policy: keep` as retainOnDelete.
// Children wait for what the component waits for: the component is constructed only once its
// dependencies exist. Helm hooks are not registered; they are returned for hooks.json.
// A chart or manifest fetched from a plant mirror renders from the pinned upstream it mirrors.
import { ChartMirror } from "../../components/mirrors";
import { chartName, pinnedChart, pinnedManifest } from "../helm/sources";
import { ChartRender, K8sObject, loadManifest, renderChart } from "../helm/render";
import { revealWire, SECRET_MARK } from "./mask";
import { EXPANDED_TYPES, PlannedResource, wireInputsOf } from "./recorder";
import { dependencyOrder } from "./apply-order";
import { crdScopes, ScopeResolver } from "./kube-scope";

export const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";
export const CONFIG_FILE_TYPE = "kubernetes:yaml/v2:ConfigFile";
const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const APPLY_TIME_MUTATION = "config.kubernetes.io/apply-time-mutation";

/** A Helm hook the provider drops (it sets DisableHooks), as listed in hooks.json. */
export interface DroppedHook {
  readonly cluster: string;
  /** The chart's own name, e.g. `gateway-helm`. */
  readonly chart: string;
  /** As declared: a repository chart name or an `oci://` reference. */
  readonly chartRef: string;
  readonly version: string;
  readonly release: string;
  readonly chartUrn: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** From `helm.sh/hook`, e.g. ["pre-install", "pre-upgrade"]. */
  readonly phases: string[];
  readonly weight: number;
  readonly deletePolicy: string[];
  /** The chart template it comes from. */
  readonly source: string;
}

export interface ExpansionContext {
  /** The server's gitVersion of the cluster behind a Kubernetes provider. */
  readonly kubeVersionOf: (providerUrn: string | undefined) => string;
  readonly clusterOf: (providerUrn: string | undefined) => string;
  /** The site's `plant:mirrors.charts`: what the declared sources were mapped through. */
  readonly chartMirrors?: readonly ChartMirror[];
}

export interface Expansion {
  readonly resources: PlannedResource[];
  readonly hooks: DroppedHook[];
}

interface Meta {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
}

const metaOf = (o: K8sObject): Meta => (o.metadata ?? {}) as Meta;

/** What a component expands to, before normalization. */
export interface ComponentSource {
  readonly objects: readonly K8sObject[];
  readonly hooks: readonly { source: string; object: K8sObject }[];
  readonly namespace: string;
  readonly prefix: string;
  readonly skipAwait: boolean;
  readonly secretStrings: readonly string[];
  /** `ref` as declared (maybe a mirror's), `name` that of the pinned chart it renders. */
  readonly chart?: { ref: string; name: string; version: string; release: string };
}

/** Kubernetes List kinds are registered item by item (yaml/v2 expand). */
function flattenLists(objects: readonly K8sObject[]): K8sObject[] {
  return objects.flatMap((o) =>
    typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items)
      ? flattenLists(o.items as K8sObject[])
      : [o],
  );
}

function sourceOf(r: PlannedResource, ctx: ExpansionContext): ComponentSource {
  const wire = wireInputsOf(r);
  if (!wire) throw new Error(`${r.urn}: no inputs recorded to expand`);
  const { plain, secretStrings, unknown } = revealWire(wire);
  const inputs = plain as Record<string, unknown>;
  if (unknown) {
    // The provider would register the component without children ("Preview is incomplete").
    throw new Error(
      `${r.type} ${r.name} has inputs that are not known in the offline plan; it cannot be rendered`,
    );
  }
  const prefix = typeof inputs.resourcePrefix === "string" ? inputs.resourcePrefix : r.name;
  const skipAwait = inputs.skipAwait === true;
  if (r.type === CONFIG_FILE_TYPE) {
    return {
      objects: flattenLists(loadManifest(pinnedManifest(String(inputs.file), ctx.chartMirrors))),
      hooks: [],
      namespace: "default",
      prefix,
      skipAwait,
      secretStrings,
    };
  }
  for (const unsupported of ["valueYamlFiles", "postRenderer", "devel", "dependencyUpdate"]) {
    if (inputs[unsupported] !== undefined) {
      throw new Error(
        `helm.v4.Chart ${r.name}: input '${unsupported}' is not modelled by the offline plan (tools/plan/chart-children.ts)`,
      );
    }
  }
  const namespace =
    typeof inputs.namespace === "string" && inputs.namespace ? inputs.namespace : "default";
  const chartRef = String(inputs.chart);
  const version = String(inputs.version ?? "");
  const repositoryOpts = inputs.repositoryOpts as { repo?: unknown } | undefined;
  const pinned = pinnedChart(
    {
      chart: chartRef,
      version,
      ...(repositoryOpts?.repo === undefined
        ? {}
        : { repositoryOpts: { repo: String(repositoryOpts.repo) } }),
    },
    ctx.chartMirrors,
  );
  const release = typeof inputs.name === "string" && inputs.name ? inputs.name : r.name;
  const render: ChartRender = renderChart({
    chart: pinned.chart,
    version: pinned.version,
    release,
    namespace,
    values: (inputs.values ?? {}) as Record<string, unknown>,
    includeCrds: inputs.skipCrds !== true,
    kubeVersion: ctx.kubeVersionOf(r.provider),
    sensitive: secretStrings.length > 0,
  });
  return {
    objects: flattenLists(render.objects.map((d) => d.object)),
    hooks: render.hooks,
    namespace,
    prefix,
    skipAwait,
    secretStrings,
    chart: { ref: chartRef, name: chartName(pinned.chart), version, release },
  };
}

/** Every string containing a secret of the values is masked (a chart may copy a value anywhere). */
function maskStrings(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string")
    return secrets.some(
      (s) => value.includes(s) || value.includes(Buffer.from(s).toString("base64")),
    )
      ? SECRET_MARK
      : value;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, secrets));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskStrings(v, secrets)]));
}

/** The object as registered: namespace defaulted, skipAwait applied, secrets masked. */
function normalize(
  obj: K8sObject,
  src: ComponentSource,
  scopes: ScopeResolver,
  where: string,
): K8sObject {
  const apiVersion = String(obj.apiVersion ?? "");
  const kind = String(obj.kind ?? "");
  const meta = metaOf(obj);
  if (!apiVersion || !kind || !meta.name) {
    throw new Error(
      `${where}: an object without apiVersion, kind or metadata.name: ${JSON.stringify(obj).slice(0, 100)}`,
    );
  }
  if (meta.annotations?.[APPLY_TIME_MUTATION] !== undefined) {
    throw new Error(
      `${where}: ${kind} ${meta.name} uses ${APPLY_TIME_MUTATION}, which the offline plan does not model`,
    );
  }
  let metadata = obj.metadata as Record<string, unknown>;
  if (!meta.namespace && scopes.isNamespaced(apiVersion, kind, where)) {
    metadata = { ...metadata, namespace: src.namespace };
  }
  if (src.skipAwait) {
    metadata = {
      ...metadata,
      annotations: { ...(meta.annotations ?? {}), "pulumi.com/skipAwait": "true" },
    };
  }
  let out: K8sObject = metadata === obj.metadata ? obj : { ...obj, metadata };
  if (apiVersion === "v1" && kind === "Secret") {
    out = { ...out };
    for (const key of ["data", "stringData"]) if (key in out) out[key] = SECRET_MARK;
  }
  return src.secretStrings.length > 0 ? (maskStrings(out, src.secretStrings) as K8sObject) : out;
}

function hookOf(
  doc: { source: string; object: K8sObject },
  r: PlannedResource,
  src: ComponentSource,
  scopes: ScopeResolver,
  cluster: string,
): DroppedHook {
  const o = doc.object;
  const meta = metaOf(o);
  const ann = meta.annotations ?? {};
  const list = (v: string | undefined): string[] =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const namespaced = scopes.isNamespaced(String(o.apiVersion), String(o.kind), r.name);
  return {
    cluster,
    chart: src.chart!.name,
    chartRef: src.chart!.ref,
    version: src.chart!.version,
    release: src.chart!.release,
    chartUrn: r.urn,
    apiVersion: String(o.apiVersion),
    kind: String(o.kind),
    ...(namespaced ? { namespace: meta.namespace ?? src.namespace } : {}),
    name: String(meta.name),
    phases: list(ann["helm.sh/hook"]),
    weight: Number(ann["helm.sh/hook-weight"] ?? 0),
    deletePolicy: list(ann["helm.sh/hook-delete-policy"]),
    source: doc.source,
  };
}

/** The pulumi type token of an object: `kubernetes:<group or core>/<version>:<Kind>`. */
export function typeOf(obj: K8sObject): string {
  const apiVersion = String(obj.apiVersion);
  const gv = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return `kubernetes:${gv}:${String(obj.kind)}`;
}

/** The records the provider registers for one component's objects, in registration order. */
export function childRecords(
  r: PlannedResource,
  src: ComponentSource,
  scopes: ScopeResolver,
): PlannedResource[] {
  const where = `${r.type} ${r.name}`;
  const objects = src.objects.map((o) => normalize(o, src, scopes, where));
  const { order, deps } = dependencyOrder(objects, where);
  const chain = r.urn.split("::")[2];
  const head = r.urn.split("::").slice(0, 2).join("::");
  const urns = objects.map((o) => {
    const m = metaOf(o);
    const local = m.namespace ? `${m.namespace}/${m.name}` : String(m.name);
    const name = src.prefix ? `${src.prefix}:${local}` : local;
    return { name, urn: `${head}::${chain}$${typeOf(o)}::${name}` };
  });
  return order.map((i) => {
    const o = objects[i];
    const keep = metaOf(o).annotations?.["helm.sh/resource-policy"] === "keep";
    return {
      urn: urns[i].urn,
      type: typeOf(o),
      name: urns[i].name,
      parent: r.urn,
      protect: r.protect,
      retainOnDelete: keep || r.retainOnDelete,
      dependencies: [...new Set([...r.dependencies, ...deps[i].map((d) => urns[d].urn)])].sort(),
      ...(r.provider ? { provider: r.provider } : {}),
      custom: true,
      remote: false,
      inputs: o,
    };
  });
}

/** The records with each Chart's and ConfigFile's children inserted right after it. */
export function expandComponents(
  resources: readonly PlannedResource[],
  ctx: ExpansionContext,
): Expansion {
  const sources = new Map<PlannedResource, ComponentSource>();
  for (const r of resources) if (EXPANDED_TYPES.has(r.type)) sources.set(r, sourceOf(r, ctx));
  // What the cluster's discovery would know: CRDs installed by the program and by every chart.
  const crdsByCluster = new Map<string, K8sObject[]>();
  const add = (provider: string | undefined, objs: readonly K8sObject[]): void => {
    const key = ctx.clusterOf(provider);
    crdsByCluster.set(key, [...(crdsByCluster.get(key) ?? []), ...objs]);
  };
  for (const r of resources) if (r.type === CRD_TYPE) add(r.provider, [r.inputs]);
  for (const [r, s] of sources)
    add(
      r.provider,
      s.objects.filter((o) => o.kind === "CustomResourceDefinition"),
    );
  const resolvers = new Map(
    [...crdsByCluster].map(([c, objs]) => [c, new ScopeResolver(crdScopes(objs))]),
  );

  const out: PlannedResource[] = [];
  const hooks: DroppedHook[] = [];
  for (const r of resources) {
    out.push(r);
    const src = sources.get(r);
    if (!src) continue;
    const cluster = ctx.clusterOf(r.provider);
    const scopes = resolvers.get(cluster) ?? new ScopeResolver(new Map());
    out.push(...childRecords(r, src, scopes));
    for (const h of src.hooks) hooks.push(hookOf(h, r, src, scopes, cluster));
  }
  return { resources: out, hooks };
}
