// Runs the real program (program.ts main) under Pulumi's mock runtime with a stack file's
// config: no CLI, no credentials, no network. Used by `npm run plan`, the tests and the bench.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, readStackFile } from "../../config/site";
import { declareSite, PreparedSite, prepareSite } from "../../program";
import { formatPlacement } from "../../components/openstack/placement";
import { formatFailureTable } from "../../planning/failure-domains";
import { formatDataPlan } from "../../components/postgres/plan-report";
import { SiteOutputs } from "../../outputs";
import { expandComponents } from "./chart-children";
import { CoveredHook, coverHooks } from "./hooks";
import { expansionContext } from "./kube-version";
import { collectManifests, PlannedManifest } from "./manifests";
import { maskWire } from "./mask";
import { PlanMocks, StateOverride } from "./mocks";
import { duplicateUrns, installRecorder, PlannedResource, waitForRegistrations } from "./recorder";
import { renderTree } from "./tree";

export { PlannedResource } from "./recorder";
export { PlannedManifest } from "./manifests";
export { CoveredHook } from "./hooks";

export const PROJECT_DIR = path.resolve(__dirname, "../..");
export const PROJECT_NAME = "plant";

export interface PlanOptions {
  readonly stack: string;
  /** A Pulumi.<stack>.yaml to read instead of the project's own. */
  readonly configFile?: string;
  /** Site values (keys without `plant:`) used instead of any file. */
  readonly rawConfig?: Record<string, unknown>;
  /** Secret config values (keys without `plant:`), as `pulumi config set --secret` would. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Replaces mocked provider state (e.g. known random results for canary tests). */
  readonly stateOverride?: StateOverride;
}

/** What prepareSite checked and planned, without the secrets: plain data the plan reports on. */
export type PlannedSite = Omit<PreparedSite, "secrets">;

export interface PlanResult {
  readonly stack: string;
  /** The parsed config, the VM placement and the failure-domain result (no secret values). */
  readonly site: PlannedSite;
  readonly resources: PlannedResource[];
  /** Stack outputs, secrets as "[secret]". */
  readonly outputs: Record<string, unknown>;
  readonly manifests: PlannedManifest[];
  /** Helm hooks the provider drops, each with the program's cover (tools/plan/hooks.ts). */
  readonly hooks: CoveredHook[];
  /** The readable report printed by `npm run plan`. */
  readonly tree: string;
  readonly seconds: number;
}

let queue: Promise<unknown> = Promise.resolve();

/** Plans are serialized: the mock runtime is process-global. */
export function runPlan(options: PlanOptions): Promise<PlanResult> {
  const next = queue.then(() => planOnce(options));
  queue = next.catch(() => undefined);
  return next;
}

function stackConfig(options: PlanOptions): Record<string, string> {
  const raw =
    options.rawConfig ??
    readStackFile(options.configFile ?? path.join(PROJECT_DIR, `Pulumi.${options.stack}.yaml`));
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw))
    config[`${CONFIG_NAMESPACE}:${key}`] = JSON.stringify(value);
  for (const [key, value] of Object.entries(options.secrets ?? {}))
    config[`${CONFIG_NAMESPACE}:${key}`] = value;
  return config;
}

async function planOnce(options: PlanOptions): Promise<PlanResult> {
  // A failure inside an apply or a registration is an error of the plan, as it is of `pulumi up`.
  const failures: unknown[] = [];
  const onRejection = (reason: unknown): void => void failures.push(reason);
  process.on("unhandledRejection", onRejection);
  // The SDK captures a stack trace for every promise it makes (a debugging aid); capturing and
  // source-mapping them was most of a plan's CPU. Plans report errors by message.
  const prepare = Error.prepareStackTrace;
  const traceLimit = Error.stackTraceLimit;
  delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  Error.stackTraceLimit = 0;
  try {
    const result = await declareAndWait(options);
    await new Promise((resolve) => setImmediate(resolve));
    if (failures.length > 0) throw new PlanFailedError(options.stack, failures);
    return result;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = traceLimit;
    process.off("unhandledRejection", onRejection);
  }
}

export class PlanFailedError extends Error {
  constructor(
    readonly stackName: string,
    readonly failures: readonly unknown[],
  ) {
    super(
      `plan of stack '${stackName}' failed:\n` +
        failures.map((f) => `  - ${f instanceof Error ? f.message : String(f)}`).join("\n"),
    );
    this.name = "PlanFailedError";
  }
}

async function declareAndWait(options: PlanOptions): Promise<PlanResult> {
  const started = process.hrtime.bigint();
  const config = stackConfig(options);
  const secretKeys = Object.keys(options.secrets ?? {}).map((k) => `${CONFIG_NAMESPACE}:${k}`);
  await pulumi.runtime.setMocks(
    new PlanMocks(options.stateOverride),
    PROJECT_NAME,
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(config, secretKeys);
  const recorded = installRecorder();

  // The same two steps as main(): every check first, then the declarations.
  const prepared = prepareSite({ projectDir: PROJECT_DIR, offline: true });
  let outputs: SiteOutputs;
  try {
    outputs = declareSite(prepared);
  } catch (e) {
    // Let registrations already under way finish, so nothing runs on after the plan fails.
    await waitForRegistrations().catch(() => undefined);
    throw e;
  }
  // Serializing the outputs waits for every value they depend on, as the engine would.
  const wire = await pulumi.runtime.serializeProperties(
    "outputs",
    outputs as unknown as Record<string, unknown>,
  );
  await waitForRegistrations();
  // What the provider registers inside each chart and manifest file, rendered with real Helm.
  const { resources, hooks } = expandComponents(
    recorded,
    expansionContext(prepared.config, recorded),
  );
  // The engine refuses a second registration of one URN, the provider's chart children included.
  const duplicates = duplicateUrns(resources);
  if (duplicates.length > 0) {
    throw new PlanFailedError(
      options.stack,
      duplicates.map((urn) => `Duplicate resource URN '${urn}'; try giving it a unique name`),
    );
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    stack: options.stack,
    site: {
      config: prepared.config,
      placement: prepared.placement,
      failureDomains: prepared.failureDomains,
    },
    resources,
    outputs: maskWire(wire) as Record<string, unknown>,
    manifests: collectManifests(resources),
    hooks: coverHooks(hooks),
    tree: [
      renderTree(resources),
      "",
      formatPlacement(prepared.placement),
      "",
      formatFailureTable(prepared.failureDomains),
      "",
      formatDataPlan(prepared.config),
    ].join("\n"),
    seconds,
  };
}
