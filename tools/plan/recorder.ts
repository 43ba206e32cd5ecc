// Records every registration the program makes, as the engine would see it: type, name,
// parent, protect, dependencies (explicit and through inputs) and inputs (secrets masked).
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { maskWire, SECRET_MARK, unwrapWire } from "./mask";

export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependencies: string[];
  /** Provider URN for custom resources with an explicit provider. */
  readonly provider?: string;
  readonly custom: boolean;
  readonly remote: boolean;
  /** Input paths the engine will not update (the `ignoreChanges` option). */
  readonly ignoreChanges?: string[];
  /** The `import` option: the id of an existing object the engine adopts instead of creating. */
  readonly importId?: string;
  /** How many engine-side `transforms` the registration carries (they act on a Chart's children). */
  readonly transforms?: number;
  readonly inputs: Record<string, unknown>;
  /**
   * For each top-level input holding a secret: a SHA-256 of its value. Lets a plan diff see that a
   * secret input changed (user data carrying a new version) without showing it; kept out of the
   * written artifacts.
   */
  readonly secretDigests?: Record<string, string>;
}

function secretDigests(
  raw: Record<string, unknown>,
  masked: Record<string, unknown>,
): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const key of Object.keys(masked)) {
    if (JSON.stringify(masked[key])?.includes(SECRET_MARK)) {
      digests[key] = createHash("sha256")
        .update(JSON.stringify(unwrapWire(raw[key])))
        .digest("hex");
    }
  }
  return digests;
}

/** Components the provider expands from their inputs (charts, manifest files). */
export const EXPANDED_TYPES: ReadonlySet<string> = new Set([
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:yaml/v2:ConfigFile",
]);

/** Their inputs in wire form (secrets still marked), kept in memory for rendering only. */
const wireInputs = new WeakMap<PlannedResource, Record<string, unknown>>();

export function wireInputsOf(r: PlannedResource): Record<string, unknown> | undefined {
  return wireInputs.get(r);
}

let pendingSecretOutputs: string[] = [];

/** Output names the resource being registered asks to keep secret (read synchronously by the mocks). */
export function currentSecretOutputs(): readonly string[] {
  return pendingSecretOutputs;
}

/** The SDK's own wait for outstanding resource RPCs (not re-exported by `pulumi.runtime`). */
export function waitForRegistrations(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  return settings.waitForRPCs();
}

/**
 * URNs registered more than once. The engine refuses the second registration ("Duplicate
 * resource URN"); the mock monitor accepts it, so the plan checks the record afterwards.
 */
export function duplicateUrns(resources: readonly PlannedResource[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const r of resources) (seen.has(r.urn) ? twice : seen).add(r.urn);
  return [...twice];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the mock monitor's protobuf requests are untyped */
export function installRecorder(): PlannedResource[] {
  const recorded: PlannedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const parent: string = req.getParent();
    const urn: string = monitor.newUrn(parent, req.getType(), req.getName());
    const providerRef: string = req.getProvider();
    const propertyDeps: string[] = [];
    req
      .getPropertydependenciesMap()
      .forEach((deps: any) => propertyDeps.push(...deps.getUrnsList()));
    const raw = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const masked = maskWire(raw) as Record<string, unknown>;
    const digests = secretDigests(raw, masked);
    const record: PlannedResource = {
      urn,
      type: req.getType(),
      name: req.getName(),
      ...(parent ? { parent } : {}),
      protect: req.hasProtect() ? req.getProtect() : false,
      retainOnDelete: Boolean(req.getRetainondelete?.()),
      dependencies: [...new Set([...req.getDependenciesList(), ...propertyDeps])].sort(),
      ...(providerRef ? { provider: providerRef.split("::").slice(0, -1).join("::") } : {}),
      custom: req.getCustom(),
      remote: req.getRemote(),
      ...(req.getIgnorechangesList().length > 0
        ? { ignoreChanges: req.getIgnorechangesList() }
        : {}),
      ...(req.getImportid() ? { importId: req.getImportid() } : {}),
      ...(req.getTransformsList().length > 0 ? { transforms: req.getTransformsList().length } : {}),
      inputs: masked,
      ...(Object.keys(digests).length > 0 ? { secretDigests: digests } : {}),
    };
    recorded.push(record);
    if (EXPANDED_TYPES.has(record.type)) wireInputs.set(record, raw);
    // The engine marks these outputs secret; the mock monitor does not, so the mocks do it.
    pendingSecretOutputs = req.getAdditionalsecretoutputsList();
    try {
      return register(req, callback);
    } finally {
      pendingSecretOutputs = [];
    }
  };
  return recorded;
}
