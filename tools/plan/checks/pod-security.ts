// Pod Security of the charts' pods: each lands in a namespace that enforces a level (labelled by
// the program), passes that level as rendered, and every level below restricted has its reason
// recorded (components/pod-security-levels.ts).
import { BelowRestricted, BELOW_RESTRICTED } from "../../../components/pod-security-levels";
import {
  ENFORCE_LABEL,
  isPodSecurityLevel,
  podSecurityStandardProblems,
} from "../../../policy/rules/pod-security-standards";
import { podTemplateMetadata } from "../../../policy/rules/namespace-pod-security";
import { podSpec } from "../../../policy/rules/workloads";
import { EXPANDED_TYPES, PlannedResource } from "../recorder";

interface Ns {
  readonly name: string;
  readonly level?: string;
}

function namespaces(resources: readonly PlannedResource[]): Map<string, Ns> {
  const out = new Map<string, Ns>();
  for (const r of resources) {
    if (r.type !== "kubernetes:core/v1:Namespace") continue;
    const meta = (r.inputs.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
    const level = meta.labels?.[ENFORCE_LABEL];
    out.set(`${r.provider}|${meta.name}`, { name: String(meta.name), ...(level ? { level } : {}) });
  }
  return out;
}

export function chartPodSecurityViolations(
  resources: readonly PlannedResource[],
  reasons: Readonly<Record<string, BelowRestricted>> = BELOW_RESTRICTED,
): string[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const nss = namespaces(resources);
  const out: string[] = [];
  for (const ns of nss.values()) {
    if (ns.level === undefined || ns.level === "restricted") continue;
    const reason = reasons[ns.name];
    if (!reason)
      out.push(
        `namespace ${ns.name} enforces Pod Security "${ns.level}" with no reason recorded in components/pod-security-levels.ts`,
      );
    else if (reason.level !== ns.level)
      out.push(
        `namespace ${ns.name} enforces "${ns.level}" but components/pod-security-levels.ts records "${reason.level}"`,
      );
  }
  for (const r of resources) {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const pod =
      parent && EXPANDED_TYPES.has(parent.type)
        ? podSpec({ type: r.type, props: r.inputs })
        : undefined;
    if (!pod) continue;
    const meta = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
    const where = `${parent!.name}: ${r.type.split(":").pop()} ${meta.namespace}/${meta.name}`;
    const ns = nss.get(`${r.provider}|${meta.namespace}`);
    if (!ns?.level) {
      out.push(
        `${where} lands in namespace ${meta.namespace}, which the program does not label with ${ENFORCE_LABEL}`,
      );
      continue;
    }
    if (!isPodSecurityLevel(ns.level)) {
      out.push(`${where}: namespace ${ns.name} enforces unknown level '${ns.level}'`);
      continue;
    }
    const problems = podSecurityStandardProblems(
      pod,
      ns.level,
      podTemplateMetadata({ type: r.type, props: r.inputs }),
    );
    if (problems.length > 0)
      out.push(`${where} would be refused by Pod Security "${ns.level}": ${problems.join("; ")}`);
  }
  return out;
}

/** Entries of the reasons table no namespace of these plans uses at that level. */
export function unusedPodSecurityReasons(
  plans: readonly (readonly PlannedResource[])[],
  reasons: Readonly<Record<string, BelowRestricted>> = BELOW_RESTRICTED,
): string[] {
  const used = new Set(
    plans.flatMap((p) => [...namespaces(p).values()].map((n) => `${n.name}|${n.level}`)),
  );
  return Object.entries(reasons)
    .filter(([name, r]) => !used.has(`${name}|${r.level}`))
    .map(
      ([name, r]) =>
        `components/pod-security-levels.ts lists ${name} (${r.level}), which no plan declares at that level`,
    );
}
