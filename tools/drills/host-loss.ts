// The host-loss drill: take one physical host out as a failure would (its VMs stopped through
// Nova; existing clusters' nodes on it cordoned and drained) while probes request every route
// through its static IP and a writer per database commits numbered rows through the read-write
// pooler; wait for the site to settle (bounded), bring the host back, wait for recovery
// (bounded), then report outages, lost rows, where each static IP went, and whether the
// failure-domain table predicted it.
import { SiteConfig } from "../../config/site";
import { CNPG_HEALTHY, DrillKube } from "./kube";
import {
  comparePrediction,
  DatabaseRecord,
  Forecast,
  HostLossReport,
  refuseUnsurvivable,
  routeRecord,
  StaticIpRecord,
} from "./host-loss-report";
import { HostVms, holdFor, NovaLike } from "./host-vms";
import { Announced, announcements, staticIpRecords } from "./static-ips";
import { ProbeLoop, Route } from "./probe";
import {
  checkAcknowledged,
  createDrillTable,
  dropDrillTable,
  drillTable,
  formatRanges,
} from "./rows";
import { DatabaseRef, DrillError } from "./stack";
import { Connect, NumberedWriter } from "./writer";

export interface HostLossOptions {
  readonly stack: string;
  readonly site: SiteConfig;
  readonly forecast: Forecast;
  readonly routes: readonly Route[];
  readonly databases: readonly DatabaseRef[];
  readonly how?: "stop" | "pause";
  readonly settleSeconds: number;
  readonly recoverSeconds: number;
  readonly stopTimeoutSeconds: number;
}

export interface HostLossDeps {
  readonly nova: () => Promise<NovaLike>;
  readonly kube: (cluster: string) => DrillKube;
  readonly pooler: (db: DatabaseRef) => Promise<{ connect: Connect; close(): Promise<void> }>;
  readonly verifyGate: () => Promise<{ ok: boolean; detail: string }>;
  readonly probeCa: (cluster: string) => string | undefined;
  readonly progress: (line: string) => void;
  readonly timing?: {
    readonly pollMs?: number;
    readonly probeIntervalMs?: number;
    readonly writeIntervalMs?: number;
    /** How long every route and writer must stay healthy to call the site settled. */
    readonly stableMs?: number;
    /**
     * The site is not called settled sooner than this after the host went down (default 90 s:
     * Kubernetes marks a silent node NotReady after 40 s and only then moves endpoints).
     */
    readonly minDownMs?: number;
  };
}

const secs = (ms: number) => Math.round(ms) / 1000;

export async function runHostLoss(o: HostLossOptions, deps: HostLossDeps): Promise<HostLossReport> {
  const say = deps.progress;
  const t = deps.timing ?? {};
  const pollMs = t.pollMs ?? 2000;
  const { host, scenario } = o.forecast;
  const how = o.how ?? "stop";

  refuseUnsurvivable(o.stack, o.forecast);
  say(
    `failure-domain analysis: the site survives the loss of ${host} (${scenario.checks.length} checks)`,
  );
  const gate = await deps.verifyGate();
  if (!gate.ok)
    throw new DrillError(`refused: verify does not pass, fix the site first: ${gate.detail}`);
  say("verify passes");

  // Which Nova servers are the VMs the placement put on the host.
  const vms = await HostVms.resolve(
    deps.nova,
    host,
    o.forecast.vms,
    how,
    o.stopTimeoutSeconds * 1000,
    pollMs,
  );
  const clusters = [...new Set(o.site.clusters.map((c) => c.name))];
  const kubes = new Map(clusters.map((c) => [c, deps.kube(c)]));
  const ingressClusters = o.site.clusters.filter((c) => c.ingress);
  const before = new Map<string, Announced>();
  for (const c of ingressClusters)
    before.set(c.name, await announcements(kubes.get(c.name) as DrillKube).catch(() => new Map()));

  // Writers and probes run from before the loss until after recovery.
  const started = new Date();
  const pools = await Promise.all(o.databases.map((d) => deps.pooler(d)));
  const writers = await Promise.all(
    o.databases.map(async (d, i) => {
      const table = drillTable("host_loss", started);
      const c = await pools[i].connect();
      try {
        await createDrillTable(c, table);
      } finally {
        await c.end().catch(() => undefined);
      }
      const w = new NumberedWriter({
        connect: pools[i].connect,
        table,
        intervalMs: t.writeIntervalMs ?? 200,
        onChange: (_, detail) => say(`database ${d.config.name}: ${detail}`),
      });
      w.start();
      return { db: d, table, w };
    }),
  );
  const probes = new ProbeLoop(o.routes, {
    intervalMs: t.probeIntervalMs ?? 500,
    ca: deps.probeCa,
    onChange: (r, _, detail) => say(`route ${r.name}: ${detail}`),
  });
  probes.start();
  const healthy = async () =>
    probes.allServed && writers.every((x) => x.w.acknowledgedCount > 0 && !x.w.failing);
  const stableMs = t.stableMs ?? 30_000;

  const problems: string[] = [];
  const drained: HostLossReport["drainedNodes"][number][] = [];
  let aborted: string | undefined;
  let settled = false;
  let settleMs = 0;
  let recovered = false;
  let recoverMs = 0;
  const staticIps: StaticIpRecord[] = [];
  const apiAnswered = new Map<string, boolean>();
  const servedAtSettle = new Map<string, boolean>();
  const writableAtSettle = new Map<string, boolean>();
  let tookDown = false;
  const abandon = async (e: unknown): Promise<never> => {
    await probes.stop();
    for (const [i, x] of writers.entries()) {
      await x.w.stop();
      const c = await pools[i].connect().catch(() => undefined);
      await c?.query(`DROP TABLE IF EXISTS ${x.table.qualified}`).catch(() => undefined);
      await c?.end().catch(() => undefined);
      await pools[i].close();
    }
    throw e;
  };
  const takeOutAndRestore = async (): Promise<void> => {
    try {
      const base = await holdFor(healthy, Math.min(stableMs, 5000), 60_000, Math.min(pollMs, 500));
      if (base === undefined)
        throw new DrillError(
          `refused: the site is not healthy before the drill (failing routes: ${probes.failing().join(", ") || "none"}; writers failing: ${
            writers
              .filter((x) => x.w.failing)
              .map((x) => x.db.config.name)
              .join(", ") || "none"
          })`,
        );
      say(
        `baseline healthy; taking ${host} out: ${vms.servers.map((s) => s.name).join(", ") || "no VMs"}`,
      );
      const downAt = Date.now();
      tookDown = true;
      for (const n of o.forecast.existingNodes) {
        const kube = kubes.get(n.cluster) as DrillKube;
        await kube.cordon(n.name, true);
        const left = await kube.drain(n.name, o.stopTimeoutSeconds * 1000);
        drained.push({ ...n, podsLeft: left });
        if (left.length > 0)
          problems.push(
            `drain of ${n.name} left ${left.join(", ")} (held by a PodDisruptionBudget)`,
          );
      }
      const stuck = await vms.takeDown();
      if (stuck.length > 0) {
        aborted = `VM ${stuck.join(", ")} did not reach ${vms.downStatus} within ${o.stopTimeoutSeconds} s; the host was not taken out, the drill is void`;
        say(aborted);
      } else {
        say(`${host} is down; waiting for the site to settle (bound ${o.settleSeconds} s)`);
        const since = await holdFor(
          healthy,
          stableMs,
          o.settleSeconds * 1000,
          pollMs,
          Math.min(t.minDownMs ?? 90_000, o.settleSeconds * 1000),
        );
        settled = since !== undefined;
        settleMs = (since ?? Date.now()) - downAt;
        if (!settled)
          problems.push(
            `the site did not settle within ${o.settleSeconds} s with ${host} down (failing routes: ${probes.failing().join(", ") || "none"}; writers failing: ${
              writers
                .filter((x) => x.w.failing)
                .map((x) => x.db.config.name)
                .join(", ") || "none"
            })`,
          );
        say(
          settled ? `settled after ${secs(settleMs)} s` : `not settled after ${o.settleSeconds} s`,
        );
        for (const r of o.routes) servedAtSettle.set(r.name, !probes.failing().includes(r.name));
        for (const x of writers) writableAtSettle.set(x.db.config.name, !x.w.failing);
        for (const c of o.site.clusters) {
          const kube = kubes.get(c.name) as DrillKube;
          apiAnswered.set(
            c.name,
            await kube.nodes().then(
              () => true,
              () => false,
            ),
          );
        }
        const ips = await staticIpRecords(o.site, (c) => kubes.get(c) as DrillKube, before, host);
        staticIps.push(...ips.records);
        problems.push(...ips.problems);
      }
    } finally {
      // Bring the host back whatever happened.
      const upAt = Date.now();
      problems.push(...(await vms.bringBack()));
      for (const n of drained)
        await (kubes.get(n.cluster) as DrillKube).cordon(n.name, false).catch(() => undefined);
      if (tookDown) say(`${host} is back; waiting for recovery (bound ${o.recoverSeconds} s)`);
      const recoveredCheck = async () => {
        if (!(await healthy())) return false;
        for (const [c, kube] of kubes) {
          const onHost = (await kube.nodes()).filter((n) => n.host === host);
          if (onHost.some((n) => !n.ready || n.unschedulable)) return false;
          for (const d of o.databases.filter((x) => x.config.cluster === c)) {
            const s = await kube.cluster(d.names.namespace, d.names.cluster);
            if (s.phase !== CNPG_HEALTHY || s.readyInstances !== s.instances) return false;
          }
        }
        return true;
      };
      if (tookDown) {
        const since = await holdFor(
          recoveredCheck,
          Math.min(stableMs, 10_000),
          o.recoverSeconds * 1000,
          pollMs,
        );
        recovered = since !== undefined;
        recoverMs = (since ?? Date.now()) - upAt;
        if (!recovered)
          problems.push(
            `the site did not recover within ${o.recoverSeconds} s after ${host} came back`,
          );
      }
    }
  };
  await takeOutAndRestore().catch(abandon);

  // Stop measuring, then check every acknowledged row on each database's primary.
  const routeSummaries = await probes.stop();
  const databases: DatabaseRecord[] = [];
  const databasesOk = new Map<string, boolean>();
  for (const [i, x] of writers.entries()) {
    const summary = await x.w.stop();
    const c = await pools[i].connect();
    let missing: readonly number[];
    try {
      missing = (await checkAcknowledged(c, x.table, summary.acknowledged)).missing;
      await dropDrillTable(c, x.table);
    } finally {
      await c.end().catch(() => undefined);
      await pools[i].close();
    }
    const name = x.db.config.name;
    databases.push({
      database: name,
      unwritableSeconds: summary.unwritable.seconds,
      streaks: summary.unwritable.streaks,
      acknowledged: summary.acknowledged.length,
      missing: missing.length,
      sample: formatRanges(missing),
    });
    if (missing.length > 0)
      problems.push(
        `database ${name}: ${missing.length} acknowledged rows lost (${formatRanges(missing)})`,
      );
    databasesOk.set(name, writableAtSettle.get(name) === true && missing.length === 0);
  }
  const routes = o.routes.map((r) => routeRecord(r, routeSummaries.get(r.name) as never));
  const rows = aborted
    ? []
    : comparePrediction(
        scenario,
        {
          routesServed: servedAtSettle,
          databasesOk,
          staticIpsOnSurvivor: new Map(staticIps.map((s) => [s.ip, s.onSurvivor])),
          apiAnswered,
        },
        o.routes,
      );
  const matched = !aborted && rows.every((r) => r.observed === null || r.observed === r.predicted);
  if (!aborted && !matched)
    problems.push(
      `the failure-domain table predicted survival, but: ${rows
        .filter((r) => r.observed !== null && r.observed !== r.predicted)
        .map((r) => `${r.tier} ${r.subject} (${r.cluster})`)
        .join(", ")}`,
    );
  return {
    drill: "host-loss",
    stack: o.stack,
    host,
    how,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(aborted ? { aborted } : {}),
    vms: vms.records(),
    drainedNodes: drained,
    settled,
    settleSeconds: secs(settleMs),
    recovered,
    recoverSeconds: secs(recoverMs),
    routes,
    databases,
    staticIps,
    prediction: { matched, rows },
    ok: !aborted && problems.length === 0,
    problems,
  };
}
