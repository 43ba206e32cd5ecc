// Schedules in the site's time zone (plant:site.timeZone): every cron schedule the program
// declares runs on the plant's wall clock, so one that names an hour the clock skips or repeats
// would silently miss a run or run twice once a year. Pure: config in, problems out.
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

/** Hour field of a cron expression: five fields (CronJob) or six with seconds first (CNPG). */
function hourField(cron: string, fields: 5 | 6): string {
  return cron.trim().split(/\s+/)[fields === 6 ? 2 : 1];
}

export function scheduleProblems(site: ParsedSite, now: Date = new Date()): ConfigProblem[] {
  const zone = site.site.timeZone;
  const years = yearsToCheck(now);
  const problems: ConfigProblem[] = [];
  site.databases.forEach((db, i) => {
    const problem = scheduleShiftProblem(hourField(db.backup.schedule, 6), zone, years);
    if (problem) problems.push({ key: `plant:databases[${i}].backup.schedule`, message: problem });
  });
  site.services.forEach((s, i) => {
    if (!s.schedule) return;
    const problem = scheduleShiftProblem(hourField(s.schedule.cron, 5), zone, years);
    if (problem) problems.push({ key: `plant:services[${i}].schedule.cron`, message: problem });
  });
  return problems;
}
