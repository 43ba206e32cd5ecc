// The consistency checks of a restore drill: each configured query (plant:databases[].drill)
// runs through `pg` in its own read-only transaction with a statement timeout, must return one
// row with one column, and that value is compared with what the config expects.
import type { Client, QueryArrayConfig } from "pg";
import { DrillCheck, DrillExpect } from "../../config/drill";

export interface CheckOutcome {
  readonly name: string;
  readonly ok: boolean;
  /** The value the query returned, as text (undefined when the query failed). */
  readonly value?: string;
  readonly detail: string;
}

function show(v: unknown): string {
  return v === null ? "null" : typeof v === "string" ? `'${v}'` : String(v);
}

function describeExpect(e: DrillExpect): string {
  if (e !== null && typeof e === "object") {
    if (e.min !== undefined && e.max !== undefined) return `between ${e.min} and ${e.max}`;
    return e.min !== undefined ? `at least ${e.min}` : `at most ${e.max}`;
  }
  return show(e);
}

/** Does `value` (as pg returns it: bigint and numeric as text) meet `expect`? */
export function meets(value: unknown, expect: DrillExpect): boolean {
  if (expect === null) return value === null;
  if (typeof expect === "boolean") return value === expect;
  if (typeof expect === "string") return value !== null && String(value) === expect;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (typeof expect === "number") return n === expect;
  if (!Number.isFinite(n)) return false;
  return (
    (expect.min === undefined || n >= expect.min) && (expect.max === undefined || n <= expect.max)
  );
}

export async function runCheck(
  client: Client,
  check: DrillCheck,
  timeoutMs: number,
): Promise<CheckOutcome> {
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    // The extended protocol runs exactly one statement (pg 8.23's queryMode; not in @types/pg).
    const query: QueryArrayConfig & { queryMode: "extended" } = {
      text: check.sql,
      rowMode: "array",
      queryMode: "extended",
    };
    const res = await client.query(query);
    const rows = res.rows as unknown[][];
    if (rows.length !== 1 || rows[0].length !== 1)
      return {
        name: check.name,
        ok: false,
        detail: `returned ${rows.length} rows × ${res.fields.length} columns; a check returns one value`,
      };
    const value = rows[0][0];
    const ok = meets(value, check.expect);
    return {
      name: check.name,
      ok,
      value: show(value),
      detail: ok
        ? `${show(value)} (expected ${describeExpect(check.expect)})`
        : `${show(value)}, expected ${describeExpect(check.expect)}`,
    };
  } catch (e) {
    const err = e as { message?: string; code?: string };
    return {
      name: check.name,
      ok: false,
      detail: `query failed: ${err.message ?? String(e)}${err.code ? ` (SQLSTATE ${err.code})` : ""}`,
    };
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
  }
}

export async function runChecks(
  client: Client,
  checks: readonly DrillCheck[],
  timeoutMs: number,
): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  for (const c of checks) out.push(await runCheck(client, c, timeoutMs));
  return out;
}

/**
 * The time of the last transaction the restore replayed: from the recovery log line PostgreSQL
 * writes when recovery ends ("last completed transaction was at log time …"), as CloudNativePG's
 * full-recovery job logs it (JSON lines with the server's record inside).
 */
export function recoveryPointFromLog(log: string): Date | undefined {
  const times = [
    ...log.matchAll(/last completed transaction was at log time ([0-9][0-9:.+\- ]+[0-9])/g),
  ];
  const last = times[times.length - 1]?.[1];
  if (!last) return undefined;
  // `2026-11-20 14:29:59.123456+00` → ISO.
  const iso = last
    .trim()
    .replace(" ", "T")
    .replace(/([+-]\d\d)$/, "$1:00");
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
