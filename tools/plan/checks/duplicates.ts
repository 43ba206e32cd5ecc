// Two declarations of one Kubernetes object (same cluster, group, kind, namespace and name) —
// say a chart rendering a Namespace the program also declares — fail the real deploy:
// pulumi-kubernetes creates and never adopts, so the second create meets AlreadyExists.
import { PlannedResource } from "../recorder";

export function duplicateObjectViolations(resources: readonly PlannedResource[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const r of resources) {
    // Patches (NodePatch, …) deliberately share an object with its owner.
    if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.endsWith("Patch")) continue;
    const meta = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
    if (!meta.name) continue;
    const [, gv = "", kind = ""] = r.type.split(":");
    const key = `${r.provider}|${gv.split("/")[0]}|${kind}|${meta.namespace ?? ""}|${meta.name}`;
    const first = seen.get(key);
    if (first)
      out.push(
        `${kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name} is declared twice on one cluster: ${first} and ${r.urn}`,
      );
    else seen.set(key, r.urn);
  }
  return out;
}
