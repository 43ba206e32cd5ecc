// The knob that fixes a failed tier: a failure-domain refusal lists the host sets that break the
// site under plant:site.failuresTolerated, then one line per broken tier at the key that fixes it
// (workers for capacity, an existing cluster's nodes for its quorum…). Pure.
import { SiteConfig } from "../config/site";

/** What a failed check of the analysis says about itself (a TierCheck of failure-domains.ts). */
interface FailedTier {
  readonly tier: string;
  readonly cluster: string;
  readonly subject: string;
}

interface Problem {
  readonly key: string;
  readonly message: string;
}

function hint(site: SiteConfig, check: FailedTier): Problem | undefined {
  const f = site.site.failuresTolerated;
  const down = `with ${f} host(s) down (plant:site.failuresTolerated)`;
  const ci = site.clusters.findIndex((c) => c.name === check.cluster);
  const cluster = site.clusters[ci];
  if (!cluster) return undefined;
  const base = `plant:clusters[${ci}]`;
  const existing = cluster.kind === "existing";
  switch (check.tier) {
    case "capacity":
      return existing
        ? {
            key: `${base}.nodes`,
            message: `cluster ${cluster.name} needs more room for its pods ${down}: add nodes on other physical hosts or raise their cpu/memoryGb, or lower the pods' requests`,
          }
        : {
            key: `${base}.workers`,
            message: `cluster ${cluster.name} needs more room for its pods ${down}: raise workers.count or workers.flavor, or lower the pods' requests`,
          };
    case "etcd-quorum":
    case "api-endpoint":
      return existing
        ? {
            key: `${base}.nodes`,
            message: `cluster ${cluster.name} needs ${2 * f + 1} control-plane nodes (role control-plane or control-plane+worker) on distinct physical hosts to keep its quorum ${down}`,
          }
        : { key: `${base}.controlPlane.count`, message: `must be at least ${2 * f + 1}` };
    case "static-ip":
      return {
        key: existing ? `${base}.nodes` : `${base}.workers.count`,
        message: `cluster ${cluster.name} needs nodes on more physical hosts to announce its static IPs ${down}`,
      };
    case "postgres": {
      const di = site.databases.findIndex((d) => `database ${d.name}` === check.subject);
      return di < 0
        ? undefined
        : {
            key: `plant:databases[${di}].instances`,
            message: `must be at least ${Math.max(3, 2 * f + 1)}, each on its own physical host, for ${check.subject} to fail over and keep writing ${down}`,
          };
    }
    case "replicas": {
      const si = site.services.findIndex((s) => `service ${s.name}` === check.subject);
      if (si >= 0)
        return {
          key: `plant:services[${si}].replicas.min`,
          message: `must be at least ${f + 1}, spread over at least ${f + 1} physical hosts, for ${check.subject} to keep a ready pod ${down}`,
        };
      return {
        key: `${base}.ingress.gatewayReplicas`,
        message: `must be at least ${f + 1}, on as many physical hosts, for the gateway of cluster ${cluster.name} to keep a ready pod ${down}`,
      };
    }
    default:
      return undefined;
  }
}

/** One problem per broken tier, at the key that fixes it, in the order first seen. */
export function failureFixes(site: SiteConfig, failed: readonly FailedTier[]): Problem[] {
  const seen = new Set<string>();
  const fixes: Problem[] = [];
  for (const check of failed) {
    const fix = hint(site, check);
    if (!fix) continue;
    const id = `${fix.key}\n${fix.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    fixes.push(fix);
  }
  return fixes;
}
