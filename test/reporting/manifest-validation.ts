// Validation of declared manifests: core kinds with the kubernetes-models package, custom
// resources with ajv on the pinned upstream CRDs in ../shared/crds (unknown fields rejected,
// as `kubectl apply` with strict field validation does). CEL rules are not evaluated.
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

const SHARED = path.join(__dirname, "../../../shared");
const CRD_DIRS = ["gateway-api-v1.6.1", "envoy-gateway-v1.9.0"];
const MODELS = path.join(__dirname, "../../node_modules/kubernetes-models");

// kubernetes-models is ESM-only with an import-only exports map: jest's CommonJS runtime cannot
// load it, Node's own require (ESM interop, Node ≥ 20.19) can, by file path.
const nodeRequire = createRequire(__filename);

interface Model {
  validate(): void;
}
type ModelClass = new (obj: unknown) => Model;

/** Validation error of a core object (apiVersion/kind picked from the object), or undefined. */
export function coreError(obj: {
  apiVersion?: unknown;
  kind?: unknown;
  [field: string]: unknown;
}): string | undefined {
  const file = path.join(MODELS, String(obj.apiVersion), `${String(obj.kind)}.js`);
  if (!fs.existsSync(file))
    return `kubernetes-models has no ${String(obj.apiVersion)} ${String(obj.kind)}`;
  const mod = nodeRequire(file) as Record<string, ModelClass>;
  try {
    new mod[String(obj.kind)](obj).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

type Schema = Record<string, unknown>;
interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[];
  };
}

/** additionalProperties: false wherever properties are listed and unknown fields are not kept. */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, closeObjects(s)]))
        : closeObjects(v);
  }
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

let crds: Map<string, Schema> | undefined;
const validators = new Map<string, ValidateFunction>();

function loadCrds(): Map<string, Schema> {
  if (crds) return crds;
  crds = new Map();
  for (const dir of CRD_DIRS) {
    const folder = path.join(SHARED, "crds", dir);
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(folder, file), "utf8"))) {
        const crd = doc.toJS() as Crd | null;
        if (crd?.kind !== "CustomResourceDefinition") continue;
        for (const v of crd.spec.versions) {
          if (v.served && v.schema)
            crds.set(
              `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`,
              v.schema.openAPIV3Schema,
            );
        }
      }
    }
  }
  return crds;
}

/** Validation errors of one custom resource against its pinned CRD (empty when valid). */
export function crdErrors(obj: { apiVersion: string; kind: string }): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  let fn = validators.get(key);
  if (!fn) {
    const schema = loadCrds().get(key);
    if (!schema) return [`no pinned CRD serves ${key}`];
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat("int32", {
      type: "number",
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
    ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    ajv.addFormat("ipv4", /^(\d{1,3}\.){3}\d{1,3}$/);
    ajv.addFormat("ipv6", /^[0-9a-fA-F:.]+$/);
    fn = ajv.compile(closeObjects(schema) as Schema);
    validators.set(key, fn);
  }
  if (fn(obj)) return [];
  return (fn.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}
