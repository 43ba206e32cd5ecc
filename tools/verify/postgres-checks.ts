// Judging a CloudNativePG database from what the cluster reports: the Cluster's status (primary,
// healthy instances, conditions), where its instance pods run, and the Barman Cloud plugin's
// ObjectStore status (last successful base backup). Pure; the reads are in kube-read.ts.
import { CheckResult } from "../site/report";
import { parseCron, previousFire } from "./cron";
import { DatabaseExpectation, PHYSICAL_HOST_LABEL } from "./expected";
import { NodeInfo, PodInfo } from "./kube-checks";

export const PG_RUNBOOK = {
  instances: "docs/verify.md#primary-and-synchronous-standbys",
  replication: "docs/verify.md#replication",
  archiving: "docs/verify.md#wal-archiving",
  backups: "docs/verify.md#backups",
} as const;

/** CloudNativePG's phase text for a cluster with nothing to do. */
export const HEALTHY_PHASE = "Cluster in healthy state";

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** The parts of a `postgresql.cnpg.io/v1` Cluster that are read. */
export interface CnpgCluster {
  readonly spec?: {
    readonly instances?: number;
    readonly postgresql?: { readonly synchronous?: { readonly number?: number } };
  };
  readonly status?: {
    readonly phase?: string;
    readonly phaseReason?: string;
    readonly currentPrimary?: string;
    readonly targetPrimary?: string;
    readonly readyInstances?: number;
    readonly instances?: number;
    readonly timelineID?: number;
    readonly instancesStatus?: Readonly<Record<string, readonly string[]>>;
    readonly instancesReportedState?: Readonly<
      Record<string, { isPrimary?: boolean; timeLineID?: number }>
    >;
    readonly conditions?: readonly Condition[];
  };
}

/** An instance pod, with CloudNativePG's role label. */
export interface InstancePod extends PodInfo {
  readonly role?: string;
}

export interface BackupInfo {
  /** Last successful base backup (ObjectStore status, or the newest completed Backup). */
  readonly lastSuccessful?: Date;
  readonly lastFailed?: Date;
  /** Where the times came from, for the report. */
  readonly source: string;
}

function condition(c: CnpgCluster, type: string): Condition | undefined {
  return c.status?.conditions?.find((x) => x.type === type);
}

export function instancesCheck(
  db: DatabaseExpectation,
  cluster: CnpgCluster,
  pods: readonly InstancePod[],
  nodes: readonly NodeInfo[],
): CheckResult {
  const object = `Cluster ${db.namespace}/${db.clusterName}`;
  const base = {
    area: "postgres",
    subject: `database ${db.name}: primary and synchronous standbys`,
    object,
    runbook: PG_RUNBOOK.instances,
  };
  const st = cluster.status ?? {};
  const syncWanted = cluster.spec?.postgresql?.synchronous?.number ?? db.synchronous;
  const instances = cluster.spec?.instances ?? db.instances;
  const hostOf = new Map(nodes.map((n) => [n.name, n.labels[PHYSICAL_HOST_LABEL] ?? "?"]));
  const healthy = new Set(st.instancesStatus?.healthy ?? []);
  const live = pods.filter((p) => p.ready && !p.terminating);
  const where = (p: InstancePod) => `${p.name} (${(p.nodeName && hostOf.get(p.nodeName)) ?? "?"})`;
  const primary = live.find((p) => p.name === st.currentPrimary);
  const standbys = live.filter((p) => p.name !== st.currentPrimary && healthy.has(p.name));
  if (!st.currentPrimary || !primary)
    return {
      ...base,
      status: "fail",
      detail: `no ready primary${st.currentPrimary ? ` (status names ${st.currentPrimary})` : ""}; phase: ${st.phase ?? "unknown"}`,
    };
  const hosts = [primary, ...standbys].map((p) => (p.nodeName && hostOf.get(p.nodeName)) ?? "?");
  const shared = hosts.filter((h, i) => hosts.indexOf(h) !== i);
  const summary = `primary ${where(primary)}; standbys ${standbys.map(where).join(", ") || "none"}`;
  if (standbys.length < syncWanted)
    return {
      ...base,
      status: "fail",
      detail: `${standbys.length} healthy standbys, the cluster needs ${syncWanted} synchronous (commits wait): ${summary}`,
    };
  if (shared.length > 0)
    return {
      ...base,
      status: "fail",
      detail: `instances share physical host ${[...new Set(shared)].join(", ")}: ${summary}`,
    };
  if (standbys.length + 1 < instances)
    return {
      ...base,
      status: "warn",
      detail: `${standbys.length + 1} of ${instances} instances healthy (synchronous ${syncWanted} still met): ${summary}`,
    };
  return { ...base, status: "ok", detail: `${summary}; synchronous ${syncWanted}` };
}

export function replicationCheck(db: DatabaseExpectation, cluster: CnpgCluster): CheckResult {
  const base = {
    area: "postgres",
    subject: `database ${db.name}: replication`,
    object: `Cluster ${db.namespace}/${db.clusterName}`,
    runbook: PG_RUNBOOK.replication,
  };
  const st = cluster.status ?? {};
  const problems: string[] = [];
  if (st.phase !== HEALTHY_PHASE)
    problems.push(
      `phase '${st.phase ?? "unknown"}'${st.phaseReason ? ` (${st.phaseReason})` : ""}`,
    );
  const ready = condition(cluster, "Ready");
  if (ready?.status !== "True")
    problems.push(
      `Ready is ${ready?.status ?? "absent"}${ready?.message ? `: ${ready.message}` : ""}`,
    );
  if (st.targetPrimary && st.currentPrimary && st.targetPrimary !== st.currentPrimary)
    problems.push(`switchover/failover in progress (${st.currentPrimary} → ${st.targetPrimary})`);
  const reported = Object.entries(st.instancesReportedState ?? {});
  const offTimeline = reported
    .filter(([, r]) => st.timelineID !== undefined && r.timeLineID !== st.timelineID)
    .map(([name, r]) => `${name} on timeline ${r.timeLineID ?? "?"}`);
  if (offTimeline.length > 0)
    problems.push(`${offTimeline.join(", ")}, the cluster is on ${st.timelineID}`);
  const failed = Object.entries(st.instancesStatus ?? {})
    .filter(([state]) => state !== "healthy")
    .flatMap(([state, names]) => names.map((n) => `${n} ${state}`));
  if (failed.length > 0) problems.push(failed.join(", "));
  if (problems.length > 0) return { ...base, status: "fail", detail: problems.join("; ") };
  return {
    ...base,
    status: "ok",
    detail: `${st.readyInstances ?? "?"}/${cluster.spec?.instances ?? "?"} ready, timeline ${st.timelineID ?? "?"}`,
  };
}

export function archivingCheck(db: DatabaseExpectation, cluster: CnpgCluster): CheckResult {
  const base = {
    area: "postgres",
    subject: `database ${db.name}: WAL archiving`,
    object: `Cluster ${db.namespace}/${db.clusterName} (ObjectStore ${db.namespace}/${db.objectStore})`,
    runbook: PG_RUNBOOK.archiving,
  };
  const c = condition(cluster, "ContinuousArchiving");
  if (!c)
    return {
      ...base,
      status: "fail",
      detail: "no ContinuousArchiving condition: WAL is not archived",
    };
  if (c.status === "True")
    return { ...base, status: "ok", detail: `ContinuousArchiving ${c.reason ?? "True"}` };
  return {
    ...base,
    status: "fail",
    detail: `ContinuousArchiving is ${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`,
  };
}

function hours(ms: number): string {
  return `${(ms / 3600_000).toFixed(1)} h`;
}

/**
 * The last successful base backup must be newer than the scheduled run before the latest one: a
 * run may be in progress now, but a whole missed run is a failure.
 */
export function backupCheck(
  db: DatabaseExpectation,
  schedule: string,
  info: BackupInfo,
  now: Date,
): CheckResult {
  const base = {
    area: "postgres",
    subject: `database ${db.name}: last base backup`,
    object: `ScheduledBackup ${db.namespace}/${db.scheduledBackup} (server ${db.backupServerName})`,
    runbook: PG_RUNBOOK.backups,
  };
  if (!info.lastSuccessful)
    return { ...base, status: "fail", detail: `no successful base backup (${info.source})` };
  const age = now.getTime() - info.lastSuccessful.getTime();
  let bound: Date | undefined;
  try {
    const cron = parseCron(schedule);
    const latest = previousFire(cron, now, db.timeZone);
    bound = latest ? previousFire(cron, latest, db.timeZone) : undefined;
  } catch (e) {
    return {
      ...base,
      status: "warn",
      detail: `last ${info.lastSuccessful.toISOString()} (${hours(age)} ago); schedule '${schedule}' not understood: ${(e as Error).message}`,
    };
  }
  const failedSince =
    info.lastFailed && info.lastFailed > info.lastSuccessful
      ? `; a later backup failed at ${info.lastFailed.toISOString()}`
      : "";
  const detail = `last ${info.lastSuccessful.toISOString()} (${hours(age)} ago, ${info.source})${failedSince}`;
  if (bound && info.lastSuccessful < bound)
    return {
      ...base,
      status: "fail",
      detail: `${detail}; the run of ${bound.toISOString()} ('${schedule}' in ${db.timeZone}) is missing`,
    };
  return { ...base, status: failedSince ? "warn" : "ok", detail };
}
