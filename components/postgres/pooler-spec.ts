// PgBouncer Poolers in front of a Cluster: the endpoint applications use. Pure.
import { PHYSICAL_HOST_LABEL } from "../types";
import { DatabaseNames, PoolerType, poolerPodLabels } from "./names";
import { poolParameters, PoolerSizing } from "./pool-sizing";
import { POOLER_PG_HBA, POOLER_TLS_PARAMETERS } from "./tls-spec";

export { PoolerType, poolerTypeOf } from "./names";

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

/** The Pooler of one type, sized from its clients (pool-sizing.ts), TLS on both sides. */
export function poolerSpec(names: DatabaseNames, sizing: PoolerSizing): Record<string, unknown> {
  const type: PoolerType = sizing.type;
  const pooler = type === "rw" ? names.poolerRw : names.poolerRo;
  return {
    cluster: { name: names.cluster },
    type,
    instances: sizing.instances,
    pgbouncer: {
      // Session pooling: safe for migrations (advisory locks), SET and prepared statements.
      poolMode: sizing.poolMode,
      parameters: { ...poolParameters(sizing), ...POOLER_TLS_PARAMETERS },
      pg_hba: [...POOLER_PG_HBA],
    },
    template: {
      metadata: { labels: poolerPodLabels(pooler) },
      // CloudNativePG fills in the pgbouncer container; the CRD requires the list.
      spec: { containers: [], ...poolerPlacement(pooler) },
    },
  };
}
