// npm run plan -- <stack> [--config <Pulumi.<stack>.yaml>] [--out <dir>]
// The offline plan: runs the real program under mocks and writes what it would declare.
import * as path from "path";

const PROJECT_DIR = path.resolve(__dirname, "..");

interface Args {
  stack: string;
  configFile?: string;
  outDir: string;
}

function parseArgs(argv: string[]): Args {
  const usage = "usage: npm run plan -- <stack> [--config <Pulumi.<stack>.yaml>] [--out <dir>]";
  let stack: string | undefined;
  let configFile: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--config" || a === "--out") {
      const value = argv[++i];
      if (!value) throw new Error(`${a} needs a value\n${usage}`);
      if (a === "--config") configFile = path.resolve(value);
      else outDir = path.resolve(value);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${usage}`);
    else if (stack) throw new Error(`one stack at a time\n${usage}`);
    else stack = a;
  }
  if (!stack) throw new Error(usage);
  return { stack, configFile, outDir: outDir ?? path.join(PROJECT_DIR, "plan", stack) };
}

async function cli(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  // Loaded after the arguments are read, so a usage error answers at once.
  const { SiteConfigError } = await import("../config");
  const { PlanFailedError, runPlan } = await import("./plan/run");
  const { writePlan } = await import("./plan/write");
  const { HelmSetupError } = await import("./helm/binary");
  const { SharedSourceMissingError } = await import("./helm/sources");
  try {
    const plan = await runPlan({ stack: args.stack, configFile: args.configFile });
    const files = await writePlan(plan, args.outDir);
    console.log(plan.tree);
    console.log(
      `\nPlanned stack '${args.stack}' in ${plan.seconds.toFixed(2)} s: ${plan.resources.length} resources, ` +
        `${plan.manifests.length} Kubernetes objects; wrote ${files.length} files to ${path.relative(process.cwd(), args.outDir) || "."}`,
    );
    return 0;
  } catch (e) {
    // Bad config, a failed plan, or what rendering the charts needs is missing: say what, no trace.
    if (
      e instanceof SiteConfigError ||
      e instanceof PlanFailedError ||
      e instanceof HelmSetupError ||
      e instanceof SharedSourceMissingError
    ) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    // Anything else is a fault of the program: show where.
    console.error(e instanceof Error ? `error: ${e.message}\n${e.stack ?? ""}` : e);
    return 1;
  }
}

cli().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
