// The result format shared by the post-deploy commands: one row per check (area, subject,
// status, detail, the object it is about and the runbook section to read), progress lines while
// they run, one table or one JSON document at the end, and the exit code. Pure except Progress,
// which only writes through the function it is given.

/**
 * ok: as promised · warn: works, but look soon (a certificate near expiry) · fail: the promise is
 * broken · unreachable: could not be checked (the detail says why) · skipped: not applicable.
 */
export type CheckStatus = "ok" | "warn" | "fail" | "unreachable" | "skipped";

export interface CheckResult {
  /** e.g. `dns`, `tls`, `route`, `graphql`, `nodes`, `spread`, `static-ip`, `postgres`. */
  readonly area: string;
  /** What was checked, e.g. `reports1.busche-cnc.com`, `database reporting: backups`. */
  readonly subject: string;
  readonly status: CheckStatus;
  /** One line: what was seen (and for a failure, what is wrong). */
  readonly detail: string;
  /** The object a failure is about, e.g. `Cluster postgres-reporting/reporting`. */
  readonly object?: string;
  /** Where to look: a docs/*.md anchor, e.g. `docs/verify.md#backups`. */
  readonly runbook?: string;
}

const MARK: Record<CheckStatus, string> = {
  ok: "ok",
  warn: "WARN",
  fail: "FAIL",
  unreachable: "UNREACHABLE",
  skipped: "skipped",
};

/** Progress lines on a terminal's error stream, so stdout keeps only the table or the JSON. */
export class Progress {
  private done = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly prefix: string,
  ) {}

  /** Something slow starts (a connection, a wait). */
  note(text: string): void {
    this.write(`${this.prefix}: ${text}`);
  }

  /** A check finished. */
  result(r: CheckResult): void {
    this.done++;
    this.write(`${this.prefix}: [${this.done}] ${MARK[r.status]} ${r.area} ${r.subject}`);
  }
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

export function countByStatus(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, unreachable: 0, skipped: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

/** One table; then, for each failure or unreachable check, the object and where to look. */
export function formatTable(title: string, results: readonly CheckResult[]): string {
  const rows = [
    ["area", "subject", "result", "detail"],
    ...results.map((r) => [r.area, r.subject, MARK[r.status], r.detail]),
  ];
  const lines = [title, "", ...pad(rows)];
  const problems = results.filter(
    (r) => r.status === "fail" || r.status === "unreachable" || r.status === "warn",
  );
  if (problems.length > 0) {
    lines.push("", "what to look at:");
    for (const r of problems)
      lines.push(
        `  ${MARK[r.status]} ${r.area} ${r.subject}: ${r.object ? `${r.object} — ` : ""}${r.detail}${r.runbook ? ` (see ${r.runbook})` : ""}`,
      );
  }
  const c = countByStatus(results);
  lines.push(
    "",
    `${c.ok} ok, ${c.warn} warnings, ${c.fail} failed, ${c.unreachable} unreachable, ${c.skipped} skipped`,
  );
  return lines.join("\n");
}

/** 0 all good (warnings allowed) · 1 something failed · 3 nothing failed but something was unreachable. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  if (results.some((r) => r.status === "fail")) return 1;
  if (results.some((r) => r.status === "unreachable")) return 3;
  return 0;
}

export function resultsJson(
  meta: Record<string, unknown>,
  results: readonly CheckResult[],
): Record<string, unknown> {
  return {
    ...meta,
    counts: countByStatus(results),
    exitCode: exitCodeOf(results),
    checks: results,
  };
}
