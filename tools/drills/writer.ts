// The drill writer: commits numbered rows one by one (autocommit, so each INSERT is its own
// transaction) through whatever `connect` reaches (the read-write pooler), and keeps the number
// of every commit the server acknowledged. A failed or timed-out commit is not acknowledged; the
// connection is dropped and a new one is made on the next attempt, as an application would.
import type { ClientBase } from "pg";
import { OutageClock, OutageSummary } from "./outage";
import { DrillTable } from "./rows";

/** Makes a connected client; the writer ends it. */
export type Connect = () => Promise<ClientBase & { end(): Promise<void> }>;

export interface WriterOptions {
  readonly connect: Connect;
  readonly table: DrillTable;
  /** Pause between attempts (default 200 ms). */
  readonly intervalMs?: number;
  /** A connect or commit that takes longer counts as failed (default 3000 ms). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Progress: writes stopped, writes back. */
  readonly onChange?: (failing: boolean, detail: string) => void;
}

export interface WriterSummary {
  readonly attempts: number;
  /** Acknowledged numbers, ascending. */
  readonly acknowledged: readonly number[];
  /** Time without a writable primary (failure streaks). */
  readonly unwritable: OutageSummary;
}

class Timeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class NumberedWriter {
  private client?: ClientBase & { end(): Promise<void> };
  private seq = 0;
  private readonly acked: number[] = [];
  private readonly clock = new OutageClock();
  private running?: Promise<void>;
  private stopping = false;
  private readonly now: () => number;

  constructor(private readonly options: WriterOptions) {
    this.now = options.now ?? Date.now;
  }

  get acknowledgedCount(): number {
    return this.acked.length;
  }

  get failing(): boolean {
    return this.clock.failing;
  }

  /** One attempt: the next number, committed or not. */
  async tick(): Promise<boolean> {
    const seq = ++this.seq;
    const timeout = this.options.timeoutMs ?? 3000;
    try {
      if (!this.client) {
        const pending = this.options.connect();
        let late = false;
        // A connection that arrives after its time-out is closed, not leaked.
        pending.then(
          (c) => (late ? c.end().catch(() => undefined) : undefined),
          () => undefined,
        );
        try {
          this.client = await withTimeout(pending, timeout, "connect");
        } catch (e) {
          late = true;
          throw e;
        }
        // A dropped connection surfaces on the next query; unhandled, it would end the process.
        this.client.on("error", () => undefined);
      }
      await withTimeout(
        this.client.query(`INSERT INTO ${this.options.table.qualified} (seq) VALUES ($1)`, [seq]),
        timeout,
        "commit",
      );
    } catch (e) {
      const wasFailing = this.clock.failing;
      this.clock.record(false, this.now(), (e as Error).message);
      const dead = this.client;
      this.client = undefined;
      dead?.end().catch(() => undefined);
      if (!wasFailing) this.options.onChange?.(true, `writes failing: ${(e as Error).message}`);
      return false;
    }
    const at = this.now();
    const since = this.clock.sinceLastOk(at);
    const wasFailing = this.clock.failing;
    this.clock.record(true, at);
    this.acked.push(seq);
    if (wasFailing)
      this.options.onChange?.(
        false,
        `writes back${since === undefined ? "" : ` after ${(since / 1000).toFixed(1)} s`}`,
      );
    return true;
  }

  /** Writes until stop(). */
  start(): void {
    if (this.running) return;
    const interval = this.options.intervalMs ?? 200;
    this.running = (async () => {
      while (!this.stopping) {
        const began = this.now();
        await this.tick();
        await sleep(Math.max(0, interval - (this.now() - began)));
      }
    })();
  }

  /** Resolves once `count` more commits have been acknowledged, or throws after `timeoutMs`. */
  async acknowledgedAtLeast(count: number, timeoutMs: number): Promise<void> {
    const end = this.now() + timeoutMs;
    while (this.acked.length < count) {
      if (this.now() > end)
        throw new Error(
          `the writer has ${this.acked.length} acknowledged commits, waited for ${count}`,
        );
      await sleep(50);
    }
  }

  async stop(): Promise<WriterSummary> {
    this.stopping = true;
    await this.running;
    this.client?.end().catch(() => undefined);
    this.client = undefined;
    return this.summary();
  }

  summary(): WriterSummary {
    return {
      attempts: this.seq,
      acknowledged: [...this.acked],
      unwritable: this.clock.summary(this.now()),
    };
  }
}
