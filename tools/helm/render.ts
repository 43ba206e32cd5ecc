// Renders a pinned chart with the real Helm, as pulumi-kubernetes 4.34's helm.v4.Chart does
// (provider/pkg/provider/helm/v4/chart.go): `helm template` with the release name, namespace,
// values, CRDs unless skipCrds and the cluster's Kubernetes version. The provider sets
// DisableHooks; here the hooks are rendered too and split off by their `helm.sh/hook`
// annotation (exactly how Helm itself sorts them out of the manifest), so the plan can list
// what the provider drops. Renders are cached in memory and, unless the values hold secrets,
// on disk under node_modules/.cache, keyed by everything that goes into them.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as jsYaml from "js-yaml";
import { parseAllDocuments } from "yaml";
import { HELM_CACHE_DIR, HELM_VERSION, helmBinary } from "./binary";
import { chartDir, folderFingerprint, manifestDir, manifestText } from "./sources";

export type K8sObject = Record<string, unknown>;

export interface RenderedDoc {
  /** The template it came from (`# Source:` line), e.g. `metallb/templates/controller.yaml`. */
  readonly source: string;
  readonly object: K8sObject;
}

export interface ChartRender {
  /** What the provider registers, in Helm's install order. */
  readonly objects: readonly RenderedDoc[];
  /** Objects carrying `helm.sh/hook`: Helm runs them around install; the provider drops them. */
  readonly hooks: readonly RenderedDoc[];
}

export interface RenderRequest {
  readonly chart: string;
  readonly version: string;
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly includeCrds: boolean;
  /** The server's gitVersion, e.g. v1.36.5+rke2r1. */
  readonly kubeVersion: string;
  /** Values hold secrets: render in memory only, never into the disk cache. */
  readonly sensitive: boolean;
}

/** Bump when the cached form changes. */
const CACHE_FORMAT = 1;
export const RENDER_CACHE_DIR = path.join(HELM_CACHE_DIR, "renders");
const HOOK_ANNOTATION = "helm.sh/hook";

const memory = new Map<string, ChartRender>();
const fingerprints = new Map<string, string>();

/** Plain scalars YAML 1.1 reads differently from 1.2 (booleans, octal, binary, merge keys). */
const YAML_1_1_SCALAR =
  /(?:^|:[ \t]+|-[ \t]+)(?:[yYnN]|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[-+]?0[0-7]+|[-+]?0b[01_]+)[ \t]*$|^[ \t-]*<<[ \t]*:/m;

/**
 * YAML as Kubernetes reads it (sigs.k8s.io/yaml on go-yaml v2): YAML 1.1 scalars (yes/on are
 * booleans, 0777 is octal) but timestamps stay strings. js-yaml's core schema is the same for
 * every document without such scalars and five times faster on the large CRDs; a document with
 * one goes through the YAML 1.1 parser.
 */
export function parseKubernetesYaml(text: string): unknown[] {
  if (!YAML_1_1_SCALAR.test(text))
    return jsYaml.loadAll(text, null, { schema: jsYaml.CORE_SCHEMA });
  return parseAllDocuments(text, {
    version: "1.1",
    customTags: (tags) =>
      tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:timestamp"),
  }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("; "));
    return doc.toJS({ maxAliasCount: -1 });
  });
}

/** Splits `helm template` output into documents with their `# Source:` template. */
export function parseManifest(text: string): RenderedDoc[] {
  const out: RenderedDoc[] = [];
  for (const chunk of text.split(/^---[ \t]*$/m)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim() ?? "";
    for (const value of parseKubernetesYaml(chunk)) {
      // Empty documents (a template that rendered nothing) are skipped, as the provider does.
      if (value === null || typeof value !== "object" || Object.keys(value).length === 0) continue;
      out.push({ source, object: value as K8sObject });
    }
  }
  return out;
}

export function isHook(obj: K8sObject): boolean {
  const annotations = (obj.metadata as { annotations?: Record<string, unknown> } | undefined)
    ?.annotations;
  return annotations !== undefined && annotations !== null && HOOK_ANNOTATION in annotations;
}

function fingerprintOf(dir: string): string {
  if (!fingerprints.has(dir)) fingerprints.set(dir, folderFingerprint(dir));
  return fingerprints.get(dir)!;
}

export function renderDigest(req: RenderRequest, dir: string): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        CACHE_FORMAT,
        HELM_VERSION,
        req.chart,
        req.version,
        fingerprintOf(dir),
        req.release,
        req.namespace,
        req.includeCrds,
        req.kubeVersion,
        req.values,
      ]),
    )
    .digest("hex");
}

function helmTemplate(req: RenderRequest, dir: string): string {
  const args = [
    "template",
    req.release,
    dir,
    "--namespace",
    req.namespace,
    "--kube-version",
    req.kubeVersion,
    // The values go through stdin: they may hold secrets, which must not touch the disk.
    "--values",
    "-",
    ...(req.includeCrds ? ["--include-crds"] : []),
  ];
  try {
    return execFileSync(helmBinary(), args, {
      input: JSON.stringify(req.values),
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
      // No repository or registry config of the user's: a local chart needs none.
      env: { ...process.env, HELM_CACHE_HOME: path.join(HELM_CACHE_DIR, "helm-home") },
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `helm template of ${req.chart}@${req.version} (release ${req.release}, namespace ` +
        `${req.namespace}) failed: ${(err.stderr || err.message).trim()}`,
    );
  }
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function readCached(file: string): ChartRender | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ChartRender;
  } catch {
    return undefined; // absent or torn: render again
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Renders (or recalls) a chart. The result is shared by every plan in the process and frozen:
 * copy what you change.
 */
export function renderChart(req: RenderRequest): ChartRender {
  const dir = chartDir(req.chart, req.version);
  const digest = renderDigest(req, dir);
  let render = memory.get(digest);
  const file = path.join(RENDER_CACHE_DIR, `${digest}.json`);
  if (!render && !req.sensitive) render = readCached(file);
  if (!render) {
    const docs = parseManifest(helmTemplate(req, dir));
    render = {
      objects: docs.filter((d) => !isHook(d.object)),
      hooks: docs.filter((d) => isHook(d.object)),
    };
    if (!req.sensitive) writeAtomically(file, JSON.stringify(render));
  }
  memory.set(digest, deepFreeze(render));
  return render;
}

const manifests = new Map<string, readonly K8sObject[]>();

/**
 * The objects of a remote manifest file (a yaml/v2 ConfigFile's `file`), from its pinned local
 * copy, parsed as the provider decodes YAML; cached like renders. Shared and frozen.
 */
export function loadManifest(url: string): readonly K8sObject[] {
  const dir = manifestDir(url);
  const digest = createHash("sha256")
    .update(JSON.stringify([CACHE_FORMAT, "manifest", url, fingerprintOf(dir)]))
    .digest("hex");
  const known = manifests.get(digest);
  if (known) return known;
  const file = path.join(RENDER_CACHE_DIR, `${digest}.json`);
  let objects: K8sObject[] | undefined;
  try {
    objects = JSON.parse(fs.readFileSync(file, "utf8")) as K8sObject[];
  } catch {
    objects = parseKubernetesYaml(manifestText(url)).filter(
      (d): d is K8sObject => d !== null && typeof d === "object" && Object.keys(d).length > 0,
    );
    writeAtomically(file, JSON.stringify(objects));
  }
  manifests.set(digest, deepFreeze(objects));
  return objects;
}
