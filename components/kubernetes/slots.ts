// Pure checks and mappings from the placement's VM slots to cluster nodes.
import * as pulumi from "@pulumi/pulumi";
import { PlannedVm } from "../openstack/placement";

export interface SlotExpectations {
  readonly clusterName: string;
  readonly controlPlaneCount: number;
  readonly workerCount: number;
}

/** Problems with a cluster's slots, as `[key] message` strings; empty when fine. */
export function slotProblems(slots: readonly PlannedVm[], expect: SlotExpectations): string[] {
  const problems: string[] = [];
  const key = `clusters.${expect.clusterName}`;
  const foreign = slots.filter((s) => s.cluster !== expect.clusterName).map((s) => s.name);
  if (foreign.length > 0)
    problems.push(`[${key}] slots of other clusters were passed: ${foreign.join(", ")}`);
  const own = slots.filter((s) => s.cluster === expect.clusterName);
  const cp = own.filter((s) => s.role === "control-plane");
  const workers = own.filter((s) => s.role === "worker");
  if (cp.length !== expect.controlPlaneCount) {
    problems.push(
      `[${key}.controlPlane] the placement has ${cp.length} servers, expected ${expect.controlPlaneCount}`,
    );
  }
  if (workers.length !== expect.workerCount) {
    problems.push(
      `[${key}.workers.count] the placement has ${workers.length} workers, expected ${expect.workerCount}`,
    );
  }
  const byHost = new Map<string, string[]>();
  for (const s of cp) byHost.set(s.host, [...(byHost.get(s.host) ?? []), s.name]);
  for (const [host, names] of [...byHost].sort()) {
    if (names.length > 1) {
      problems.push(
        `[${key}.controlPlane] servers ${names.join(", ")} share ${host}: etcd quorum needs distinct hosts`,
      );
    }
  }
  for (const role of ["control-plane", "worker"] as const) {
    const idx = own.filter((s) => s.role === role).map((s) => s.index);
    if (new Set(idx).size !== idx.length)
      problems.push(`[${key}] duplicate ${role} index in the placement`);
  }
  return problems;
}

export function checkSlots(
  args: SlotExpectations & { slots: readonly PlannedVm[] },
  parent: pulumi.Resource,
): void {
  const problems = slotProblems(args.slots, args);
  if (problems.length > 0) throw new pulumi.ResourceError(problems.join("\n"), parent);
}

/** Servers first, then workers, each by index: a stable order for names and outputs. */
export function sortedSlots<T extends PlannedVm>(slots: readonly T[]): T[] {
  const rank = (s: PlannedVm) => (s.role === "control-plane" ? 0 : 1);
  return [...slots].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}

/** A VM as a cluster node (one definition, shared with the planning checks). */
export { vmNode as slotNode } from "../../planning/cluster-nodes";
