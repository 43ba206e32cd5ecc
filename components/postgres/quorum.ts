// Replication maths for a database that must survive `f` physical-host failures.
// Every instance runs on its own host (required anti-affinity), so losing f hosts loses
// at most f instances.
//
// The Cluster runs quorum commit (`method: any`) with `dataDurability: required` and
// CloudNativePG's failover quorum. With n instances, s = synchronous number and k instances
// lost:
// - promotion after the primary is lost needs (reachable standbys) + s > (standbys), i.e.
//   (n − k) + s > n − 1, i.e. s ≥ k: only then does every acknowledged commit provably sit on
//   a surviving standby;
// - writes with `dataDurability: required` need n − 1 − k ≥ s standbys left to acknowledge.
// Both for k = f need s = f and n ≥ 2f + 1.

/** Smallest instance count that fails over and keeps writing after f host losses: max(3, 2f+1). */
export function minInstances(failuresTolerated: number): number {
  return Math.max(3, 2 * failuresTolerated + 1);
}

/**
 * Synchronous standbys a commit waits for (`postgresql.synchronous.number`): f, at least 1
 * (never an asynchronous-only cluster). Below minInstances(f), which validation refuses, it is
 * capped at n − f − 1 so writes still go on after f losses (automatic failover then cannot be
 * promised, see quorumAfterLosses).
 */
export function synchronousNumber(instances: number, failuresTolerated: number): number {
  return Math.max(1, Math.min(failuresTolerated, instances - failuresTolerated - 1));
}

export interface QuorumAfterLosses {
  /** If the primary was among the lost: the failover quorum lets the operator promote a standby. */
  readonly canPromote: boolean;
  /** A primary (surviving or promoted) still finds `synchronous` standbys to acknowledge commits. */
  readonly canWrite: boolean;
}

/** What a cluster of `instances` with synchronous number `synchronous` can do after `lost` instances die. */
export function quorumAfterLosses(
  instances: number,
  synchronous: number,
  lost: number,
): QuorumAfterLosses {
  const left = Math.max(0, instances - lost);
  return {
    canPromote: left >= 1 && left + synchronous > instances - 1,
    canWrite: left - 1 >= synchronous,
  };
}
