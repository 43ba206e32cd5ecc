// Failure-domain analysis: for every set of f failed physical hosts (f = the site's tolerated
// failures), check that each tier of every cluster survives. Pure; program.ts calls
// assertSiteSurvives before any resource exists, the offline plan prints formatFailureTable.
import { SiteConfig, SiteConfigError } from "../config/site";
import { Placement } from "../components/openstack/placement";
import { quorumAfterLosses, synchronousNumber } from "../components/postgres/quorum";
import { failureFixes } from "./failure-hints";
import { Amount, buildSiteModel, ClusterModel, ModelNode, SiteModel } from "./failure-model";

export { formatFailureTable } from "./failure-table";
export { ASSUMED, buildSiteModel } from "./failure-model";

export type Tier =
  "etcd-quorum" | "api-endpoint" | "postgres" | "replicas" | "capacity" | "static-ip";

export interface TierCheck {
  readonly tier: Tier;
  readonly cluster: string;
  /** What is checked, e.g. `control plane`, `database reporting`, `service report-web`. */
  readonly subject: string;
  readonly ok: boolean;
  /** One line for the table. */
  readonly detail: string;
  /** Set when !ok: the sentence used in the refusal. */
  readonly problem?: string;
}

export interface FailureScenario {
  readonly failedHosts: readonly string[];
  readonly checks: readonly TierCheck[];
  readonly ok: boolean;
}

export interface FailureDomainResult {
  readonly site: string;
  readonly failuresTolerated: number;
  readonly hosts: readonly string[];
  readonly scenarios: readonly FailureScenario[];
  readonly ok: boolean;
  /** Risks that do not refuse the site but an operator should know. */
  readonly warnings: readonly string[];
}

/** All k-element subsets of items, in lexicographic order of positions. */
export function combinations<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const pick: T[] = [];
  const walk = (start: number): void => {
    if (pick.length === k) {
      out.push([...pick]);
      return;
    }
    for (let i = start; i <= items.length - (k - pick.length); i++) {
      pick.push(items[i]);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return out;
}

/** Numbers in messages: at most two decimals, no trailing zeros. */
export function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function check(
  tier: Tier,
  cluster: string,
  subject: string,
  ok: boolean,
  detail: string,
  problem: string,
): TierCheck {
  return ok
    ? { tier, cluster, subject, ok, detail }
    : { tier, cluster, subject, ok, detail, problem };
}

/** Pods are spread evenly over `hosts` hosts; the worst case puts the fullest ones on the `failed` hosts. */
export function worstCaseLost(replicas: number, hosts: number, failed: number): number {
  if (hosts === 0) return replicas;
  const base = Math.floor(replicas / hosts);
  const fuller = replicas % hosts;
  const k = Math.min(failed, hosts);
  return k * base + Math.min(k, fuller);
}

function clusterChecks(c: ClusterModel, down: ReadonlySet<string>, f: number): TierCheck[] {
  const alive = (n: ModelNode): boolean => !down.has(n.physicalHost);
  const checks: TierCheck[] = [];

  const cp = c.nodes.filter((n) => n.controlPlane);
  const cpAlive = cp.filter(alive).length;
  if (cp.length > 0) {
    const quorum = Math.floor(cp.length / 2) + 1;
    checks.push(
      check(
        "etcd-quorum",
        c.name,
        "control plane",
        cpAlive >= quorum,
        `${cpAlive} of ${cp.length} control-plane members left (quorum ${quorum})`,
        `cluster ${c.name} loses etcd quorum (${cpAlive} of ${cp.length} control-plane members left)`,
      ),
    );
  }
  const endpointLost = c.apiEndpointNode && down.has(c.apiEndpointNode.physicalHost);
  checks.push(
    check(
      "api-endpoint",
      c.name,
      "API endpoint",
      cp.length === 0 || cpAlive >= 1,
      cp.length === 0
        ? "control-plane nodes not listed: not checked"
        : `${plural(cpAlive, "control-plane node")} can serve it` +
            (endpointLost ? ` (switch clients away from ${c.apiEndpointNode?.node})` : ""),
      `cluster ${c.name} loses its API endpoint (no control-plane node left)`,
    ),
  );

  const schedHosts = new Set(c.nodes.filter((n) => n.schedulable).map((n) => n.physicalHost));
  const failedSched = [...schedHosts].filter((h) => down.has(h)).length;
  const survivingSched = schedHosts.size - failedSched;

  for (const db of c.databases) {
    const subject = `database ${db.name}`;
    if (db.instances > schedHosts.size) {
      const msg = `${subject} needs ${db.instances} instances on distinct physical hosts, but cluster ${c.name} schedules pods on only ${plural(schedHosts.size, "host")}`;
      checks.push(check("postgres", c.name, subject, false, msg, msg));
      continue;
    }
    // Required anti-affinity puts one instance per host; the worst case has every failed host
    // carrying one. The same quorum rule as the Cluster spec (quorum.ts): the failover quorum
    // must allow a promotion and enough standbys must remain to acknowledge writes.
    const lost = Math.min(db.instances, failedSched);
    const left = db.instances - lost;
    const sync = synchronousNumber(db.instances, f);
    const { canPromote, canWrite } = quorumAfterLosses(db.instances, sync, lost);
    const waiting = Math.max(0, db.instances - survivingSched);
    const standbys = plural(sync, "synchronous standby", "synchronous standbys");
    const why = [
      canPromote
        ? ""
        : `cannot promote a standby (the failover quorum needs the synchronous number ≥ the ${plural(lost, "instance")} lost)`,
      canWrite
        ? ""
        : `cannot acknowledge writes (a primary and ${standbys} need ${sync + 1} instances)`,
    ].filter(Boolean);
    const problem = `${subject} on cluster ${c.name} ${why.join(" and ")} (${left} of ${db.instances} instances left, synchronous number ${sync})`;
    checks.push(
      check(
        "postgres",
        c.name,
        subject,
        canPromote && canWrite,
        `${left} of ${db.instances} instances left: primary + ${standbys}` +
          (waiting > 0
            ? `; ${waiting} ${waiting === 1 ? "waits" : "wait"} for a host to return`
            : ""),
        problem,
      ),
    );
  }

  for (const w of c.spread) {
    const left = w.replicas - worstCaseLost(w.replicas, schedHosts.size, failedSched);
    const where = `${plural(w.replicas, "replica")} spread over ${plural(schedHosts.size, "physical host")}`;
    checks.push(
      check(
        "replicas",
        c.name,
        w.subject,
        left >= 1,
        `${left} of ${plural(w.replicas, "replica")} left in the worst case`,
        `${w.subject} on cluster ${c.name} has no ready replica (${where}; all can be on the failed hosts)`,
      ),
    );
  }

  checks.push(
    capacityCheck(
      c,
      c.nodes.filter((n) => n.schedulable && alive(n)),
    ),
  );

  const aliveNodes = c.nodes.filter(alive).length;
  for (const ip of c.staticIps) {
    checks.push(
      check(
        "static-ip",
        c.name,
        `static IP ${ip.ip} (${ip.name})`,
        aliveNodes >= 1,
        `${plural(aliveNodes, "surviving node")} may announce it`,
        `static IP ${ip.ip} (${ip.name}) of cluster ${c.name} has no surviving node to announce it`,
      ),
    );
  }
  return checks;
}

function capacityCheck(c: ClusterModel, nodes: readonly ModelNode[]): TierCheck {
  const need: Amount = c.pods.reduce(
    (a, p) => ({
      cpu: a.cpu + p.count * p.request.cpu,
      memoryGb: a.memoryGb + p.count * p.request.memoryGb,
    }),
    { cpu: 0, memoryGb: 0 },
  );
  const have: Amount = nodes.reduce(
    (a, n) => ({ cpu: a.cpu + n.allocatable.cpu, memoryGb: a.memoryGb + n.allocatable.memoryGb }),
    { cpu: 0, memoryGb: 0 },
  );
  const summary = `pods request ${fmt(need.cpu)} CPU / ${fmt(need.memoryGb)} GiB, surviving nodes offer ${fmt(have.cpu)} CPU / ${fmt(have.memoryGb)} GiB`;
  const short = [
    need.cpu > have.cpu ? "CPU" : "",
    need.memoryGb > have.memoryGb ? "memory" : "",
  ].filter(Boolean);
  if (short.length > 0) {
    return check(
      "capacity",
      c.name,
      "pod requests",
      false,
      summary,
      `cluster ${c.name} lacks ${short.join(" and ")} for its pods (${summary})`,
    );
  }
  // Aggregate room is not enough if the biggest pod fits on no single node.
  const biggest = nodes.reduce(
    (a, n) => ({
      cpu: Math.max(a.cpu, n.allocatable.cpu),
      memoryGb: Math.max(a.memoryGb, n.allocatable.memoryGb),
    }),
    { cpu: 0, memoryGb: 0 },
  );
  const misfit = c.pods.find(
    (p) =>
      p.count > 0 &&
      !nodes.some(
        (n) => n.allocatable.cpu >= p.request.cpu && n.allocatable.memoryGb >= p.request.memoryGb,
      ),
  );
  if (misfit) {
    const problem = `cluster ${c.name} has no surviving node that fits one ${misfit.what} pod (${fmt(misfit.request.cpu)} CPU / ${fmt(misfit.request.memoryGb)} GiB; largest node offers ${fmt(biggest.cpu)} CPU / ${fmt(biggest.memoryGb)} GiB)`;
    return check("capacity", c.name, "pod requests", false, summary, problem);
  }
  return check("capacity", c.name, "pod requests", true, summary, "");
}

function warningsOf(model: SiteModel): string[] {
  return model.clusters.flatMap((c) =>
    c.apiEndpointNode
      ? [
          `cluster ${c.name}: apiEndpoint ${c.apiEndpointNode.endpoint} is the address of node ${c.apiEndpointNode.node} (on ${c.apiEndpointNode.physicalHost}), not a floating address; while ${c.apiEndpointNode.physicalHost} is down, deploys need another control-plane node's address`,
        ]
      : [],
  );
}

/** Checks every tier of every cluster for every set of f failed physical hosts. */
export function analyseModel(model: SiteModel): FailureDomainResult {
  const f = Math.min(model.failuresTolerated, model.hosts.length);
  const scenarios = combinations(model.hosts, f).map((failedHosts) => {
    const down = new Set(failedHosts);
    const checks = model.clusters.flatMap((c) => clusterChecks(c, down, model.failuresTolerated));
    return { failedHosts, checks, ok: checks.every((x) => x.ok) };
  });
  return {
    site: model.site,
    failuresTolerated: model.failuresTolerated,
    hosts: model.hosts,
    scenarios,
    ok: scenarios.every((s) => s.ok),
    warnings: warningsOf(model),
  };
}

export function analyseFailureDomains(site: SiteConfig, placement: Placement): FailureDomainResult {
  return analyseModel(buildSiteModel(site, placement));
}

export function hostSetLabel(hosts: readonly string[]): string {
  return hosts.length === 0 ? "no host" : hosts.join("+");
}

const MAX_REPORTED = 20;

/** Refuses (SiteConfigError) a site where some set of f failed hosts breaks a tier. */
export function assertSiteSurvives(site: SiteConfig, placement: Placement): FailureDomainResult {
  const result = analyseFailureDomains(site, placement);
  if (result.ok) return result;
  const messages = result.scenarios.flatMap((s) =>
    s.checks
      .filter((c) => !c.ok)
      .map((c) => `with ${hostSetLabel(s.failedHosts)} down, ${c.problem ?? c.detail}`),
  );
  const shown = messages.slice(0, MAX_REPORTED);
  if (messages.length > shown.length)
    shown.push(`… and ${messages.length - shown.length} more failures`);
  const failed = result.scenarios.flatMap((s) => s.checks.filter((c) => !c.ok));
  throw new SiteConfigError(site.stack, [
    ...shown.map((message) => ({ key: "plant:site.failuresTolerated", message })),
    // Then the knob that fixes each broken tier, at its own key.
    ...failureFixes(site, failed),
  ]);
}
