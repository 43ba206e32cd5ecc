// Enough of cron to ask "when should the last base backup have run": the fire times of a
// six-field expression (seconds first, as CloudNativePG's ScheduledBackup reads it, in UTC) before
// a given time. Fields: `*`, numbers, ranges `a-b`, lists `a,b` and steps `*/n`, `a-b/n`; day of
// week 0–7 (0 and 7 Sunday); day names and `?`/`L`/`W` are not supported and say so.

interface Field {
  readonly min: number;
  readonly max: number;
}

const FIELDS: readonly Field[] = [
  { min: 0, max: 59 }, // second
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12 }, // month
  { min: 0, max: 7 }, // day of week
];

export class CronError extends Error {}

function parseField(text: string, f: Field): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`'${part}' is not supported (numbers, ranges, lists and steps)`);
    const [lo, hi] =
      m[1] === "*"
        ? [f.min, f.max]
        : m[1].includes("-")
          ? m[1].split("-").map(Number)
          : [Number(m[1]), m[2] ? f.max : Number(m[1])];
    const step = m[2] ? Number(m[2]) : 1;
    if (lo < f.min || hi > f.max || lo > hi || step < 1)
      throw new CronError(`'${part}' is outside ${f.min}-${f.max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export interface Cron {
  readonly sets: readonly Set<number>[];
  readonly anyDom: boolean;
  readonly anyDow: boolean;
}

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 6) throw new CronError(`'${expr}' does not have six fields`);
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]));
  if (sets[5].has(7)) sets[5].add(0);
  return { sets, anyDom: parts[3] === "*", anyDow: parts[5] === "*" };
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
