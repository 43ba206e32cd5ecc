// Validators built from the pinned upstream files in ../shared: CRD openAPIV3Schemas
// (CloudNativePG 1.30.0, Barman Cloud plugin 0.13.0) and the charts' values.schema.json.
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

export const SHARED = path.join(__dirname, "../../../shared");
const CRD_DIRS = ["cloudnative-pg-v1.30.0", "plugin-barman-cloud-v0.13.0"];

type Schema = Record<string, unknown>;
interface Crd {
  kind?: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema: Schema } }[];
  };
}

/**
 * Closes every object that lists its properties (additionalProperties: false), as the API
 * server's strict field validation does: a misspelt field fails instead of being pruned.
 */
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

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
let schemas: Map<string, Schema> | undefined;
const compiled = new Map<string, ValidateFunction>();

/** "group/version/kind" → openAPIV3Schema of every pinned CRD (compiled only when used). */
function crdSchemas(): Map<string, Schema> {
  if (schemas) return schemas;
  schemas = new Map();
  for (const dir of CRD_DIRS) {
    const folder = path.join(SHARED, "crds", dir);
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(folder, file), "utf8"))) {
        const crd = doc.toJS() as Crd | null;
        if (!crd || crd.kind !== "CustomResourceDefinition") continue;
        for (const v of crd.spec.versions) {
          if (v.schema)
            schemas.set(
              `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`,
              v.schema.openAPIV3Schema,
            );
        }
      }
    }
  }
  return schemas;
}

/** Validation errors of a custom resource (empty when valid); throws for an unknown kind. */
export function crdErrors(obj: {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = crdSchemas().get(key);
    if (!schema) throw new Error(`no pinned CRD for ${obj.apiVersion} ${obj.kind}`);
    validate = ajv.compile(closeObjects(schema) as Schema);
    compiled.set(key, validate);
  }
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** Validation errors of Helm values against a chart's values.schema.json. */
export function chartValueErrors(chartDir: string, values: unknown): string[] {
  const schema = JSON.parse(
    fs.readFileSync(path.join(SHARED, "charts", chartDir, "values.schema.json"), "utf8"),
  ) as Schema;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(
    closeObjects(schema) as Schema,
  );
  if (validate(values)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
  );
}
