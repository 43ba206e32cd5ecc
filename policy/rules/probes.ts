// Probes: every container of our Deployments declares startup, readiness and liveness probes,
// so a rollout waits for ready pods and a hung pod is restarted.
import { containers, isGuarded, podSpec } from "./workloads";
import { label, PlainResource, Violation } from "./types";

const PROBES = ["startupProbe", "readinessProbe", "livenessProbe"] as const;

export function probeViolations(
  r: PlainResource,
  foreignNamespaces?: readonly string[],
): Violation[] {
  if (
    r.type !== "kubernetes:apps/v1:Deployment" ||
    !isGuarded("deployment-probes", r, foreignNamespaces)
  )
    return [];
  const pod = podSpec(r);
  if (!pod) return [];
  return containers(pod, false).flatMap((c) => {
    const missing = PROBES.filter((p) => c.spec[p] === undefined);
    return missing.length > 0
      ? [{ message: `${label(r)} ${c.where}: missing ${missing.join(", ")}` }]
      : [];
  });
}
