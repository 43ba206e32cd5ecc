// The placement planner: which R620 each VM of the OpenStack clusters runs on. Pure, plain data
// in and out; program.ts calls it before any resource is declared, so an impossible plan stops
// the program with a config error instead of a half-built cloud.
//
// Rules, in order:
// 1. Pinned VMs (plant:openstack.placement) stay where they are pinned; pins are validated.
// 2. The rest are placed greedily in config order (cluster by cluster, control plane first):
//    a control-plane VM goes to a host without another member of its cluster's control plane;
//    any VM goes to the host with the fewest VMs of its cluster and role, then the fewest VMs of
//    its cluster, then the first in plant:hosts order — among hosts with room for it.
// Room is vCPU, RAM and disk. Disk counts the VM's root disk and, on the first VM of a cluster
// that may run database pods (its workers; its servers when it has none), that cluster's database
// volumes: Cinder creates them in the R620's zone, on its disks, one instance per host at most
// (the databases' anti-affinity is required on the physical host).
// A VM's choice depends only on its own cluster's earlier VMs (capacity aside), so appending a
// worker moves nothing; adding a host moves nothing once the current placement is pinned.
import { controlPlaneSize, SiteConfig, SiteConfigError } from "../../config/site";
import { ConfigProblem } from "../../config/rules";
import { ipAdd } from "../../config/ip";
import { databaseVolumeGbPerHost } from "./disk-plan";
import {
  assign,
  Candidate,
  fits,
  free,
  holdsControlPlane,
  HostState,
  size,
} from "./placement-capacity";
import { Placement, PlacementInput, PlannedVm } from "./placement-model";

export type { HostLoad, Placement, PlacementInput, PlannedVm } from "./placement-model";

/** The planner input of a parsed site: its OpenStack clusters, R620s and placement settings. */
export function placementInput(site: SiteConfig): PlacementInput {
  const clusters: PlacementInput["clusters"][number][] = [];
  site.clusters.forEach((c, i) => {
    if (c.kind !== "openstack") return;
    clusters.push({
      name: c.name,
      key: `plant:clusters[${i}]`,
      controlPlane: { ...c.controlPlane, count: controlPlaneSize(site, c) },
      workers: c.workers,
      databaseVolumeGb: databaseVolumeGbPerHost(site, c.name),
    });
  });
  return {
    stack: site.stack,
    hosts: site.hosts,
    reserved: site.openstack.hostReserved,
    overcommit: site.openstack.overcommit,
    clusters,
    pins: site.openstack.placement,
  };
}

/** Places every VM of the site's OpenStack clusters. Throws SiteConfigError if it cannot. */
export function planPlacement(site: SiteConfig): Placement {
  return planVmPlacement(placementInput(site));
}

function candidates(input: PlacementInput): Candidate[] {
  return input.clusters.flatMap((c) => {
    const vms: Candidate[] = [];
    const roles = [
      ["control-plane", "cp", c.controlPlane, `${c.key}.controlPlane`],
      ["worker", "worker", c.workers, `${c.key}.workers.count`],
    ] as const;
    for (const [role, short, spec, key] of roles) {
      for (let i = 0; i < spec.count; i++) {
        const vm = {
          name: `${c.name}-${short}-${i + 1}`,
          cluster: c.name,
          role,
          index: i,
          ip: ipAdd(spec.ipStart, i),
          flavor: {
            vcpus: spec.flavor.vcpus,
            ramGb: spec.flavor.ramGb,
            diskGb: spec.flavor.diskGb,
          },
        };
        // Database pods run on workers, or on the servers of a cluster without workers.
        const runsDatabases = role === "worker" || c.workers.count === 0;
        vms.push({ vm, key, databaseVolumeGb: runsDatabases ? (c.databaseVolumeGb ?? 0) : 0 });
      }
    }
    return vms;
  });
}

/** Validates pins and places them; returns the problems found. */
function placePins(
  input: PlacementInput,
  all: Candidate[],
  hosts: Map<string, HostState>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byName = new Map(all.map((c) => [c.vm.name, c]));
  const hostNames = [...hosts.keys()].join(", ");
  for (const vmName of Object.keys(input.pins).sort()) {
    const key = `plant:openstack.placement.${vmName}`;
    const hostName = input.pins[vmName];
    if (!byName.has(vmName)) {
      const known = all.map((c) => c.vm.name).join(", ") || "none";
      problems.push({ key, message: `names unknown VM '${vmName}'; the planned VMs are ${known}` });
    }
    if (!hosts.has(hostName)) {
      problems.push({
        key,
        message: `names unknown host '${hostName}'; plant:hosts lists ${hostNames}`,
      });
    }
  }
  // Place in config order, so which pin is blamed for a clash is deterministic.
  for (const c of all) {
    const host = hosts.get(input.pins[c.vm.name] ?? "");
    if (!host) continue;
    const key = `plant:openstack.placement.${c.vm.name}`;
    const other = c.vm.role === "control-plane" ? holdsControlPlane(host, c.vm.cluster) : undefined;
    if (other) {
      problems.push({
        key,
        message: `pins control-plane VM ${c.vm.name} to ${host.name}, which already holds ${other.name}; members of a control plane need distinct R620s`,
      });
    } else if (!fits(host, c)) {
      problems.push({
        key,
        message: `pins ${c.vm.role} VM ${c.vm.name} (${size(c, hosts.values())}) to ${host.name}, which has only ${free(host)}`,
      });
    } else assign(host, c, true);
  }
  return problems;
}

function pickHost(hosts: HostState[], c: Candidate): HostState | undefined {
  const vm = c.vm;
  const count = (h: HostState, sameRole: boolean): number =>
    h.vms.filter((v) => v.cluster === vm.cluster && (!sameRole || v.role === vm.role)).length;
  let best: HostState | undefined;
  for (const h of hosts) {
    if (vm.role === "control-plane" && holdsControlPlane(h, vm.cluster)) continue;
    if (!fits(h, c)) continue;
    if (
      !best ||
      count(h, true) < count(best, true) ||
      (count(h, true) === count(best, true) && count(h, false) < count(best, false))
    ) {
      best = h;
    }
  }
  return best;
}

function refusal(hosts: HostState[], c: Candidate): ConfigProblem {
  const reasons = hosts.map((h) => {
    const other = c.vm.role === "control-plane" ? holdsControlPlane(h, c.vm.cluster) : undefined;
    return other ? `${h.name} already holds ${other.name}` : `${h.name} has ${free(h)}`;
  });
  return {
    key: c.key,
    message: `${c.vm.role} VM ${c.vm.name} (${size(c, hosts)}) does not fit on any R620: ${reasons.join("; ")}`,
  };
}

/** Places every VM; throws SiteConfigError naming the pin, host or role that does not fit. */
export function planVmPlacement(input: PlacementInput): Placement {
  const hosts = new Map<string, HostState>(
    input.hosts.map((h) => [
      h.name,
      {
        name: h.name,
        vcpuCapacity: Math.max(0, (h.cores - input.reserved.cores) * input.overcommit.cpu),
        ramCapacityGb: Math.max(0, (h.ramGb - input.reserved.ramGb) * input.overcommit.ram),
        // Disk is never overcommitted: a full R620 disk stops every VM and volume on it.
        diskCapacityGb:
          h.diskGb === undefined ? undefined : Math.max(0, h.diskGb - (input.reserved.diskGb ?? 0)),
        vcpus: 0,
        ramGb: 0,
        diskGb: 0,
        databaseVolumeGb: 0,
        databaseClusters: new Set<string>(),
        vms: [],
      },
    ]),
  );
  const all = candidates(input);
  const problems = placePins(input, all, hosts);
  if (problems.length > 0) throw new SiteConfigError(input.stack, problems);

  const ordered = [...hosts.values()];
  for (const c of all) {
    if (input.pins[c.vm.name] !== undefined) continue;
    const host = pickHost(ordered, c);
    if (!host) throw new SiteConfigError(input.stack, [refusal(ordered, c)]);
    assign(host, c, false);
  }

  const placed = new Map(ordered.flatMap((h) => h.vms.map((v) => [v.name, v] as const)));
  return {
    vms: all.map((c) => placed.get(c.vm.name) as PlannedVm),
    hostLoad: ordered.map((h) => ({
      host: h.name,
      vcpus: h.vcpus,
      ramGb: h.ramGb,
      diskGb: h.diskGb,
      databaseVolumeGb: h.databaseVolumeGb,
      vcpuCapacity: h.vcpuCapacity,
      ramCapacityGb: h.ramCapacityGb,
      ...(h.diskCapacityGb !== undefined ? { diskCapacityGb: h.diskCapacityGb } : {}),
      vms: all.map((c) => c.vm.name).filter((n) => placed.get(n)?.host === h.name),
    })),
  };
}

export { formatPlacement, placementPins } from "./placement-report";
