// `npm run drill:switchover`: arguments → stack file and outputs → kube client and pooler access
// → the drill → the report. Tests replace the Pulumi CLI and the pooler access.
import { argsOrExit, Io } from "../site/cli";
export type { Io } from "../site/cli";
import { SiteConfigError } from "../../config/site";
import { pulumiCli, PulumiCli } from "../preflight/sources";
import { parseSwitchoverArgs, SWITCHOVER_USAGE, UsageError } from "./args";
import { DrillKube } from "./kube";
import { poolerAccess, PoolerAccess } from "./pooler";
import {
  DatabaseRef,
  DrillError,
  kubeconfigOf,
  loadOutputs,
  loadSite,
  pickDatabase,
} from "./stack";
import { formatSwitchover, runSwitchover } from "./switchover";

export interface SwitchoverMainDeps {
  readonly cli?: PulumiCli;
  readonly pooler?: (kube: DrillKube, db: DatabaseRef, timeoutMs: number) => Promise<PoolerAccess>;
  readonly pollMs?: number;
  readonly writeIntervalMs?: number;
}

export async function switchoverMain(
  argv: readonly string[],
  io: Io,
  deps: SwitchoverMainDeps = {},
): Promise<number> {
  const parsed = argsOrExit(argv, parseSwitchoverArgs, SWITCHOVER_USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  let access: PoolerAccess | undefined;
  try {
    const site = loadSite(args.stack, args.configFile);
    const db = pickDatabase(site, args.database);
    const outputs = await loadOutputs(args.stack, args.outputsFile, deps.cli ?? pulumiCli());
    const timeoutMs = args.timeoutSeconds * 1000;
    const kube = DrillKube.fromText(
      kubeconfigOf(db.config.cluster, outputs, args.kubeconfigs),
      timeoutMs,
    );
    access = await (deps.pooler ?? poolerAccess)(kube, db, timeoutMs);
    const report = await runSwitchover(
      {
        stack: args.stack,
        database: db,
        ...(args.to ? { to: args.to } : {}),
        timeoutSeconds: args.switchoverTimeoutSeconds,
        keepTable: args.keepTable,
        ...(deps.writeIntervalMs ? { writeIntervalMs: deps.writeIntervalMs } : {}),
      },
      {
        kube,
        connect: access.connect,
        progress: (line) => io.err(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
        ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
      },
    );
    io.out(args.json ? JSON.stringify(report, null, 2) : formatSwitchover(report));
    return report.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof SiteConfigError || e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof DrillError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    // The cluster could not be asked (network, TLS, an API error): one line, exit 3.
    io.err(`error: stack ${args.stack}: ${(e as Error).message ?? String(e)}`);
    return 3;
  } finally {
    await access?.close();
  }
}
