// `npm run preflight` as an engineer runs it: a real child process. Usage answers without loading
// the program; an unreachable cluster is one line, not a stack trace. And the real Pulumi CLI
// runner, against a stand-in `pulumi` executable on PATH.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { pulumiCli } from "../../tools/preflight/sources";

const ROOT = path.resolve(__dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function preflight(args: string[], requires: string[] = []) {
  const r = spawnSync(
    process.execPath,
    [
      "-r",
      "./tools/register.js",
      ...requires.flatMap((m) => ["-r", m]),
      "tools/preflight.ts",
      ...args,
    ],
    { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, PATH: tmp } },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("--help and usage errors answer before the program or the Pulumi SDK is loaded", () => {
  const modules = path.join(tmp, "modules.json");
  const hook = path.join(tmp, "record-modules.js");
  fs.writeFileSync(
    hook,
    `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(modules)}, JSON.stringify(Object.keys(require.cache))));`,
  );
  const help = preflight(["--help"], [hook]);
  expect(help.status).toBe(0);
  expect(help.stdout.split("\n")[0]).toBe("usage: npm run preflight -- <stack> [options]");
  const loaded = JSON.parse(fs.readFileSync(modules, "utf8")) as string[];
  expect(
    loaded.filter(
      (m) => m.includes("@pulumi") || m.endsWith("program.ts") || m.includes("/tools/plan/"),
    ),
  ).toEqual([]);

  const bad = preflight(["avilla", "--kubeconfig"]);
  expect(bad.status).toBe(2);
  expect(bad.stderr.split("\n")[0]).toBe("--kubeconfig needs a value");
});

test("an unreachable cluster is one line naming it and its kubeconfig, exit 3", () => {
  const kubeconfig = (cluster: string) => {
    const file = path.join(tmp, `${cluster}.yaml`);
    fs.writeFileSync(
      file,
      stringify({
        clusters: [{ name: cluster, cluster: { server: "https://127.0.0.1:1" } }],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [{ name: cluster, context: { cluster, user: "u" } }],
        "current-context": cluster,
      }),
    );
    return file;
  };
  const r = preflight([
    "avilla",
    "--kubeconfig",
    `reports=${kubeconfig("reports")}`,
    "--kubeconfig",
    `optiplex=${kubeconfig("optiplex")}`,
  ]);
  // Nothing on stderr but the program's own warning about the stack file (avilla's RKE2 cluster
  // is not marked bootstrapped yet): no trace, no second error channel.
  expect(r.stderr.split("\n").filter((l) => l && !/is not marked bootstrapped/.test(l))).toEqual(
    [],
  );
  expect(r.stderr).toMatch(/^warning: .*cluster 'reports' is not marked bootstrapped/);
  expect(r.status).toBe(3);
  expect(r.stdout.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
    `error: cluster reports (kubeconfig from --kubeconfig reports=${tmp}/reports.yaml): cannot connect to https://127.0.0.1:1: connection refused`,
    `error: cluster optiplex (kubeconfig from --kubeconfig optiplex=${tmp}/optiplex.yaml): cannot connect to https://127.0.0.1:1: connection refused`,
  ]);
  expect(r.stdout).not.toMatch(/^\s+at /m);
}, 120_000);

describe("the Pulumi CLI runner", () => {
  const bin = path.join(tmp, "bin");
  beforeAll(() => {
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      `#!${process.execPath}\nconst a = process.argv.slice(2).join(" ");\nif (a.startsWith("config get")) { process.stdout.write("apiVersion: v1\\n"); process.exit(0); }\nprocess.stderr.write("error: no stack named 'avilla' found\\n"); process.exit(255);\n`,
      { mode: 0o755 },
    );
  });

  test("passes the arguments and returns stdout, stderr and the exit code", async () => {
    const cli = pulumiCli({ PATH: bin });
    expect(await cli(["config", "get", "plant:kubeconfig-optiplex", "-s", "avilla"])).toEqual({
      code: 0,
      stdout: "apiVersion: v1\n",
      stderr: "",
    });
    expect(await cli(["stack", "export", "-s", "avilla"])).toEqual({
      code: 255,
      stdout: "",
      stderr: "error: no stack named 'avilla' found\n",
    });
  });

  test("answers undefined when there is no pulumi on PATH", async () => {
    expect(await pulumiCli({ PATH: path.join(tmp, "empty") })(["version"])).toBeUndefined();
  });
});
