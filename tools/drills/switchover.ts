// The switchover drill: while a writer commits numbered rows through the read-write pooler, ask
// CloudNativePG for a planned switchover to a healthy standby on another physical host, wait for
// it, then check that the new primary holds every acknowledged row. Measures the promise "no
// acknowledged write is lost" and the time without a writable primary.
import { CnpgClusterState, CNPG_HEALTHY, DrillKube } from "./kube";
import {
  checkAcknowledged,
  createDrillTable,
  dropDrillTable,
  drillTable,
  formatRanges,
  RowCheck,
} from "./rows";
import { DatabaseRef, DrillError } from "./stack";
import { Streak } from "./outage";
import { Connect, NumberedWriter } from "./writer";

export interface Instance {
  readonly name: string;
  readonly node: string;
  readonly host: string;
}

export interface SwitchoverOptions {
  readonly stack: string;
  readonly database: DatabaseRef;
  /** The instance to promote; default: the first healthy standby on another physical host. */
  readonly to?: string;
  /** Bound on the switchover itself (default 180 s). */
  readonly timeoutSeconds?: number;
  readonly writeIntervalMs?: number;
  /** Commits acknowledged before the switchover starts, and after it ends (default 10). */
  readonly acksAround?: number;
  /** Keep the drill table (default: dropped at the end). */
  readonly keepTable?: boolean;
}

export interface SwitchoverDeps {
  readonly kube: DrillKube;
  /** A client through the database's read-write pooler. */
  readonly connect: Connect;
  readonly progress: (line: string) => void;
  readonly now?: () => number;
  readonly pollMs?: number;
}

export interface SwitchoverReport {
  readonly drill: "switchover";
  readonly stack: string;
  readonly database: string;
  readonly namespace: string;
  readonly from: Instance;
  readonly to: Instance;
  readonly table: string;
  readonly startedAt: string;
  /** From the status patch to CloudNativePG reporting the new primary healthy. */
  readonly switchoverSeconds: number;
  readonly completed: boolean;
  readonly unwritableSeconds: number;
  readonly unwritableStreaks: readonly Streak[];
  readonly writes: { readonly attempts: number; readonly acknowledged: number };
  readonly rows: Omit<RowCheck, "missing"> & { readonly missing: number; readonly sample: string };
  readonly ok: boolean;
  readonly problems: readonly string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where each instance runs: pod → node → physical host. */
export async function locateInstances(
  kube: DrillKube,
  namespace: string,
  cluster: string,
): Promise<Map<string, Instance>> {
  const [pods, nodes] = await Promise.all([
    kube.pods(namespace, `cnpg.io/cluster=${cluster}`),
    kube.nodes(),
  ]);
  const hostOf = new Map(nodes.map((n) => [n.name, n.host]));
  return new Map(
    pods.map((p) => [p.name, { name: p.name, node: p.node, host: hostOf.get(p.node) ?? "" }]),
  );
}

/** The standby to promote, or why there is none. Pure. */
export function chooseTarget(
  state: CnpgClusterState,
  where: ReadonlyMap<string, Instance>,
  requested: string | undefined,
): Instance {
  const primary = where.get(state.currentPrimary);
  if (!primary?.host)
    throw new DrillError(
      `cannot tell the physical host of the primary ${state.currentPrimary} (its pod or its node's topology.kubernetes.io/zone label is missing)`,
    );
  const standbys = state.healthy.filter((i) => i !== state.currentPrimary);
  const eligible = standbys
    .map((i) => where.get(i))
    .filter((i): i is Instance => i !== undefined && i.host !== "" && i.host !== primary.host)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (requested !== undefined) {
    const pick = eligible.find((i) => i.name === requested);
    if (pick) return pick;
    const why =
      requested === state.currentPrimary
        ? "is the primary already"
        : !standbys.includes(requested)
          ? `is not a healthy standby (healthy: ${state.healthy.join(", ") || "none"})`
          : `runs on ${where.get(requested)?.host || "an unknown host"}, the primary's physical host is ${primary.host}`;
    throw new DrillError(`--to ${requested} ${why}`, 2);
  }
  if (eligible.length === 0)
    throw new DrillError(
      `no healthy standby of ${state.currentPrimary} runs on another physical host than ${primary.host} (healthy: ${state.healthy.join(", ") || "none"})`,
    );
  return eligible[0];
}

export async function runSwitchover(
  options: SwitchoverOptions,
  deps: SwitchoverDeps,
): Promise<SwitchoverReport> {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 1000;
  const { namespace, cluster } = options.database.names;
  const say = deps.progress;

  const before = await deps.kube.cluster(namespace, cluster);
  if (before.phase !== CNPG_HEALTHY || before.readyInstances !== before.instances)
    throw new DrillError(
      `Cluster ${namespace}/${cluster} is not healthy (phase "${before.phase}", ${before.readyInstances} of ${before.instances} instances ready): a switchover drill starts only from a healthy cluster`,
    );
  const where = await locateInstances(deps.kube, namespace, cluster);
  const from = where.get(before.currentPrimary) as Instance;
  const to = chooseTarget(before, where, options.to);
  say(
    `primary ${from.name} on ${from.host} (node ${from.node}); switching over to ${to.name} on ${to.host} (node ${to.node})`,
  );

  const table = drillTable("switchover", new Date(now()));
  const setup = await deps.connect().catch((e: Error) => {
    throw new DrillError(`cannot connect through the read-write pooler: ${e.message}`);
  });
  try {
    await createDrillTable(setup, table);
  } finally {
    await setup.end().catch(() => undefined);
  }
  say(`writing numbered rows into ${table.qualified} through ${options.database.names.poolerRw}`);

  const acksAround = options.acksAround ?? 10;
  const writer = new NumberedWriter({
    connect: deps.connect,
    table,
    intervalMs: options.writeIntervalMs ?? 200,
    onChange: (_, detail) => say(detail),
  });
  const startedAt = new Date(now()).toISOString();
  const problems: string[] = [];
  let switchoverMs = 0;
  let completed = false;
  writer.start();
  try {
    await writer.acknowledgedAtLeast(acksAround, 30_000).catch((e: Error) => {
      throw new DrillError(`the writer cannot commit before the switchover: ${e.message}`);
    });
    const t0 = now();
    await deps.kube.promote(namespace, cluster, to.name);
    say(`asked CloudNativePG to promote ${to.name} (status.targetPrimary)`);
    const limit = t0 + (options.timeoutSeconds ?? 180) * 1000;
    let last = "";
    while (now() < limit) {
      const s = await deps.kube.cluster(namespace, cluster).catch(() => undefined);
      if (s && s.phase !== last) say(`cluster phase: ${(last = s.phase)}`);
      if (s && s.currentPrimary === to.name && s.phase === CNPG_HEALTHY) {
        completed = true;
        break;
      }
      await sleep(pollMs);
    }
    switchoverMs = now() - t0;
    if (!completed)
      problems.push(
        `the switchover did not complete within ${options.timeoutSeconds ?? 180} s (CloudNativePG has not reported ${to.name} as a healthy primary)`,
      );
    else say(`switchover complete after ${(switchoverMs / 1000).toFixed(1)} s`);
    await writer
      .acknowledgedAtLeast(writer.acknowledgedCount + acksAround, 30_000)
      .catch((e: Error) => problems.push(`writes did not resume: ${e.message}`));
  } catch (e) {
    // Refused or failed before the check: leave no drill table behind.
    await writer.stop();
    const c = await deps.connect().catch(() => undefined);
    if (c) await dropDrillTable(c, table).catch(() => undefined);
    await c?.end().catch(() => undefined);
    throw e;
  }
  await writer.stop();
  const summary = writer.summary();

  const checker = await deps.connect();
  let rows: RowCheck;
  try {
    const r = await checker.query<{ recovery: boolean }>("SELECT pg_is_in_recovery() AS recovery");
    if (r.rows[0]?.recovery !== false)
      problems.push("the read-write pooler leads to a server in recovery, not a primary");
    rows = await checkAcknowledged(checker, table, summary.acknowledged);
    if (!options.keepTable) await dropDrillTable(checker, table);
  } finally {
    await checker.end().catch(() => undefined);
  }
  if (rows.missing.length > 0)
    problems.push(
      `${rows.missing.length} acknowledged rows are missing on the new primary (${formatRanges(rows.missing)})`,
    );
  const { missing, ...counts } = rows;
  return {
    drill: "switchover",
    stack: options.stack,
    database: options.database.config.name,
    namespace,
    from,
    to,
    table: table.qualified,
    startedAt,
    switchoverSeconds: Math.round(switchoverMs) / 1000,
    completed,
    unwritableSeconds: summary.unwritable.seconds,
    unwritableStreaks: summary.unwritable.streaks,
    writes: { attempts: summary.attempts, acknowledged: summary.acknowledged.length },
    rows: { ...counts, missing: missing.length, sample: formatRanges(missing) },
    ok: problems.length === 0,
    problems,
  };
}

export function formatSwitchover(r: SwitchoverReport): string {
  const lines = [
    `Switchover drill, stack ${r.stack}, database ${r.database} (${r.namespace})`,
    `  from                          ${r.from.name} on ${r.from.host} (node ${r.from.node})`,
    `  to                            ${r.to.name} on ${r.to.host} (node ${r.to.node})`,
    `  switchover                    ${r.completed ? "completed" : "NOT completed"} in ${r.switchoverSeconds} s`,
    `  without a writable primary    ${r.unwritableSeconds} s (${r.unwritableStreaks.length} interruption${r.unwritableStreaks.length === 1 ? "" : "s"})`,
    `  commits                       ${r.writes.acknowledged} acknowledged of ${r.writes.attempts} attempted`,
    `  acknowledged but missing      ${r.rows.missing}${r.rows.missing > 0 ? ` (${r.rows.sample})` : ""}`,
    r.ok ? "PASS: every acknowledged row is on the new primary" : "FAIL:",
    ...r.problems.map((p) => `  - ${p}`),
  ];
  return lines.join("\n");
}
