// Lower bounds that come from plant:site.failuresTolerated (f), refused at the key that holds the
// count and naming f, so a site that only misplaced a bound is told which knob fixes it. (Counts
// bounded by hosts — control plane, gateway, database instances — are checked with their area;
// the failure-domain analysis then proves the whole plan.) Pure; no Pulumi.
import { ParsedSite } from "./schema";

interface Problem {
  readonly key: string;
  readonly message: string;
}

const F_KEY = "plant:site.failuresTolerated";

/**
 * Which keys give cluster `ci` `needed` distinct physical hosts running workloads: for an existing
 * cluster its nodes; for an OpenStack cluster its workers (spread one per R620 until every R620
 * has one) and the R620s themselves; with enough of both, the placement pins.
 */
export function moreWorkloadHosts(site: ParsedSite, ci: number, needed: number): string {
  const c = site.clusters[ci];
  if (c === undefined) return `add a cluster for it to plant:clusters`;
  if (c.kind === "existing")
    return `give ${needed} distinct physical hosts nodes with role worker or control-plane+worker in plant:clusters[${ci}].nodes`;
  const steps = [
    c.workers.count < needed ? `raise plant:clusters[${ci}].workers.count to ${needed}` : "",
    site.hosts.length < needed
      ? `add R620s to plant:hosts (${site.hosts.length} listed, ${needed} needed)`
      : "",
  ].filter(Boolean);
  return (
    steps.join(" and ") ||
    `pin the workers of cluster ${c.name} to ${needed} distinct R620s in plant:openstack.placement`
  );
}

export function boundProblems(site: ParsedSite): Problem[] {
  const f = site.site.failuresTolerated;
  const need = f + 1;
  const problems: Problem[] = [];
  // Pods spread at most one apart over the physical hosts: f failed hosts can take f of them.
  site.services.forEach((s, i) => {
    if (s.replicas.min < need)
      problems.push({
        key: `plant:services[${i}].replicas.min`,
        message: `is ${s.replicas.min}; surviving ${f} host failure(s) (${F_KEY}) needs at least ${need} replicas, one per host that may fail plus one`,
      });
  });
  site.databases.forEach((d, i) => {
    if (d.pooler.instances < need)
      problems.push({
        key: `plant:databases[${i}].pooler.instances`,
        message: `is ${d.pooler.instances}; surviving ${f} host failure(s) (${F_KEY}) needs at least ${need} PgBouncer pods, or every connection to database ${d.name} can be lost`,
      });
  });
  return problems;
}
