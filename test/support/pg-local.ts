// Real PostgreSQL on 127.0.0.1 for tests: a primary made by initdb and streaming standbys made by
// pg_basebackup, in one temporary folder, on free ports. Debian's server binaries
// (scripts/install-test-tools.sh installs them). PostgreSQL refuses to run as root: when the tests
// run as root (CI), the server programs run as the `postgres` user the Debian package creates.
// Tuned for speed, not durability (fsync off, tiny buffers): replication semantics are unchanged,
// a synchronous commit still waits for the standby's flush report.
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";

export const PG_USER = "drill";

/** Folder of initdb/pg_ctl: $PG_BINDIR, else the newest /usr/lib/postgresql/<v>/bin. */
export function pgBinDir(): string {
  const explicit = process.env.PG_BINDIR;
  if (explicit) return explicit;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error(
      "PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/install-test-tools.sh",
    );
  return path.join(root, versions[0], "bin");
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}

function run(program: string, args: readonly string[], as: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(pgBinDir(), program),
      [...args],
      { ...(as ?? {}), env: { ...process.env, LC_ALL: "C" }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.join(" ")}: ${stderr || error.message}`));
        else resolve(String(stdout));
      },
    );
  });
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface PgNode {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  /** A connected client (superuser `drill`, database `postgres` by default); the caller ends it. */
  connect(database?: string): Promise<Client>;
  /** One query on a fresh connection. */
  query<T extends Record<string, unknown>>(
    sql: string,
    values?: unknown[],
    database?: string,
  ): Promise<T[]>;
  start(): Promise<void>;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  promote(): Promise<void>;
  readonly running: boolean;
}

export interface PgSandbox {
  readonly root: string;
  /** initdb + start; `synchronous` sets synchronous_standby_names = '*'. */
  primary(name: string, options?: { synchronous?: boolean }): Promise<PgNode>;
  /** pg_basebackup -R from `from` + start: a streaming standby. */
  standby(name: string, from: PgNode): Promise<PgNode>;
  /** Stops every server and removes the folder. */
  destroy(): Promise<void>;
}

export function makePgSandbox(): PgSandbox {
  const as = runAs();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "plant-pg-"));
  if (as) fs.chownSync(root, as.uid, as.gid);
  const nodes: PgNode[] = [];

  const node = (name: string, port: number): PgNode => {
    const dataDir = path.join(root, name);
    let running = false;
    const settings = [
      `port=${port}`,
      "listen_addresses=127.0.0.1",
      `unix_socket_directories=${root}`,
      "shared_buffers=16MB",
      "max_connections=30",
      "fsync=off",
      "full_page_writes=off",
      "max_wal_senders=4",
      "wal_receiver_status_interval=1",
      "logging_collector=off",
    ];
    const connect = async (database = "postgres"): Promise<Client> => {
      const c = new Client({
        host: "127.0.0.1",
        port,
        user: PG_USER,
        database,
        connectionTimeoutMillis: 5000,
      });
      c.on("error", () => undefined);
      await c.connect();
      return c;
    };
    const self: PgNode = {
      name,
      port,
      dataDir,
      connect,
      get running() {
        return running;
      },
      async query<T extends Record<string, unknown>>(
        sql: string,
        values?: unknown[],
        database?: string,
      ) {
        const c = await connect(database);
        try {
          return (await c.query<T>(sql, values)).rows;
        } finally {
          await c.end();
        }
      },
      async start() {
        const opts = settings.map((s) => `-c ${s}`).join(" ");
        await run(
          "pg_ctl",
          ["start", "-D", dataDir, "-w", "-t", "20", "-l", `${dataDir}.log`, "-o", opts],
          as,
        );
        running = true;
      },
      async stop(mode = "fast") {
        if (!running) return;
        if (process.env.PG_CPU_REPORT) reportCpu(self);
        await run("pg_ctl", ["stop", "-D", dataDir, "-w", "-t", "20", "-m", mode], as);
        running = false;
      },
      async promote() {
        await run("pg_ctl", ["promote", "-D", dataDir, "-w", "-t", "20"], as);
      },
    };
    nodes.push(self);
    return self;
  };

  return {
    root,
    async primary(name, options = {}) {
      const n = node(name, await freePort());
      await run(
        "initdb",
        ["-D", n.dataDir, "-U", PG_USER, "-A", "trust", "-N", "-E", "UTF8", "--locale=C"],
        as,
      );
      if (options.synchronous)
        fs.appendFileSync(
          path.join(n.dataDir, "postgresql.auto.conf"),
          "synchronous_standby_names = '*'\n",
        );
      await n.start();
      return n;
    },
    async standby(name, from) {
      const n = node(name, await freePort());
      await run(
        "pg_basebackup",
        [
          ...["-h", "127.0.0.1", "-p", String(from.port), "-U", PG_USER],
          ...["-D", n.dataDir, "-R", "-X", "stream", "-c", "fast", "-N"],
        ],
        as,
      );
      await n.start();
      return n;
    },
    async destroy() {
      for (const n of nodes) await n.stop("immediate").catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * With PG_CPU_REPORT set: CPU seconds a server used (postmaster plus the backends it reaped, from
 * /proc/<pid>/stat), read just before it stops and appended to that file. For the time budget.
 */
function reportCpu(n: PgNode): void {
  const tick = 100; // USER_HZ on Linux
  try {
    const pid = fs.readFileSync(path.join(n.dataDir, "postmaster.pid"), "utf8").split("\n")[0];
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick;
    fs.appendFileSync(process.env.PG_CPU_REPORT as string, `${n.name} ${cpu.toFixed(2)}\n`);
  } catch {
    // Gone already: nothing to read.
  }
}

/** Waits until `check` is true (polled every 50 ms), or throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The standby has flushed everything the primary has written so far. */
export async function caughtUp(primary: PgNode): Promise<void> {
  const [{ lsn }] = await primary.query<{ lsn: string }>("SELECT pg_current_wal_lsn() AS lsn");
  await waitFor("the standby to catch up", async () => {
    const rows = await primary.query<{ ok: boolean }>(
      "SELECT flush_lsn >= $1::pg_lsn AS ok FROM pg_stat_replication",
      [lsn],
    );
    return rows.length > 0 && rows.every((r) => r.ok);
  });
}

/** Cuts the standby off its primary (empty primary_conninfo, reloaded): it receives no more WAL. */
export async function stopWalReceiver(standby: PgNode): Promise<void> {
  await standby.query("ALTER SYSTEM SET primary_conninfo = ''");
  await standby.query("SELECT pg_reload_conf()");
  await waitFor("the WAL receiver to stop", async () => {
    const rows = await standby.query("SELECT 1 FROM pg_stat_wal_receiver");
    return rows.length === 0;
  });
}
