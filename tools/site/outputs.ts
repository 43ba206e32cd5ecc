// The stack outputs as the post-deploy commands read them: `pulumi stack output --json
// --show-secrets -s <stack>` (secrets in clear, so the kubeconfigs can be used), or a file holding
// that document (`--outputs <file>`). Only the keys the commands use are checked; a missing or
// masked one is a clear error naming the key, never a crash later.
import * as fs from "fs";
import { PulumiCli } from "../preflight/sources";

export interface AddressOut {
  readonly name: string;
  readonly ip: string;
  readonly hostnames: readonly string[];
  readonly baseUrls: readonly string[];
}

export interface ClusterOut {
  readonly kind: "openstack" | "existing";
  readonly apiEndpoint: string;
  /** Kubeconfig text (a secret: never printed). */
  readonly kubeconfig: string;
  readonly nodes: readonly { name: string; ip: string; physicalHost: string }[];
  readonly ingress?: { readonly addresses: readonly AddressOut[]; readonly caCertificate: string };
}

export interface DatabaseOut {
  readonly cluster: string;
  readonly database: string;
  readonly port: number;
  readonly backupServerName?: string;
}

/** The parts of `SiteOutputs` (outputs.ts) as JSON, secrets shown. */
export interface StackOutputs {
  readonly version: number;
  readonly site: { readonly name: string; readonly domain: string; failuresTolerated: number };
  readonly clusters: Readonly<Record<string, ClusterOut>>;
  readonly databases: Readonly<Record<string, DatabaseOut>>;
  readonly services: Readonly<Record<string, { cluster: string; urls: readonly string[] }>>;
  readonly graphqlEndpoint?: string;
}

/** The outputs could not be read or are not what this version of the program writes. */
export class OutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputsError";
  }
}

/** What `pulumi stack output` prints for a secret without --show-secrets. */
const MASKED = "[secret]";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses and checks the document; `source` names where it came from in every error. */
export function parseStackOutputs(text: string, source: string): StackOutputs {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new OutputsError(`${source}: not JSON`);
  }
  if (!isObj(doc)) throw new OutputsError(`${source}: not a JSON object`);
  const fail = (key: string, what: string): never => {
    throw new OutputsError(`${source}: [${key}] ${what}`);
  };
  if (doc.version !== 1)
    fail("version", `is ${JSON.stringify(doc.version)}; this checkout reads version 1`);
  if (!isObj(doc.site) || typeof doc.site.name !== "string") fail("site", "is missing");
  if (!isObj(doc.clusters)) fail("clusters", "is missing");
  for (const [name, c] of Object.entries(doc.clusters as Obj)) {
    if (!isObj(c)) fail(`clusters.${name}`, "is not an object");
    const cluster = c as Obj;
    if (cluster.kubeconfig === MASKED)
      fail(
        `clusters.${name}.kubeconfig`,
        "is masked: read the outputs with `pulumi stack output --json --show-secrets`",
      );
    if (!Array.isArray(cluster.nodes)) fail(`clusters.${name}.nodes`, "is missing");
    const ingress = cluster.ingress;
    if (ingress !== undefined) {
      if (!isObj(ingress) || !Array.isArray(ingress.addresses))
        fail(`clusters.${name}.ingress.addresses`, "is missing");
      if ((ingress as Obj).caCertificate === MASKED)
        fail(`clusters.${name}.ingress.caCertificate`, "is masked (use --show-secrets)");
    }
  }
  if (!isObj(doc.databases)) fail("databases", "is missing");
  if (!isObj(doc.services)) fail("services", "is missing");
  return doc as unknown as StackOutputs;
}

export interface OutputsSource {
  readonly stack: string;
  /** A file holding `pulumi stack output --json --show-secrets`; otherwise the CLI is asked. */
  readonly file?: string;
  readonly cli: PulumiCli;
}

/** Reads the outputs of the stack; an OutputsError says why it could not. */
export async function readStackOutputs(
  src: OutputsSource,
): Promise<{ outputs: StackOutputs; source: string }> {
  if (src.file !== undefined) {
    const source = `--outputs ${src.file}`;
    let text: string;
    try {
      text = fs.readFileSync(src.file, "utf8");
    } catch (e) {
      throw new OutputsError(`${source}: cannot be read (${(e as NodeJS.ErrnoException).code})`);
    }
    return { outputs: parseStackOutputs(text, source), source };
  }
  const source = `pulumi stack output --json --show-secrets -s ${src.stack}`;
  const result = await src.cli(["stack", "output", "--json", "--show-secrets", "-s", src.stack]);
  if (!result)
    throw new OutputsError(
      `${source}: the Pulumi CLI is not installed (or not on PATH); give the outputs with --outputs <file>`,
    );
  if (result.code !== 0)
    throw new OutputsError(
      `${source}: ${result.stderr.trim().split("\n")[0] || `exit code ${result.code}`}`,
    );
  return { outputs: parseStackOutputs(result.stdout, source), source };
}
