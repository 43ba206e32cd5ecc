// A real PostgreSQL server and PgBouncer on 127.0.0.1, configured the way CloudNativePG 1.30
// renders what the program declares (pg_hba, ssl settings, PgBouncer parameters), for
// test/integration/db-tls.test.ts. Needs Debian's postgresql, pgbouncer, psql and openssl
// (scripts/install-test-tools.sh). Every process it starts is stopped by its own pid.
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

const IS_ROOT = process.getuid?.() === 0;
/** PostgreSQL and PgBouncer refuse to run as root: as root, run them as Debian's `postgres`. */
const SERVER_USER = "postgres";

function findBinary(name: string, dirs: string[]): string {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error(`${name} not found: run scripts/install-test-tools.sh`);
}

/** Debian's server binaries live in /usr/lib/postgresql/<major>/bin (newest first). */
function postgresBinDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, "bin"));
}

export const bins = {
  initdb: () => findBinary("initdb", postgresBinDirs()),
  postgres: () => findBinary("postgres", postgresBinDirs()),
  pgbouncer: () => findBinary("pgbouncer", ["/usr/sbin", "/usr/bin"]),
  psql: () => findBinary("psql", ["/usr/bin"]),
  openssl: () => findBinary("openssl", ["/usr/bin"]),
};

function serverIds(): { uid: number; gid: number } | undefined {
  if (!IS_ROOT) return undefined;
  const uid = Number(execFileSync("id", ["-u", SERVER_USER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", SERVER_USER], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** argv that runs `cmd` as the server user (setpriv execs in place: the pid is the server's). */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  const ids = serverIds();
  if (!ids) return [cmd, args];
  return [
    "setpriv",
    [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, "--init-groups", "--", cmd, ...args],
  ];
}

/** A scratch directory the server user owns; removed by cleanup(). */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-db-tls-"));
  const ids = serverIds();
  if (ids) fs.chownSync(dir, ids.uid, ids.gid);
  return dir;
}

/** A directory inside the scratch directory that the server user owns (sockets). */
export function makeServerDir(dir: string): void {
  fs.mkdirSync(dir, { mode: 0o755 });
  const ids = serverIds();
  if (ids) fs.chownSync(dir, ids.uid, ids.gid);
}

/** Writes a file the server user can read (and only it, for keys). */
export function writeServerFile(file: string, content: string, mode = 0o644): void {
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  const ids = serverIds();
  if (ids) fs.chownSync(file, ids.uid, ids.gid);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function openssl(dir: string, args: string[]): void {
  execFileSync(bins.openssl(), args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

export interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/**
 * A CA like server-ca.ts makes (ECDSA P-256, "EC PRIVATE KEY", CA:TRUE, certSign/cRLSign, subject
 * key id) and a server leaf like CloudNativePG issues from it (ECDSA, serverAuth, `dnsNames`).
 */
export function makePki(dir: string, name: string, dnsNames: readonly string[]): Pki {
  const f = (suffix: string) => path.join(dir, `${name}-${suffix}`);
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("ca.key")]);
  openssl(dir, [
    ...["req", "-x509", "-new", "-key", f("ca.key"), "-sha256", "-days", "3650"],
    ...["-subj", `/O=plant postgres/CN=${name} server CA`],
    ...["-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ...["-addext", "subjectKeyIdentifier=hash", "-out", f("ca.crt")],
  ]);
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("server.key")]);
  openssl(dir, [
    ...["req", "-new", "-key", f("server.key"), "-subj", `/CN=${dnsNames[0]}`],
    ...["-out", f("server.csr")],
  ]);
  fs.writeFileSync(
    f("ext.cnf"),
    [
      `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(",")}`,
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      "",
    ].join("\n"),
  );
  openssl(dir, [
    ...["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key")],
    ...["-CAcreateserial", "-days", "90", "-sha256", "-extfile", f("ext.cnf")],
    ...["-out", f("server.crt")],
  ]);
  const ids = serverIds();
  for (const file of [f("ca.crt"), f("server.crt"), f("server.key")]) {
    fs.chmodSync(file, file.endsWith(".key") ? 0o600 : 0o644);
    if (ids) fs.chownSync(file, ids.uid, ids.gid);
  }
  return { caCert: f("ca.crt"), serverCert: f("server.crt"), serverKey: f("server.key") };
}

export interface Running {
  readonly process: ChildProcess;
  readonly port: number;
  readonly log: () => string;
}

async function waitForPort(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened:\n${log()}`);
}

function startServer(cmd: string, args: string[], logFile: string, port: number): Running {
  const [exe, argv] = asServerUser(cmd, args);
  const out = fs.openSync(logFile, "a");
  const proc = spawn(exe, argv, { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
  return { process: proc, port, log };
}

export interface PostgresOptions {
  readonly dir: string;
  /** pg_hba.conf lines, in order. */
  readonly hba: readonly string[];
  /** postgresql.conf settings besides port, listen address and socket directory. */
  readonly settings: Readonly<Record<string, string>>;
}

/** initdb (trust for the local socket only) and a server on 127.0.0.1:<free port>. */
export async function startPostgres(o: PostgresOptions): Promise<Running> {
  const data = path.join(o.dir, "data");
  const [exe, argv] = asServerUser(bins.initdb(), [
    ...["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=reject"],
    ...["-E", "UTF8", "--no-sync", "--no-instructions"],
  ]);
  execFileSync(exe, argv, { stdio: ["ignore", "ignore", "pipe"] });
  const port = await freePort();
  const conf = {
    port: String(port),
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${o.dir}'`,
    fsync: "off",
    ...o.settings,
  };
  writeServerFile(
    path.join(data, "postgresql.auto.conf"),
    Object.entries(conf)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join(""),
    0o600,
  );
  writeServerFile(path.join(data, "pg_hba.conf"), `${o.hba.join("\n")}\n`, 0o600);
  const running = startServer(
    bins.postgres(),
    ["-D", data],
    path.join(o.dir, "postgres.log"),
    port,
  );
  await waitForPort(port, running.process, running.log);
  return running;
}

/** PgBouncer in the foreground with `ini` (a complete pgbouncer.ini). */
export async function startPgbouncer(dir: string, name: string, ini: string, port: number) {
  const file = path.join(dir, `${name}.ini`);
  writeServerFile(file, ini, 0o600);
  const running = startServer(bins.pgbouncer(), [file], path.join(dir, `${name}.log`), port);
  await waitForPort(port, running.process, running.log);
  return running;
}

/**
 * Stops a server we started, by its pid, and waits: SIGINT is PostgreSQL's fast shutdown,
 * SIGTERM PgBouncer's immediate one (its SIGINT waits for clients).
 */
export async function stop(
  r: Running | undefined,
  signal: NodeJS.Signals = "SIGINT",
): Promise<void> {
  if (!r || r.process.exitCode !== null || r.process.pid === undefined) return;
  const pid = r.process.pid;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise((resolve) => r.process.once("exit", resolve));
  process.kill(pid, signal);
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 5_000))),
  ]);
  clearTimeout(timer);
  if (timedOut) process.kill(pid, "SIGKILL");
}

export interface PsqlResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** psql with a libpq connection string, nothing from the environment (no PG* variables). */
export function psql(conninfo: string, sql: string): PsqlResult {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.tmpdir() };
  const r = spawnSync(bins.psql(), [conninfo, "-X", "-A", "-t", "-c", sql], {
    env,
    encoding: "utf8",
    timeout: 15_000,
  });
  return { ok: r.status === 0, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** psql as the superuser over the server's Unix socket (setup only). */
export function superuserSql(dir: string, port: number, sql: string): void {
  const r = psql(`host=${dir} port=${port} user=postgres dbname=postgres`, sql);
  if (!r.ok) throw new Error(`setup SQL failed: ${r.stderr}`);
}
