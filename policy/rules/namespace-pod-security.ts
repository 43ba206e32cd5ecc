// Pod Security admission as the cluster will apply it: every workload of the stack (ours and the
// charts' children) passes the level its namespace enforces (`pod-security.kubernetes.io/enforce`
// on a Namespace declared in the same stack, on the same cluster). A pod the level refuses never
// starts, and its Deployment or DaemonSet times out on the real deploy.
import {
  ENFORCE_LABEL,
  isPodSecurityLevel,
  podSecurityStandardProblems,
} from "./pod-security-standards";
import { asObj, label, Obj, PlainResource, str, Violation } from "./types";
import { podSpec, POD_SPEC_PATHS } from "./workloads";

const NAMESPACE = "kubernetes:core/v1:Namespace";

/** Metadata of the pod template (the pod's own for a Pod). */
export function podTemplateMetadata(r: PlainResource): Obj {
  const path = POD_SPEC_PATHS[r.type];
  if (!path) return {};
  let at: unknown = r.props;
  for (const key of path.slice(0, -1)) at = asObj(at)[key];
  return r.type === "kubernetes:core/v1:Pod" ? asObj(r.props.metadata) : asObj(asObj(at).metadata);
}

const scope = (provider: string | undefined, ns: string): string =>
  `${provider ?? "(default provider)"}|${ns}`;

export function namespacePodSecurityViolations(resources: readonly PlainResource[]): Violation[] {
  const levels = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== NAMESPACE) continue;
    const meta = asObj(r.props.metadata);
    const level = str(asObj(meta.labels)[ENFORCE_LABEL]);
    if (level !== undefined) levels.set(scope(r.provider, str(meta.name) ?? ""), level);
  }
  const out: Violation[] = [];
  for (const r of resources) {
    const pod = podSpec(r);
    if (!pod) continue;
    const ns = str(asObj(r.props.metadata).namespace) ?? "default";
    const level = levels.get(scope(r.provider, ns));
    if (level === undefined) continue;
    if (!isPodSecurityLevel(level)) {
      out.push({
        message: `namespace ${ns} enforces unknown Pod Security level '${level}'`,
        urn: r.urn,
      });
      continue;
    }
    const problems = podSecurityStandardProblems(pod, level, podTemplateMetadata(r));
    if (problems.length > 0) {
      out.push({
        message: `${label(r)} would be refused by Pod Security "${level}" of namespace ${ns}: ${problems.join("; ")}`,
        urn: r.urn,
      });
    }
  }
  return out;
}
