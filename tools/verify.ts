// npm run verify -- <stack> [options] (see tools/verify/args.ts): read-only checks of the live site.
import { parseVerifyArgs, USAGE } from "./verify/args";

async function cli(): Promise<number> {
  const argv = process.argv.slice(2);
  // Usage errors and --help answer before the Kubernetes client is loaded.
  try {
    if (parseVerifyArgs(argv) === "help") {
      console.log(USAGE);
      return 0;
    }
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { verifyMain } = await import("./verify/run");
  return verifyMain(argv, { out: (t) => console.log(t), err: (t) => console.error(t) });
}

cli().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? `error: ${e.message}\n${e.stack ?? ""}` : e);
    process.exit(1);
  },
);
