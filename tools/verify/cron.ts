// "When should the last base backup have run": the fire times of a ScheduledBackup schedule
// before a given time, in UTC. The expression is read by config/cron.ts, the one cron reader
// (what the config accepts — names, `?`, @daily… — verify understands), as CloudNativePG reads it.
import { parseCron as readCron } from "../../config/cron";

export class CronError extends Error {}

export interface Cron {
  readonly sets: readonly Set<number>[];
  readonly anyDom: boolean;
  readonly anyDow: boolean;
}

/** The six fields (seconds first) of a ScheduledBackup schedule, or a CronError saying why not. */
export function parseCron(expr: string): Cron {
  const fields = readCron(expr, "scheduled-backup");
  if (typeof fields === "string") throw new CronError(`'${expr}' ${fields}`);
  return {
    sets: fields.map((f) => f.values),
    anyDom: fields[3].star,
    anyDow: fields[5].star,
  };
}

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.sets[3].has(d.getUTCDate());
  const dow = c.sets[5].has(d.getUTCDay());
  // Classic cron: when both are restricted, either one matching is enough.
  if (!c.anyDom && !c.anyDow) return dom || dow;
  return dom && dow;
}

/** The latest fire time strictly before `before`; undefined when none within `maxDays`. */
export function previousFire(c: Cron, before: Date, maxDays = 400): Date | undefined {
  const seconds = [...c.sets[0]].sort((a, b) => b - a);
  // Walk back minute by minute over matching days; cheap for the schedules backups use.
  const start = new Date(before.getTime());
  start.setUTCSeconds(59, 0);
  const limit = before.getTime() - maxDays * 86400_000;
  for (let t = start.getTime(); t >= limit;) {
    const d = new Date(t);
    if (!c.sets[4].has(d.getUTCMonth() + 1) || !dayMatches(c, d)) {
      // Jump to the last second of the previous day.
      d.setUTCHours(0, 0, 0, 0);
      t = d.getTime() - 1000;
      continue;
    }
    if (c.sets[2].has(d.getUTCHours()) && c.sets[1].has(d.getUTCMinutes())) {
      for (const s of seconds) {
        const fire = new Date(t);
        fire.setUTCSeconds(s, 0);
        if (fire.getTime() < before.getTime()) return fire;
      }
    }
    const m = new Date(t);
    m.setUTCSeconds(0, 0);
    t = m.getTime() - 1000;
  }
  return undefined;
}
