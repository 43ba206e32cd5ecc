// The longest gap between two runs of a ScheduledBackup schedule, for the backup-age alert. The
// schedule is read by config/cron.ts, the one cron reader, as CloudNativePG reads it (robfig/cron:
// day-of-month OR day-of-week when both are restricted). Pure; minute precision.
import { parseCron } from "../../config/cron";

/** Days scanned: two of the longest months, so monthly schedules show their real gap. */
const WINDOW_DAYS = 62;

const sorted = (values: Set<number>): number[] => [...values].sort((a, b) => a - b);

/**
 * Seconds of the longest gap between consecutive runs over a 62-day window starting on a fixed
 * date. A schedule running less than twice in the window counts as the whole window.
 */
export function cronMaxGapSeconds(schedule: string): number {
  const fields = parseCron(schedule, "scheduled-backup");
  if (typeof fields === "string") throw new Error(`cron '${schedule}' ${fields}`);
  const [, minute, hour, dom, month, dow] = fields;
  const both = !dom.star && !dow.star;
  const start = Date.UTC(2026, 0, 1);
  let last: number | undefined;
  let gap = 0;
  for (let day = 0; day < WINDOW_DAYS; day++) {
    const d = new Date(start + day * 86400000);
    const domOk = dom.values.has(d.getUTCDate());
    const dowOk = dow.values.has(d.getUTCDay());
    const dayOk = both ? domOk || dowOk : domOk && dowOk;
    if (!dayOk || !month.values.has(d.getUTCMonth() + 1)) continue;
    for (const h of sorted(hour.values)) {
      for (const m of sorted(minute.values)) {
        const t = day * 1440 + h * 60 + m;
        if (last !== undefined) gap = Math.max(gap, t - last);
        last = t;
      }
    }
  }
  return gap === 0 ? WINDOW_DAYS * 86400 : gap * 60;
}
