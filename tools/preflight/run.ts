// `npm run preflight -- <stack>`: plans the stack offline, then asks each cluster (read-only) what
// it already holds where the program would create something, and judges every object.
import { argsOrExit, Io } from "../site/cli";
export type { Io } from "../site/cli";
import * as path from "path";
import {
  kubeconfigKey,
  parseSite,
  readSiblingSites,
  readStackFile,
  SiteConfig,
  SiteConfigError,
} from "../../config/site";
import { PlanFailedError, PlanResult, PROJECT_DIR, runPlan } from "../plan/run";
import { parsePreflightArgs, USAGE, UsageError } from "./args";
import { ClusterExpectation, expectedObjects } from "./expected";
import { ClusterObservation, inspectCluster } from "./inspect";
import { ClusterUnreachableError, KubeApi } from "./kube-api";
import { Connection, KubeconfigError, parseKubeconfig } from "./kubeconfig";
import { ClusterResult, exitCodeOf, formatReport, PreflightReport, reportJson } from "./report";
import { KubeconfigSources, pulumiCli, PulumiCli, readStackState } from "./sources";
import { judgeCluster, StackState } from "./verdict";

export interface PreflightOptions {
  readonly stack: string;
  readonly configFile?: string;
  readonly kubeconfigs: ReadonlyMap<string, string>;
  readonly stateFile?: string;
  readonly timeoutSeconds: number;
  /** The Pulumi CLI (tests give a fake). */
  readonly cli?: PulumiCli;
  /** The offline plan of the same stack file, when the caller already has it. */
  readonly plan?: PlanResult;
}

function loadSite(options: PreflightOptions): SiteConfig {
  const file = options.configFile ?? path.join(PROJECT_DIR, `Pulumi.${options.stack}.yaml`);
  return parseSite(
    options.stack,
    readStackFile(file),
    readSiblingSites(PROJECT_DIR, options.stack),
  );
}

async function checkCluster(
  site: SiteConfig,
  c: ClusterExpectation,
  sources: KubeconfigSources,
  timeoutMs: number,
  state: StackState | undefined,
): Promise<ClusterResult> {
  const config = site.clusters[c.index];
  const kubeconfig = await sources.kubeconfig({
    name: c.cluster,
    kind: config.kind,
    ...(config.kind === "existing" ? { kubeconfigKey: kubeconfigKey(config) } : {}),
  });
  const base = {
    name: c.cluster,
    index: c.index,
    kind: c.kind,
    source: kubeconfig.source,
    planned: c.objects.length,
  };
  if (kubeconfig.kind === "not-deployed") return { ...base, status: "not-deployed", rows: [] };
  if (kubeconfig.kind === "error")
    return { ...base, status: "error", error: kubeconfig.error, rows: [] };
  let conn: Connection;
  try {
    conn = parseKubeconfig(kubeconfig.text, kubeconfig.baseDir);
  } catch (e) {
    if (e instanceof KubeconfigError)
      return { ...base, status: "error", error: `kubeconfig: ${e.message}`, rows: [] };
    throw e;
  }
  let api: KubeApi | undefined;
  let observed: ClusterObservation;
  const where = { ...base, server: conn.server, auth: conn.authForm };
  try {
    api = await KubeApi.connect(conn, timeoutMs);
    const namespaces = c.containers.flatMap((k) => (k.release && k.namespace ? [k.namespace] : []));
    observed = await inspectCluster(api, c.objects, namespaces);
  } catch (e) {
    if (e instanceof ClusterUnreachableError || e instanceof KubeconfigError)
      return { ...where, status: "error", error: e.message, rows: [] };
    throw e;
  } finally {
    api?.close();
  }
  return { ...where, status: "checked", rows: judgeCluster(c, observed, state) };
}

export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const site = loadSite(options);
  const unknown = [...options.kubeconfigs.keys()].filter(
    (k) => !site.clusters.some((c) => c.name === k),
  );
  if (unknown.length > 0)
    throw new UsageError(
      `--kubeconfig names ${unknown.join(", ")}, not a cluster of stack '${options.stack}' (${site.clusters.map((c) => c.name).join(", ")})`,
      USAGE,
    );
  const plan =
    options.plan ??
    (await runPlan({
      stack: options.stack,
      ...(options.configFile ? { configFile: options.configFile } : {}),
    }));
  const cli = options.cli ?? pulumiCli();
  const expectations = expectedObjects(site, plan.resources);
  const { state, note } = await readStackState(options.stack, options.stateFile, cli);
  const sources = new KubeconfigSources(options.stack, options.kubeconfigs, cli);
  const clusters = await Promise.all(
    expectations.map((c) => checkCluster(site, c, sources, options.timeoutSeconds * 1000, state)),
  );
  return { stack: options.stack, stateNote: note, clusters };
}

/** What tests replace: the Pulumi CLI, and the plan when they already have it. */
export interface PreflightDeps {
  readonly cli?: PulumiCli;
  readonly plan?: PlanResult;
}

/** The whole command: returns the exit code; never throws for bad input or an unreachable cluster. */
export async function preflightMain(
  argv: readonly string[],
  io: Io,
  deps: PreflightDeps = {},
): Promise<number> {
  const parsed = argsOrExit(argv, parsePreflightArgs, USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  try {
    const report = await runPreflight({ ...args, ...deps });
    io.out(args.json ? JSON.stringify(reportJson(report), null, 2) : formatReport(report));
    for (const c of report.clusters)
      if (c.status === "error" && args.json)
        io.err(`error: cluster ${c.name} (kubeconfig from ${c.source}): ${c.error}`);
    return exitCodeOf(report);
  } catch (e) {
    if (e instanceof SiteConfigError || e instanceof PlanFailedError || e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || e instanceof SyntaxError) {
      io.err(`error: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
