// Guardrails for every workload of a plan (Deployment, StatefulSet, DaemonSet, Job, CronJob),
// whichever area declares it. Each check takes the plan's manifests (PlannedManifest or the same
// shape) and returns human-readable problems; an empty list means the workload passes.
// Usage: expect(checkAllWorkloads(plan.manifests)).toEqual([]).
import { imageProblem } from "../../config/schema";
import { PHYSICAL_HOST_LABEL } from "../../components/types";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped recorded inputs */
type Obj = Record<string, any>;

export interface ManifestLike {
  readonly cluster?: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly object: Obj;
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] as const;
/** Kinds whose pods run for good: they need probes, a PDB and host spreading of replicas. */
const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const REPLICATED = new Set(["Deployment", "StatefulSet"]);

export function isWorkload(m: ManifestLike): boolean {
  return (WORKLOAD_KINDS as readonly string[]).includes(m.kind);
}

function id(m: ManifestLike): string {
  return `${m.kind} ${m.cluster ? `${m.cluster}/` : ""}${m.namespace}/${m.name}`;
}

/** The pod template of a workload (CronJob: the template of its job template). */
export function podTemplate(m: ManifestLike): Obj {
  const spec = m.object.spec ?? {};
  return (m.kind === "CronJob" ? spec.jobTemplate?.spec?.template : spec.template) ?? {};
}

function containers(m: ManifestLike): Obj[] {
  const pod = podTemplate(m).spec ?? {};
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/** Every image is repo:tag (not latest) or a digest. */
export function pinnedImageProblems(m: ManifestLike): string[] {
  return containers(m).flatMap((c) => {
    const image = typeof c.image === "string" ? c.image : "";
    const problem = image ? imageProblem(image) : "has no image";
    return problem ? [`${id(m)} container ${c.name}: image ${image} ${problem}`] : [];
  });
}

/** The Pod Security `restricted` profile, plus a read-only root filesystem and no host access. */
export function restrictedSecurityProblems(m: ManifestLike): string[] {
  const pod = podTemplate(m).spec ?? {};
  const psc = pod.securityContext ?? {};
  const out: string[] = [];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"])
    if (pod[f] === true) out.push(`${id(m)}: ${f} is true`);
  if ((pod.volumes ?? []).some((v: Obj) => v.hostPath))
    out.push(`${id(m)}: mounts a hostPath volume`);
  for (const c of containers(m)) {
    const sc = c.securityContext ?? {};
    const who = `${id(m)} container ${c.name}`;
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true)
      out.push(`${who}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? psc.runAsUser) === 0) out.push(`${who}: runAsUser is 0`);
    if ((sc.runAsGroup ?? psc.runAsGroup) === 0) out.push(`${who}: runAsGroup is 0`);
    if (sc.allowPrivilegeEscalation !== false)
      out.push(`${who}: allowPrivilegeEscalation is not false`);
    if (sc.privileged === true) out.push(`${who}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL"))
      out.push(`${who}: capabilities do not drop ALL`);
    const add = (sc.capabilities?.add ?? []).filter((x: string) => x !== "NET_BIND_SERVICE");
    if (add.length > 0) out.push(`${who}: adds capabilities ${add.join(",")}`);
    const seccomp = (sc.seccompProfile ?? psc.seccompProfile)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      out.push(`${who}: seccompProfile is not RuntimeDefault`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${who}: readOnlyRootFilesystem is not true`);
  }
  return out;
}

/** Requests for CPU and memory, and a memory limit, on every container. */
export function resourceProblems(m: ManifestLike): string[] {
  return containers(m).flatMap((c) => {
    const r = c.resources ?? {};
    const who = `${id(m)} container ${c.name}`;
    const out: string[] = [];
    if (!r.requests?.cpu) out.push(`${who}: no CPU request`);
    if (!r.requests?.memory) out.push(`${who}: no memory request`);
    if (!r.limits?.memory) out.push(`${who}: no memory limit`);
    return out;
  });
}

/** Long-running workloads: startup, readiness and liveness probes, no two identical. */
export function probeProblems(m: ManifestLike): string[] {
  if (!LONG_RUNNING.has(m.kind)) return [];
  const pod = podTemplate(m).spec ?? {};
  return (pod.containers ?? []).flatMap((c: Obj) => {
    const who = `${id(m)} container ${c.name}`;
    const kinds = ["startupProbe", "readinessProbe", "livenessProbe"] as const;
    const missing = kinds.filter((k) => !c[k]).map((k) => `${who}: no ${k}`);
    if (missing.length > 0) return missing;
    const seen = new Set(kinds.map((k) => JSON.stringify(c[k])));
    return seen.size < kinds.length ? [`${who}: two probes are identical`] : [];
  });
}

/**
 * Pods spread over physical hosts (PHYSICAL_HOST_LABEL) in a way that still schedules when a
 * host is down: a spread constraint that is either ScheduleAnyway or DoNotSchedule with
 * `nodeTaintsPolicy: Honor` (a down host's NoSchedule-tainted nodes then leave the domain
 * count) and maxSkew 1, no rule on kubernetes.io/hostname (a VM) and no required anti-affinity.
 */
export function hostSpreadProblems(m: ManifestLike): string[] {
  const pod = podTemplate(m).spec ?? {};
  const out: string[] = [];
  const spread = (pod.topologySpreadConstraints ?? []) as Obj[];
  const onHost = spread.filter((t) => t.topologyKey === PHYSICAL_HOST_LABEL);
  if (onHost.length === 0)
    out.push(`${id(m)}: no topologySpreadConstraint on ${PHYSICAL_HOST_LABEL}`);
  for (const t of onHost) {
    if (t.whenUnsatisfiable === "DoNotSchedule") {
      if (t.nodeTaintsPolicy !== "Honor") {
        out.push(
          `${id(m)}: spread on ${PHYSICAL_HOST_LABEL} is DoNotSchedule without nodeTaintsPolicy Honor, which blocks scheduling when a host is down`,
        );
      }
      if (t.maxSkew !== 1)
        out.push(`${id(m)}: spread on ${PHYSICAL_HOST_LABEL} has maxSkew ${t.maxSkew}, not 1`);
    } else if (t.whenUnsatisfiable !== "ScheduleAnyway") {
      out.push(
        `${id(m)}: spread on ${PHYSICAL_HOST_LABEL} is ${t.whenUnsatisfiable}, which blocks scheduling when a host is down`,
      );
    }
  }
  const anti = pod.affinity?.podAntiAffinity ?? {};
  if ((anti.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0) {
    out.push(`${id(m)}: required pod anti-affinity blocks scheduling when a host is down`);
  }
  const preferred = (anti.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Obj[];
  if (
    REPLICATED.has(m.kind) &&
    !preferred.some((p) => p.podAffinityTerm?.topologyKey === PHYSICAL_HOST_LABEL)
  ) {
    out.push(`${id(m)}: no preferred pod anti-affinity on ${PHYSICAL_HOST_LABEL}`);
  }
  const keys = [
    ...spread.map((t) => t.topologyKey),
    ...preferred.map((p) => p.podAffinityTerm?.topologyKey),
  ];
  if (keys.includes("kubernetes.io/hostname"))
    out.push(`${id(m)}: spreads on kubernetes.io/hostname (a VM, not a host)`);
  return out;
}

function sameScope(a: ManifestLike, b: ManifestLike): boolean {
  return a.namespace === b.namespace && (a.cluster ?? "") === (b.cluster ?? "");
}

/** Whether a label selector (matchLabels and matchExpressions) selects pods with these labels. */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  const match = (selector?.matchLabels ?? {}) as Record<string, string>;
  const expressions = (selector?.matchExpressions ?? []) as Obj[];
  if (Object.keys(match).length === 0 && expressions.length === 0) return false; // selects everything: not a workload's PDB
  const exprOk = expressions.every((e) => {
    const has = e.key in labels;
    switch (e.operator) {
      case "In":
        return has && (e.values ?? []).includes(labels[e.key]);
      case "NotIn":
        return !has || !(e.values ?? []).includes(labels[e.key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      default:
        return false;
    }
  });
  return exprOk && Object.entries(match).every(([k, v]) => labels[k] === v);
}

/**
 * Replicated workloads have a PodDisruptionBudget that selects their pods and still allows
 * one eviction at the minimum replica count (HPA minReplicas, else spec.replicas).
 */
export function pdbProblems(m: ManifestLike, all: readonly ManifestLike[]): string[] {
  if (!REPLICATED.has(m.kind)) return [];
  const labels = (podTemplate(m).metadata?.labels ?? {}) as Record<string, string>;
  const pdbs = all.filter(
    (p) =>
      p.kind === "PodDisruptionBudget" &&
      sameScope(p, m) &&
      selects(p.object.spec?.selector, labels),
  );
  if (pdbs.length === 0) return [`${id(m)}: no PodDisruptionBudget selects its pods`];
  const hpa = all.find(
    (h) =>
      h.kind === "HorizontalPodAutoscaler" &&
      sameScope(h, m) &&
      h.object.spec?.scaleTargetRef?.name === m.name,
  );
  const minReplicas = Number(hpa?.object.spec?.minReplicas ?? m.object.spec?.replicas ?? 1);
  return pdbs.flatMap((p) => {
    const { maxUnavailable, minAvailable } = p.object.spec ?? {};
    if (typeof maxUnavailable === "number" && maxUnavailable >= 1) return [];
    if (typeof minAvailable === "number" && minAvailable < minReplicas) return [];
    return [
      `${id(m)}: PodDisruptionBudget ${p.name} allows no eviction at ${minReplicas} replicas (a node drain would block)`,
    ];
  });
}

/** The workload's namespace has a default-deny NetworkPolicy (all pods, ingress and egress, no rules). */
export function defaultDenyProblems(m: ManifestLike, all: readonly ManifestLike[]): string[] {
  const denies = all.some((p) => {
    if (p.kind !== "NetworkPolicy" || !sameScope(p, m)) return false;
    const spec = p.object.spec ?? {};
    const selectsAll =
      Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 &&
      (spec.podSelector?.matchExpressions ?? []).length === 0;
    const types = (spec.policyTypes ?? []) as string[];
    return (
      selectsAll &&
      types.includes("Ingress") &&
      types.includes("Egress") &&
      !(spec.ingress ?? []).length &&
      !(spec.egress ?? []).length
    );
  });
  return denies ? [] : [`${id(m)}: namespace ${m.namespace} has no default-deny NetworkPolicy`];
}

/** No credential reaches a container through its environment: no secretKeyRef, no secretRef, no known secret value. */
export function secretEnvProblems(m: ManifestLike, secretValues: readonly string[] = []): string[] {
  return containers(m).flatMap((c) => {
    const who = `${id(m)} container ${c.name}`;
    const out: string[] = [];
    for (const e of (c.env ?? []) as Obj[]) {
      if (e.valueFrom?.secretKeyRef) out.push(`${who}: env ${e.name} comes from a Secret`);
      if (typeof e.value === "string" && secretValues.some((s) => e.value.includes(s)))
        out.push(`${who}: env ${e.name} holds a secret value`);
    }
    for (const e of (c.envFrom ?? []) as Obj[])
      if (e.secretRef) out.push(`${who}: envFrom a Secret (${e.secretRef.name})`);
    return out;
  });
}

/** Every check on one workload. */
export function workloadProblems(
  m: ManifestLike,
  all: readonly ManifestLike[],
  secretValues: readonly string[] = [],
): string[] {
  return [
    ...pinnedImageProblems(m),
    ...restrictedSecurityProblems(m),
    ...resourceProblems(m),
    ...probeProblems(m),
    ...hostSpreadProblems(m),
    ...pdbProblems(m, all),
    ...defaultDenyProblems(m, all),
    ...secretEnvProblems(m, secretValues),
  ];
}

/** Every check on every workload of a plan. */
export function checkAllWorkloads(
  all: readonly ManifestLike[],
  secretValues: readonly string[] = [],
): string[] {
  return all.filter(isWorkload).flatMap((m) => workloadProblems(m, all, secretValues));
}

/** Known secret values that appear anywhere in recorded inputs (they must only appear as "[secret]"). */
export function plaintextLeaks(
  recorded: readonly { name: string; inputs: unknown }[],
  secretValues: readonly string[],
): string[] {
  return recorded.flatMap((r) => {
    const text = JSON.stringify(r.inputs);
    return secretValues
      .filter((s) => text.includes(s))
      .map((s) => `${r.name}: input contains the secret value ${s.slice(0, 4)}…`);
  });
}
