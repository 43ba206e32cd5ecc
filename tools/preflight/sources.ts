// Where each cluster's kubeconfig comes from, and what the stack already holds: `--kubeconfig
// <cluster>=<path>` first, otherwise the Pulumi CLI (`pulumi config get plant:<key>` for existing
// clusters, the `clusters` stack output for the RKE2 clusters the program builds), and
// `pulumi stack export` (or `--state <file>`) for the objects the stack already manages.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_NAMESPACE } from "../../config/site";
import { stateKey, StackState } from "./verdict";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pulumi <args>`; `undefined` when the CLI is not installed. */
export type PulumiCli = (args: readonly string[]) => Promise<CliResult | undefined>;

export function pulumiCli(env: NodeJS.ProcessEnv = process.env): PulumiCli {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        "pulumi",
        [...args],
        { env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") resolve(undefined);
          else
            resolve({
              code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
              stdout: String(stdout),
              stderr: String(stderr),
            });
        },
      );
    });
}

export interface ClusterRef {
  readonly name: string;
  readonly kind: "openstack" | "existing";
  readonly kubeconfigKey?: string;
}

export type KubeconfigResult =
  | {
      readonly kind: "found";
      readonly text: string;
      readonly source: string;
      readonly baseDir: string;
    }
  /** A cluster the program builds that does not exist yet: nothing in it can conflict. */
  | { readonly kind: "not-deployed"; readonly source: string }
  | { readonly kind: "error"; readonly source: string; readonly error: string };

const NO_CLI =
  "the Pulumi CLI is not installed (or not on PATH): give it with --kubeconfig <cluster>=<path>";

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .find((l) => l.trim().length > 0)
      ?.trim() ?? ""
  );
}

export class KubeconfigSources {
  private outputs?: Promise<CliResult | undefined>;

  constructor(
    private readonly stack: string,
    private readonly explicit: ReadonlyMap<string, string>,
    private readonly cli: PulumiCli,
  ) {}

  async kubeconfig(c: ClusterRef): Promise<KubeconfigResult> {
    const file = this.explicit.get(c.name);
    if (file !== undefined) {
      const source = `--kubeconfig ${c.name}=${file}`;
      try {
        return {
          kind: "found",
          text: fs.readFileSync(file, "utf8"),
          source,
          baseDir: path.dirname(path.resolve(file)),
        };
      } catch (e) {
        return {
          kind: "error",
          source,
          error: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? e})`,
        };
      }
    }
    return c.kind === "existing" ? this.fromConfig(c) : this.fromOutputs(c);
  }

  private async fromConfig(c: ClusterRef): Promise<KubeconfigResult> {
    const key = `${CONFIG_NAMESPACE}:${c.kubeconfigKey ?? `kubeconfig-${c.name}`}`;
    const source = `pulumi config get ${key} -s ${this.stack}`;
    const result = await this.cli(["config", "get", key, "-s", this.stack]);
    if (!result) return { kind: "error", source, error: NO_CLI };
    if (result.code !== 0)
      return {
        kind: "error",
        source,
        error: firstLine(result.stderr) || `exit code ${result.code}`,
      };
    return { kind: "found", text: result.stdout, source, baseDir: process.cwd() };
  }

  private async fromOutputs(c: ClusterRef): Promise<KubeconfigResult> {
    const source = `pulumi stack output clusters --show-secrets -s ${this.stack} (.${c.name}.kubeconfig)`;
    this.outputs ??= this.cli([
      "stack",
      "output",
      "clusters",
      "--show-secrets",
      "--json",
      "-s",
      this.stack,
    ]);
    const result = await this.outputs;
    if (!result) return { kind: "error", source, error: NO_CLI };
    if (result.code !== 0) {
      // A stack never deployed has no outputs: the cluster does not exist yet.
      if (/does not have output property|no output/i.test(result.stderr))
        return { kind: "not-deployed", source };
      return {
        kind: "error",
        source,
        error: firstLine(result.stderr) || `exit code ${result.code}`,
      };
    }
    let clusters: Record<string, { kubeconfig?: unknown }>;
    try {
      clusters = JSON.parse(result.stdout) as Record<string, { kubeconfig?: unknown }>;
    } catch {
      return { kind: "error", source, error: "the clusters output is not JSON" };
    }
    const kubeconfig = clusters?.[c.name]?.kubeconfig;
    if (typeof kubeconfig !== "string" || kubeconfig.length === 0)
      return { kind: "not-deployed", source };
    return { kind: "found", text: kubeconfig, source, baseDir: process.cwd() };
  }
}

interface ExportedResource {
  readonly type?: unknown;
  readonly id?: unknown;
  readonly provider?: unknown;
  readonly inputs?: { kind?: unknown };
}

/** The Kubernetes objects of a `pulumi stack export` document, keyed by cluster, kind and id. */
export function parseStackExport(text: string, source: string): StackState {
  const doc = JSON.parse(text) as { deployment?: { resources?: ExportedResource[] } };
  const objects = new Set<string>();
  for (const r of doc.deployment?.resources ?? []) {
    if (typeof r.type !== "string" || typeof r.id !== "string" || typeof r.provider !== "string")
      continue;
    const m = /^kubernetes:[^:]+:([A-Za-z0-9]+)$/.exec(r.type);
    if (!m || m[1].endsWith("Patch")) continue;
    // A provider reference is `<provider URN>::<id>`; the provider is named `k8s-<cluster>`.
    const parts = r.provider.split("::");
    const provider = parts[parts.length - 2] ?? "";
    if (!provider.startsWith("k8s-")) continue;
    const kind = typeof r.inputs?.kind === "string" ? r.inputs.kind : m[1];
    objects.add(stateKey(provider.slice(4), kind, r.id));
  }
  return { source, objects };
}

export type StateResult = { readonly state?: StackState; readonly note: string };

/** The stack's state from `--state <file>`, else `pulumi stack export`; absent with a note otherwise. */
export async function readStackState(
  stack: string,
  stateFile: string | undefined,
  cli: PulumiCli,
): Promise<StateResult> {
  if (stateFile !== undefined) {
    const state = parseStackExport(fs.readFileSync(stateFile, "utf8"), `--state ${stateFile}`);
    return {
      state,
      note: `stack state from --state ${stateFile}: ${state.objects.size} Kubernetes objects`,
    };
  }
  const result = await cli(["stack", "export", "-s", stack]);
  if (!result)
    return { note: "stack state not read (no Pulumi CLI): every object is judged as a create" };
  if (result.code !== 0)
    return {
      note: `stack state not read (pulumi stack export -s ${stack}: ${firstLine(result.stderr) || `exit code ${result.code}`}): every object is judged as a create`,
    };
  try {
    const state = parseStackExport(result.stdout, `pulumi stack export -s ${stack}`);
    return {
      state,
      note: `stack state from pulumi stack export -s ${stack}: ${state.objects.size} Kubernetes objects`,
    };
  } catch {
    return {
      note: `stack state not read (pulumi stack export -s ${stack} printed no JSON): every object is judged as a create`,
    };
  }
}
