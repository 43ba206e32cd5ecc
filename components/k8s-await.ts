// What `pulumi up` waits for on custom resources. pulumi-kubernetes awaits a custom resource only
// when it carries `pulumi.com/waitFor` (provider/pkg/metadata/overrides.go: a `condition=<Type>`,
// a `jsonpath={...}=<value>` in RFC 9535 syntax, or a JSON array of them, all of which must hold),
// bounded by `pulumi.com/timeoutSeconds`. Without it a Certificate that never issues, a Gateway
// that never gets its address or a route its Gateway refuses all "succeed".

export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";
export const TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";

/** Annotations making Pulumi wait until every expression holds, failing after `timeoutSeconds`. */
export function awaitAnnotations(
  expressions: readonly string[],
  timeoutSeconds: number,
): Record<string, string> {
  if (expressions.length === 0) throw new Error("awaitAnnotations: nothing to wait for");
  return {
    [WAIT_FOR_ANNOTATION]: expressions.length === 1 ? expressions[0] : JSON.stringify(expressions),
    [TIMEOUT_ANNOTATION]: String(timeoutSeconds),
  };
}

/** `status.conditions[type=<type>].status == "True"`. */
export function condition(type: string): string {
  return `condition=${type}`;
}

/** Single-quoted RFC 9535 string literal (names here are DNS names: no quotes to escape). */
function literal(value: string): string {
  if (/['\\{}=]/.test(value)) throw new Error(`cannot wait on ${value}: unsupported characters`);
  return `'${value}'`;
}

export interface ParentRef {
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

/**
 * One expression per parent: the route is Accepted by that Gateway listener (Gateway API route
 * status: `status.parents[]` keyed by `parentRef`).
 */
export function routeAccepted(parents: readonly ParentRef[]): string[] {
  return parents.map((p) => {
    const match = [
      `@.parentRef.name==${literal(p.name)}`,
      ...(p.sectionName ? [`@.parentRef.sectionName==${literal(p.sectionName)}`] : []),
    ].join(" && ");
    return `jsonpath={.status.parents[?${match}].conditions[?@.type=='Accepted'].status}=True`;
  });
}

/** The Gateway is programmed and holds its static address (MetalLB gave its Service the IP). */
export function gatewayServing(ip: string): string[] {
  return [condition("Programmed"), `jsonpath={.status.addresses[0].value}=${ip}`];
}

/** How long each kind may take on a fresh cluster (image pulls included). */
export const AWAIT_SECONDS = {
  issuer: 300,
  certificate: 600,
  /** The proxies pull their image and MetalLB announces the address. */
  gateway: 900,
  route: 300,
  /** initdb, then each standby clones the primary. */
  database: 1800,
  pooler: 600,
  /** A base backup of the whole database to the object store. */
  firstBackup: 3600,
} as const;
