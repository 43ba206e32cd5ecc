// Renders a failure-domain result as a plain-text table for the offline plan and for review.
import type { FailureDomainResult } from "./failure-domains";

function hostSet(hosts: readonly string[]): string {
  return hosts.length === 0 ? "(none)" : hosts.join("+");
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

/** One row per (failed host set × check); failures marked FAIL with the refusal sentence. */
export function formatFailureTable(result: FailureDomainResult): string {
  const failed = result.scenarios.filter((s) => !s.ok).length;
  const f = result.failuresTolerated;
  const head =
    `Failure domains of site ${result.site}: tolerates ${f} failed physical host${f === 1 ? "" : "s"}; ` +
    `${result.scenarios.length} host set${result.scenarios.length === 1 ? "" : "s"} of ${result.hosts.length} hosts checked: ` +
    (failed === 0 ? "every tier survives." : `${failed} FAIL.`);
  const rows: string[][] = [["down", "tier", "cluster", "subject", "result", "detail"]];
  for (const s of result.scenarios) {
    for (const c of s.checks) {
      rows.push([
        hostSet(s.failedHosts),
        c.tier,
        c.cluster,
        c.subject,
        c.ok ? "ok" : "FAIL",
        c.ok ? c.detail : (c.problem ?? c.detail),
      ]);
    }
  }
  const [header, ...body] = pad(rows);
  const rule = header.replace(/[^|]/g, "-");
  const notes = result.warnings.map((w) => `note: ${w}`);
  return [head, header, rule, ...body, ...notes].join("\n");
}
