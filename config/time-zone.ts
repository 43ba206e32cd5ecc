// The site's time zone (plant:site.timeZone) and the schedules that run in it: the zone name is
// checked against the IANA database Node's Intl carries, and every cron schedule is checked
// against the zone's clock changes. Pure: no Pulumi.

/** An IANA Area/Location name (America/Indiana/Indianapolis) or UTC; never an offset or "Local". */
const ZONE_NAME = /^(UTC|[A-Z][A-Za-z_-]+(\/[A-Za-z0-9_+-]+)+)$/;

/** Why `zone` is not a usable time zone, or undefined when it is. */
export function timeZoneProblem(zone: string): string | undefined {
  const example = "an IANA time zone name like America/Indiana/Indianapolis (or UTC)";
  if (!ZONE_NAME.test(zone)) return `must be ${example}`;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    return `is not in the IANA time zone database: must be ${example}`;
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone's wall clock is ahead of UTC at `utcMs`. */
export function utcOffsetMinutes(zone: string, utcMs: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, f);
  }
  const part = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(part.year),
    Number(part.month) - 1,
    Number(part.day),
    Number(part.hour),
    Number(part.minute),
  );
  return Math.round((wall - Math.floor(utcMs / 60_000) * 60_000) / 60_000);
}

/** A change of the wall clock: `from` local minutes-of-day, the clock moving by `shift` minutes. */
export interface ClockChange {
  /** The instant, ms since the epoch (UTC). */
  readonly at: number;
  /** Wall-clock minutes of the day just before the change (old offset). */
  readonly localMinute: number;
  /** New offset minus old offset: > 0 clocks go forward (a gap), < 0 they go back (a repeat). */
  readonly shift: number;
}

const DAY_MS = 86_400_000;

/** Every clock change of `zone` in the UTC calendar year `year` (daily scan, then bisection). */
export function clockChanges(zone: string, year: number): ClockChange[] {
  const changes: ClockChange[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  let t = Date.UTC(year, 0, 1);
  let offset = utcOffsetMinutes(zone, t);
  while (t < end) {
    const next = t + DAY_MS;
    const nextOffset = utcOffsetMinutes(zone, next);
    if (nextOffset !== offset) {
      // Bisect to the minute: lo has the old offset, hi the new one.
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (utcOffsetMinutes(zone, mid) === offset) lo = mid;
        else hi = mid;
      }
      const localMinute = (((hi / 60_000 + offset) % 1440) + 1440) % 1440;
      changes.push({ at: hi, localMinute, shift: nextOffset - offset });
    }
    t = next;
    offset = nextOffset;
  }
  return changes;
}

/** Local hours (0–23) whose wall-clock times are skipped or occur twice on a clock change. */
export interface ShiftedHours {
  readonly skipped: readonly number[];
  readonly repeated: readonly number[];
}

const shiftedCache = new Map<string, ShiftedHours>();

/** Hours of the day touched by the clock changes of `zone` in `years` (sorted, distinct). */
export function shiftedHours(zone: string, years: readonly number[]): ShiftedHours {
  const cacheKey = `${zone}|${years.join(",")}`;
  const cached = shiftedCache.get(cacheKey);
  if (cached) return cached;
  const skipped = new Set<number>();
  const repeated = new Set<number>();
  for (const year of years) {
    for (const c of clockChanges(zone, year)) {
      // Gap: [m, m + shift) never happens. Repeat: [m + shift, m) happens twice.
      const [from, to, into] =
        c.shift > 0
          ? [c.localMinute, c.localMinute + c.shift, skipped]
          : [c.localMinute + c.shift, c.localMinute, repeated];
      for (let m = from; m < to; m++) into.add(Math.floor((((m % 1440) + 1440) % 1440) / 60));
    }
  }
  const result = {
    skipped: [...skipped].sort((a, b) => a - b),
    repeated: [...repeated].sort((a, b) => a - b),
  };
  shiftedCache.set(cacheKey, result);
  return result;
}

const hh = (h: number) => String(h).padStart(2, "0");

/**
 * Why a schedule firing in `hours` (config/cron.ts' cronHours) misbehaves in `zone`: it names a
 * fixed hour the clock skips (that run does not happen that day) or repeats (it runs twice).
 * Hourly schedules (every hour selected) are fine: they are expected to run each hour that exists.
 */
export function scheduleShiftProblem(
  hours: readonly number[],
  zone: string,
  years: readonly number[],
): string | undefined {
  if (hours.length === 24) return undefined;
  const shifted = shiftedHours(zone, years);
  const touched = [...new Set([...shifted.skipped, ...shifted.repeated])].sort((a, b) => a - b);
  const advice = `use an hour other than ${touched.map(hh).join(" and ")}, the hours the clock changes of ${zone} touch`;
  const skipped = hours.filter((h) => shifted.skipped.includes(h));
  if (skipped.length > 0) {
    return `runs in hour ${skipped.map(hh).join(", ")} (${zone}), which the clocks skip when they go forward: that day's run would not happen; ${advice}`;
  }
  const repeated = hours.filter((h) => shifted.repeated.includes(h));
  if (repeated.length > 0) {
    return `runs in hour ${repeated.map(hh).join(", ")} (${zone}), which happens twice when the clocks go back: that day's run would happen twice; ${advice}`;
  }
  return undefined;
}
