// Requests and limits: every container of our workloads requests CPU and memory and caps memory
// (CPU limits are left out on purpose: throttling hurts latency more than it protects).
import { containers, isGuarded, podSpec } from "./workloads";
import { asObj, label, PlainResource, Violation } from "./types";

export function resourceViolations(
  r: PlainResource,
  foreignNamespaces?: readonly string[],
): Violation[] {
  const pod = podSpec(r);
  if (!pod || !isGuarded("requests-and-limits", r, foreignNamespaces)) return [];
  return containers(pod).flatMap((c) => {
    const res = asObj(c.spec.resources);
    const missing = [
      asObj(res.requests).cpu === undefined ? "requests.cpu" : "",
      asObj(res.requests).memory === undefined ? "requests.memory" : "",
      asObj(res.limits).memory === undefined ? "limits.memory" : "",
    ].filter(Boolean);
    return missing.length > 0
      ? [{ message: `${label(r)} ${c.where}: missing resources ${missing.join(", ")}` }]
      : [];
  });
}
