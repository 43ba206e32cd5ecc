// What one R620 has room for while the planner fills it: vCPU and RAM (with overcommit) and disk
// (root disks and database volumes, never overcommitted). Pure; used by placement.ts only.
import { gibToGb } from "./disk-plan";
import { PlannedVm } from "./placement-model";

export interface Candidate {
  readonly vm: Omit<PlannedVm, "host" | "pinned">;
  /** Config key blamed when the VM does not fit. */
  readonly key: string;
  /** GB of database volumes the VM's host must hold for its cluster, if the VM may run them. */
  readonly databaseVolumeGb: number;
}

export interface HostState {
  readonly name: string;
  readonly vcpuCapacity: number;
  readonly ramCapacityGb: number;
  /** Undefined: disk is not planned on this host. */
  readonly diskCapacityGb?: number;
  vcpus: number;
  ramGb: number;
  diskGb: number;
  databaseVolumeGb: number;
  /** Clusters whose database volumes this host already holds. */
  readonly databaseClusters: Set<string>;
  readonly vms: PlannedVm[];
}

export function free(h: HostState): string {
  const cpu = `${h.vcpuCapacity - h.vcpus} vCPU`;
  const ram = `${h.ramCapacityGb - h.ramGb} GB RAM`;
  if (h.diskCapacityGb === undefined) return `${cpu} and ${ram} free`;
  return `${cpu}, ${ram} and ${h.diskCapacityGb - h.diskGb} GB disk free`;
}

/** Disk the candidate adds to the host: its root disk, and its cluster's database volumes once. */
export function diskNeed(h: HostState, c: Candidate): { root: number; volumes: number } {
  const volumes = h.databaseClusters.has(c.vm.cluster) ? 0 : c.databaseVolumeGb;
  return { root: gibToGb(c.vm.flavor.diskGb), volumes };
}

export function fits(h: HostState, c: Candidate): boolean {
  const f = c.vm.flavor;
  const d = diskNeed(h, c);
  return (
    h.vcpus + f.vcpus <= h.vcpuCapacity &&
    h.ramGb + f.ramGb <= h.ramCapacityGb &&
    (h.diskCapacityGb === undefined || h.diskGb + d.root + d.volumes <= h.diskCapacityGb)
  );
}

export function holdsControlPlane(h: HostState, cluster: string): PlannedVm | undefined {
  return h.vms.find((v) => v.cluster === cluster && v.role === "control-plane");
}

export function assign(h: HostState, c: Candidate, pinned: boolean): void {
  const d = diskNeed(h, c);
  h.vms.push({ ...c.vm, host: h.name, pinned });
  h.vcpus += c.vm.flavor.vcpus;
  h.ramGb += c.vm.flavor.ramGb;
  h.diskGb += d.root + d.volumes;
  h.databaseVolumeGb += d.volumes;
  if (c.databaseVolumeGb > 0) h.databaseClusters.add(c.vm.cluster);
}

/** The candidate's demand; its disk only where the site plans disk. */
export function size(c: Candidate, hosts: Iterable<HostState>): string {
  const f = c.vm.flavor;
  if (![...hosts].some((h) => h.diskCapacityGb !== undefined))
    return `${f.vcpus} vCPU, ${f.ramGb} GB RAM`;
  const volumes = c.databaseVolumeGb > 0 ? ` + ${c.databaseVolumeGb} GB database volumes` : "";
  return `${f.vcpus} vCPU, ${f.ramGb} GB RAM, ${gibToGb(f.diskGb)} GB disk${volumes}`;
}
