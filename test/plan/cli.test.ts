// `npm run plan` as a newcomer runs it: a real child process, real files.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SiteConfigError } from "../../config/site";
import { runPlan } from "../../tools/plan/run";
import { writePlan } from "../../tools/plan/write";
import { BROKEN_FIXTURES } from "../fixtures/broken/expected";
import { sitePlan } from "../support/plans";

const ROOT = path.resolve(__dirname, "../..");

function plan(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run plan", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // The success path runs as a real process in .ci/run (`npm run plan -- avilla|albion`); here
  // the same two calls the CLI makes, in this process.
  test("writes resources.json, outputs.json, manifests/ and site.svg, replacing a previous plan", async () => {
    const out = path.join(tmp, "avilla");
    const files = await writePlan(await sitePlan("avilla"), out);
    const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
    const outputs = JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8"));
    expect(resources.length).toBeGreaterThan(100);
    expect(outputs.version).toBe(1);
    const manifests = files.filter((f) => f.includes(`${path.sep}manifests${path.sep}`));
    expect(manifests.length).toBeGreaterThan(50);
    expect(
      manifests.every((f) =>
        /manifests\/[a-z-]+\/[a-z0-9_-]+\/[A-Za-z0-9]+(-patch)?-[^/]+\.yaml$/.test(f),
      ),
    ).toBe(true);
    expect(
      fs.readFileSync(
        path.join(out, "manifests/reports/_cluster/Namespace-postgres-reporting.yaml"),
        "utf8",
      ),
    ).toContain("name: postgres-reporting");
    expect(files).toContain(path.join(out, "site.svg"));
    // Rendered by Graphviz (test/plan/site-graph.test.ts checks the picture itself).
    expect(fs.readFileSync(path.join(out, "site.svg"), "utf8")).toMatch(
      /^<\?xml[^]*<svg[^]*>r620&#45;1</,
    );

    // Planning into the same folder again replaces the previous plan, leaving none of its files.
    const stale = path.join(out, "manifests", "gone", "_cluster", "Namespace-gone.yaml");
    fs.mkdirSync(path.dirname(stale), { recursive: true });
    fs.writeFileSync(stale, "kind: Namespace\n");
    const again = await writePlan(await sitePlan("avilla"), out);
    expect([...again].sort()).toEqual([...files].sort());
    expect(fs.existsSync(stale)).toBe(false);
  });

  const BROKEN = BROKEN_FIXTURES;

  test("never empties a folder that holds anything but a previous plan", async () => {
    const busy = path.join(tmp, "busy");
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, "notes.txt"), "keep me");
    const plan = await sitePlan("avilla");
    await expect(writePlan(plan, busy)).rejects.toThrow(
      /refusing to write the plan into .*notes\.txt/,
    );
    expect(fs.readFileSync(path.join(busy, "notes.txt"), "utf8")).toBe("keep me");
  });

  // One real process for the CLI's own behaviour (exit code, stderr, nothing written)...
  test("refuses a broken site file: exit 1, the message on stderr, nothing written", () => {
    const [fixture, message] = BROKEN[0];
    const out = path.join(tmp, fixture);
    const r = plan([
      "avilla",
      "--config",
      path.join(ROOT, "test/fixtures/broken", `${fixture}.yaml`),
      "--out",
      out,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error: Stack 'avilla' has invalid configuration:");
    expect(r.stderr).toContain(message);
    expect(fs.existsSync(out)).toBe(false);
  });

  // ...and every broken file through the same function the CLI calls, in this process.
  test.each(BROKEN)(
    "refuses test/fixtures/broken/%s.yaml naming the key",
    async (fixture, message) => {
      const configFile = path.join(ROOT, "test/fixtures/broken", `${fixture}.yaml`);
      const refusal = runPlan({ stack: "avilla", configFile });
      await expect(refusal).rejects.toThrow(SiteConfigError);
      await expect(refusal).rejects.toThrow(message);
    },
  );

  test("usage errors exit 2", () => {
    const r = plan(["avilla", "--bogus"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option --bogus");
  });
});
