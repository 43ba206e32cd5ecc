// Pod Security Standards "restricted" on our own workloads: the fields the restricted profile
// requires, checked where Kubernetes reads them (container settings override the pod's).
import { containers, isGuarded, podSpec } from "./workloads";
import { asArray, asObj, label, Obj, PlainResource, str, Violation } from "./types";

const SECCOMP_OK = ["RuntimeDefault", "Localhost"];

export function podSecurityViolations(
  r: PlainResource,
  foreignNamespaces?: readonly string[],
): Violation[] {
  const pod = podSpec(r);
  if (!pod || !isGuarded("pod-security-restricted", r, foreignNamespaces)) return [];
  const problems: string[] = [];
  const podCtx = asObj(pod.securityContext);
  for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod[key] === true) problems.push(`sets ${key}`);
  }
  for (const v of asArray(pod.volumes)) {
    if (asObj(v).hostPath !== undefined)
      problems.push(`mounts hostPath volume ${str(asObj(v).name) ?? "?"}`);
  }
  for (const c of containers(pod)) {
    const ctx = asObj(c.spec.securityContext);
    const effective = (key: string): unknown => (ctx[key] !== undefined ? ctx[key] : podCtx[key]);
    const where = c.where;
    if (effective("runAsNonRoot") !== true) problems.push(`${where}: runAsNonRoot must be true`);
    if (effective("runAsUser") === 0) problems.push(`${where}: runAsUser must not be 0`);
    if (ctx.allowPrivilegeEscalation !== false)
      problems.push(`${where}: allowPrivilegeEscalation must be false`);
    if (ctx.privileged === true) problems.push(`${where}: must not be privileged`);
    const caps = asObj(ctx.capabilities);
    if (!asArray(caps.drop).includes("ALL"))
      problems.push(`${where}: capabilities.drop must include ALL`);
    const added = asArray(caps.add).filter((a) => a !== "NET_BIND_SERVICE");
    if (added.length > 0) problems.push(`${where}: adds capabilities ${added.join(", ")}`);
    const seccomp = str(asObj(effective("seccompProfile") as Obj).type);
    if (!seccomp || !SECCOMP_OK.includes(seccomp))
      problems.push(`${where}: seccompProfile.type must be RuntimeDefault`);
  }
  return problems.map((p) => ({ message: `${label(r)} breaks Pod Security "restricted": ${p}` }));
}
