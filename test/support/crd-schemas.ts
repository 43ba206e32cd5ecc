// The openAPIV3Schema of every served CRD version in ../shared/crds. Parsing those 11 MB of YAML
// takes seconds, and a dozen test files need them: jest's global setup writes them once as JSON
// (one file per kind, under node_modules/.cache, keyed by a digest of the YAML) and the test
// files read only the kinds they meet. Without that copy (a file run outside jest) they are
// parsed from the YAML; both paths give the same values.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseKubernetesYaml } from "../../tools/helm/render";

export const SHARED_DIR = path.resolve(__dirname, "../../../shared");
export const CRD_CACHE_ENV = "PLANT_CRD_CACHE";

const CRD_DIR = path.join(SHARED_DIR, "crds");
const INDEX = "index.json";

/* eslint-disable @typescript-eslint/no-explicit-any -- schemas are untyped JSON */
type Json = any;

function crdFiles(): string[] {
  return fs
    .readdirSync(CRD_DIR)
    .sort()
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(CRD_DIR, dir))
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => path.join(dir, f)),
    );
}

/**
 * Adds the openAPIV3Schema of every served version of the CRDs in `text` under
 * `group/version:Kind`. Read as the API server reads a CRD (tools/helm/render.ts), and fast:
 * js-yaml on the plain documents, the YAML 1.1 parser only where 1.1 and 1.2 disagree.
 */
export function addCrdSchemas(into: Map<string, Json>, text: string): void {
  for (const crd of parseKubernetesYaml(text) as Json[]) {
    if (crd?.kind !== "CustomResourceDefinition") continue;
    for (const v of crd.spec.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (schema && v.served !== false) {
        into.set(`${crd.spec.group}/${v.name}:${crd.spec.names.kind}`, schema);
      }
    }
  }
}

/** `group/version:Kind` → openAPIV3Schema, parsed from the YAML. */
export function parseCrdSchemas(): Map<string, Json> {
  const schemas = new Map<string, Json>();
  for (const file of crdFiles())
    addCrdSchemas(schemas, fs.readFileSync(path.join(CRD_DIR, file), "utf8"));
  return schemas;
}

/**
 * The folder holding the JSON copy of the CRD schemas under `cacheRoot`, written first when the
 * YAML changed (its name is a digest of every file's path and content).
 */
export function prepareCrdCache(cacheRoot: string): string {
  const hash = crypto.createHash("sha256");
  for (const file of crdFiles()) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(CRD_DIR, file)))
      .update("\0");
  }
  const dir = path.join(cacheRoot, `crds-${hash.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(path.join(dir, INDEX))) return dir;

  fs.mkdirSync(cacheRoot, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheRoot, "tmp-"));
  const index: Record<string, string> = {};
  [...parseCrdSchemas()].forEach(([key, schema], i) => {
    index[key] = `${i}.json`;
    fs.writeFileSync(path.join(tmp, index[key]), JSON.stringify(schema));
  });
  fs.writeFileSync(path.join(tmp, INDEX), JSON.stringify(index));
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // Another run wrote the same digest first: its copy is as good.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, INDEX))) throw e;
  }
  return dir;
}

export interface CrdSchemas {
  has(key: string): boolean;
  get(key: string): Json | undefined;
}

let loaded: CrdSchemas | undefined;

/** The CRD schemas: from the JSON copy named by $PLANT_CRD_CACHE, or parsed from the YAML. */
export function crdSchemas(): CrdSchemas {
  if (loaded) return loaded;
  const dir = process.env[CRD_CACHE_ENV];
  if (!dir) return (loaded = parseCrdSchemas());
  const index = JSON.parse(fs.readFileSync(path.join(dir, INDEX), "utf8")) as Record<
    string,
    string
  >;
  const read = new Map<string, Json>();
  return (loaded = {
    has: (key) => Object.hasOwn(index, key),
    get: (key) => {
      if (!Object.hasOwn(index, key)) return undefined;
      if (!read.has(key)) {
        read.set(key, JSON.parse(fs.readFileSync(path.join(dir, index[key]), "utf8")));
      }
      return read.get(key);
    },
  });
}
