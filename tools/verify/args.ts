// Command line of `npm run verify`. Kept free of heavy imports so usage errors answer at once.
import { parseCommandLine, pathFlag, positiveFlag, UsageError } from "../site/argv";

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

export { UsageError };

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Parses argv (after the script name); `help` when -h/--help is given. */
export function parseVerifyArgs(argv: readonly string[]): VerifyArgs | "help" {
  const line = parseCommandLine(argv, {
    usage: USAGE,
    valued: ["--outputs", "--config", "--timeout", "--warn-days"],
    repeated: ["--resolve"],
    bare: ["--json"],
    clusterKubeconfigs: true,
  });
  if (line === "help") return line;
  const resolve = new Map<string, string>();
  for (const v of line.repeated.get("--resolve") ?? []) {
    const m = /^([A-Za-z0-9.-]+)=(.+)$/.exec(v);
    if (!m || !IPV4.test(m[2])) throw new UsageError(`--resolve ${v} is not <host>=<IPv4>`, USAGE);
    resolve.set(m[1].toLowerCase(), m[2]);
  }
  const outputsFile = pathFlag(line, "--outputs");
  const configFile = pathFlag(line, "--config");
  return {
    stack: line.stack,
    ...(outputsFile ? { outputsFile } : {}),
    ...(configFile ? { configFile } : {}),
    resolve,
    kubeconfigs: line.kubeconfigs,
    warnDays: positiveFlag(line, "--warn-days", 21, USAGE, "a positive number"),
    timeoutSeconds: positiveFlag(line, "--timeout", 10, USAGE, "a positive number"),
    json: line.bare.has("--json"),
  };
}
