// PgBouncer Poolers in front of a Cluster: the endpoint applications use. Pure.
import { DatabaseConfig } from "../../config/schema";
import { DatabaseAccess, PHYSICAL_HOST_LABEL } from "../types";
import { DatabaseNames, poolerPodLabels } from "./names";

export type PoolerType = "rw" | "ro";

/** The pooler a role connects through: only writers get the read-write one. */
export function poolerTypeOf(access: DatabaseAccess): PoolerType {
  return access === "read" ? "ro" : "rw";
}

/**
 * pulumi-kubernetes' await for a Pooler: its status has no conditions and no ready count, only
 * `phase` (active | paused | inactive | failed; CRD 1.30). `active` = the operator accepted and
 * reconciles it (not paused, no admission error); it does not prove a PgBouncer pod is ready.
 */
export const POOLER_AWAIT = { "pulumi.com/waitFor": "jsonpath={.status.phase}=active" } as const;
/** How long Pulumi waits for that phase. */
export const POOLER_TIMEOUTS = { create: "10m", update: "10m" } as const;

/**
 * Spread over physical hosts, softly enough to schedule with hosts down: maxSkew 1 counted
 * only over hosts whose nodes are schedulable (`nodeTaintsPolicy: Honor` leaves out a dead
 * host's NotReady nodes), plus a preferred anti-affinity as a tie-breaker.
 */
export function poolerPlacement(pooler: string): Record<string, unknown> {
  const labelSelector = { matchLabels: poolerPodLabels(pooler) };
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: PHYSICAL_HOST_LABEL,
        whenUnsatisfiable: "DoNotSchedule",
        nodeTaintsPolicy: "Honor",
        labelSelector,
      },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: PHYSICAL_HOST_LABEL, labelSelector } },
        ],
      },
    },
  };
}

export function poolerSpec(
  db: DatabaseConfig,
  names: DatabaseNames,
  type: PoolerType,
): Record<string, unknown> {
  const pooler = type === "rw" ? names.poolerRw : names.poolerRo;
  return {
    cluster: { name: names.cluster },
    type,
    instances: db.pooler.instances,
    pgbouncer: {
      // Session pooling: safe for migrations (advisory locks), SET and prepared statements.
      poolMode: "session",
      parameters: { max_client_conn: "1000", default_pool_size: "20" },
    },
    template: {
      metadata: { labels: poolerPodLabels(pooler) },
      // CloudNativePG fills in the pgbouncer container; the CRD requires the list.
      spec: { containers: [], ...poolerPlacement(pooler) },
    },
  };
}
