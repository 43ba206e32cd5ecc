// The preflight's answer: one table (text) or one document (--json), the exit code, and for each
// conflict the adopt entry that would take the object over. Pure.
import { stringify } from "yaml";
import { objectLabel, PROBLEM_VERDICTS, Row, Verdict } from "./verdict";

export interface ClusterResult {
  readonly name: string;
  readonly index: number;
  readonly kind: "openstack" | "existing";
  /** Where the kubeconfig came from. */
  readonly source: string;
  readonly status: "checked" | "not-deployed" | "error";
  readonly server?: string;
  readonly auth?: string;
  /** One line: why the cluster could not be checked. */
  readonly error?: string;
  /** Objects the program would create there (for not-deployed clusters). */
  readonly planned: number;
  readonly rows: readonly Row[];
}

export interface PreflightReport {
  readonly stack: string;
  readonly stateNote: string;
  readonly clusters: readonly ClusterResult[];
}

/** 0 nothing in the way · 1 conflicts or adoption problems · 3 something could not be checked. */
export function exitCodeOf(report: PreflightReport): number {
  const rows = report.clusters.flatMap((c) => c.rows);
  if (rows.some((r) => PROBLEM_VERDICTS.has(r.verdict))) return 1;
  if (
    report.clusters.some((c) => c.status === "error") ||
    rows.some((r) => r.verdict === "unchecked")
  )
    return 3;
  return 0;
}

function counts(rows: readonly Row[]): Record<Verdict, number> {
  const out: Record<Verdict, number> = {
    ok: 0,
    adopt: 0,
    conflict: 0,
    "adopt-missing": 0,
    unmatched: 0,
    unchecked: 0,
    info: 0,
  };
  for (const r of rows) out[r.verdict]++;
  return out;
}

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join(" | ")
      .trimEnd(),
  );
}

function clusterLine(c: ClusterResult): string {
  const where = c.server ? ` ${c.server}` : "";
  const auth = c.auth ? `, ${c.auth}` : "";
  switch (c.status) {
    case "checked":
      return `cluster ${c.name}:${where} (kubeconfig from ${c.source}${auth})`;
    case "not-deployed":
      return `cluster ${c.name}: not created yet (no kubeconfig in ${c.source}); a new cluster holds nothing the program would create (${c.planned} objects)`;
    case "error":
      return `error: cluster ${c.name} (kubeconfig from ${c.source}): ${c.error}`;
  }
}

/** The adopt entries that would take over each conflicting object, as YAML to paste. */
export function adoptSuggestions(report: PreflightReport): string[] {
  const lines: string[] = [];
  for (const c of report.clusters) {
    const conflicts = c.rows.filter(
      (r) =>
        r.verdict === "conflict" && !r.adoptKey && r.kind !== "Chart" && r.kind !== "ConfigFile",
    );
    if (conflicts.length === 0) continue;
    const entries = conflicts.map((r) => ({
      kind: r.kind,
      name: r.name,
      ...(r.namespace ? { namespace: r.namespace } : {}),
      reason: `${r.helmRelease ? `part of Helm release ${r.helmRelease}; ` : ""}<who installed it, why the program takes it over>`,
    }));
    lines.push(
      `To take these over instead of creating them (read docs/preflight.md first), add to plant:clusters[${c.index}] (${c.name}):`,
      ...stringify({ adopt: entries }, { lineWidth: 0 })
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`),
    );
  }
  return lines;
}

export function formatReport(report: PreflightReport): string {
  const all = report.clusters.flatMap((c) => c.rows);
  const table: string[][] = [
    ["cluster", "object", "declared by", "program", "in the cluster", "verdict"],
  ];
  for (const r of all)
    table.push([r.cluster, objectLabel(r), r.declaredBy, r.action, r.found, r.detail]);
  const out = [
    `Preflight of stack '${report.stack}': what the program would create, against what each cluster holds.`,
  ];
  out.push(...report.clusters.map(clusterLine), `note: ${report.stateNote}`, "");
  if (all.length > 0) {
    const [header, ...body] = pad(table);
    out.push(header, header.replace(/[^|]/g, "-"), ...body, "");
  }
  const n = counts(all);
  const failed = report.clusters.filter((c) => c.status === "error").length;
  const fresh = report.clusters.filter((c) => c.status === "not-deployed").length;
  out.push(
    `Judged ${all.length - n.info}: ${n.ok} ok, ${n.adopt} adopt, ${n.conflict} conflict, ` +
      `${n["adopt-missing"]} import would fail, ${n.unmatched} unmatched adopt entries, ${n.unchecked} unchecked` +
      (failed > 0 ? `; ${failed} cluster${failed > 1 ? "s" : ""} not reachable` : "") +
      (fresh > 0 ? `; ${fresh} cluster${fresh > 1 ? "s" : ""} not created yet` : ""),
  );
  const suggestions = adoptSuggestions(report);
  if (suggestions.length > 0) out.push("", ...suggestions);
  return out.join("\n");
}

export function reportJson(report: PreflightReport): Record<string, unknown> {
  const all = report.clusters.flatMap((c) => c.rows);
  return {
    stack: report.stack,
    state: report.stateNote,
    exitCode: exitCodeOf(report),
    summary: counts(all),
    clusters: report.clusters.map((c) => ({
      name: c.name,
      kind: c.kind,
      kubeconfig: c.source,
      status: c.status,
      ...(c.server ? { server: c.server } : {}),
      ...(c.auth ? { auth: c.auth } : {}),
      ...(c.error ? { error: c.error } : {}),
      planned: c.planned,
      objects: c.rows.map((r) => ({
        kind: r.kind,
        ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}),
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
        declaredBy: r.declaredBy,
        action: r.action,
        found: r.found,
        ...(r.observation ? { observed: r.observation } : {}),
        verdict: r.verdict,
        detail: r.detail,
        ...(r.adoptKey ? { adoptKey: r.adoptKey } : {}),
      })),
    })),
  };
}
