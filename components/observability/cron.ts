// The longest gap between two runs of a six-field cron schedule (seconds first, as CloudNativePG's
// ScheduledBackup and robfig/cron read it), for the backup-age alert. Pure; minute precision.

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Offset of the first name (months start at 1). */
  readonly nameBase?: number;
}

const FIELDS: Record<"minute" | "hour" | "dom" | "month" | "dow", Field> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dom: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  dow: { min: 0, max: 7, names: DAYS, nameBase: 0 },
};

function value(text: string, field: Field, schedule: string): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + (field.nameBase ?? 0) : Number(text);
  if (!Number.isInteger(n) || n < field.min || n > field.max)
    throw new Error(`cron '${schedule}': '${text}' is out of range ${field.min}-${field.max}`);
  return n;
}

/** The values a field allows; `*` and `?` are everything. */
export function fieldValues(text: string, field: Field, schedule: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new Error(`cron '${schedule}': bad step in '${part}'`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") [lo, hi] = [field.min, field.max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-");
      [lo, hi] = [value(a, field, schedule), value(b, field, schedule)];
    } else {
      lo = value(range, field, schedule);
      hi = stepText === undefined ? lo : field.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Days scanned: two of the longest months, so monthly schedules show their real gap. */
const WINDOW_DAYS = 62;

/**
 * Seconds of the longest gap between consecutive runs over a 62-day window starting on a fixed
 * date (robfig/cron semantics: day-of-month OR day-of-week when both are restricted). A schedule
 * running less than twice in the window counts as the whole window.
 */
export function cronMaxGapSeconds(schedule: string): number {
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 6)
    throw new Error(`cron '${schedule}': expected six fields (seconds first)`);
  const [, minute, hour, dom, month, dow] = parts;
  const minutes = fieldValues(minute, FIELDS.minute, schedule);
  const hours = fieldValues(hour, FIELDS.hour, schedule);
  const doms = fieldValues(dom, FIELDS.dom, schedule);
  const months = fieldValues(month, FIELDS.month, schedule);
  const dows = fieldValues(dow, FIELDS.dow, schedule);
  if (dows.has(7)) dows.add(0);
  const domStar = dom === "*" || dom === "?";
  const dowStar = dow === "*" || dow === "?";
  const start = Date.UTC(2026, 0, 1);
  let last: number | undefined;
  let gap = 0;
  for (let day = 0; day < WINDOW_DAYS; day++) {
    const d = new Date(start + day * 86400000);
    const domOk = doms.has(d.getUTCDate());
    const dowOk = dows.has(d.getUTCDay());
    const dayOk = domStar || dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk || !months.has(d.getUTCMonth() + 1)) continue;
    for (const h of [...hours].sort((a, b) => a - b)) {
      for (const m of [...minutes].sort((a, b) => a - b)) {
        const t = day * 1440 + h * 60 + m;
        if (last !== undefined) gap = Math.max(gap, t - last);
        last = t;
      }
    }
  }
  return gap === 0 ? WINDOW_DAYS * 86400 : gap * 60;
}
