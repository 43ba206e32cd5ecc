// Secret canaries: every secret config value and every secret provider output (random
// results, private keys, credentials) is set to a known string; none may appear in the plan's
// artifacts or its printed report.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile, requiredSecretKeys, parseSite } from "../../config/site";
import { PROJECT_DIR, runPlan } from "../../tools/plan/run";
import { writePlan } from "../../tools/plan/write";

// Alphanumeric, so values keep the shape the program expects (tokens, passwords).
const CANARY = "Canary7f3a";

function canaryConfig(stack: string): Record<string, string> {
  const site = parseSite(stack, readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)));
  return Object.fromEntries(
    requiredSecretKeys(site).map((k) => [k, `${CANARY}config${k.replace(/[^A-Za-z0-9]/g, "")}`]),
  );
}

function readTree(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"))
    .join("\n");
}

describe.each(["avilla", "albion"])("secret canaries, stack %s", (stack) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `canary-${stack}-`));
  let secretOutputsSeen = 0;
  let artifacts = "";
  let printed = "";

  beforeAll(async () => {
    const secrets = canaryConfig(stack);
    const plan = await runPlan({
      stack,
      secrets,
      stateOverride: (_type, _name, state, secretOutputs) => {
        const next = { ...state };
        for (const key of secretOutputs) {
          const value = next[key];
          if (typeof value === "string") {
            next[key] = `${CANARY}${secretOutputsSeen}x${value.length}`;
            secretOutputsSeen++;
          }
        }
        return next;
      },
    });
    await writePlan(plan, out);
    artifacts = readTree(out);
    printed = plan.tree;
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test("the canaries were planted", () => {
    expect(Object.keys(canaryConfig(stack)).length).toBeGreaterThan(0);
    expect(secretOutputsSeen).toBeGreaterThan(0);
  });

  test("no canary in resources.json, outputs.json, manifests, site.svg or stdout", () => {
    expect(fs.existsSync(path.join(out, "resources.json"))).toBe(true);
    expect(fs.existsSync(path.join(out, "site.svg"))).toBe(true);
    expect(artifacts).not.toContain(CANARY);
    expect(printed).not.toContain(CANARY);
  });

  test("secrets are shown masked instead", () => {
    expect(artifacts).toContain('"[secret]"');
  });
});
