// Validators built from the pinned upstream files in ../shared (CRDs, chart value schemas)
// and, for core kinds, the kubernetes-models package; CRDs ../shared lacks are pinned in
// test/fixtures/upstream and used only where a test names the kind. Shared by every test that
// checks declared objects, so there is one notion of "valid".
import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";
import { SECRET_MARK, UNKNOWN_MARK } from "../../tools/plan/mask";
import { addCrdSchemas, crdSchemas, SHARED_DIR } from "./crd-schemas";

export { SHARED_DIR };

/* eslint-disable @typescript-eslint/no-explicit-any -- schemas and manifests are untyped JSON */
type Json = any;

const ajv = new Ajv({ strict: false, allErrors: true });
// The OpenAPI formats Kubernetes uses; anything else is checked by the API server only.
ajv.addFormat("int32", {
  type: "number",
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
});
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat("double", { type: "number", validate: () => true });
ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
ajv.addFormat("ipv4", /^(\d{1,3}\.){3}\d{1,3}$/);
ajv.addFormat("ipv6", /^[0-9a-fA-F:.]+$/);
ajv.addFormat("uri", /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/);
ajv.addFormat("hostname", /^[A-Za-z0-9.*-]+$/);
for (const loose of ["duration", "quantity", "int-or-string", "email", "password", "uuid"]) {
  ajv.addFormat(loose, () => true);
}

// Throw-away narrowed schemas: compiled without meta-validation, then removed.
const compiler = new Ajv({ strict: false, allErrors: true, validateSchema: false });
for (const [name, format] of Object.entries(ajv.formats)) compiler.addFormat(name, format as never);

/**
 * Rejects unknown fields wherever a schema lists its properties (as the API server's strict
 * field validation does), except where the CRD keeps unknown fields.
 */
function closeObjects(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as Json).map(([p, sub]) => [p, closeObjects(sub)]))
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

/** Ajv knows draft-07 by its http id only; the chart files name it either way. */
function withoutMetaSchema(schema: Json): Json {
  const rest = { ...schema };
  delete rest.$schema;
  return rest;
}

/**
 * CRDs ../shared does not hold, copied unchanged from their upstream release into
 * test/fixtures/upstream/ (each folder's README names the repository, tag, commit and file).
 * Never used by `validateObject`: a test validating such a kind names it and says why
 * (`validateFixtureObject`), so nothing is checked against them by accident.
 */
export const FIXTURE_CRD_FILES: readonly string[] = [
  path.resolve(__dirname, "../fixtures/upstream/calico-v3.32.1/crds.yaml"),
];

let fixtureSchemas: Map<string, Json> | undefined;

function loadFixtureSchemas(): Map<string, Json> {
  if (fixtureSchemas) return fixtureSchemas;
  fixtureSchemas = new Map();
  for (const file of FIXTURE_CRD_FILES)
    addCrdSchemas(fixtureSchemas, fs.readFileSync(file, "utf8"));
  return fixtureSchemas;
}

/** Whether test/fixtures/upstream holds a CRD for this kind. */
export function knownFixtureCrd(apiVersion: string, kind: string): boolean {
  return loadFixtureSchemas().has(`${apiVersion}:${kind}`);
}

/**
 * The schema narrowed to the properties `value` actually has (each array item gets its own
 * narrowed schema). The verdict is unchanged — absent properties only matter through `required`,
 * which is kept, and unknown ones still meet `additionalProperties: false` — but compiling the
 * narrowed schema takes milliseconds where a whole large CRD (EnvoyProxy, Cluster) takes seconds.
 */
function narrow(schema: Json, value: Json): Json {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Json = { ...schema };
  const isMap = value !== null && typeof value === "object" && !Array.isArray(value);
  if (out.properties) {
    const present: Json = isMap ? value : {};
    out.properties = Object.fromEntries(
      Object.keys(present)
        .filter((k) => k in out.properties)
        .map((k) => [k, narrow(out.properties[k], present[k])]),
    );
  }
  if (out.items !== undefined && !Array.isArray(out.items) && Array.isArray(value)) {
    const items = out.items;
    // Tuple form: item i is checked against the schema narrowed to item i.
    out.items = value.map((v: Json) => narrow(items, v));
    out.additionalItems = false;
  }
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(out[k])) out[k] = out[k].map((sub: Json) => narrow(sub, value));
  }
  return out;
}

const closedSchemas = new Map<string, Json>();
const narrowedValidators = new Map<string, ValidateFunction>();

/** A validator of this one object against its CRD (closed to unknown fields, narrowed). */
function crdValidator(
  key: string,
  obj: Json,
  schemas: () => { get(key: string): Json | undefined } = crdSchemas,
): ValidateFunction | undefined {
  const source = schemas === crdSchemas ? "shared" : "fixture";
  const cacheKey = `${source}|${key}`;
  if (!closedSchemas.has(cacheKey)) {
    const schema = schemas().get(key);
    if (!schema) return undefined;
    closedSchemas.set(cacheKey, closeObjects(schema));
  }
  const narrowed = narrow(closedSchemas.get(cacheKey), obj);
  // Objects of one kind often share a shape (every NetworkPolicy allow, every Pooler): reuse.
  const shape = JSON.stringify(narrowed);
  let validate = narrowedValidators.get(shape);
  if (!validate) {
    validate = compiler.compile(narrowed);
    compiler.removeSchema(narrowed);
    narrowedValidators.set(shape, validate);
  }
  return validate;
}

export function knownCrd(apiVersion: string, kind: string): boolean {
  return crdSchemas().has(`${apiVersion}:${kind}`);
}

function valueAt(obj: Json, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce(
      (v: Json, key) => (v == null ? v : v[key.replace(/~1/g, "/").replace(/~0/g, "~")]),
      obj,
    );
}

/** Errors about values the plan masks (secrets, unknowns) say nothing about the program. */
function realErrors(obj: Json, errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .filter((e) => {
      const v = valueAt(obj, e.instancePath);
      return v !== SECRET_MARK && v !== UNKNOWN_MARK;
    })
    .map((e) => {
      const extra =
        e.keyword === "additionalProperties" ? ` '${String(e.params.additionalProperty)}'` : "";
      return `${e.instancePath || "/"} ${e.message ?? "is invalid"}${extra}`;
    });
}

/** Secret maps are masked whole ("[secret]"); give the validators an empty map in their place. */
function unmaskMaps(obj: Json): Json {
  const copy = JSON.parse(JSON.stringify(obj));
  for (const key of ["data", "stringData"]) if (copy[key] === SECRET_MARK) copy[key] = {};
  return copy;
}

function coreModel(
  apiVersion: string,
  kind: string,
): (new (o: Json) => { validate(): void }) | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`kubernetes-models/${apiVersion}`)[kind];
  } catch {
    return undefined;
  }
}

/**
 * Problems of one Kubernetes object: against its CRD from ../shared, or its core kind in
 * kubernetes-models. An object of a kind neither knows is a problem too: nothing goes unchecked.
 */
export function validateObject(obj: Json): string[] {
  const apiVersion = String(obj?.apiVersion ?? "");
  const kind = String(obj?.kind ?? "");
  const subject = unmaskMaps(obj);
  const crd = crdValidator(`${apiVersion}:${kind}`, subject);
  if (crd) return crd(subject) ? [] : realErrors(subject, crd.errors);
  const Model = coreModel(apiVersion, kind);
  if (!Model)
    return [`no schema for ${apiVersion} ${kind} (not in ../shared/crds nor kubernetes-models)`];
  try {
    new Model(subject).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: ErrorObject[] }).errors;
    return errors ? realErrors(subject, errors) : [String(e)];
  }
}

/**
 * Problems of an object whose CRD is pinned in test/fixtures/upstream (FIXTURE_CRD_FILES), with
 * the same strictness as `validateObject`. A kind without a fixture is a problem, not a pass.
 */
export function validateFixtureObject(obj: Json): string[] {
  const apiVersion = String(obj?.apiVersion ?? "");
  const kind = String(obj?.kind ?? "");
  const subject = unmaskMaps(obj);
  const crd = crdValidator(`${apiVersion}:${kind}`, subject, loadFixtureSchemas);
  if (!crd) return [`no schema for ${apiVersion} ${kind} in test/fixtures/upstream`];
  return crd(subject) ? [] : realErrors(subject, crd.errors);
}

const CHART_DIRS: Record<string, string> = {
  "metallb@0.16.1": "charts/metallb-0.16.1",
  "cloudnative-pg@0.29.0": "charts/cloudnative-pg-0.29.0",
  "plugin-barman-cloud@0.7.0": "charts/plugin-barman-cloud-0.7.0",
  "gateway-helm@1.9.0": "charts/gateway-helm-v1.9.0",
};
const chartValidators = new Map<string, ValidateFunction>();

function chartKey(chart: string, version: string): string {
  return `${chart.split("/").pop()}@${version.replace(/^v/, "")}`;
}

/**
 * The chart's values.schema.json from ../shared, when upstream ships one. `closed` also rejects
 * keys the schema does not list (Helm itself only does what the schema says).
 */
export function chartSchemaFor(
  chart: string,
  version: string,
  closed = false,
): ValidateFunction | undefined {
  const key = `${chartKey(chart, version)}${closed ? ":closed" : ""}`;
  const dir = CHART_DIRS[chartKey(chart, version)];
  const file = dir && path.join(SHARED_DIR, dir, "values.schema.json");
  if (!file || !fs.existsSync(file)) return undefined;
  if (!chartValidators.has(key)) {
    const schema = withoutMetaSchema(JSON.parse(fs.readFileSync(file, "utf8")));
    chartValidators.set(key, ajv.compile(closed ? closeObjects(schema) : schema));
  }
  return chartValidators.get(key);
}

/** The chart's own values.yaml, or {} for a chart ../shared does not hold. */
export function chartDefaults(chart: string, version: string): Json {
  const dir = CHART_DIRS[chartKey(chart, version)];
  const file = dir && path.join(SHARED_DIR, dir, "values.yaml");
  return file && fs.existsSync(file) ? (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) : {};
}

/** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
export function coalesceValues(defaults: Json, values: Json): Json {
  if (values === undefined) return defaults;
  const isMap = (v: Json): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isMap(defaults) || !isMap(values)) return values;
  const out: Json = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = coalesceValues(defaults[k], v);
  }
  return out;
}

/** Validates values as Helm does: merged over the chart's values.yaml, against values.schema.json. */
export function validateChartValues(
  chart: string,
  version: string,
  values: Json,
  options: { closed?: boolean } = {},
): string[] {
  const validate = chartSchemaFor(chart, version, options.closed ?? false);
  if (!validate) return [];
  const merged = coalesceValues(chartDefaults(chart, version), values ?? {});
  return validate(merged) ? [] : realErrors(merged, validate.errors);
}
