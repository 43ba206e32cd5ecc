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

/** The interpreter of the installed `cloud-init` script (its shebang), which can import cloudinit. */
function cloudInitPython(): string {
  const which = spawnSync("sh", ["-c", "command -v cloud-init"], {
    encoding: "utf8",
  }).stdout.trim();
  const shebang = fs.readFileSync(which, "utf8").split("\n")[0];
  return shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/)[0] : "python3";
}

// Exactly what `cloud-init schema --config-file F` runs (cloudinit/config/schema.py,
// handle_schema_args), once per file, in one process instead of one Python start-up per file.
const VALIDATE_FILES = `
import contextlib, json, sys
from cloudinit.config.schema import get_schema, validate_cloudconfig_file, SchemaValidationError
schema = get_schema()
out = []
for path in sys.argv[1:]:
    with contextlib.redirect_stdout(sys.stderr):  # cloud-init prints its own notes
        try:
            validate_cloudconfig_file(path, schema, False)
            out.append(None)
        except (SchemaValidationError, RuntimeError) as e:
            out.append("Error: " + str(e))
print(json.dumps(out))
`;

/**
 * cloud-init's own schema validation on many documents in one process. Returns one complaint
 * (or undefined) per document; `cloudInitSchemaProblem` runs the CLI itself on one.
 */
export async function cloudInitSchemaProblems(
  documents: readonly string[],
): Promise<(string | undefined)[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-k8s-"));
  try {
    const files = documents.map((doc, i) => {
      const file = path.join(dir, `user-data-${i}.yaml`);
      fs.writeFileSync(file, doc, { mode: 0o600 });
      return file;
    });
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(cloudInitPython(), ["-c", VALIDATE_FILES, ...files]);
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("close", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`cloud-init schema failed: ${err}`)),
      );
    });
    return (JSON.parse(stdout) as (string | null)[]).map((r) => r ?? undefined);
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
