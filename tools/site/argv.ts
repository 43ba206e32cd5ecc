// The command line of every post-deploy command (preflight, verify, the drills): one stack,
// flags with a value (once each, or repeatable where a command says so), flags without one, and
// `--kubeconfig <cluster>=<path>` once per cluster. Usage errors name the flag and carry the
// command's usage text. No heavy imports, so usage errors answer at once.
import * as os from "os";
import * as path from "path";

export class UsageError extends Error {
  constructor(message: string, usage: string) {
    super(`${message}\n${usage}`);
    this.name = "UsageError";
  }
}

export interface CommandSpec {
  readonly usage: string;
  /** Flags that take a value, given at most once. */
  readonly valued: readonly string[];
  /** Flags that take a value and may be given again, collected in order. */
  readonly repeated?: readonly string[];
  /** Flags without a value. */
  readonly bare?: readonly string[];
  /** `--kubeconfig <cluster>=<path>`, repeatable, one per cluster, into `kubeconfigs`. */
  readonly clusterKubeconfigs?: boolean;
}

export interface CommandLine {
  readonly stack: string;
  readonly values: ReadonlyMap<string, string>;
  readonly repeated: ReadonlyMap<string, readonly string[]>;
  readonly bare: ReadonlySet<string>;
  readonly kubeconfigs: ReadonlyMap<string, string>;
}

/** `~/x` as the shell would have expanded it (it leaves a tilde after `=` alone). */
export function homePath(p: string): string {
  return p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : p;
}

/** Parses argv (after the script name); `help` when -h/--help is given. */
export function parseCommandLine(argv: readonly string[], spec: CommandSpec): CommandLine | "help" {
  const fail = (message: string) => new UsageError(message, spec.usage);
  let stack: string | undefined;
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const bare = new Set<string>();
  const kubeconfigs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") return "help";
    if (spec.bare?.includes(a)) {
      bare.add(a);
      continue;
    }
    const cluster = spec.clusterKubeconfigs === true && a === "--kubeconfig";
    if (cluster || spec.valued.includes(a) || spec.repeated?.includes(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw fail(`${a} needs a value`);
      if (cluster) {
        const m = /^([a-z][-a-z0-9]*)=(.+)$/.exec(v);
        if (!m) throw fail(`--kubeconfig ${v} is not <cluster>=<path>`);
        if (kubeconfigs.has(m[1])) throw fail(`--kubeconfig given twice for cluster ${m[1]}`);
        kubeconfigs.set(m[1], homePath(m[2]));
      } else if (spec.repeated?.includes(a)) repeated.set(a, [...(repeated.get(a) ?? []), v]);
      else if (values.has(a)) throw fail(`${a} given twice`);
      else values.set(a, v);
      continue;
    }
    if (a.startsWith("-")) throw fail(`unknown option ${a}`);
    if (stack) throw fail("one stack at a time");
    stack = a;
  }
  if (!stack) throw fail("which stack?");
  return { stack, values, repeated, bare, kubeconfigs };
}

/** A flag's number, above zero (`fallback` when absent); `what` names it in the error. */
export function positiveFlag(
  line: CommandLine,
  flag: string,
  fallback: number,
  usage: string,
  what = "a number of seconds",
): number {
  const v = line.values.get(flag);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} ${v} is not ${what}`, usage);
  return n;
}

/** A flag's value as a path from the working directory, when given. */
export function pathFlag(line: CommandLine, flag: string): string | undefined {
  const v = line.values.get(flag);
  return v === undefined ? undefined : path.resolve(homePath(v));
}
