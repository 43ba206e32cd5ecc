// Command line of `npm run preflight`. Kept free of heavy imports so usage errors answer at once.
import { parseCommandLine, pathFlag, positiveFlag, UsageError } from "../site/argv";

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

export { UsageError };

/** Parses argv (after the script name); `help` when -h/--help is given. */
export function parsePreflightArgs(argv: readonly string[]): PreflightArgs | "help" {
  const line = parseCommandLine(argv, {
    usage: USAGE,
    valued: ["--config", "--state", "--timeout"],
    bare: ["--json"],
    clusterKubeconfigs: true,
  });
  if (line === "help") return line;
  const configFile = pathFlag(line, "--config");
  const stateFile = pathFlag(line, "--state");
  return {
    stack: line.stack,
    ...(configFile ? { configFile } : {}),
    kubeconfigs: line.kubeconfigs,
    ...(stateFile ? { stateFile } : {}),
    json: line.bare.has("--json"),
    timeoutSeconds: positiveFlag(line, "--timeout", 10, USAGE),
  };
}
