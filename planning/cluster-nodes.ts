// The node inventory of every cluster, known before anything is declared: VMs from the
// placement (their R620 is the physical host), existing nodes from config. The cluster
// components, the database checks and the failure-domain analysis all read it from here.
import { SiteConfig } from "../config/site";
import { Placement, PlannedVm } from "../components/openstack/placement";
import { ClusterNode, NodeRole } from "../components/types";

const EXISTING_ROLES: Record<string, readonly NodeRole[]> = {
  "control-plane": ["control-plane"],
  worker: ["worker"],
  "control-plane+worker": ["control-plane", "worker"],
};

/**
 * A VM as a cluster node. Servers are tainted when the cluster has workers, so they then count
 * as control-plane only; capacity is the flavor's.
 */
export function vmNode(vm: PlannedVm, clusterHasWorkers: boolean): ClusterNode {
  const roles: readonly NodeRole[] =
    vm.role === "worker"
      ? ["worker"]
      : clusterHasWorkers
        ? ["control-plane"]
        : ["control-plane", "worker"];
  return {
    name: vm.name,
    ip: vm.ip,
    physicalHost: vm.host,
    roles,
    cpu: vm.flavor.vcpus,
    memoryGb: vm.flavor.ramGb,
  };
}

/** Nodes of one cluster, in a stable order (servers, then workers, by index). */
export function plannedClusterNodes(
  site: SiteConfig,
  placement: Placement,
  clusterName: string,
): ClusterNode[] {
  const cluster = site.clusters.find((c) => c.name === clusterName);
  if (!cluster) return [];
  if (cluster.kind === "existing") {
    return cluster.nodes.map((n) => ({
      name: n.name,
      ip: n.ip,
      physicalHost: n.physicalHost,
      roles: EXISTING_ROLES[n.role],
      cpu: n.cpu,
      memoryGb: n.memoryGb,
    }));
  }
  const vms = placement.vms.filter((vm) => vm.cluster === clusterName);
  const hasWorkers = vms.some((vm) => vm.role === "worker");
  const rank = (vm: PlannedVm): number => (vm.role === "control-plane" ? 0 : 1);
  return [...vms]
    .sort((a, b) => rank(a) - rank(b) || a.index - b.index)
    .map((vm) => vmNode(vm, hasWorkers));
}
