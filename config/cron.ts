// Cron expressions checked the way each consumer parses them (robfig/cron's range grammar):
// CloudNativePG's ScheduledBackup calls robfig/cron v1 `cron.Parse` — six fields, seconds first,
// and it would also take five, reading them as second…month (so `0 2 * * *` would back up every
// hour); a Kubernetes CronJob uses robfig/cron v3 `ParseStandard` — five fields, minute first.
// The one cron reader: the schema, the clock-change rules (schedule-rules.ts),
// `npm run verify` (tools/verify/cron.ts) and the backup-age alert (components/observability/
// cron.ts) all read schedules here. Pure.

export type CronConsumer = "scheduled-backup" | "cronjob";

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const SECOND: Field = { name: "second", min: 0, max: 59 };
const MINUTE: Field = { name: "minute", min: 0, max: 59 };
const HOUR: Field = { name: "hour", min: 0, max: 23 };
const DOM: Field = { name: "day-of-month", min: 1, max: 31 };
const MONTH: Field = {
  name: "month",
  min: 1,
  max: 12,
  names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])),
};
const DOW: Field = {
  name: "day-of-week",
  min: 0,
  max: 6,
  names: Object.fromEntries(DAYS.map((d, i) => [d, i])),
};

const CONSUMERS: Readonly<
  Record<CronConsumer, { fields: readonly Field[]; who: string; example: string; count: string }>
> = {
  "scheduled-backup": {
    fields: [SECOND, MINUTE, HOUR, DOM, MONTH, DOW],
    who: "CloudNativePG's ScheduledBackup",
    example: "0 0 3 * * *",
    count: "six-field cron expression (seconds first)",
  },
  cronjob: {
    fields: [MINUTE, HOUR, DOM, MONTH, DOW],
    who: "a Kubernetes CronJob",
    example: "0 6 * * *",
    count: "five-field cron expression",
  },
};

/**
 * Descriptors both parsers accept (`@every` is left out: write the fields), as the six fields
 * robfig/cron expands them to; a CronJob drops the seconds.
 */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 0 1 1 *",
  "@annually": "0 0 0 1 1 *",
  "@monthly": "0 0 0 1 * *",
  "@weekly": "0 0 0 * * 0",
  "@daily": "0 0 0 * * *",
  "@midnight": "0 0 0 * * *",
  "@hourly": "0 0 * * * *",
};

/** Longest month per month number (February 29: the schedule fires in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function value(text: string, field: Field): number | string {
  const named = field.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[0-9]+$/.test(text)) return `'${text}' is not a number${field.names ? " or name" : ""}`;
  return Number(text);
}

/** The values one field selects, or why it is invalid (robfig/cron's getRange rules). */
function parseField(text: string, field: Field): { values: Set<number>; star: boolean } | string {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(",")) {
    if (item === "") return "has an empty list item";
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) return `'${item}' has more than one '/'`;
    let start: number | string;
    let end: number | string;
    const all = range === "*" || range === "?";
    if (all) {
      [start, end] = [field.min, field.max];
    } else {
      const bounds = range.split("-");
      if (bounds.length > 2) return `'${item}' has more than one '-'`;
      start = value(bounds[0], field);
      end = bounds.length === 2 ? value(bounds[1], field) : start;
      // `N/step` means N to the end of the field.
      if (bounds.length === 1 && step !== undefined) end = field.max;
    }
    if (typeof start === "string") return start;
    if (typeof end === "string") return end;
    let by = 1;
    if (step !== undefined) {
      if (!/^[0-9]+$/.test(step) || Number(step) === 0)
        return `'${item}' needs a positive whole step after '/'`;
      by = Number(step);
    }
    // robfig/cron's star bit: `*` or `?` without a step above 1 (`*/2` is a restriction).
    if (all && by === 1) star = true;
    if (start < field.min || end > field.max)
      return `'${item}' is outside ${field.min}-${field.max}`;
    if (start > end) return `'${item}' starts after it ends`;
    for (let v = start; v <= end; v += by) values.add(v);
  }
  return { values, star };
}

/** What one field selects: its values, and whether it was `*` (or `?`). */
export interface Selection {
  readonly values: Set<number>;
  readonly star: boolean;
}

/**
 * Every field of `expression` as `consumer` reads it (descriptors expanded), in the consumer's
 * field order, or why it is not a schedule `consumer` runs as meant.
 */
export function parseCron(expression: string, consumer: CronConsumer): Selection[] | string {
  const c = CONSUMERS[consumer];
  let text = expression.trim();
  if (text.startsWith("@")) {
    const expanded = DESCRIPTORS[text];
    if (expanded === undefined)
      return `must be a ${c.count} or one of ${Object.keys(DESCRIPTORS).join(", ")}`;
    text = consumer === "cronjob" ? expanded.split(" ").slice(1).join(" ") : expanded;
  }
  if (/(^|\s)(CRON_)?TZ=/.test(text))
    return `sets a time zone, which ${c.who} does not take in the schedule`;
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== c.fields.length) {
    const order = c.fields.map((f) => f.name).join(" ");
    const shifted =
      consumer === "scheduled-backup" && parts.length === 5
        ? `; five fields would be read as ${c.fields
            .slice(0, 5)
            .map((f) => f.name)
            .join(" ")}, shifting every field by one`
        : "";
    return `must be a ${c.count} as ${c.who} reads it (${order}, e.g. '${c.example}'): it has ${parts.length}${shifted}`;
  }
  const parsed: Selection[] = [];
  for (const [i, field] of c.fields.entries()) {
    const result = parseField(parts[i], field);
    if (typeof result === "string") return `has an invalid ${field.name} field: ${result}`;
    parsed.push(result);
  }
  // Day of month and day of week combine with OR unless one is '*'; a day of month that no
  // selected month has then never comes (robfig/cron finds no next time and never runs).
  const [dom, month, dow] = parsed.slice(-3);
  if (!dom.star && dow.star) {
    const possible = [...month.values].some((m) =>
      [...dom.values].some((d) => d <= MONTH_DAYS[m - 1]),
    );
    if (!possible) return "never fires: no selected month has the selected day of month";
  }
  return parsed;
}

/** Why `expression` is not a schedule `consumer` runs as meant, or undefined. */
export function cronProblem(expression: string, consumer: CronConsumer): string | undefined {
  const parsed = parseCron(expression, consumer);
  return typeof parsed === "string" ? parsed : undefined;
}

/**
 * The hours of the day (0–23, ascending) `expression` fires in, as `consumer` reads it (the one
 * cron reader: the time-zone rules use it too), or why it is invalid.
 */
export function cronHours(
  expression: string,
  consumer: CronConsumer,
): { hours: number[] } | { problem: string } {
  const parsed = parseCron(expression, consumer);
  if (typeof parsed === "string") return { problem: parsed };
  const hour = parsed[CONSUMERS[consumer].fields.indexOf(HOUR)];
  return { hours: [...hour.values].sort((a, b) => a - b) };
}
