// Schedules in the site's time zone (plant:site.timeZone): every cron schedule the program
// declares runs on the plant's wall clock, so one that names an hour the clock skips or repeats
// would silently miss a run or run twice once a year. Pure: config in, problems out.
import { cronHours, CronConsumer } from "./cron";
import { ParsedSite } from "./schema";
import { scheduleShiftProblem } from "./time-zone";

/** A { key, message } problem (the shape of rules.ts' ConfigProblem; no import loop). */
interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/** The calendar years checked: this one and the next (the zone's rules rarely change). */
export function yearsToCheck(now: Date = new Date()): number[] {
  const year = now.getUTCFullYear();
  return [year, year + 1];
}

/** The clock-change problem of one schedule; a schedule the schema refused is not re-reported. */
function shiftProblem(
  cron: string,
  consumer: CronConsumer,
  zone: string,
  years: readonly number[],
): string | undefined {
  const parsed = cronHours(cron, consumer);
  return "hours" in parsed ? scheduleShiftProblem(parsed.hours, zone, years) : undefined;
}

export function scheduleProblems(site: ParsedSite, now: Date = new Date()): ConfigProblem[] {
  const zone = site.site.timeZone;
  const years = yearsToCheck(now);
  const problems: ConfigProblem[] = [];
  site.databases.forEach((db, i) => {
    const problem = shiftProblem(db.backup.schedule, "scheduled-backup", zone, years);
    if (problem) problems.push({ key: `plant:databases[${i}].backup.schedule`, message: problem });
  });
  site.services.forEach((s, i) => {
    if (!s.schedule) return;
    const problem = shiftProblem(s.schedule.cron, "cronjob", zone, years);
    if (problem) problems.push({ key: `plant:services[${i}].schedule.cron`, message: problem });
  });
  return problems;
}
