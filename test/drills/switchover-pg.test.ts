// The switchover drill's writer and checker across real promotions of a real PostgreSQL standby
// on 127.0.0.1: with synchronous commit every acknowledged row survives; with asynchronous
// replication and a standby that lags, the check finds the acknowledged rows the promotion lost.
import { Client } from "pg";
import {
  checkAcknowledged,
  createDrillTable,
  DrillTable,
  drillTable,
} from "../../tools/drills/rows";
import { NumberedWriter } from "../../tools/drills/writer";
import { caughtUp, makePgSandbox, PgNode, PgSandbox, stopWalReceiver } from "../support/pg-local";

jest.setTimeout(60_000);

let sandbox: PgSandbox;
let primary: PgNode;
let standby: PgNode;
const table: DrillTable = drillTable("switchover", new Date("2026-11-30T15:07:00Z"));

beforeAll(async () => {
  sandbox = makePgSandbox();
  primary = await sandbox.primary("pg-a", { synchronous: true });
  standby = await sandbox.standby("pg-b", primary);
  const c = await primary.connect();
  await createDrillTable(c, table);
  await c.end();
  await caughtUp(primary);
});

afterAll(async () => {
  await sandbox?.destroy();
});

async function onServer<T>(node: PgNode, f: (c: Client) => Promise<T>): Promise<T> {
  const c = await node.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

test("synchronous commit: a promotion mid-write loses no acknowledged row", async () => {
  // The writer's "pooler": whichever server is primary now.
  let target = primary;
  const events: string[] = [];
  const writer = new NumberedWriter({
    connect: () => target.connect(),
    table,
    intervalMs: 20,
    timeoutMs: 1500,
    onChange: (failing, detail) => events.push(`${failing ? "down" : "up"}: ${detail}`),
  });
  writer.start();
  try {
    await writer.acknowledgedAtLeast(20, 10_000);
    // The planned switchover, as CloudNativePG does it: the old primary shuts down (fast: its WAL
    // senders hand everything over first), the standby is promoted, traffic is re-pointed, and
    // the new primary's synchronous standby list is rewritten (here: none left to wait for).
    await primary.stop("fast");
    await standby.promote();
    await onServer(standby, async (c) => {
      await c.query("ALTER SYSTEM SET synchronous_standby_names = ''");
      await c.query("SELECT pg_reload_conf()");
    });
    target = standby;
    await writer.acknowledgedAtLeast(writer.acknowledgedCount + 20, 10_000);
  } finally {
    await writer.stop();
  }
  const summary = writer.summary();

  const check = await onServer(standby, (c) => checkAcknowledged(c, table, summary.acknowledged));
  expect(check.missing).toEqual([]);
  expect(check.present).toBe(summary.acknowledged.length);
  expect(summary.acknowledged.length).toBeGreaterThanOrEqual(40);
  // Writes stopped during the promotion, and the outage was measured.
  expect(summary.unwritable.streaks).toHaveLength(1);
  expect(summary.unwritable.seconds).toBeGreaterThan(0);
  expect(summary.unwritable.seconds).toBeLessThan(20);
  expect(events[0]).toMatch(/^down: writes failing: /);
  expect(events[1]).toMatch(/^up: writes back after \d+\.\d s$/);
  const inRecovery = await onServer(standby, (c) =>
    c.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r"),
  );
  expect(inRecovery.rows[0].r).toBe(false);
});

test("asynchronous replication with a lagging standby: the check finds the lost rows", async () => {
  // The survivor of the first test is the primary now; give it a new standby, asynchronous.
  const oldPrimary = standby;
  await onServer(oldPrimary, async (c) => {
    await c.query("ALTER SYSTEM SET synchronous_standby_names = ''");
    await c.query("SELECT pg_reload_conf()");
  });
  const lagging = await sandbox.standby("pg-c", oldPrimary);
  const table2 = drillTable("switchover", new Date("2026-11-30T16:00:00Z"));
  const writer = new NumberedWriter({ connect: () => oldPrimary.connect(), table: table2 });
  await onServer(oldPrimary, (c) => createDrillTable(c, table2));
  for (let i = 0; i < 10; i++) expect(await writer.tick()).toBe(true);
  await caughtUp(oldPrimary);
  // The standby stops receiving WAL; the primary still acknowledges (nothing waits for it).
  await stopWalReceiver(lagging);
  for (let i = 0; i < 7; i++) expect(await writer.tick()).toBe(true);
  await oldPrimary.stop("immediate");
  await lagging.promote();
  const summary = await writer.stop();

  const check = await onServer(lagging, (c) => checkAcknowledged(c, table2, summary.acknowledged));
  expect(summary.acknowledged).toEqual([...Array(17).keys()].map((i) => i + 1));
  expect(check.missing).toEqual([11, 12, 13, 14, 15, 16, 17]);
  expect(check.present).toBe(10);
});
