// npm run drill:switchover -- <stack> [--database <name>] … (see tools/drills/args.ts)
import { parseSwitchoverArgs, SWITCHOVER_USAGE } from "./drills/args";

async function cli(): Promise<number> {
  const argv = process.argv.slice(2);
  // Usage errors and --help answer before the clients are loaded.
  try {
    if (parseSwitchoverArgs(argv) === "help") {
      console.log(SWITCHOVER_USAGE);
      return 0;
    }
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { switchoverMain } = await import("./drills/switchover-main");
  return switchoverMain(argv, { out: (t) => console.log(t), err: (t) => console.error(t) });
}

cli().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? `error: ${e.message}\n${e.stack ?? ""}` : e);
    process.exit(1);
  },
);
