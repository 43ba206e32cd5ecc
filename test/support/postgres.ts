// A throwaway PostgreSQL server on 127.0.0.1 for tests: Debian's postgresql (installed by
// scripts/install-test-tools.sh), a fresh cluster made with initdb in a temp dir, started with
// pg_ctl on a free port and removed on stop. Start it once per test file (initdb is the cost,
// about a second). As root (CI), the server runs as the `postgres` user: initdb refuses root.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  /** The superuser (trust authentication on loopback). */
  readonly user: string;
  stop(): void;
}

/** The newest Debian PostgreSQL bin directory, else whatever `initdb` is on PATH. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return path.join(root, versions[0], "bin");
  try {
    return path.dirname(
      execFileSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).trim(),
    );
  } catch {
    throw new Error(
      "PostgreSQL is not installed: run scripts/install-test-tools.sh (Debian's postgresql)",
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const run = (cmd: string, args: string[]) =>
    execFileSync(
      asRoot ? "runuser" : path.join(bin, cmd),
      asRoot ? ["-u", "postgres", "--", path.join(bin, cmd), ...args] : args,
      {
        stdio: "pipe",
        timeout: 60_000,
      },
    );
  const port = await freePort();
  run("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
    "--no-instructions",
  ]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run("pg_ctl", [
    "-D",
    data,
    "-o",
    options,
    "-l",
    path.join(dir, "log"),
    "-w",
    "-t",
    "30",
    "start",
  ]);
  let stopped = false;
  return {
    host: "127.0.0.1",
    port,
    user: "postgres",
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
