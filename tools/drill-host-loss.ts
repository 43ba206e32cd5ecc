// npm run drill:host-loss -- <stack> --host <physical host> … (see tools/drills/args.ts)
import { parseHostLossArgs, HOST_LOSS_USAGE } from "./drills/args";

async function cli(): Promise<number> {
  const argv = process.argv.slice(2);
  // Usage errors and --help answer before the clients are loaded.
  try {
    if (parseHostLossArgs(argv) === "help") {
      console.log(HOST_LOSS_USAGE);
      return 0;
    }
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { hostLossMain } = await import("./drills/host-loss-main");
  return hostLossMain(argv, { out: (t) => console.log(t), err: (t) => console.error(t) });
}

cli().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? `error: ${e.message}\n${e.stack ?? ""}` : e);
    process.exit(1);
  },
);
