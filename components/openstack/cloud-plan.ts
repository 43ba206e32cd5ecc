// What the cloud must hold for a site, as plain data: the subnet's allocation pool, per cluster
// the reserved addresses, port address pairs, security rules, server groups and flavors, and
// the project quotas sized from all of it. The components only turn this into resources.
import { SiteConfig, SiteConfigError } from "../../config/site";
import { collectAddressClaims } from "../../config/addresses";
import { ipInRange, Ipv4Range, rangesOverlap } from "../../config/ip";
import { NodeRole } from "../types";
import { volumeGib } from "./disk-plan";
import { Placement, PlannedVm } from "./placement";
import { clusterSecurityRules, SecurityRule } from "./security-rules";

export interface FlavorPlan {
  /** Nova flavor name; carries the size, so a resize makes a new flavor instead of clashing. */
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

/** A static address a Neutron port holds so nothing else is given it. */
export interface ReservedAddress {
  /** `api` for the API VIP, else the ingress address name. */
  readonly name: string;
  readonly ip: string;
  readonly what: string;
}

export interface PortPlan {
  readonly vm: PlannedVm;
  /** Addresses (CIDR /32) the VM may send from and receive for besides its own: the VIPs. */
  readonly allowedAddressPairs: readonly string[];
}

export interface ClusterCloudPlan {
  readonly name: string;
  readonly serverGroups: Readonly<
    Record<NodeRole, { readonly name: string; readonly policy: string }>
  >;
  readonly flavors: Readonly<Record<NodeRole, FlavorPlan>>;
  readonly reservations: readonly ReservedAddress[];
  readonly rules: readonly SecurityRule[];
  readonly ports: readonly PortPlan[];
}

export interface QuotaPlan {
  readonly compute: {
    readonly instances: number;
    readonly cores: number;
    readonly ramMb: number;
    readonly serverGroups: number;
    readonly serverGroupMembers: number;
  };
  /**
   * Cinder: every database instance's volumes (data, and WAL when separate) on the OpenStack
   * clusters, plus one instance's worth of each database spare (a rebuilt instance may claim its
   * new volume before the old one is gone).
   */
  readonly volume: { readonly gigabytes: number; readonly volumes: number };
  readonly network: {
    readonly network: number;
    readonly subnet: number;
    readonly port: number;
    readonly router: number;
    readonly floatingip: number;
    readonly securityGroup: number;
    readonly securityGroupRule: number;
  };
}

export interface CloudPlan {
  readonly allocationPool: Ipv4Range;
  /** One availability zone per R620, named after the Nova host. */
  readonly zones: readonly { readonly host: string; readonly zone: string }[];
  readonly clusters: readonly ClusterCloudPlan[];
  readonly quotas: QuotaPlan;
}

/** Neutron's default security group keeps its 4 default rules; it counts against the quota. */
const DEFAULT_GROUP_RULES = 4;
/** Room for one spare of the largest VM (resize, rebuild) and a few rules or ports by hand. */
const SPARE_PORTS = 2;
const SPARE_RULES = 10;

/**
 * The subnet's allocation pool: exactly plant:network.vmRange. The config rules already keep the
 * range clear; this re-checks, because a pool that overlaps a host, BMC, gateway, DHCP or static
 * address would let Neutron hand a live plant address to a VM.
 */
export function allocationPoolFor(site: SiteConfig): Ipv4Range {
  const pool = site.network.vmRange;
  const problems: { key: string; message: string }[] = [];
  const where = `${pool.start}-${pool.end}`;
  if (rangesOverlap(pool, site.network.dhcpRange)) {
    const dhcp = `${site.network.dhcpRange.start}-${site.network.dhcpRange.end}`;
    problems.push({
      key: "plant:network.vmRange",
      message: `${where} overlaps the DHCP range ${dhcp}`,
    });
  }
  for (const claim of collectAddressClaims(site)) {
    if (claim.kind !== "vm" && ipInRange(claim.ip, pool)) {
      problems.push({
        key: "plant:network.vmRange",
        message: `${where} contains ${claim.ip}, ${claim.what} (${claim.key}); Neutron would hand it out`,
      });
    }
  }
  if (problems.length > 0) throw new SiteConfigError(site.stack, problems);
  return { start: pool.start, end: pool.end };
}

function flavor(
  project: string,
  cluster: string,
  role: NodeRole,
  f: PlannedVm["flavor"],
): FlavorPlan {
  return {
    name: `${project}-${cluster}-${role}-${f.vcpus}c-${f.ramGb}g-${f.diskGb}d`,
    vcpus: f.vcpus,
    ramMb: f.ramGb * 1024,
    diskGb: f.diskGb,
  };
}

function volumeQuota(site: SiteConfig): QuotaPlan["volume"] {
  const onOpenStack = new Set(
    site.clusters.filter((c) => c.kind === "openstack").map((c) => c.name),
  );
  let gigabytes = 0;
  let volumes = 0;
  for (const d of site.databases.filter((db) => onOpenStack.has(db.cluster))) {
    const gib = volumeGib(d.storage.size) + (d.walStorage ? volumeGib(d.walStorage.size) : 0);
    const perInstance = d.walStorage ? 2 : 1;
    gigabytes += gib * (d.instances + 1);
    volumes += perInstance * (d.instances + 1);
  }
  return { gigabytes, volumes };
}

function quotas(clusters: readonly ClusterCloudPlan[], site: SiteConfig): QuotaPlan {
  const vms = clusters.flatMap((c) => c.ports.map((p) => p.vm));
  const largest = vms.reduce(
    (m, v) => ({
      vcpus: Math.max(m.vcpus, v.flavor.vcpus),
      ramGb: Math.max(m.ramGb, v.flavor.ramGb),
    }),
    { vcpus: 0, ramGb: 0 },
  );
  const spare = vms.length > 0 ? 1 : 0;
  const groupSizes = clusters.flatMap((c) =>
    (["control-plane", "worker"] as const).map(
      (r) => c.ports.filter((p) => p.vm.role === r).length,
    ),
  );
  const reservations = clusters.reduce((n, c) => n + c.reservations.length, 0);
  const rules = clusters.reduce((n, c) => n + c.rules.length, 0);
  return {
    compute: {
      instances: vms.length + spare,
      cores: vms.reduce((n, v) => n + v.flavor.vcpus, 0) + largest.vcpus,
      ramMb: (vms.reduce((n, v) => n + v.flavor.ramGb, 0) + largest.ramGb) * 1024,
      serverGroups: clusters.length * 2,
      serverGroupMembers: Math.max(0, ...groupSizes) + spare,
    },
    volume: volumeQuota(site),
    network: {
      network: 1,
      subnet: 1,
      port: vms.length + reservations + SPARE_PORTS,
      // The platform lives on the provider network only: no routers, no floating IPs.
      router: 0,
      floatingip: 0,
      securityGroup: clusters.length + 1,
      securityGroupRule: rules + DEFAULT_GROUP_RULES + SPARE_RULES,
    },
  };
}

/** The cloud plan of a site, from its config and its VM placement. Pure. */
export function planCloud(site: SiteConfig, placement: Placement): CloudPlan {
  const project = site.openstack.projectName;
  const clusters: ClusterCloudPlan[] = [];
  for (const c of site.clusters) {
    if (c.kind !== "openstack") continue;
    const ingress = c.ingress?.addresses ?? [];
    const reservations: ReservedAddress[] = [
      { name: "api", ip: c.apiVip, what: `API VIP of cluster ${c.name}` },
      ...ingress.map((a) => ({
        name: a.name,
        ip: a.ip,
        what: `static ingress address '${a.name}' of cluster ${c.name}`,
      })),
    ];
    const ingressPairs = ingress.map((a) => `${a.ip}/32`);
    const vms = placement.vms.filter((v) => v.cluster === c.name);
    const sizeOf = (role: NodeRole) =>
      role === "control-plane" ? c.controlPlane.flavor : c.workers.flavor;
    clusters.push({
      name: c.name,
      serverGroups: {
        "control-plane": { name: `${project}-${c.name}-control-plane`, policy: "anti-affinity" },
        worker: { name: `${project}-${c.name}-workers`, policy: "soft-anti-affinity" },
      },
      flavors: {
        "control-plane": flavor(project, c.name, "control-plane", sizeOf("control-plane")),
        worker: flavor(project, c.name, "worker", sizeOf("worker")),
      },
      reservations,
      rules: clusterSecurityRules({
        adminCidrs: site.network.adminCidrs,
        lanCidr: site.network.lanCidr,
        hasIngress: ingress.length > 0,
      }),
      ports: vms.map((vm) => ({
        vm,
        // Control-plane members may hold the API VIP; every member may announce an ingress VIP.
        // The API VIP comes first, so a new ingress address only appends a pair.
        allowedAddressPairs:
          vm.role === "control-plane" ? [`${c.apiVip}/32`, ...ingressPairs] : ingressPairs,
      })),
    });
  }
  return {
    allocationPool: allocationPoolFor(site),
    zones: site.hosts.map((h) => ({ host: h.name, zone: h.name })),
    clusters,
    quotas: quotas(clusters, site),
  };
}
