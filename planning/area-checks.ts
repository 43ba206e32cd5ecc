// Checks owned by the areas that need only config and the placement, gathered here so the
// program refuses a bad site before declaring anything (each area re-checks what it declares).
import { ConfigProblem } from "../config/rules";
import { SiteConfig } from "../config/site";
import { Placement } from "../components/openstack/placement";
import { chartMirrorProblems } from "../components/chart-sources";
import { ingressProblems } from "../components/ingress/validate";
import { NAMESPACES } from "../components/ingress/model";
import {
  databaseConfigProblems,
  databasePlacementProblems,
} from "../components/postgres/validation";
import { CNPG_NAMESPACE, databaseNames } from "../components/postgres/names";
import { CINDER_CSI_NAMESPACE } from "../components/kubernetes/cinder-csi-spec";
import { serviceConfigProblems } from "../components/reporting/wiring";
import { moreWorkloadHosts } from "../config/bound-rules";
import { ClusterNode } from "../components/types";
import { plannedClusterNodes } from "./cluster-nodes";

/** `[key] message` strings (the reporting area's form) as ConfigProblems. */
function asProblems(lines: readonly string[]): ConfigProblem[] {
  return lines.map((line) => {
    const m = /^\[([^\]]+)\] (.*)$/s.exec(line);
    return m ? { key: m[1], message: m[2] } : { key: "plant:services", message: line };
  });
}

/** Each service runs in a namespace named after it: it must not take one the platform uses. */
function namespaceProblems(site: SiteConfig): ConfigProblem[] {
  const taken = new Map<string, string>([
    ...Object.values(NAMESPACES).map((ns): [string, string] => [ns, "an ingress namespace"]),
    [CNPG_NAMESPACE, "the CloudNativePG operator's namespace"],
    [CINDER_CSI_NAMESPACE, "the Cinder CSI driver's namespace"],
    ...site.databases.map((d): [string, string] => [
      databaseNames(d).namespace,
      `the namespace of database ${d.name}`,
    ]),
  ]);
  return site.services.flatMap((s, i) => {
    const owner = taken.get(s.name);
    return owner
      ? [
          {
            key: `plant:services[${i}].name`,
            message: `'${s.name}' would be the service's namespace, which is ${owner}`,
          },
        ]
      : [];
  });
}

/**
 * A service's pods spread over the physical hosts of its cluster's schedulable nodes: f failed
 * hosts leave one only if there are f+1 (the bound plant:site.failuresTolerated sets).
 */
function serviceHostProblems(
  site: SiteConfig,
  clusters: readonly { name: string; nodes: readonly ClusterNode[] }[],
): ConfigProblem[] {
  const f = site.site.failuresTolerated;
  return site.services.flatMap((s, i) => {
    const ci = site.clusters.findIndex((c) => c.name === s.cluster);
    const nodes = clusters.find((c) => c.name === s.cluster)?.nodes;
    if (ci < 0 || !nodes) return [];
    const hosts = [
      ...new Set(nodes.filter((n) => n.roles.includes("worker")).map((n) => n.physicalHost)),
    ].sort();
    if (hosts.length > f) return [];
    return [
      {
        key: `plant:services[${i}].cluster`,
        message: `cluster ${s.cluster} runs workloads on ${hosts.length} physical host(s) (${hosts.join(", ") || "none"}); service ${s.name} surviving ${f} host failure(s) (plant:site.failuresTolerated) needs at least ${f + 1}: ${moreWorkloadHosts(site, ci, f + 1)}`,
      },
    ];
  });
}

export function areaProblems(site: SiteConfig, placement: Placement): ConfigProblem[] {
  const clusters = site.clusters.map((c) => ({
    name: c.name,
    nodes: plannedClusterNodes(site, placement, c.name),
  }));
  const hasObjectStore = site.clusters.some((c) => c.kind === "openstack");
  return [
    ...ingressProblems(site),
    ...(site.databases.length > 0
      ? [
          ...databaseConfigProblems(site),
          ...databasePlacementProblems(site, clusters, hasObjectStore),
        ]
      : []),
    ...asProblems(serviceConfigProblems(site.services)),
    ...namespaceProblems(site),
    ...serviceHostProblems(site, clusters),
    ...chartMirrorProblems(site.mirrors?.charts ?? []),
  ];
}
