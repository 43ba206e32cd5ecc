// Plain resource data the rules work on: what the policy engine hands a policy, or what the
// offline plan recorded. No engine types here, so tests call the rules directly.

export interface PlainResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  readonly name?: string;
  /** Its URN carries the parent type chain (`…::plant:ingress:Addons$kubernetes:helm.sh/v4:Chart$…`). */
  readonly urn?: string;
  /** Inputs (resource policies) or outputs (stack policies). */
  readonly props: Record<string, unknown>;
  readonly protect?: boolean;
  /** Outputs the engine keeps secret (SDK-declared plus `additionalSecretOutputs`). */
  readonly additionalSecretOutputs?: readonly string[];
  /** URN or name of the provider; Kubernetes objects of one cluster share it. */
  readonly provider?: string;
}

/** One violation; `urn` set when a stack rule blames a single resource. */
export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

export type Obj = Record<string, unknown>;

export function asObj(value: unknown): Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `kind namespace/name` for messages. */
export function label(r: PlainResource): string {
  const meta = asObj(r.props.metadata);
  const kind = r.type.split(":").pop() ?? r.type;
  const name = str(meta.name) ?? r.name ?? "?";
  const ns = str(meta.namespace);
  return `${kind} ${ns ? `${ns}/` : ""}${name}`;
}
