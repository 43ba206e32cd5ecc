// What every post-deploy command (preflight, verify, the drills) does before its own work: read
// its arguments, answer --help, and turn a usage error into exit code 2 with the message.

/** Where a command writes: tests capture both streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The parsed arguments, or the exit code when the command is done already (help: 0, usage: 2). */
export function argsOrExit<A>(
  argv: readonly string[],
  parse: (argv: readonly string[]) => A | "help",
  usage: string,
  io: Io,
): { readonly args: A } | { readonly exit: number } {
  let parsed: A | "help";
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err((e as Error).message);
    return { exit: 2 };
  }
  if (parsed === "help") {
    io.out(usage);
    return { exit: 0 };
  }
  return { args: parsed };
}
