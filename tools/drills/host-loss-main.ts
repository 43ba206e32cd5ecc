// `npm run drill:host-loss`: arguments → stack file, forecast and outputs → clients (Nova, one
// Kubernetes client per cluster, pooler access per database) → the drill → report on screen and
// in a JSON file. Tests replace the clients, the routes and the verify gate.
import { argsOrExit, Io } from "../site/cli";
export type { Io } from "../site/cli";
import * as fs from "fs";
import * as path from "path";
import { SiteConfigError } from "../../config/site";
import { pulumiCli, PulumiCli } from "../preflight/sources";
import { HOST_LOSS_USAGE, parseHostLossArgs, UsageError } from "./args";
import { HostLossDeps, runHostLoss } from "./host-loss";
import {
  forecastHostLoss,
  formatHostLoss,
  HostLossReport,
  refuseUnsurvivable,
} from "./host-loss-report";
import { DrillKube } from "./kube";
import { Nova, readCloud } from "./openstack";
import { poolerAccess } from "./pooler";
import { configuredRoutes, Route } from "./probe";
import { databaseNames } from "../../components/postgres/names";
import { DrillError, kubeconfigOf, loadOutputs, loadSite } from "./stack";
import { verifyCommandGate } from "./verify-gate";

export interface HostLossMainDeps {
  readonly cli?: PulumiCli;
  /** Replace any client; the rest are built from the stack. */
  readonly overrides?: Partial<HostLossDeps>;
  readonly routes?: readonly Route[];
}

export function defaultReportFile(stack: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "");
  return path.resolve("drill-reports", `${stack}-host-loss-${stamp}.json`);
}

export async function hostLossMain(
  argv: readonly string[],
  io: Io,
  deps: HostLossMainDeps = {},
): Promise<number> {
  const parsed = argsOrExit(argv, parseHostLossArgs, HOST_LOSS_USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  const a = args;
  const progress = (line: string) => io.err(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  let report: HostLossReport;
  try {
    const site = loadSite(a.stack, a.configFile);
    const forecast = forecastHostLoss(site, a.host);
    refuseUnsurvivable(a.stack, forecast);
    const timeoutMs = a.timeoutSeconds * 1000;
    const o = deps.overrides ?? {};
    // Outputs (kubeconfigs, the site CA) are needed only once the forecast lets the drill go on.
    let outputs: Awaited<ReturnType<typeof loadOutputs>> | undefined;
    const out = async () =>
      (outputs ??= await loadOutputs(a.stack, a.outputsFile, deps.cli ?? pulumiCli()));
    if (!o.kube || !o.probeCa) await out();
    const kubes = new Map<string, DrillKube>();
    const kube =
      o.kube ??
      ((cluster: string) => {
        if (!kubes.has(cluster))
          kubes.set(
            cluster,
            DrillKube.fromText(kubeconfigOf(cluster, outputs ?? {}, a.kubeconfigs), timeoutMs),
          );
        return kubes.get(cluster) as DrillKube;
      });
    const cloud = a.osCloud ?? site.openstack?.cloud;
    report = await runHostLoss(
      {
        stack: a.stack,
        site,
        forecast,
        routes: deps.routes ?? configuredRoutes(site),
        databases: site.databases.map((d) => ({ config: d, names: databaseNames(d) })),
        how: a.how,
        settleSeconds: a.settleSeconds,
        recoverSeconds: a.recoverSeconds,
        stopTimeoutSeconds: a.stopTimeoutSeconds,
      },
      {
        nova:
          o.nova ??
          (async () => {
            if (!cloud)
              throw new DrillError(
                `stack '${a.stack}' has no plant:openstack.cloud; give --os-cloud`,
                2,
              );
            return Nova.login(readCloud(cloud), timeoutMs);
          }),
        kube,
        pooler: o.pooler ?? ((db) => poolerAccess(kube(db.config.cluster), db, timeoutMs)),
        verifyGate: o.verifyGate ?? verifyCommandGate(a, progress),
        probeCa: o.probeCa ?? ((c) => outputs?.clusters?.[c]?.ingress?.caCertificate),
        progress,
        ...(o.timing ? { timing: o.timing } : {}),
      },
    );
  } catch (e) {
    if (e instanceof SiteConfigError || e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof DrillError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    io.err(`error: stack ${a.stack}: ${(e as Error).message ?? String(e)}`);
    return 3;
  }
  const file = a.reportFile ?? defaultReportFile(a.stack, new Date(report.startedAt));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  io.out(a.json ? JSON.stringify(report, null, 2) : formatHostLoss(report));
  progress(`report written to ${file}`);
  return report.ok ? 0 : report.aborted ? 3 : 1;
}
