// The planner's data: what it reads (PlacementInput) and what it returns (Placement). Types only,
// so the planner, its report and its capacity arithmetic all import from here and never each other.
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
  /** True when plant:openstack.placement pins the VM to its host. Default false. */
  readonly pinned?: boolean;
}

export interface HostLoad {
  readonly host: string;
  readonly vcpus: number;
  readonly ramGb: number;
  /** GB of disk planned: VM root disks plus database volumes (decimal GB). */
  readonly diskGb: number;
  /** Of diskGb, the database volumes. */
  readonly databaseVolumeGb: number;
  /** Plannable disk: diskGb - hostReserved.diskGb; undefined when disk is not planned. */
  readonly diskCapacityGb?: number;
  /** Schedulable vCPUs: (cores - hostReserved.cores) × overcommit.cpu. */
  readonly vcpuCapacity: number;
  /** Schedulable RAM: (ramGb - hostReserved.ramGb) × overcommit.ram. */
  readonly ramCapacityGb: number;
  readonly vms: readonly string[];
}

export interface Placement {
  readonly vms: readonly PlannedVm[];
  readonly hostLoad: readonly HostLoad[];
}

export type Flavor = PlannedVm["flavor"];

/** Plain-data input of the planner (what planPlacement reads from the site config). */
export interface PlacementInput {
  readonly stack: string;
  readonly hosts: readonly {
    readonly name: string;
    readonly cores: number;
    readonly ramGb: number;
    /** Local disk (decimal GB). Default: disk is not planned on this host. */
    readonly diskGb?: number;
  }[];
  readonly reserved: {
    readonly cores: number;
    readonly ramGb: number;
    /** Default 0. */
    readonly diskGb?: number;
  };
  readonly overcommit: { readonly cpu: number; readonly ram: number };
  readonly clusters: readonly {
    readonly name: string;
    /** Config key of the cluster, e.g. `plant:clusters[0]`, for error messages. */
    readonly key: string;
    readonly controlPlane: {
      readonly count: number;
      readonly flavor: Flavor;
      readonly ipStart: string;
    };
    readonly workers: { readonly count: number; readonly flavor: Flavor; readonly ipStart: string };
    /**
     * Decimal GB of database volumes one host holds for this cluster: one instance of each of
     * its databases (data plus WAL). Default 0.
     */
    readonly databaseVolumeGb?: number;
  }[];
  /** VM name → host name. */
  readonly pins: Readonly<Record<string, string>>;
}
