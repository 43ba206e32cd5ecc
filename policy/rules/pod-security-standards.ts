// The Pod Security Standards as the API server's admission enforces them at v1.36
// (k8s.io/pod-security-admission/policy), for one pod template: every `baseline` check, and at
// `restricted` every restricted check on top. Pure: a pod spec and its metadata in, problems out.
import { asArray, asObj, Obj, str } from "./types";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = [
  "privileged",
  "baseline",
  "restricted",
];
export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

interface Container {
  readonly where: string;
  readonly spec: Obj;
  readonly ctx: Obj;
}

function allContainers(pod: Obj): Container[] {
  return (
    [
      ["container", pod.containers],
      ["initContainer", pod.initContainers],
      ["ephemeralContainer", pod.ephemeralContainers],
    ] as const
  ).flatMap(([kind, list]) =>
    asArray(list).map((c) => ({
      where: `${kind} ${str(asObj(c).name) ?? "?"}`,
      spec: asObj(c),
      ctx: asObj(asObj(c).securityContext),
    })),
  );
}

function baseline(pod: Obj, podMeta: Obj, containers: readonly Container[]): string[] {
  const problems: string[] = [];
  const podCtx = asObj(pod.securityContext);
  if (asObj(podCtx.windowsOptions).hostProcess === true) problems.push("pod sets hostProcess");
  for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod[key] === true) problems.push(`pod sets ${key}`);
  }
  for (const v of asArray(pod.volumes)) {
    if (asObj(v).hostPath !== undefined)
      problems.push(`volume ${str(asObj(v).name) ?? "?"} is a hostPath`);
  }
  for (const s of asArray(podCtx.sysctls)) {
    const name = str(asObj(s).name) ?? "?";
    if (!SAFE_SYSCTLS.has(name)) problems.push(`pod sets the unsafe sysctl ${name}`);
  }
  const checkSeLinux = (where: string, ctx: Obj): void => {
    const se = asObj(ctx.seLinuxOptions);
    if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type)))
      problems.push(`${where}: seLinuxOptions.type ${String(se.type)} is not allowed`);
    for (const key of ["user", "role"]) {
      if (se[key] !== undefined && se[key] !== "")
        problems.push(`${where}: sets seLinuxOptions.${key}`);
    }
  };
  const checkProfiles = (where: string, ctx: Obj): void => {
    if (asObj(ctx.seccompProfile).type === "Unconfined")
      problems.push(`${where}: seccompProfile.type is Unconfined`);
    if (asObj(ctx.appArmorProfile).type === "Unconfined")
      problems.push(`${where}: appArmorProfile.type is Unconfined`);
  };
  checkSeLinux("pod", podCtx);
  checkProfiles("pod", podCtx);
  for (const [key, value] of Object.entries(asObj(podMeta.annotations))) {
    if (
      key.startsWith(APPARMOR_ANNOTATION) &&
      value !== "runtime/default" &&
      !String(value).startsWith("localhost/")
    )
      problems.push(`annotation ${key} is ${String(value)}`);
  }
  for (const c of containers) {
    if (asObj(c.ctx.windowsOptions).hostProcess === true)
      problems.push(`${c.where}: sets hostProcess`);
    if (c.ctx.privileged === true) problems.push(`${c.where}: is privileged`);
    const added = asArray(asObj(c.ctx.capabilities).add).filter(
      (a) => !BASELINE_CAPABILITIES.has(String(a)),
    );
    if (added.length > 0) problems.push(`${c.where}: adds capabilities ${added.join(", ")}`);
    for (const p of asArray(c.spec.ports)) {
      const hostPort = asObj(p).hostPort;
      if (hostPort !== undefined && hostPort !== 0)
        problems.push(`${c.where}: uses hostPort ${String(hostPort)}`);
    }
    if (c.ctx.procMount !== undefined && c.ctx.procMount !== "Default")
      problems.push(`${c.where}: procMount is ${String(c.ctx.procMount)}`);
    checkSeLinux(c.where, c.ctx);
    checkProfiles(c.where, c.ctx);
    // Probes and lifecycle handlers may not reach another host (baseline since v1.34).
    const handlers = [
      ["livenessProbe", c.spec.livenessProbe],
      ["readinessProbe", c.spec.readinessProbe],
      ["startupProbe", c.spec.startupProbe],
      ["lifecycle.postStart", asObj(c.spec.lifecycle).postStart],
      ["lifecycle.preStop", asObj(c.spec.lifecycle).preStop],
    ] as const;
    for (const [name, h] of handlers) {
      for (const kind of ["httpGet", "tcpSocket"]) {
        const host = asObj(asObj(h)[kind]).host;
        if (host !== undefined && host !== "")
          problems.push(`${c.where}: ${name}.${kind}.host is set`);
      }
    }
  }
  return problems;
}

function restricted(pod: Obj, containers: readonly Container[]): string[] {
  const problems: string[] = [];
  const podCtx = asObj(pod.securityContext);
  for (const v of asArray(pod.volumes)) {
    const types = Object.keys(asObj(v)).filter((k) => k !== "name");
    const bad = types.filter((t) => !RESTRICTED_VOLUMES.has(t));
    if (bad.length > 0)
      problems.push(`volume ${str(asObj(v).name) ?? "?"} is of type ${bad.join(", ")}`);
  }
  if (podCtx.runAsNonRoot === false) problems.push("pod sets runAsNonRoot false");
  if (podCtx.runAsUser === 0) problems.push("pod runs as user 0");
  const podSeccomp = str(asObj(podCtx.seccompProfile).type);
  for (const c of containers) {
    if (c.ctx.allowPrivilegeEscalation !== false)
      problems.push(`${c.where}: allowPrivilegeEscalation must be false`);
    const nonRoot = c.ctx.runAsNonRoot !== undefined ? c.ctx.runAsNonRoot : podCtx.runAsNonRoot;
    if (nonRoot !== true) problems.push(`${c.where}: runAsNonRoot must be true`);
    if (c.ctx.runAsUser === 0) problems.push(`${c.where}: runs as user 0`);
    const seccomp = str(asObj(c.ctx.seccompProfile).type) ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      problems.push(`${c.where}: seccompProfile.type must be RuntimeDefault or Localhost`);
    const caps = asObj(c.ctx.capabilities);
    if (!asArray(caps.drop).includes("ALL"))
      problems.push(`${c.where}: capabilities.drop must include ALL`);
    const added = asArray(caps.add).filter((a) => a !== "NET_BIND_SERVICE");
    if (added.length > 0)
      problems.push(`${c.where}: may add only NET_BIND_SERVICE, adds ${added.join(", ")}`);
  }
  return problems;
}

/** What the admission of `level` refuses in a pod (spec and metadata); [] when admitted. */
export function podSecurityStandardProblems(
  pod: Obj,
  level: PodSecurityLevel,
  podMeta: Obj = {},
): string[] {
  if (level === "privileged") return [];
  const containers = allContainers(pod);
  const found = baseline(pod, podMeta, containers);
  // hostPath is reported once: restricted's volume check covers it too.
  return level === "restricted"
    ? [...found, ...restricted(pod, containers).filter((p) => !/is of type hostPath$/.test(p))]
    : found;
}

/** The lowest level that admits the pod. */
export function podSecurityLevelNeeded(pod: Obj, podMeta: Obj = {}): PodSecurityLevel {
  if (podSecurityStandardProblems(pod, "restricted", podMeta).length === 0) return "restricted";
  return podSecurityStandardProblems(pod, "baseline", podMeta).length === 0
    ? "baseline"
    : "privileged";
}

export function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
  return POD_SECURITY_LEVELS.includes(value as PodSecurityLevel);
}
