// Command lines of `npm run drill:switchover` and `npm run drill:host-loss`. Free of heavy imports
// so usage errors answer at once.
import * as os from "os";
import * as path from "path";

const COMMON = `  --outputs <file>               the stack outputs as \`pulumi stack output --json --show-secrets\`
                                 prints them (default: run that command)
  --kubeconfig <cluster>=<path>  kubeconfig of a cluster (repeatable; default: the outputs)
  --config <file>                the stack file (default Pulumi.<stack>.yaml)
  --json                         the report as JSON on stdout (progress stays on stderr)
  --timeout <seconds>            per API request (default 10)
  -h, --help                     this text`;

export const SWITCHOVER_USAGE = `usage: npm run drill:switchover -- <stack> [--database <name>] [options]

Writes numbered rows through the database's read-write pooler while CloudNativePG switches over to
a healthy standby on another physical host, then checks every acknowledged row is on the new
primary (docs/postgres.md#switchover-drill). Changes the primary; run it in a quiet hour.

options:
  --database <name>              the database (default: the stack's only one)
  --to <instance>                the standby to promote (default: the first healthy standby on
                                 another physical host)
  --switchover-timeout <seconds> bound on the switchover (default 180)
  --keep-table                   keep the drill table plant_drill.switchover_<time>
${COMMON}

exit codes: 0 pass · 1 rows lost, switchover incomplete or writes not resumed ·
            2 usage or config error · 3 cannot reach the cluster or refused to start`;

export const HOST_LOSS_USAGE = `usage: npm run drill:host-loss -- <stack> --host <physical host> [options]

Takes one physical host out as a failure would: stops every VM the placement put on it through the
OpenStack compute API (nodes of existing clusters on it: cordoned and drained), while probing every
configured route through its static IP and writing numbered rows through each database's read-write
pooler; waits for the site to settle, brings the host back and reports (docs/guardrails.md#host-loss-drill).
Refuses a host whose loss the failure-domain analysis says the site would not survive, and refuses
to start while \`npm run verify\` fails.

options:
  --host <name>                  the physical host (an R620 of plant:hosts, or an existing node's host)
  --settle <seconds>             bound on waiting for the site to settle with the host down (default 300)
  --recover <seconds>            bound on waiting for recovery after the host is back (default 900)
  --stop-timeout <seconds>       bound on a VM stopping or starting (default 180)
  --pause                        freeze the VMs (Nova pause) instead of stopping them: no clean guest
                                 shutdown, closer to a sudden power loss (default: Nova stop)
  --os-cloud <name>              clouds.yaml entry with admin rights (default plant:openstack.cloud)
  --report <file>                where the JSON report goes (default drill-reports/<stack>-host-loss-<time>.json)
${COMMON}

exit codes: 0 pass · 1 requests failed past settling, rows lost, a static IP not on a survivor, or
            the failure-domain table mispredicted · 2 usage or config error ·
            3 refused (analysis, verify) or cannot reach the cloud or a cluster`;

export class UsageError extends Error {
  constructor(message: string, usage: string) {
    super(`${message}\n${usage}`);
    this.name = "UsageError";
  }
}

export interface CommonArgs {
  readonly stack: string;
  readonly outputsFile?: string;
  readonly configFile?: string;
  readonly kubeconfigs: ReadonlyMap<string, string>;
  readonly json: boolean;
  readonly timeoutSeconds: number;
}

export interface SwitchoverArgs extends CommonArgs {
  readonly database?: string;
  readonly to?: string;
  readonly switchoverTimeoutSeconds: number;
  readonly keepTable: boolean;
}

export interface HostLossArgs extends CommonArgs {
  readonly host: string;
  readonly settleSeconds: number;
  readonly recoverSeconds: number;
  readonly stopTimeoutSeconds: number;
  readonly osCloud?: string;
  readonly reportFile?: string;
  readonly how: "stop" | "pause";
}

type Flags = Record<string, string | true>;

function parse(
  argv: readonly string[],
  usage: string,
  valued: readonly string[],
  bare: readonly string[],
): { stack: string; flags: Flags; kubeconfigs: Map<string, string> } | "help" {
  let stack: string | undefined;
  const flags: Flags = {};
  const kubeconfigs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") return "help";
    if (bare.includes(a)) {
      flags[a] = true;
      continue;
    }
    if (valued.includes(a) || a === "--kubeconfig") {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`, usage);
      if (a === "--kubeconfig") {
        const m = /^([a-z][-a-z0-9]*)=(.+)$/.exec(v);
        if (!m) throw new UsageError(`--kubeconfig ${v} is not <cluster>=<path>`, usage);
        if (kubeconfigs.has(m[1]))
          throw new UsageError(`--kubeconfig given twice for cluster ${m[1]}`, usage);
        kubeconfigs.set(
          m[1],
          m[2].startsWith("~/") ? path.join(os.homedir(), m[2].slice(2)) : m[2],
        );
      } else if (flags[a] !== undefined) throw new UsageError(`${a} given twice`, usage);
      else flags[a] = v;
      continue;
    }
    if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`, usage);
    if (stack) throw new UsageError("one stack at a time", usage);
    stack = a;
  }
  if (!stack) throw new UsageError("which stack?", usage);
  return { stack, flags, kubeconfigs };
}

function seconds(flags: Flags, name: string, fallback: number, usage: string): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${name} ${String(v)} is not a number of seconds`, usage);
  return n;
}

const str = (flags: Flags, name: string): string | undefined =>
  typeof flags[name] === "string" ? (flags[name] as string) : undefined;

function common(
  p: { stack: string; flags: Flags; kubeconfigs: Map<string, string> },
  usage: string,
): CommonArgs {
  const outputs = str(p.flags, "--outputs");
  const config = str(p.flags, "--config");
  return {
    stack: p.stack,
    ...(outputs ? { outputsFile: path.resolve(outputs) } : {}),
    ...(config ? { configFile: path.resolve(config) } : {}),
    kubeconfigs: p.kubeconfigs,
    json: p.flags["--json"] === true,
    timeoutSeconds: seconds(p.flags, "--timeout", 10, usage),
  };
}

const COMMON_VALUED = ["--outputs", "--config", "--timeout"];

export function parseSwitchoverArgs(argv: readonly string[]): SwitchoverArgs | "help" {
  const usage = SWITCHOVER_USAGE;
  const p = parse(
    argv,
    usage,
    [...COMMON_VALUED, "--database", "--to", "--switchover-timeout"],
    ["--json", "--keep-table"],
  );
  if (p === "help") return p;
  const database = str(p.flags, "--database");
  const to = str(p.flags, "--to");
  return {
    ...common(p, usage),
    ...(database ? { database } : {}),
    ...(to ? { to } : {}),
    switchoverTimeoutSeconds: seconds(p.flags, "--switchover-timeout", 180, usage),
    keepTable: p.flags["--keep-table"] === true,
  };
}

export function parseHostLossArgs(argv: readonly string[]): HostLossArgs | "help" {
  const usage = HOST_LOSS_USAGE;
  const p = parse(
    argv,
    usage,
    [
      ...COMMON_VALUED,
      "--host",
      "--settle",
      "--recover",
      "--stop-timeout",
      "--os-cloud",
      "--report",
    ],
    ["--json", "--pause"],
  );
  if (p === "help") return p;
  const host = str(p.flags, "--host");
  if (!host) throw new UsageError("--host <physical host> is required", usage);
  const osCloud = str(p.flags, "--os-cloud");
  const report = str(p.flags, "--report");
  return {
    ...common(p, usage),
    host,
    settleSeconds: seconds(p.flags, "--settle", 300, usage),
    recoverSeconds: seconds(p.flags, "--recover", 900, usage),
    stopTimeoutSeconds: seconds(p.flags, "--stop-timeout", 180, usage),
    ...(osCloud ? { osCloud } : {}),
    ...(report ? { reportFile: path.resolve(report) } : {}),
    how: p.flags["--pause"] === true ? "pause" : "stop",
  };
}
