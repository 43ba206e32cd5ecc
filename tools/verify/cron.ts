// "When should the last base backup have run": the fire times of a ScheduledBackup schedule
// before a given time. CloudNativePG's operator runs in the site's time zone
// (plant:site.timeZone), so its schedules fire on that zone's wall clock. The expression is read
// by config/cron.ts, the one cron reader (what the config accepts — names, `?`, @daily… — verify
// understands), as CloudNativePG reads it.
import { parseCron as readCron } from "../../config/cron";
import { utcOffsetMinutes } from "../../config/time-zone";

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

/**
 * The latest fire time strictly before `before` of a schedule on `timeZone`'s wall clock;
 * undefined when none within `maxDays`. A wall time the clock skips does not fire.
 */
export function previousFire(
  c: Cron,
  before: Date,
  timeZone = "UTC",
  maxDays = 400,
): Date | undefined {
  // Walk back over wall-clock times (held as UTC fields of a shifted timestamp), and turn each
  // match into the instant it names in the zone.
  const wallBefore = before.getTime() + utcOffsetMinutes(timeZone, before.getTime()) * 60_000;
  // An hour of slack: around a clock change the wall time just past `before` can still be earlier.
  for (let from = wallBefore + 3600_000; ;) {
    const wall = previousWallFire(c, from, wallBefore - maxDays * 86400_000);
    if (wall === undefined) return undefined;
    // In an hour the clock repeats, a wall time names two instants: the later one first.
    const instant = instantsOf(timeZone, wall).find((t) => t < before.getTime());
    if (instant !== undefined) return new Date(instant);
    from = wall;
  }
}

/** The instants at which `timeZone`'s wall clock shows `wall`, latest first (none in a gap). */
function instantsOf(timeZone: string, wall: number): number[] {
  const offset = (t: number) => utcOffsetMinutes(timeZone, t) * 60_000;
  // The offsets a day either side cover both sides of any clock change near `wall`.
  const offsets = new Set([offset(wall - 86400_000), offset(wall), offset(wall + 86400_000)]);
  return [...offsets]
    .map((o) => wall - o)
    .filter((t) => t + offset(t) === wall)
    .sort((a, b) => b - a);
}

/** The latest matching wall time strictly before `before` (both as UTC fields), down to `limit`. */
function previousWallFire(c: Cron, before: number, limit: number): number | undefined {
  const seconds = [...c.sets[0]].sort((a, b) => b - a);
  // Walk back minute by minute over matching days; cheap for the schedules backups use.
  const start = new Date(before);
  start.setUTCSeconds(59, 0);
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
        if (fire.getTime() < before) return fire.getTime();
      }
    }
    const m = new Date(t);
    m.setUTCSeconds(0, 0);
    t = m.getTime() - 1000;
  }
  return undefined;
}
