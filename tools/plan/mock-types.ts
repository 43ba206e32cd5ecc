// Tables of mocked provider behaviour, one file per area under mock-state/.
// A state function returns the computed attributes a real provider would return
// (ids of related objects, IPs, generated values); inputs are merged in by the mocks.

/** Inputs as the provider receives them, secrets already unwrapped. */
export type MockInputs = Record<string, unknown>;

export type MockStateFn = (name: string, inputs: MockInputs) => Record<string, unknown>;
export type MockCallFn = (inputs: MockInputs) => Record<string, unknown>;

/** Resource type token (e.g. `openstack:networking/port:Port`) → computed state. */
export type MockStateTable = Readonly<Record<string, MockStateFn>>;
/** Function token (e.g. `openstack:identity/getAuthScope:getAuthScope`) → result. */
export type MockCallTable = Readonly<Record<string, MockCallFn>>;

/** Deterministic fake id for a resource: stable across runs so plans diff cleanly. */
export function mockId(type: string, name: string): string {
  const kind = type.split(":").pop() ?? "res";
  return `${kind.toLowerCase()}-${name}`;
}
