// tools/site/argv.ts: the one command-line reader of preflight, verify and the drills.
import * as os from "os";
import * as path from "path";
import { parseCommandLine, positiveFlag, UsageError } from "../../tools/site/argv";
import { parseVerifyArgs } from "../../tools/verify/args";
import { parseRestoreArgs } from "../../tools/drill/restore-main";

const spec = {
  usage: "usage: test",
  valued: ["--config", "--timeout"],
  repeated: ["--resolve"],
  bare: ["--json"],
  clusterKubeconfigs: true,
};

test("one stack, flags with and without values, repeatable flags, kubeconfigs per cluster", () => {
  const line = parseCommandLine(
    [
      "avilla",
      "--json",
      "--config",
      "x.yaml",
      "--resolve",
      "a=1.2.3.4",
      "--resolve",
      "b=5.6.7.8",
      "--kubeconfig",
      "reports=~/k/reports.yaml",
    ],
    spec,
  );
  if (line === "help") throw new Error("not help");
  expect(line.stack).toBe("avilla");
  expect([...line.bare]).toEqual(["--json"]);
  expect(line.values.get("--config")).toBe("x.yaml");
  expect(line.repeated.get("--resolve")).toEqual(["a=1.2.3.4", "b=5.6.7.8"]);
  expect(line.kubeconfigs.get("reports")).toBe(path.join(os.homedir(), "k/reports.yaml"));
  expect(parseCommandLine(["avilla", "-h"], spec)).toBe("help");
});

test.each([
  [[], "which stack?"],
  [["a", "b"], "one stack at a time"],
  [["a", "--config"], "--config needs a value"],
  [["a", "--config", "--json"], "--config needs a value"],
  [["a", "--config", "x", "--config", "y"], "--config given twice"],
  [["a", "--kubeconfig", "reports"], "--kubeconfig reports is not <cluster>=<path>"],
  [["a", "--kubeconfig", "r=x", "--kubeconfig", "r=y"], "--kubeconfig given twice for cluster r"],
  [["a", "--what"], "unknown option --what"],
])("%j is refused: %s, with the usage", (argv, message) => {
  const refusal = () => parseCommandLine(argv, spec);
  expect(refusal).toThrow(UsageError);
  expect(refusal).toThrow(`${message}\nusage: test`);
});

test("numbers above zero, named as the command names them", () => {
  const line = parseCommandLine(["a", "--timeout", "0"], spec);
  if (line === "help") throw new Error("not help");
  expect(() => positiveFlag(line, "--timeout", 10, "u")).toThrow(
    "--timeout 0 is not a number of seconds\nu",
  );
  expect(() => positiveFlag(line, "--timeout", 10, "u", "a positive number")).toThrow(
    "--timeout 0 is not a positive number",
  );
  const none = parseCommandLine(["a"], spec);
  if (none === "help") throw new Error("not help");
  expect(positiveFlag(none, "--timeout", 10, "u")).toBe(10);
});

test("verify refuses a cluster's kubeconfig given twice (it took the last one before)", () => {
  expect(() =>
    parseVerifyArgs(["avilla", "--kubeconfig", "reports=a", "--kubeconfig", "reports=b"]),
  ).toThrow("--kubeconfig given twice for cluster reports");
  const ok = parseVerifyArgs(["avilla", "--resolve", "R.example=10.1.0.8", "--warn-days", "5"]);
  if (ok === "help") throw new Error("not help");
  expect([...ok.resolve]).toEqual([["r.example", "10.1.0.8"]]);
  expect(ok.warnDays).toBe(5);
});

test("the restore drill's --kubeconfig is one file, from the working directory", () => {
  const args = parseRestoreArgs(["avilla", "--kubeconfig", "k.yaml", "--wait", "5"]);
  if (args === "help") throw new Error("not help");
  expect(args.kubeconfig).toBe(path.resolve("k.yaml"));
  expect(args.waitMinutes).toBe(5);
  expect(() => parseRestoreArgs(["avilla", "--wait", "soon"])).toThrow(
    "--wait soon is not a positive number",
  );
});
