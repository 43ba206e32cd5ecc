// The drill table and the check of acknowledged rows. A drill writes numbered rows into its own
// table in the schema `plant_drill` (never an application table), then asks the primary which of
// the acknowledged numbers it holds. Every acknowledged number must be there: a commit the client
// saw succeed and the new primary lacks is a lost write.
import type { ClientBase } from "pg";

export const DRILL_SCHEMA = "plant_drill";

export interface DrillTable {
  /** `plant_drill.<kind>_<UTC timestamp>`, already quoted-safe (lower case, digits, _). */
  readonly qualified: string;
  readonly name: string;
}

/** A table name unique to this run: `switchover_20261130t150700z`. */
export function drillTable(kind: "switchover" | "host_loss", at: Date): DrillTable {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, "z")
    .replace(/[-:]/g, "")
    .toLowerCase();
  const name = `${kind}_${stamp}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad drill table name ${name}`);
  return { name, qualified: `${DRILL_SCHEMA}.${name}` };
}

export async function createDrillTable(client: ClientBase, table: DrillTable): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${DRILL_SCHEMA}`);
  await client.query(
    `CREATE TABLE ${table.qualified} (seq bigint PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
}

export async function dropDrillTable(client: ClientBase, table: DrillTable): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table.qualified}`);
}

export interface RowCheck {
  readonly acknowledged: number;
  readonly present: number;
  /** Acknowledged numbers the primary does not hold, ascending (must be empty). */
  readonly missing: readonly number[];
  /** Rows present that were never acknowledged (commits whose answer was lost): harmless. */
  readonly unacknowledgedPresent: number;
}

/** Which acknowledged numbers the server `client` talks to holds. */
export async function checkAcknowledged(
  client: ClientBase,
  table: DrillTable,
  acknowledged: readonly number[],
): Promise<RowCheck> {
  let rows: { seq: string }[];
  try {
    rows = (await client.query<{ seq: string }>(`SELECT seq FROM ${table.qualified}`)).rows;
  } catch (e) {
    // No table at all: the promotion lost even its creation, so every acknowledged row is gone.
    if ((e as { code?: string }).code !== "42P01") throw e;
    rows = [];
  }
  const present = new Set(rows.map((r) => Number(r.seq)));
  const acked = new Set(acknowledged);
  const missing = [...acked].filter((s) => !present.has(s)).sort((a, b) => a - b);
  return {
    acknowledged: acked.size,
    present: acked.size - missing.length,
    missing,
    unacknowledgedPresent: [...present].filter((s) => !acked.has(s)).length,
  };
}

/** `1-4, 9, 12-13`: missing numbers for a report line. */
export function formatRanges(numbers: readonly number[], max = 12): string {
  const ranges: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    ranges.push(i === j ? String(numbers[i]) : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return ranges.length > max
    ? `${ranges.slice(0, max).join(", ")}, … (${ranges.length - max} more ranges)`
    : ranges.join(", ");
}
