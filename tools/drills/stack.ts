// What a drill knows about the deployed site: the stack file (parsed by the program's own config
// code, for the placement and the failure-domain analysis) and the stack outputs (kubeconfigs,
// the site CA), from `--outputs <file>` or `pulumi stack output --json --show-secrets`.
// Outputs are held in memory only; nothing of them is printed or written to a report.
import * as fs from "fs";
import * as path from "path";
import {
  parseSite,
  readSiblingSites,
  readStackFile,
  SiteConfig,
  DatabaseConfig,
} from "../../config/site";
import { databaseNames, DatabaseNames } from "../../components/postgres/names";
import { PulumiCli } from "../preflight/sources";
import { PROJECT_DIR } from "../plan/run";

export class DrillError extends Error {
  constructor(
    message: string,
    /** 2 usage/config, 3 cannot reach or refused to start. */
    readonly exitCode: 2 | 3 = 3,
  ) {
    super(message);
    this.name = "DrillError";
  }
}

export interface StackOutputsJson {
  readonly clusters?: Record<
    string,
    {
      readonly kind?: string;
      readonly kubeconfig?: string;
      readonly ingress?: { readonly caCertificate?: string };
    }
  >;
  readonly databases?: Record<string, unknown>;
}

export function loadSite(stack: string, configFile?: string): SiteConfig {
  const file = configFile ?? path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
  return parseSite(stack, readStackFile(file), readSiblingSites(PROJECT_DIR, stack));
}

export async function loadOutputs(
  stack: string,
  outputsFile: string | undefined,
  cli: PulumiCli,
): Promise<StackOutputsJson> {
  let text: string;
  let source: string;
  if (outputsFile !== undefined) {
    source = `--outputs ${outputsFile}`;
    try {
      text = fs.readFileSync(outputsFile, "utf8");
    } catch (e) {
      throw new DrillError(
        `cannot read ${outputsFile} (${(e as NodeJS.ErrnoException).code ?? e})`,
        2,
      );
    }
  } else {
    source = `pulumi stack output --json --show-secrets -s ${stack}`;
    const r = await cli(["stack", "output", "--json", "--show-secrets", "-s", stack]);
    if (!r)
      throw new DrillError(
        "the Pulumi CLI is not installed (or not on PATH): give the outputs with --outputs <file>",
      );
    if (r.code !== 0)
      throw new DrillError(
        `${source} failed: ${r.stderr.trim().split("\n")[0] || `exit code ${r.code}`}`,
      );
    text = r.stdout;
  }
  try {
    return JSON.parse(text) as StackOutputsJson;
  } catch {
    throw new DrillError(`${source} is not JSON`, 2);
  }
}

/** The kubeconfig of a cluster: `--kubeconfig <cluster>=<path>` first, else the outputs. */
export function kubeconfigOf(
  cluster: string,
  outputs: StackOutputsJson,
  explicit: ReadonlyMap<string, string>,
): string {
  const file = explicit.get(cluster);
  if (file !== undefined) {
    try {
      return fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new DrillError(
        `cannot read --kubeconfig ${cluster}=${file} (${(e as NodeJS.ErrnoException).code ?? e})`,
        2,
      );
    }
  }
  const text = outputs.clusters?.[cluster]?.kubeconfig;
  if (typeof text !== "string" || text.length === 0 || text === "[secret]")
    throw new DrillError(
      `no kubeconfig for cluster ${cluster}: the stack outputs carry none (not deployed, or read without --show-secrets); give --kubeconfig ${cluster}=<path>`,
    );
  return text;
}

export interface DatabaseRef {
  readonly config: DatabaseConfig;
  readonly names: DatabaseNames;
}

/** `--database <name>`, or the site's only database. */
export function pickDatabase(site: SiteConfig, name: string | undefined): DatabaseRef {
  const all = site.databases.map((d) => d.name);
  const db =
    name === undefined
      ? site.databases.length === 1
        ? site.databases[0]
        : undefined
      : site.databases.find((d) => d.name === name);
  if (!db)
    throw new DrillError(
      name === undefined
        ? `stack '${site.stack}' has ${all.length === 0 ? "no databases" : `several databases (${all.join(", ")}): name one with --database`}`
        : `stack '${site.stack}' has no database '${name}' (plant:databases: ${all.join(", ") || "none"})`,
      2,
    );
  return { config: db, names: databaseNames(db) };
}
