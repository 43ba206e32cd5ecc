// npm run drill:restore -- <stack> [options] (see tools/drill/restore-main.ts).
import { parseRestoreArgs, USAGE } from "./drill/restore-main";

async function cli(): Promise<number> {
  const argv = process.argv.slice(2);
  try {
    if (parseRestoreArgs(argv) === "help") {
      console.log(USAGE);
      return 0;
    }
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { restoreMain } = await import("./drill/restore-main");
  return restoreMain(argv, { out: (t) => console.log(t), err: (t) => console.error(t) });
}

cli().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? `error: ${e.message}\n${e.stack ?? ""}` : e);
    process.exit(1);
  },
);
