// Outage accounting shared by the writer and the route probes: a stream of attempts, each a
// success or a failure, turned into failure streaks. A streak runs from the last success before
// it (the service was last seen working then) to the first success after it; with no success
// before, from its first failed attempt. Pure: times are given, never read from a clock.

export interface Streak {
  /** Epoch milliseconds. */
  readonly from: number;
  readonly to: number;
  readonly seconds: number;
  /** The first error of the streak, as the client saw it. */
  readonly firstError: string;
  /** Still failing when the run ended. */
  readonly open: boolean;
}

export interface OutageSummary {
  readonly attempts: number;
  readonly failures: number;
  /** Sum of the streaks' lengths, in seconds (three decimals). */
  readonly seconds: number;
  readonly streaks: readonly Streak[];
}

export const roundSeconds = (ms: number): number => Math.round(ms) / 1000;

export class OutageClock {
  private attempts = 0;
  private failures = 0;
  private lastOk?: number;
  private open?: { from: number; firstError: string };
  private readonly closed: Streak[] = [];

  record(ok: boolean, at: number, error = ""): void {
    this.attempts++;
    if (ok) {
      if (this.open) {
        const { from, firstError } = this.open;
        this.closed.push({
          from,
          to: at,
          seconds: roundSeconds(at - from),
          firstError,
          open: false,
        });
        this.open = undefined;
      }
      this.lastOk = at;
      return;
    }
    this.failures++;
    this.open ??= { from: this.lastOk ?? at, firstError: error || "failed" };
  }

  /** Attempts so far. */
  get attempted(): number {
    return this.attempts;
  }

  /** True while the latest attempt failed. */
  get failing(): boolean {
    return this.open !== undefined;
  }

  /** Milliseconds since the last success (0 while succeeding; undefined before any success). */
  sinceLastOk(now: number): number | undefined {
    return this.lastOk === undefined ? undefined : this.open ? now - this.lastOk : 0;
  }

  summary(end: number): OutageSummary {
    const streaks = [...this.closed];
    if (this.open) {
      const { from, firstError } = this.open;
      streaks.push({ from, to: end, seconds: roundSeconds(end - from), firstError, open: true });
    }
    const total = streaks.reduce((a, s) => a + (s.to - s.from), 0);
    return {
      attempts: this.attempts,
      failures: this.failures,
      seconds: roundSeconds(total),
      streaks,
    };
  }
}
