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
