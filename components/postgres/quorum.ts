// Replication maths for a database that must survive `f` physical-host failures.
// Every instance runs on its own host (required anti-affinity), so losing f hosts loses
// at most f instances.

/** Smallest instance count: after f losses a primary and one synchronous standby remain. */
export function minInstances(failuresTolerated: number): number {
  return Math.max(3, failuresTolerated + 2);
}

/**
 * Synchronous standbys a commit waits for (`postgresql.synchronous.number`).
 * - at least 1 (the issue: never an asynchronous-only cluster);
 * - at most n - f - 1, so with `dataDurability: required` writes still go on after f losses;
 * - f when the instance count allows it (n ≥ 2f + 1): every acknowledged commit is then on
 *   f + 1 hosts, so any f simultaneous host losses leave a copy to promote.
 * Callers validate n ≥ minInstances(f) first; below that the result is 1.
 */
export function synchronousNumber(instances: number, failuresTolerated: number): number {
  return Math.max(1, Math.min(failuresTolerated, instances - failuresTolerated - 1));
}
