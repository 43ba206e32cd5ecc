// Where the pod spec lives in each workload kind, and which workloads a rule guards: the
// program's own and the charts' children alike, except a chart child with a listed exemption
// (exemptions.ts), an upstream workload declared object by object, and the distribution's own.
import { exemptionFor, isChartChild } from "./exemptions";
import { asArray, asObj, Obj, PlainResource, str } from "./types";

/** Type token → path from props to the pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  "kubernetes:core/v1:Pod": ["spec"],
};

export const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";

export function isWorkload(type: string): boolean {
  return type in POD_SPEC_PATHS;
}

export function podSpec(r: PlainResource): Obj | undefined {
  const path = POD_SPEC_PATHS[r.type];
  if (!path) return undefined;
  let at: unknown = r.props;
  for (const key of path) at = asObj(at)[key];
  return asObj(at);
}

export interface NamedContainer {
  /** `container app`, `initContainer migrate`. */
  readonly where: string;
  readonly spec: Obj;
}

export function containers(pod: Obj, withInit = true): NamedContainer[] {
  const lists: [string, unknown][] = [["container", pod.containers]];
  if (withInit)
    lists.push(
      ["initContainer", pod.initContainers],
      ["ephemeralContainer", pod.ephemeralContainers],
    );
  return lists.flatMap(([kind, list]) =>
    asArray(list).map((c) => ({ where: `${kind} ${str(asObj(c).name) ?? "?"}`, spec: asObj(c) })),
  );
}

/** Namespaces whose workloads belong to the distribution, not to us. */
export const FOREIGN_NAMESPACES: readonly string[] = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

/**
 * Annotation marking an upstream workload declared resource by resource (e.g. the Cinder CSI
 * node plugin, components/kubernetes/cinder-csi-node.ts): its value names the upstream release.
 * Reviewable in the diff; only pinned images are still enforced on it.
 */
export const UPSTREAM_ANNOTATION = "plant.busche-cnc.com/upstream-workload";

function foreignOrAnnotated(r: PlainResource, foreignNamespaces: readonly string[]): boolean {
  const meta = asObj(r.props.metadata);
  if (str(asObj(meta.annotations)[UPSTREAM_ANNOTATION])) return true;
  const ns = str(meta.namespace);
  return Boolean(ns && foreignNamespaces.includes(ns));
}

/** True for workloads we write ourselves (not rendered from a chart or manifest file). */
export function isOwnWorkload(r: PlainResource, foreignNamespaces = FOREIGN_NAMESPACES): boolean {
  return !isChartChild(r) && !foreignOrAnnotated(r, foreignNamespaces);
}

/** True when policy `rule` applies to `r`: ours, or a chart child without an exemption for it. */
export function isGuarded(
  rule: string,
  r: PlainResource,
  foreignNamespaces = FOREIGN_NAMESPACES,
): boolean {
  return !foreignOrAnnotated(r, foreignNamespaces) && exemptionFor(rule, r) === undefined;
}
