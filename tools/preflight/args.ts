// Command line of `npm run preflight`. Kept free of heavy imports so usage errors answer at once.
import * as os from "os";
import * as path from "path";

export const USAGE = `usage: npm run preflight -- <stack> [options]

Read-only: lists what the program would create in each cluster of the stack and what the cluster
already holds there, and says whether \`pulumi up\` would get through (see docs/preflight.md).

options:
  --kubeconfig <cluster>=<path>  kubeconfig of a cluster (repeatable); without it, the Pulumi CLI
                                 gives it (pulumi config get plant:<kubeconfigKey>, or the
                                 clusters stack output for the clusters the program builds)
  --config <file>                the stack file to plan (default Pulumi.<stack>.yaml)
  --state <file>                 a \`pulumi stack export\` of the stack (default: run it)
  --json                         one JSON document instead of the table
  --timeout <seconds>            per request (default 10)
  -h, --help                     this text

exit codes: 0 nothing in the way · 1 conflicts or adoption problems · 2 usage or config error ·
            3 a cluster or object could not be checked`;

export interface PreflightArgs {
  readonly stack: string;
  readonly configFile?: string;
  readonly kubeconfigs: ReadonlyMap<string, string>;
  readonly stateFile?: string;
  readonly json: boolean;
  readonly timeoutSeconds: number;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = "UsageError";
  }
}

/** Parses argv (after the script name); `help` when -h/--help is given. */
export function parsePreflightArgs(argv: readonly string[]): PreflightArgs | "help" {
  let stack: string | undefined;
  let configFile: string | undefined;
  let stateFile: string | undefined;
  let json = false;
  let timeoutSeconds = 10;
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
    else if (a === "--config") configFile = path.resolve(value());
    else if (a === "--state") stateFile = path.resolve(value());
    else if (a === "--timeout") {
      const v = value();
      timeoutSeconds = Number(v);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
        throw new UsageError(`--timeout ${v} is not a number of seconds`);
    } else if (a === "--kubeconfig") {
      const v = value();
      const m = /^([a-z][-a-z0-9]*)=(.+)$/.exec(v);
      if (!m) throw new UsageError(`--kubeconfig ${v} is not <cluster>=<path>`);
      if (kubeconfigs.has(m[1]))
        throw new UsageError(`--kubeconfig given twice for cluster ${m[1]}`);
      // `--kubeconfig c=~/x`: the shell leaves a tilde after `=` alone.
      kubeconfigs.set(m[1], m[2].startsWith("~/") ? path.join(os.homedir(), m[2].slice(2)) : m[2]);
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (stack) throw new UsageError("one stack at a time");
    else stack = a;
  }
  if (!stack) throw new UsageError("which stack?");
  return {
    stack,
    ...(configFile ? { configFile } : {}),
    kubeconfigs,
    ...(stateFile ? { stateFile } : {}),
    json,
    timeoutSeconds,
  };
}
