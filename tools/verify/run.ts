// `npm run verify -- <stack>`: reads the stack's config and outputs, then checks the live site
// (read-only) and prints one table or one JSON document. Checks run concurrently; progress goes
// to stderr as each finishes.
import { argsOrExit, Io } from "../site/cli";
export type { Io } from "../site/cli";
import * as dns from "dns";
import * as fs from "fs";
import * as path from "path";
import { parseSite, readSiblingSites, readStackFile, SiteConfigError } from "../../config/site";
import { pulumiCli, PulumiCli } from "../preflight/sources";
import { KubeClients, kubeClients, KubeconfigError, kubeErrorReason } from "../site/kube";
import { OutputsError, readStackOutputs, StackOutputs } from "../site/outputs";
import { CheckResult, exitCodeOf, formatTable, Progress, resultsJson } from "../site/report";
import { parseVerifyArgs, USAGE, UsageError, VerifyArgs } from "./args";
import { expectations, Expectations, HostExpectation } from "./expected";
import {
  checkDns,
  checkGraphql,
  checkRedirect,
  checkRoute,
  checkTls,
  NetOptions,
  RUNBOOK,
} from "./http-checks";
import { loadBalancerCheck, nodeLabelCheck, spreadCheck, KUBE_RUNBOOK } from "./kube-checks";
import { KubeReader } from "./kube-read";
import {
  archivingCheck,
  backupCheck,
  instancesCheck,
  PG_RUNBOOK,
  replicationCheck,
} from "./postgres-checks";

const PROJECT_DIR = path.resolve(__dirname, "../..");

/** What tests (and nothing else) replace. */
export interface VerifyDeps {
  readonly cli?: PulumiCli;
  readonly lookup?: (host: string) => Promise<string[]>;
  readonly httpsPort?: number;
  readonly httpPort?: number;
  readonly now?: Date;
}

export interface VerifyReport {
  readonly stack: string;
  readonly outputsSource: string;
  readonly results: readonly CheckResult[];
}

async function systemLookup(host: string): Promise<string[]> {
  const answers = await dns.promises.lookup(host, { all: true, family: 4 });
  return answers.map((a) => a.address);
}

async function hostChecks(
  h: HostExpectation,
  exp: Expectations,
  net: NetOptions,
  report: (r: CheckResult) => CheckResult,
): Promise<CheckResult[]> {
  const { result, connectIp } = await checkDns(h, net);
  const out = [report(result)];
  const [tlsResult, redirect] = await Promise.all([
    checkTls(h, connectIp, net).then(report),
    checkRedirect(h, connectIp, net).then(report),
  ]);
  out.push(tlsResult, redirect);
  const routes = exp.routes.filter((r) => r.fqdn === h.fqdn);
  out.push(
    ...(await Promise.all(routes.map((r) => checkRoute(r, h, connectIp, net).then(report)))),
  );
  if (exp.graphqlEndpoint && new URL(exp.graphqlEndpoint).hostname === h.fqdn)
    out.push(report(await checkGraphql(exp.graphqlEndpoint, h, connectIp, net)));
  return out;
}

/** Routes and the GraphQL endpoint on a host name no static address serves. */
function orphanChecks(exp: Expectations): CheckResult[] {
  const served = new Set(exp.hosts.map((h) => h.fqdn));
  const out: CheckResult[] = exp.routes
    .filter((r) => !served.has(r.fqdn))
    .map((r) => ({
      area: "route",
      subject: `https://${r.fqdn}${r.pathPrefix}`,
      status: "fail",
      object: `service ${r.service}`,
      detail: `no static address of the stack outputs serves ${r.fqdn}`,
      runbook: RUNBOOK.route,
    }));
  if (exp.graphqlEndpoint && !served.has(new URL(exp.graphqlEndpoint).hostname))
    out.push({
      area: "graphql",
      subject: exp.graphqlEndpoint,
      status: "fail",
      detail: "no static address of the stack outputs serves its host name",
      runbook: RUNBOOK.graphql,
    });
  return out;
}

/** Every Kubernetes and PostgreSQL check of one cluster; all unreachable when the API is. */
async function clusterChecks(
  name: string,
  kubeconfig: string | undefined,
  outputs: StackOutputs,
  exp: Expectations,
  args: VerifyArgs,
  deps: VerifyDeps,
  progress: Progress,
  report: (r: CheckResult) => CheckResult,
): Promise<CheckResult[]> {
  const workloads = exp.workloads.filter((w) => w.cluster === name);
  const lbs = exp.loadBalancers.filter((l) => l.cluster === name);
  const dbs = exp.databases.filter((d) => d.cluster === name);
  const planned: { area: string; subject: string; runbook: string }[] = [
    { area: "nodes", subject: `cluster ${name}`, runbook: KUBE_RUNBOOK.nodes },
    ...workloads.map((w) => ({
      area: "spread",
      subject: `cluster ${name}: ${w.subject}`,
      runbook: KUBE_RUNBOOK.spread,
    })),
    ...lbs.map((l) => ({
      area: "static-ip",
      subject: `cluster ${name}: ${l.address} ${l.ip}`,
      runbook: KUBE_RUNBOOK.staticIp,
    })),
    ...dbs.map((d) => ({
      area: "postgres",
      subject: `database ${d.name}`,
      runbook: PG_RUNBOOK.instances,
    })),
  ];
  const unreachable = (why: string) =>
    planned.map((p) =>
      report({
        ...p,
        status: "unreachable",
        object: `Kubernetes API of cluster ${name}`,
        detail: why,
      }),
    );
  if (!kubeconfig) return unreachable("the stack outputs hold no kubeconfig for this cluster");
  let clients: KubeClients;
  try {
    clients = kubeClients(kubeconfig);
  } catch (e) {
    if (e instanceof KubeconfigError) return unreachable(e.message);
    throw e;
  }
  progress.note(`cluster ${name}: asking ${clients.server}`);
  const kube = new KubeReader(clients, args.timeoutSeconds * 1000);
  let nodes;
  try {
    nodes = await kube.nodes();
  } catch (e) {
    return unreachable(kubeErrorReason(e, clients.server));
  }
  const out = [report(nodeLabelCheck(name, nodes, outputs.clusters[name]?.nodes ?? []))];
  const guarded = async (
    area: string,
    subject: string,
    object: string,
    runbook: string,
    f: () => Promise<CheckResult[]>,
  ): Promise<CheckResult[]> => {
    try {
      return await f();
    } catch (e) {
      return [
        report({
          area,
          subject,
          status: "unreachable",
          object,
          detail: kubeErrorReason(e, clients.server),
          runbook,
        }),
      ];
    }
  };
  const parts = await Promise.all([
    ...workloads.map((w) =>
      guarded(
        "spread",
        `cluster ${name}: ${w.subject}`,
        `pods in ${w.namespace}`,
        KUBE_RUNBOOK.spread,
        async () => [report(spreadCheck(w, await kube.pods(w.namespace, w.labels), nodes))],
      ),
    ),
    ...lbs.map((l) =>
      guarded(
        "static-ip",
        `cluster ${name}: ${l.address} ${l.ip}`,
        `Services in ${l.namespace}`,
        KUBE_RUNBOOK.staticIp,
        async () => [report(loadBalancerCheck(l, await kube.services(l.namespace, l.labels)))],
      ),
    ),
    ...dbs.map((d) =>
      guarded(
        "postgres",
        `database ${d.name}`,
        `Cluster ${d.namespace}/${d.clusterName}`,
        PG_RUNBOOK.instances,
        async () => {
          const cluster = await kube.cnpgCluster(d.namespace, d.clusterName);
          if (!cluster)
            return [
              report({
                area: "postgres",
                subject: `database ${d.name}`,
                status: "fail",
                object: `Cluster ${d.namespace}/${d.clusterName}`,
                detail: "the CloudNativePG Cluster does not exist",
                runbook: PG_RUNBOOK.instances,
              }),
            ];
          const [pods, schedule, backups] = await Promise.all([
            kube.pods(d.namespace, {
              "cnpg.io/cluster": d.clusterName,
              "cnpg.io/podRole": "instance",
            }),
            kube.scheduledBackupSchedule(d.namespace, d.scheduledBackup),
            kube.backups(d.namespace, d.objectStore, d.clusterName, d.backupServerName),
          ]);
          return [
            report(instancesCheck(d, cluster, pods, nodes)),
            report(replicationCheck(d, cluster)),
            report(archivingCheck(d, cluster)),
            report(backupCheck(d, schedule ?? d.schedule, backups, deps.now ?? new Date())),
          ];
        },
      ),
    ),
  ]);
  return [...out, ...parts.flat()];
}

function loadKubeconfigs(args: VerifyArgs, outputs: StackOutputs): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const [name, c] of Object.entries(outputs.clusters))
    out.set(name, c.kubeconfig || undefined);
  for (const [name, file] of args.kubeconfigs) {
    if (!out.has(name))
      throw new UsageError(
        `--kubeconfig names ${name}, not a cluster of the stack outputs (${[...out.keys()].join(", ")})`,
        USAGE,
      );
    try {
      out.set(name, fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new UsageError(
        `--kubeconfig ${name}=${file} cannot be read (${(e as NodeJS.ErrnoException).code})`,
        USAGE,
      );
    }
  }
  return out;
}

export async function runVerify(
  args: VerifyArgs,
  deps: VerifyDeps,
  progressLine: (line: string) => void,
): Promise<VerifyReport> {
  const configFile = args.configFile ?? path.join(PROJECT_DIR, `Pulumi.${args.stack}.yaml`);
  const site = parseSite(
    args.stack,
    readStackFile(configFile),
    readSiblingSites(path.dirname(configFile), args.stack),
  );
  const { outputs, source } = await readStackOutputs({
    stack: args.stack,
    ...(args.outputsFile ? { file: args.outputsFile } : {}),
    cli: deps.cli ?? pulumiCli(),
  });
  const kubeconfigs = loadKubeconfigs(args, outputs);
  const exp = expectations(site, outputs);
  const progress = new Progress(progressLine, `verify ${args.stack}`);
  const report = (r: CheckResult) => {
    progress.result(r);
    return r;
  };
  const net: NetOptions = {
    resolve: args.resolve,
    lookup: deps.lookup ?? systemLookup,
    httpsPort: deps.httpsPort ?? 443,
    httpPort: deps.httpPort ?? 80,
    timeoutMs: args.timeoutSeconds * 1000,
    now: deps.now ?? new Date(),
    warnDays: args.warnDays,
  };
  progress.note(
    `${exp.hosts.length} host names, ${kubeconfigs.size} clusters, ${exp.databases.length} databases`,
  );
  const [hostResults, clusterResults] = await Promise.all([
    Promise.all(exp.hosts.map((h) => hostChecks(h, exp, net, report))),
    Promise.all(
      [...kubeconfigs.entries()].map(([name, kc]) =>
        clusterChecks(name, kc, outputs, exp, args, deps, progress, report),
      ),
    ),
  ]);
  return {
    stack: args.stack,
    outputsSource: source,
    results: [...hostResults.flat(), ...orphanChecks(exp), ...clusterResults.flat()],
  };
}

/** The whole command: returns the exit code; never throws for bad input or an unreachable site. */
export async function verifyMain(
  argv: readonly string[],
  io: Io,
  deps: VerifyDeps = {},
): Promise<number> {
  const parsed = argsOrExit(argv, parseVerifyArgs, USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  try {
    const r = await runVerify(args, deps, (line) => io.err(line));
    io.out(
      args.json
        ? JSON.stringify(
            resultsJson({ stack: r.stack, outputs: r.outputsSource }, r.results),
            null,
            2,
          )
        : formatTable(`verify ${r.stack} (outputs from ${r.outputsSource})`, r.results),
    );
    return exitCodeOf(r.results);
  } catch (e) {
    if (e instanceof SiteConfigError || e instanceof OutputsError || e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      io.err(`error: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
