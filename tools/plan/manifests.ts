// Kubernetes objects of a plan, grouped by the cluster whose provider (`k8s-<cluster>`) declares them.
import { PlannedResource } from "./recorder";

export interface PlannedManifest {
  readonly cluster: string;
  /** Namespace, or `_cluster` for cluster-scoped objects. */
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly type: string;
  readonly urn: string;
  readonly object: Record<string, unknown>;
}

const CHART_TYPES = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"]);
const CONFIG_TYPES = new Set(["kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup"]);

function clusterOf(r: PlannedResource, byUrn: Map<string, PlannedResource>): string {
  const provider = r.provider ? byUrn.get(r.provider) : undefined;
  if (provider?.name.startsWith("k8s-")) return provider.name.slice(4);
  return provider?.name ?? "_default";
}

function metadataOf(obj: Record<string, unknown>): { name?: string; namespace?: string } {
  const md = obj.metadata;
  return md && typeof md === "object" ? (md as { name?: string; namespace?: string }) : {};
}

export function collectManifests(resources: readonly PlannedResource[]): PlannedManifest[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: PlannedManifest[] = [];
  for (const r of resources) {
    if (!r.type.startsWith("kubernetes:")) continue;
    const cluster = clusterOf(r, byUrn);
    if (CHART_TYPES.has(r.type) || CONFIG_TYPES.has(r.type)) {
      const kind = CHART_TYPES.has(r.type) ? "Chart" : r.type.split(":").pop()!;
      const namespace = typeof r.inputs.namespace === "string" ? r.inputs.namespace : "_cluster";
      out.push({
        cluster,
        namespace,
        kind,
        name: r.name,
        type: r.type,
        urn: r.urn,
        object: r.inputs,
      });
      continue;
    }
    const md = metadataOf(r.inputs);
    const kind = typeof r.inputs.kind === "string" ? r.inputs.kind : r.type.split(":").pop()!;
    const patch = r.type.endsWith("Patch") ? "-patch" : "";
    out.push({
      cluster,
      namespace: md.namespace ?? "_cluster",
      kind: `${kind}${patch}`,
      name: md.name ?? r.name,
      type: r.type,
      urn: r.urn,
      object: r.inputs,
    });
  }
  return out;
}
