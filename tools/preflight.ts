// npm run preflight -- <stack> [--kubeconfig <cluster>=<path>]… [--json] (see tools/preflight/args.ts)
// Read-only: what the program would create in each cluster, against what the cluster holds.
import { parsePreflightArgs, USAGE } from "./preflight/args";

async function cli(): Promise<number> {
  const argv = process.argv.slice(2);
  // Usage errors and --help answer before the program and the SDK are loaded.
  try {
    if (parsePreflightArgs(argv) === "help") {
      console.log(USAGE);
      return 0;
    }
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { preflightMain } = await import("./preflight/run");
  return preflightMain(argv, {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  });
}

cli().then(
  (code) => process.exit(code),
  (e) => {
    // A fault of the program itself: show where.
    console.error(e instanceof Error ? `error: ${e.message}\n${e.stack ?? ""}` : e);
    process.exit(1);
  },
);
