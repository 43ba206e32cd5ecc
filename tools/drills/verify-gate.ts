// The host-loss drill starts only while `npm run verify` passes. This hook runs verify as its own
// command (its contract is its exit code: 0 = every check passed), with the same stack, outputs,
// stack file and kubeconfigs, its output shown on the drill's progress stream. While this checkout
// has no verify command the hook refuses: a drill on a site nobody verified proves nothing.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../plan/run";
import { CommonArgs } from "./args";

export type VerifyGate = () => Promise<{ ok: boolean; detail: string }>;

export const VERIFY_SCRIPT = path.join(PROJECT_DIR, "tools", "verify.ts");

export function verifyArgv(args: CommonArgs): string[] {
  return [
    args.stack,
    ...(args.outputsFile ? ["--outputs", args.outputsFile] : []),
    ...(args.configFile ? ["--config", args.configFile] : []),
    ...[...args.kubeconfigs].flatMap(([c, f]) => ["--kubeconfig", `${c}=${f}`]),
  ];
}

export function verifyCommandGate(
  args: CommonArgs,
  show: (line: string) => void,
  script = VERIFY_SCRIPT,
): VerifyGate {
  return () =>
    new Promise((resolve) => {
      if (!fs.existsSync(script)) {
        resolve({
          ok: false,
          detail: `npm run verify is not available in this checkout (${path.relative(PROJECT_DIR, script)} is missing)`,
        });
        return;
      }
      const child = spawn(
        process.execPath,
        ["-r", "./tools/register.js", script, ...verifyArgv(args)],
        { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] },
      );
      const tail: string[] = [];
      const relay = (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
          show(`verify: ${line}`);
          tail.push(line);
          if (tail.length > 5) tail.shift();
        }
      };
      child.stdout.on("data", relay);
      child.stderr.on("data", relay);
      child.on("error", (e) => resolve({ ok: false, detail: `cannot run verify: ${e.message}` }));
      child.on("close", (code) =>
        resolve(
          code === 0
            ? { ok: true, detail: "npm run verify passed" }
            : { ok: false, detail: `npm run verify exited ${code}: ${tail.join(" / ")}` },
        ),
      );
    });
}
