// `npm run drill:restore -- <stack> [--database <name>]`: the command around restore.ts — reads
// the stack's config and outputs, picks the database, runs the drill and prints the report.
import { parseCommandLine, pathFlag, positiveFlag, UsageError } from "../site/argv";
import { argsOrExit, Io } from "../site/cli";
export type { Io } from "../site/cli";
import * as fs from "fs";
import * as path from "path";
import { parseSite, readSiblingSites, readStackFile, SiteConfigError } from "../../config/site";
import { pulumiCli, PulumiCli } from "../preflight/sources";
import { kubeClients, KubeconfigError } from "../site/kube";
import { OutputsError, readStackOutputs } from "../site/outputs";
import { exitCodeOf, formatTable, Progress, resultsJson } from "../site/report";
import { Connector, DrillRefused, restoreDrill } from "./restore";
import { portForwardConnector } from "./tunnel";

export const USAGE = `usage: npm run drill:restore -- <stack> [options]

Restores the latest backup of a database into a scratch CloudNativePG cluster (namespace
plant-drill), runs its consistency checks (plant:databases[].drill.checks), reports the recovery
point and the time taken, and removes the scratch cluster. The live database is only read.
See docs/postgres.md#restore-drill.

options:
  --database <name>              which database (default: the only one)
  --outputs <file>               \`pulumi stack output --json --show-secrets\` saved to a file
  --config <file>                the stack file (default Pulumi.<stack>.yaml)
  --kubeconfig <path>            kubeconfig of the database's cluster instead of the outputs'
  --wait <minutes>               how long the restore may take (default 60)
  --timeout <seconds>            per API call and per check query (default 30)
  --keep                         leave the scratch cluster for a look
  --json                         one JSON document instead of the table
  -h, --help                     this text

exit codes: 0 restored and every check passed · 1 the restore or a check failed ·
            2 usage, config or outputs error, or the drill refused to start · 3 cluster unreachable`;

export interface RestoreArgs {
  readonly stack: string;
  readonly database?: string;
  readonly outputsFile?: string;
  readonly configFile?: string;
  readonly kubeconfig?: string;
  readonly waitMinutes: number;
  readonly timeoutSeconds: number;
  readonly keep: boolean;
  readonly json: boolean;
}

export { UsageError };

export function parseRestoreArgs(argv: readonly string[]): RestoreArgs | "help" {
  const line = parseCommandLine(argv, {
    usage: USAGE,
    valued: ["--database", "--outputs", "--config", "--kubeconfig", "--wait", "--timeout"],
    bare: ["--json", "--keep"],
  });
  if (line === "help") return line;
  const database = line.values.get("--database");
  const outputsFile = pathFlag(line, "--outputs");
  const configFile = pathFlag(line, "--config");
  const kubeconfig = pathFlag(line, "--kubeconfig");
  return {
    stack: line.stack,
    ...(database ? { database } : {}),
    ...(outputsFile ? { outputsFile } : {}),
    ...(configFile ? { configFile } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    waitMinutes: positiveFlag(line, "--wait", 60, USAGE, "a positive number"),
    timeoutSeconds: positiveFlag(line, "--timeout", 30, USAGE, "a positive number"),
    keep: line.bare.has("--keep"),
    json: line.bare.has("--json"),
  };
}

export interface RestoreDeps {
  readonly cli?: PulumiCli;
  /** How to reach the scratch primary (default: a port forward through the API). */
  readonly connect?: Connector;
  readonly pollMs?: number;
}

const PROJECT_DIR = path.resolve(__dirname, "../..");

export async function restoreMain(
  argv: readonly string[],
  io: Io,
  deps: RestoreDeps = {},
): Promise<number> {
  const parsed = argsOrExit(argv, parseRestoreArgs, USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  try {
    const configFile = args.configFile ?? path.join(PROJECT_DIR, `Pulumi.${args.stack}.yaml`);
    const site = parseSite(
      args.stack,
      readStackFile(configFile),
      readSiblingSites(path.dirname(configFile), args.stack),
    );
    const names = site.databases.map((d) => d.name);
    const db =
      args.database !== undefined
        ? site.databases.find((d) => d.name === args.database)
        : site.databases.length === 1
          ? site.databases[0]
          : undefined;
    if (!db)
      throw new UsageError(
        args.database !== undefined
          ? `stack '${args.stack}' has no database '${args.database}' (it has: ${names.join(", ") || "none"})`
          : `stack '${args.stack}' has ${names.length} databases (${names.join(", ") || "none"}): name one with --database`,
        USAGE,
      );
    const { outputs } = await readStackOutputs({
      stack: args.stack,
      ...(args.outputsFile ? { file: args.outputsFile } : {}),
      cli: deps.cli ?? pulumiCli(),
    });
    const kubeconfig = args.kubeconfig
      ? fs.readFileSync(args.kubeconfig, "utf8")
      : outputs.clusters[db.cluster]?.kubeconfig;
    if (!kubeconfig)
      throw new OutputsError(`the stack outputs hold no kubeconfig for cluster ${db.cluster}`);
    const clients = kubeClients(kubeconfig);
    const progress = new Progress((l) => io.err(l), `drill:restore ${args.stack}/${db.name}`);
    progress.note(`cluster ${db.cluster} at ${clients.server}`);
    const report = await restoreDrill(
      {
        database: db.name,
        dbname: db.database,
        owner: db.owner,
        serverName: outputs.databases[db.name]?.backupServerName ?? db.name,
        checks: db.drill.checks,
      },
      {
        clients,
        connect: deps.connect ?? portForwardConnector(clients.config, args.timeoutSeconds * 1000),
        progress,
        waitTimeoutMs: args.waitMinutes * 60_000,
        pollMs: deps.pollMs ?? 5000,
        callTimeoutMs: args.timeoutSeconds * 1000,
        keep: args.keep,
      },
    );
    const meta = {
      stack: args.stack,
      database: db.name,
      recoveryPoint: report.recoveryPoint ?? null,
      recoveryPointSource: report.recoveryPointSource ?? null,
      restoreSeconds: report.restoreSeconds ?? null,
      cleanedUp: report.cleanedUp,
    };
    if (args.json) io.out(JSON.stringify(resultsJson(meta, report.results), null, 2));
    else
      io.out(
        [
          formatTable(`drill:restore ${args.stack}, database ${db.name}`, report.results),
          `recovery point: ${report.recoveryPoint ?? "unknown"}${report.recoveryPointSource ? ` (from ${report.recoveryPointSource})` : ""}`,
          `restore took: ${report.restoreSeconds !== undefined ? `${report.restoreSeconds} s` : "-"}; scratch cluster ${report.cleanedUp ? "removed" : "NOT removed (see above)"}`,
        ].join("\n"),
      );
    return exitCodeOf(report.results);
  } catch (e) {
    if (e instanceof DrillRefused) {
      io.err(`error: refused: ${e.message}`);
      return 2;
    }
    if (
      e instanceof SiteConfigError ||
      e instanceof OutputsError ||
      e instanceof UsageError ||
      e instanceof KubeconfigError
    ) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    const code = (e as { code?: unknown })?.code;
    if (code !== undefined) {
      const { kubeErrorReason } = await import("../site/kube");
      io.err(`error: ${kubeErrorReason(e, "the cluster")}`);
      return 3;
    }
    throw e;
  }
}
