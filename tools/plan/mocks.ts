// Mocks for the offline plan: every resource gets a deterministic id and the computed state a
// real provider would return (tables in mock-state/*.ts); unknown functions are an error, so a
// plan never silently runs on made-up data.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isSecretMarker, secretMarker, unwrapSecrets } from "./mask";
import { currentSecretOutputs } from "./recorder";
import { MockCallTable, mockId, MockInputs, MockStateTable } from "./mock-types";

/** Replaces computed state, e.g. to set every secret output (random results, keys) to a known canary. */
export type StateOverride = (
  type: string,
  name: string,
  state: Record<string, unknown>,
  secretOutputs: readonly string[],
) => Record<string, unknown>;

interface Tables {
  readonly state: Record<string, MockStateTable[string]>;
  readonly calls: Record<string, MockCallTable[string]>;
}

let tables: Tables | undefined;

/** Loads every table in mock-state/ (one file per area) once. */
function loadTables(): Tables {
  if (tables) return tables;
  const dir = path.join(__dirname, "mock-state");
  const loaded: Tables = { state: {}, calls: {} };
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))
    .sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as {
      mockState?: MockStateTable;
      mockCalls?: MockCallTable;
    };
    Object.assign(loaded.state, mod.mockState ?? {});
    Object.assign(loaded.calls, mod.mockCalls ?? {});
  }
  tables = loaded;
  return loaded;
}

export class PlanMocks implements pulumi.runtime.Mocks {
  constructor(private readonly override?: StateOverride) {}

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    const plainInputs = unwrapSecrets(args.inputs) as MockInputs;
    const compute = loadTables().state[args.type];
    // Inputs are echoed with their secret markers so secret inputs stay secret outputs.
    let state: Record<string, unknown> = {
      ...args.inputs,
      ...(compute ? compute(args.name, plainInputs) : {}),
    };
    if (this.override) state = this.override(args.type, args.name, state, currentSecretOutputs());
    for (const key of currentSecretOutputs()) {
      if (key in state && !isSecretMarker(state[key])) state[key] = secretMarker(state[key]);
    }
    return {
      id: args.id || (args.custom === false ? undefined : mockId(args.type, args.name)),
      state,
    };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const fn = loadTables().calls[args.token];
    if (!fn)
      throw new Error(
        `offline plan: no mock for function ${args.token}; add one in tools/plan/mock-state/`,
      );
    return fn(unwrapSecrets(args.inputs) as MockInputs);
  }
}
