// The CloudNativePG Cluster spec of one database. Pure: config in, plain spec out; no secret
// ever appears here (passwords live only in the Secrets the spec names).
import { DatabaseConfig } from "../../config/schema";
import { PHYSICAL_HOST_LABEL } from "../types";
import { archiveServerName, BARMAN_PLUGIN, DatabaseNames, RESTORE_SOURCE } from "./names";
import { synchronousNumber } from "./quorum";
import { managedRoleSpec, PlannedRole } from "./roles";
import { certificatesSpec, INSTANCE_PG_HBA } from "./tls-spec";

export interface ClusterSpecArgs {
  readonly db: DatabaseConfig;
  readonly names: DatabaseNames;
  readonly roles: readonly PlannedRole[];
  /** Host failures the site must survive (site.failuresTolerated). */
  readonly failuresTolerated: number;
  /** Storage class when the database does not name one (the cluster's default). */
  readonly defaultStorageClass: string;
}

type Spec = Record<string, unknown>;

/**
 * Pulumi waits for CNPG's Ready condition, so roles exist before migrations run, and for
 * ContinuousArchiving: WAL reaches the object store through the Barman Cloud plugin (the
 * ObjectStore has no status of its own to wait on).
 */
export const CLUSTER_AWAIT = {
  "pulumi.com/waitFor": JSON.stringify(["condition=Ready", "condition=ContinuousArchiving"]),
} as const;
/**
 * How long Pulumi waits for Ready: a new cluster takes minutes, a restore replays the base
 * backup and WAL from the object store before cloning the standbys, which can take an hour.
 */
export const CLUSTER_TIMEOUTS = { create: "60m", update: "60m" } as const;

/** initdb for a new database; recovery from the object store when restore is enabled. */
export function bootstrapSpec(db: DatabaseConfig, names: DatabaseNames): Spec {
  const common = { database: db.database, owner: db.owner, secret: { name: names.ownerSecret } };
  if (!db.restore.enabled) return { initdb: { ...common, dataChecksums: true } };
  const target = db.restore.targetTime
    ? { recoveryTarget: { targetTime: db.restore.targetTime } }
    : {};
  return { recovery: { source: RESTORE_SOURCE, ...common, ...target } };
}

/** The object-store server a restore reads (only present when restore is enabled). */
export function externalClustersSpec(db: DatabaseConfig, names: DatabaseNames): Spec[] {
  if (!db.restore.enabled || db.restore.sourceServerName === undefined) return [];
  return [
    {
      name: RESTORE_SOURCE,
      plugin: {
        name: BARMAN_PLUGIN,
        parameters: {
          barmanObjectName: names.objectStore,
          serverName: db.restore.sourceServerName,
        },
      },
    },
  ];
}

function resourcesSpec(db: DatabaseConfig): Spec {
  const limits: Record<string, string> = { memory: db.resources.limits.memory };
  if (db.resources.limits.cpu !== undefined) limits.cpu = db.resources.limits.cpu;
  return { requests: { ...db.resources.requests }, limits };
}

export function clusterSpec(args: ClusterSpecArgs): Spec {
  const { db, names } = args;
  const storageClass = db.storage.storageClass ?? args.defaultStorageClass;
  const externalClusters = externalClustersSpec(db, names);
  return {
    description: `plant database ${db.name}`,
    instances: db.instances,
    imageName: db.image,
    enableSuperuserAccess: false,
    // The operator's PodDisruptionBudgets keep a drain from taking the primary and the quorum.
    enablePDB: true,
    primaryUpdateStrategy: "unsupervised",
    storage: { size: db.storage.size, storageClass },
    ...(db.walStorage ? { walStorage: { size: db.walStorage.size, storageClass } } : {}),
    resources: resourcesSpec(db),
    affinity: {
      enablePodAntiAffinity: true,
      // Required, on the physical host: two instances on VMs of one R620 die together.
      podAntiAffinityType: "required",
      topologyKey: PHYSICAL_HOST_LABEL,
    },
    // The program's server CA and the poolers' names in the server certificate (tls-spec.ts).
    certificates: certificatesSpec(names),
    postgresql: {
      parameters: { ...db.parameters },
      // TLS or nothing: every TCP connection without TLS is refused (tls-spec.ts).
      pg_hba: [...INSTANCE_PG_HBA],
      synchronous: {
        // Quorum commit: any standby may acknowledge, so losing one standby does not stall writes.
        method: "any",
        number: synchronousNumber(db.instances, args.failuresTolerated),
        // Writes wait rather than silently turning asynchronous: no acknowledged write is lost.
        dataDurability: "required",
        // Promote only a standby that provably has every synchronously committed transaction.
        failoverQuorum: true,
      },
    },
    bootstrap: bootstrapSpec(db, names),
    ...(externalClusters.length > 0 ? { externalClusters } : {}),
    managed: { roles: args.roles.map(managedRoleSpec) },
    plugins: [
      {
        name: BARMAN_PLUGIN,
        enabled: true,
        isWALArchiver: true,
        parameters: { barmanObjectName: names.objectStore, serverName: archiveServerName(db) },
      },
    ],
    monitoring: { enablePodMonitor: false },
  };
}
