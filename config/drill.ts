// `plant:databases[].drill`: what `npm run drill:restore` checks in a restored copy of the
// database. Each check is one read-only SQL query returning one row with one column, and what
// that value must be: an exact value, or a numeric range (`{ min, max }`, e.g. a row count).
// Formats here (schema), relations in drillProblems.
import { z } from "zod";

export const drillExpectSchema = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.strictObject({ min: z.number().optional(), max: z.number().optional() }),
  ],
  { error: "must be a value (text, number, true/false or null) or a range { min, max }" },
);

export const drillCheckSchema = z.strictObject({
  /** Names the check in the report. */
  name: z
    .string()
    .regex(/^[a-z0-9][-a-z0-9_]{0,62}$/, "must be lowercase letters, digits, - and _ (≤ 63)"),
  /** One statement, run in a read-only transaction on the restored copy. */
  sql: z.string().trim().min(1, "must not be empty"),
  expect: drillExpectSchema,
});

export const drillSchema = z.strictObject({
  checks: z.array(drillCheckSchema).default([]),
});

export type DrillCheck = z.infer<typeof drillCheckSchema>;
export type DrillExpect = z.infer<typeof drillExpectSchema>;
export type DrillConfig = z.infer<typeof drillSchema>;

interface Problem {
  readonly key: string;
  readonly message: string;
}

/** Two statements in one check (a `;` before the end, outside quotes) cannot run as one query. */
function statementCount(sql: string): number {
  const stripped = sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/--[^\n]*/g, "")
    .trim()
    .replace(/;\s*$/, "");
  return stripped.split(";").length;
}

export function drillProblems(
  databases: readonly { name: string; drill: DrillConfig }[],
): Problem[] {
  const problems: Problem[] = [];
  databases.forEach((db, di) => {
    const seen = new Map<string, number>();
    db.drill.checks.forEach((c, ci) => {
      const key = `plant:databases[${di}].drill.checks[${ci}]`;
      const first = seen.get(c.name);
      if (first !== undefined)
        problems.push({
          key: `${key}.name`,
          message: `'${c.name}' is used twice in database ${db.name} (also checks[${first}])`,
        });
      else seen.set(c.name, ci);
      if (statementCount(c.sql) > 1)
        problems.push({
          key: `${key}.sql`,
          message: "holds several statements; a check is one query returning one value",
        });
      const e = c.expect;
      if (e !== null && typeof e === "object") {
        if (e.min === undefined && e.max === undefined)
          problems.push({ key: `${key}.expect`, message: "a range needs min, max or both" });
        else if (e.min !== undefined && e.max !== undefined && e.min > e.max)
          problems.push({
            key: `${key}.expect`,
            message: `min ${e.min} is above max ${e.max}`,
          });
      }
    });
  });
  return problems;
}
