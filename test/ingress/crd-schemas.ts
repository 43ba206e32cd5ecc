// Validates custom resources against the pinned upstream CRDs in ../shared/crds (ajv on the
// openAPIV3Schema). Unknown fields are rejected the way `kubectl apply` (strict field validation)
// does, so a misspelt field fails here instead of being pruned silently by the API server.
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

export const SHARED = path.join(__dirname, "../../../shared");
export const CRD_DIRS = [
  "metallb-v0.16.1",
  "gateway-api-v1.6.1",
  "envoy-gateway-v1.9.0",
  "cert-manager-v1.21.1",
] as const;

type Schema = Record<string, unknown>;

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema: Schema };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/** Adds additionalProperties: false wherever the schema lists properties and keeps no unknown fields. */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    // `properties` maps names to schemas: recurse into each schema, not into the map itself.
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

/** The formats the pinned CRDs use, as the API server reads them. */
function addKubernetesFormats(ajv: Ajv): void {
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat("ipv4", /^(\d{1,3}\.){3}\d{1,3}$/);
  ajv.addFormat("ipv6", /^[0-9a-fA-F:.]+$/);
}

/**
 * The schema narrowed to the properties `value` actually has (each array item gets its own
 * narrowed schema). The verdict is unchanged — absent properties only matter through `required`,
 * which is kept, and unknown ones still meet `additionalProperties: false` — but compiling the
 * narrowed schema takes milliseconds where the whole EnvoyProxy CRD takes seconds.
 */
function narrow(schema: unknown, value: unknown): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Schema = { ...(schema as Schema) };
  const isMap = value !== null && typeof value === "object" && !Array.isArray(value);
  const props = out.properties as Record<string, Schema> | undefined;
  if (props) {
    const present = isMap ? (value as Schema) : {};
    out.properties = Object.fromEntries(
      Object.keys(present)
        .filter((k) => k in props)
        .map((k) => [k, narrow(props[k], present[k])]),
    );
  }
  if (out.items !== undefined && !Array.isArray(out.items) && Array.isArray(value)) {
    const items = out.items;
    // Tuple form: item i is checked against the schema narrowed to item i.
    out.items = value.map((v) => narrow(items, v));
    out.additionalItems = false;
  }
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((sub) => narrow(sub, value));
  }
  return out;
}

// One instance for every (narrowed, throw-away) schema: creating an Ajv costs ~100 ms.
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
addKubernetesFormats(ajv);

const closedSchemas = new Map<string, Schema>();
const crds = new Map<string, Crd>();

/** Parses only the CRD files that can hold `group`/`kind` (parsing all of them takes seconds). */
function loadCrd(group: string, kind: string): void {
  for (const dir of CRD_DIRS) {
    const folder = path.join(SHARED, "crds", dir);
    for (const file of fs.readdirSync(folder).filter((f) => f.startsWith(`${group}_`))) {
      const text = fs.readFileSync(path.join(folder, file), "utf8");
      if (!text.includes(`kind: ${kind}\n`)) continue;
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS() as Crd | null;
        if (crd?.kind !== "CustomResourceDefinition") continue;
        for (const v of crd.spec.versions) {
          crds.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, crd);
        }
      }
    }
  }
}

function closedSchemaFor(apiVersion: string, kind: string): Schema {
  const key = `${apiVersion}/${kind}`;
  const cached = closedSchemas.get(key);
  if (cached) return cached;
  if (!crds.has(key)) loadCrd(apiVersion.split("/")[0], kind);
  const crd = crds.get(key);
  if (!crd) throw new Error(`no pinned CRD for ${key} in ${CRD_DIRS.join(", ")}`);
  const version = crd.spec.versions.find((v) => `${crd.spec.group}/${v.name}` === apiVersion);
  if (!version?.served || !version.schema) throw new Error(`${key} is not a served version`);
  const schema = closeObjects(version.schema.openAPIV3Schema) as Schema;
  closedSchemas.set(key, schema);
  return schema;
}

/** Validation errors of one custom resource (empty when valid). */
export function crdErrors(obj: object): string[] {
  const { apiVersion, kind } = obj as { apiVersion: string; kind: string };
  const schema = narrow(closedSchemaFor(apiVersion, kind), obj) as Schema;
  const validate: ValidateFunction = ajv.compile(schema);
  ajv.removeSchema(schema);
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}
