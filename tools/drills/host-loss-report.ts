// The host-loss drill's forecast (what the failure-domain analysis says losing the host does),
// the comparison of that forecast with what was observed, the report and its text form. Pure.
import { SiteConfig } from "../../config/site";
import { planPlacement, PlannedVm } from "../../components/openstack/placement";
import { plannedClusterNodes } from "../../planning/cluster-nodes";
import {
  analyseHostLoss,
  buildSiteModel,
  FailureScenario,
  Tier,
} from "../../planning/failure-domains";
import { OutageSummary, Streak } from "./outage";
import { Route } from "./probe";
import { DrillError } from "./stack";

export interface Forecast {
  readonly host: string;
  readonly scenario: FailureScenario;
  /** VMs the placement put on the host (stopped through Nova). */
  readonly vms: readonly PlannedVm[];
  /** Nodes of existing clusters on the host (cordoned and drained). */
  readonly existingNodes: readonly { readonly cluster: string; readonly name: string }[];
}

export function forecastHostLoss(site: SiteConfig, host: string): Forecast {
  const placement = planPlacement(site);
  const model = buildSiteModel(site, placement);
  if (!model.hosts.includes(host))
    throw new DrillError(
      `stack '${site.stack}' has no physical host '${host}' (hosts: ${model.hosts.join(", ")})`,
      2,
    );
  const existingNodes = site.clusters
    .filter((c) => c.kind === "existing")
    .flatMap((c) =>
      plannedClusterNodes(site, placement, c.name)
        .filter((n) => n.physicalHost === host)
        .map((n) => ({ cluster: c.name, name: n.name })),
    );
  return {
    host,
    scenario: analyseHostLoss(model, [host]),
    vms: placement.vms.filter((vm) => vm.host === host),
    existingNodes,
  };
}

/** Refuses (DrillError) a host whose loss the failure-domain analysis says the site would not survive. */
export function refuseUnsurvivable(stack: string, forecast: Forecast): void {
  if (forecast.scenario.ok) return;
  const failing = forecast.scenario.checks
    .filter((c) => !c.ok)
    .map((c) => `  - ${c.problem ?? c.detail}`);
  throw new DrillError(
    `refused: the failure-domain analysis says stack '${stack}' does not survive the loss of ${forecast.host}:\n${failing.join("\n")}`,
  );
}

/** What the drill saw once the site settled (or the bound passed) with the host down. */
export interface Observed {
  /** Route name → answered its latest request. */
  readonly routesServed: ReadonlyMap<string, boolean>;
  /** Database → took writes again and lost no acknowledged row. */
  readonly databasesOk: ReadonlyMap<string, boolean>;
  /** Static IP → announced from a node on another physical host. */
  readonly staticIpsOnSurvivor: ReadonlyMap<string, boolean>;
  /** Cluster → its API answered. */
  readonly apiAnswered: ReadonlyMap<string, boolean>;
}

export interface PredictionRow {
  readonly tier: Tier;
  readonly cluster: string;
  readonly subject: string;
  readonly predicted: boolean;
  /** null: not observable from outside (capacity). */
  readonly observed: boolean | null;
  readonly detail: string;
}

function observedFor(
  tier: Tier,
  cluster: string,
  subject: string,
  seen: Observed,
  routes: readonly Route[],
): boolean | null {
  const served = (rs: readonly Route[]) =>
    rs.length === 0 ? null : rs.every((r) => seen.routesServed.get(r.name) === true);
  switch (tier) {
    case "etcd-quorum":
    case "api-endpoint":
      return seen.apiAnswered.get(cluster) ?? null;
    case "postgres":
      return seen.databasesOk.get(subject.replace(/^database /, "")) ?? null;
    case "replicas":
      return subject === "gateway"
        ? served(routes.filter((r) => r.cluster === cluster))
        : served(routes.filter((r) => `service ${r.service}` === subject));
    case "static-ip": {
      const ip = /^static IP (\S+)/.exec(subject)?.[1] ?? "";
      return seen.staticIpsOnSurvivor.get(ip) ?? null;
    }
    case "capacity":
      return null;
  }
}

/** Each check of the forecast beside what was observed. */
export function comparePrediction(
  scenario: FailureScenario,
  seen: Observed,
  routes: readonly Route[],
): PredictionRow[] {
  return scenario.checks.map((c) => ({
    tier: c.tier,
    cluster: c.cluster,
    subject: c.subject,
    predicted: c.ok,
    observed: observedFor(c.tier, c.cluster, c.subject, seen, routes),
    detail: c.ok ? c.detail : (c.problem ?? c.detail),
  }));
}

export interface VmRecord {
  readonly name: string;
  readonly id: string;
  readonly cluster: string;
  /** Seconds from the stop request until Nova reported it stopped (undefined: never). */
  readonly stoppedAfter?: number;
  readonly startedAfter?: number;
  readonly finalStatus: string;
}

export interface RouteRecord {
  readonly route: string;
  readonly ip: string;
  readonly failedSeconds: number;
  readonly failures: number;
  readonly attempts: number;
  readonly streaks: readonly Streak[];
}

export interface DatabaseRecord {
  readonly database: string;
  readonly unwritableSeconds: number;
  readonly streaks: readonly Streak[];
  readonly acknowledged: number;
  readonly missing: number;
  readonly sample: string;
}

export interface StaticIpRecord {
  readonly cluster: string;
  readonly ip: string;
  readonly before?: { readonly node: string; readonly host: string };
  readonly after?: { readonly node: string; readonly host: string };
  readonly onSurvivor: boolean;
}

export interface HostLossReport {
  readonly drill: "host-loss";
  readonly stack: string;
  readonly host: string;
  readonly how: "stop" | "pause";
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Set when the drill stopped early (a VM that would not stop); the host was restored. */
  readonly aborted?: string;
  readonly vms: readonly VmRecord[];
  readonly drainedNodes: readonly { cluster: string; name: string; podsLeft: readonly string[] }[];
  readonly settled: boolean;
  /** From the host going down to the start of the stable window. */
  readonly settleSeconds: number;
  readonly recovered: boolean;
  readonly recoverSeconds: number;
  readonly routes: readonly RouteRecord[];
  readonly databases: readonly DatabaseRecord[];
  readonly staticIps: readonly StaticIpRecord[];
  readonly prediction: { readonly matched: boolean; readonly rows: readonly PredictionRow[] };
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export function routeRecord(route: Route, s: OutageSummary): RouteRecord {
  return {
    route: route.name,
    ip: route.ip,
    failedSeconds: s.seconds,
    failures: s.failures,
    attempts: s.attempts,
    streaks: s.streaks,
  };
}

const yes = (b: boolean | null) => (b === null ? "n/a" : b ? "ok" : "FAIL");

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`.trimEnd());
}

export function formatHostLoss(r: HostLossReport): string {
  const lines = [
    `Host-loss drill, stack ${r.stack}, host ${r.host} (${r.how}): ${r.ok ? "PASS" : r.aborted ? "ABORTED" : "FAIL"}`,
    ...(r.aborted ? [`  aborted: ${r.aborted}`] : []),
    `  VMs: ${r.vms.map((v) => `${v.name} ${v.finalStatus}`).join(", ") || "none"}` +
      (r.drainedNodes.length > 0
        ? `; drained: ${r.drainedNodes.map((n) => n.name).join(", ")}`
        : ""),
    `  settled: ${r.settled ? `after ${r.settleSeconds} s` : "NO"} · recovered: ${r.recovered ? `after ${r.recoverSeconds} s` : "NO"}`,
    "",
    ...table([
      ["route", "static IP", "failed s", "failed requests"],
      ...r.routes.map((x) => [
        x.route,
        x.ip,
        String(x.failedSeconds),
        `${x.failures}/${x.attempts}`,
      ]),
    ]),
    "",
    ...table([
      ["database", "no writable primary s", "acknowledged", "lost"],
      ...r.databases.map((d) => [
        d.database,
        String(d.unwritableSeconds),
        String(d.acknowledged),
        d.missing > 0 ? `${d.missing} (${d.sample})` : "0",
      ]),
    ]),
    "",
    ...table([
      ["static IP", "before", "after", "on a survivor"],
      ...r.staticIps.map((s) => [
        s.ip,
        s.before ? `${s.before.node} (${s.before.host})` : "-",
        s.after ? `${s.after.node} (${s.after.host})` : "-",
        s.onSurvivor ? "yes" : "NO",
      ]),
    ]),
    "",
    `  failure-domain table ${r.prediction.matched ? "predicted the outcome" : "did NOT predict the outcome"}:`,
    ...table([
      ["tier", "cluster", "subject", "predicted", "observed"],
      ...r.prediction.rows.map((p) => [
        p.tier,
        p.cluster,
        p.subject,
        yes(p.predicted),
        yes(p.observed),
      ]),
    ]),
    ...(r.problems.length > 0 ? ["", "problems:", ...r.problems.map((p) => `  - ${p}`)] : []),
  ];
  return lines.join("\n");
}
