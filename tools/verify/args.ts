// Command line of `npm run verify`. Kept free of heavy imports so usage errors answer at once.
import * as os from "os";
import * as path from "path";

export const USAGE = `usage: npm run verify -- <stack> [options]

Read-only: checks the live site against what the stack promises — host names and their static
IPs, TLS, routes, the GraphQL endpoint, node labels, HA pods on distinct physical hosts, the
LoadBalancer addresses and the PostgreSQL clusters (see docs/verify.md).

options:
  --outputs <file>               \`pulumi stack output --json --show-secrets\` saved to a file
                                 (default: run it)
  --config <file>                the stack file (default Pulumi.<stack>.yaml)
  --resolve <host>=<ip>          use <ip> for <host> instead of DNS (repeatable), e.g. before
                                 DNS is pointed at the static IPs
  --kubeconfig <cluster>=<path>  kubeconfig of a cluster instead of the one in the outputs
  --warn-days <n>                warn when a certificate has fewer days left (default 21)
  --timeout <seconds>            per connection or API call (default 10)
  --json                         one JSON document instead of the table
  -h, --help                     this text

exit codes: 0 all checks pass · 1 a check failed · 2 usage, config or outputs error ·
            3 nothing failed, but something could not be reached`;

export interface VerifyArgs {
  readonly stack: string;
  readonly outputsFile?: string;
  readonly configFile?: string;
  readonly resolve: ReadonlyMap<string, string>;
  readonly kubeconfigs: ReadonlyMap<string, string>;
  readonly warnDays: number;
  readonly timeoutSeconds: number;
  readonly json: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = "UsageError";
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} ${v} is not a positive number`);
  return n;
}

/** Parses argv (after the script name); `help` when -h/--help is given. */
export function parseVerifyArgs(argv: readonly string[]): VerifyArgs | "help" {
  let stack: string | undefined;
  let outputsFile: string | undefined;
  let configFile: string | undefined;
  let json = false;
  let timeoutSeconds = 10;
  let warnDays = 21;
  const resolve = new Map<string, string>();
  const kubeconfigs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "-h" || a === "--help") return "help";
    else if (a === "--json") json = true;
    else if (a === "--outputs") outputsFile = path.resolve(value());
    else if (a === "--config") configFile = path.resolve(value());
    else if (a === "--timeout") timeoutSeconds = positive(a, value());
    else if (a === "--warn-days") warnDays = positive(a, value());
    else if (a === "--resolve") {
      const v = value();
      const m = /^([A-Za-z0-9.-]+)=(.+)$/.exec(v);
      if (!m || !IPV4.test(m[2])) throw new UsageError(`--resolve ${v} is not <host>=<IPv4>`);
      resolve.set(m[1].toLowerCase(), m[2]);
    } else if (a === "--kubeconfig") {
      const v = value();
      const m = /^([a-z][-a-z0-9]*)=(.+)$/.exec(v);
      if (!m) throw new UsageError(`--kubeconfig ${v} is not <cluster>=<path>`);
      kubeconfigs.set(m[1], m[2].startsWith("~/") ? path.join(os.homedir(), m[2].slice(2)) : m[2]);
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (stack) throw new UsageError("one stack at a time");
    else stack = a;
  }
  if (!stack) throw new UsageError("which stack?");
  return {
    stack,
    ...(outputsFile ? { outputsFile } : {}),
    ...(configFile ? { configFile } : {}),
    resolve,
    kubeconfigs,
    warnDays,
    timeoutSeconds,
    json,
  };
}
