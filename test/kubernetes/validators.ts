// Validators for generated user data: the real `cloud-init schema` and `shellcheck` binaries
// (installed by scripts/install-test-tools.sh) and ajv on the pinned upstream cloud-init schema.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv from "ajv-draft-04";
import { parse } from "yaml";

const SCHEMA = path.join(
  __dirname,
  "../../../shared/schemas/cloud-init-26.2/schema-cloud-config-v1.json",
);

function onPath(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).status === 0;
}

/**
 * Whether a CLI validator can run. In CI (env CI set) a missing binary is a failure; locally the
 * caller skips with a message pointing at the install script.
 */
export function toolAvailable(binary: "cloud-init" | "shellcheck"): boolean {
  if (onPath(binary)) return true;
  if (process.env.CI) {
    throw new Error(
      `${binary} is not installed but CI is set: run scripts/install-test-tools.sh first`,
    );
  }
  console.warn(
    `SKIPPED: ${binary} not found; run scripts/install-test-tools.sh to validate user data with it`,
  );
  return false;
}

function withTempFile<T>(name: string, content: string, fn: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-k8s-"));
  const file = path.join(dir, name);
  try {
    fs.writeFileSync(file, content, { mode: 0o600 });
    return fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `cloud-init schema --config-file`: returns the tool's complaint, or undefined when valid. */
export function cloudInitSchemaProblem(document: string): string | undefined {
  return withTempFile("user-data.yaml", document, (file) => {
    const r = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`.trim();
  });
}

function runCloudInit(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn("cloud-init", ["schema", "--config-file", file]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => resolve(code === 0 ? undefined : out.trim()));
  });
}

/**
 * `cloud-init schema --config-file` on many documents, a few processes at a time (each run
 * costs ~0.5 s of Python start-up). Returns one complaint (or undefined) per document.
 */
export async function cloudInitSchemaProblems(
  documents: readonly string[],
  concurrency = 4,
): Promise<(string | undefined)[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-k8s-"));
  try {
    const files = documents.map((doc, i) => {
      const file = path.join(dir, `user-data-${i}.yaml`);
      fs.writeFileSync(file, doc, { mode: 0o600 });
      return file;
    });
    const results: (string | undefined)[] = new Array<string | undefined>(files.length);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        results[i] = await runCloudInit(files[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function shellcheckProblem(script: string): string | undefined {
  return withTempFile("script.sh", script, (file) => {
    const r = spawnSync("shellcheck", ["--severity=style", file], { encoding: "utf8" });
    return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`.trim();
  });
}

let validate: ReturnType<Ajv["compile"]> | undefined;

/** ajv against the pinned cloud-init 26.2 schema: returns the errors, or [] when valid. */
export function ajvCloudConfigErrors(document: string): string[] {
  if (!validate) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
    validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, "utf8")));
  }
  const ok = validate(parse(document));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

/** The shell scripts a cloud-config writes (files starting with a shebang). */
export function scriptsIn(document: string): { path: string; content: string }[] {
  const doc = parse(document) as { write_files?: { path: string; content: string }[] };
  return (doc.write_files ?? []).filter((f) => f.content.startsWith("#!"));
}
