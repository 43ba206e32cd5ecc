// Command lines of `npm run drill:switchover` and `npm run drill:host-loss`. Free of heavy imports
// so usage errors answer at once.
import { CommandLine, parseCommandLine, pathFlag, positiveFlag, UsageError } from "../site/argv";

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

export { UsageError };

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

function common(line: CommandLine, usage: string): CommonArgs {
  const outputsFile = pathFlag(line, "--outputs");
  const configFile = pathFlag(line, "--config");
  return {
    stack: line.stack,
    ...(outputsFile ? { outputsFile } : {}),
    ...(configFile ? { configFile } : {}),
    kubeconfigs: line.kubeconfigs,
    json: line.bare.has("--json"),
    timeoutSeconds: positiveFlag(line, "--timeout", 10, usage),
  };
}

const COMMON_VALUED = ["--outputs", "--config", "--timeout"];

export function parseSwitchoverArgs(argv: readonly string[]): SwitchoverArgs | "help" {
  const usage = SWITCHOVER_USAGE;
  const line = parseCommandLine(argv, {
    usage,
    valued: [...COMMON_VALUED, "--database", "--to", "--switchover-timeout"],
    bare: ["--json", "--keep-table"],
    clusterKubeconfigs: true,
  });
  if (line === "help") return line;
  const database = line.values.get("--database");
  const to = line.values.get("--to");
  return {
    ...common(line, usage),
    ...(database ? { database } : {}),
    ...(to ? { to } : {}),
    switchoverTimeoutSeconds: positiveFlag(line, "--switchover-timeout", 180, usage),
    keepTable: line.bare.has("--keep-table"),
  };
}

export function parseHostLossArgs(argv: readonly string[]): HostLossArgs | "help" {
  const usage = HOST_LOSS_USAGE;
  const line = parseCommandLine(argv, {
    usage,
    valued: [
      ...COMMON_VALUED,
      "--host",
      "--settle",
      "--recover",
      "--stop-timeout",
      "--os-cloud",
      "--report",
    ],
    bare: ["--json", "--pause"],
    clusterKubeconfigs: true,
  });
  if (line === "help") return line;
  const host = line.values.get("--host");
  if (!host) throw new UsageError("--host <physical host> is required", usage);
  const osCloud = line.values.get("--os-cloud");
  const reportFile = pathFlag(line, "--report");
  return {
    ...common(line, usage),
    host,
    settleSeconds: positiveFlag(line, "--settle", 300, usage),
    recoverSeconds: positiveFlag(line, "--recover", 900, usage),
    stopTimeoutSeconds: positiveFlag(line, "--stop-timeout", 180, usage),
    ...(osCloud ? { osCloud } : {}),
    ...(reportFile ? { reportFile } : {}),
    how: line.bare.has("--pause") ? "pause" : "stop",
  };
}
