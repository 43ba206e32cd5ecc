// The order pulumi-kubernetes registers a component's objects in, and what each waits for
// inside the component (yaml/v2 Register, from sigs.k8s.io/cli-utils object/graph): a custom
// resource waits for its CRD, a namespaced object for its Namespace, an object for what its
// config.kubernetes.io/depends-on annotation names — when those are in the same set.
import { K8sObject } from "../helm/render";
import { groupOf } from "./kube-scope";

const DEPENDS_ON = "config.kubernetes.io/depends-on";

interface Meta {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
}

const metaOf = (o: K8sObject): Meta => (o.metadata ?? {}) as Meta;

/** `group/Kind/namespace/name`, the identity cli-utils keys its graph by. */
function idOf(o: K8sObject): string {
  const m = metaOf(o);
  return `${groupOf(String(o.apiVersion))}/${String(o.kind)}/${m.namespace ?? ""}/${m.name}`;
}

/** Parses `config.kubernetes.io/depends-on`: `<group>/namespaces/<ns>/<kind>/<name>` or `<group>/<kind>/<name>`. */
function dependsOnIds(o: K8sObject, where: string): string[] {
  const value = metaOf(o).annotations?.[DEPENDS_ON];
  if (!value) return [];
  return value.split(",").map((ref) => {
    const parts = ref.trim().split("/");
    if (parts.length === 5 && parts[1] === "namespaces")
      return `${parts[0]}/${parts[3]}/${parts[2]}/${parts[4]}`;
    if (parts.length === 3) return `${parts[0]}/${parts[1]}//${parts[2]}`;
    throw new Error(
      `${where}: ${DEPENDS_ON} '${ref}' is not <group>/[namespaces/<ns>/]<kind>/<name>`,
    );
  });
}

/** Indices of each object's dependencies inside the set, and the registration order (topological sets). */
export function dependencyOrder(
  objects: readonly K8sObject[],
  where: string,
): { order: number[]; deps: number[][] } {
  const index = new Map(objects.map((o, i) => [idOf(o), i]));
  const crds = new Map<string, number>();
  const namespaces = new Map<string, number>();
  objects.forEach((o, i) => {
    const spec = o.spec as { group?: string; names?: { kind?: string } } | undefined;
    if (o.kind === "CustomResourceDefinition" && spec?.names?.kind)
      crds.set(`${spec.group}/${spec.names.kind}`, i);
    if (o.kind === "Namespace" && groupOf(String(o.apiVersion)) === "")
      namespaces.set(String(metaOf(o).name), i);
  });
  const deps = objects.map((o, i) => {
    const found = new Set<number>();
    const crd = crds.get(`${groupOf(String(o.apiVersion))}/${String(o.kind)}`);
    if (crd !== undefined) found.add(crd);
    const ns = metaOf(o).namespace;
    if (ns !== undefined && namespaces.has(ns)) found.add(namespaces.get(ns)!);
    for (const id of dependsOnIds(o, where)) if (index.has(id)) found.add(index.get(id)!);
    found.delete(i);
    return [...found].sort((a, b) => a - b);
  });
  const order: number[] = [];
  const placed = new Set<number>();
  while (order.length < objects.length) {
    const ready = objects
      .map((_, i) => i)
      .filter((i) => !placed.has(i) && deps[i].every((d) => placed.has(d)));
    if (ready.length === 0) throw new Error(`${where}: the objects' dependencies form a cycle`);
    for (const i of ready) placed.add(i);
    order.push(...ready);
  }
  return { order, deps };
}
