// INITIAL STUB (spine): replaced by the placement planner of the OpenStack issue.
import { controlPlaneSize, SiteConfig } from "../../config";
import { ipAdd } from "../../config/ip";
import { NodeRole } from "../types";

export interface PlannedVm {
  /** `<cluster>-cp-<n>` or `<cluster>-worker-<n>`, n from 1. */
  readonly name: string;
  readonly cluster: string;
  readonly role: NodeRole;
  /** 0-based index within its cluster and role. */
  readonly index: number;
  /** The R620 (Nova hypervisor host, availability zone). */
  readonly host: string;
  readonly ip: string;
  readonly flavor: { readonly vcpus: number; readonly ramGb: number; readonly diskGb: number };
}

export interface HostLoad {
  readonly host: string;
  readonly vcpus: number;
  readonly ramGb: number;
  readonly vcpuCapacity: number;
  readonly ramCapacityGb: number;
  readonly vms: readonly string[];
}

export interface Placement {
  readonly vms: readonly PlannedVm[];
  readonly hostLoad: readonly HostLoad[];
}

export function planPlacement(site: SiteConfig): Placement {
  const vms: PlannedVm[] = [];
  for (const c of site.clusters) {
    if (c.kind !== "openstack") continue;
    for (let i = 0; i < controlPlaneSize(site, c); i++) {
      vms.push({ name: `${c.name}-cp-${i + 1}`, cluster: c.name, role: "control-plane", index: i, host: site.hosts[i % site.hosts.length].name, ip: ipAdd(c.controlPlane.ipStart, i), flavor: c.controlPlane.flavor });
    }
    for (let i = 0; i < c.workers.count; i++) {
      vms.push({ name: `${c.name}-worker-${i + 1}`, cluster: c.name, role: "worker", index: i, host: site.hosts[i % site.hosts.length].name, ip: ipAdd(c.workers.ipStart, i), flavor: c.workers.flavor });
    }
  }
  return { vms, hostLoad: [] };
}
