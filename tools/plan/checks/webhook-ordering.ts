// Webhook ordering: an admission webhook with failurePolicy Fail refuses every request it covers
// until its Service answers with a certificate the API server trusts (the caBundle injected).
// pulumi-kubernetes retries a create only on NotFound/NoMatch, so any object such a webhook covers
// must wait for a gate that proves the webhook serving — waiting for the chart (its Deployment
// ready) is not enough. Contract: a gate is a batch/v1 Job whose annotation
// plant.busche-cnc.com/gates-webhooks lists, comma-separated, `<Kind>/<name>` of the webhook
// configurations it proves serving, on the same cluster.
import { selectorMatches } from "../../../policy/rules/selectors";
import { PlannedResource } from "../recorder";

export const GATES_ANNOTATION = "plant.busche-cnc.com/gates-webhooks";
const GATE_TYPE = "kubernetes:batch/v1:Job";
const WEBHOOK_TYPES = new Set([
  "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
  "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
]);
const EXPANDED_PARENTS = /kubernetes:(helm\.sh\/v\d+:Chart|yaml\/v2:Config(File|Group))$/;
const NAME_LABEL = "kubernetes.io/metadata.name";

/* eslint-disable @typescript-eslint/no-explicit-any -- webhook configurations are untyped JSON */
type Json = any;

interface Webhook {
  /** `ValidatingWebhookConfiguration/<name>`, as gates name it. */
  readonly config: string;
  readonly webhook: string;
  readonly provider?: string;
  readonly rules: readonly Json[];
  readonly namespaceSelector?: Json;
  readonly objectSelector?: Json;
}

const kindOf = (r: PlannedResource): string => r.type.split(":").pop() ?? "";
const groupOf = (r: PlannedResource): string => {
  const gv = r.type.split(":")[1] ?? "";
  const group = gv.split("/")[0];
  return group === "core" ? "" : group;
};
const metaOf = (r: PlannedResource): Json => (r.inputs.metadata ?? {}) as Json;

/** A selector of a webhook: absent or empty selects everything (unlike a PDB's). */
function selects(selector: Json, labels: Record<string, unknown>): boolean {
  const empty =
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 &&
      (selector.matchExpressions ?? []).length === 0);
  return empty || selectorMatches(selector, labels);
}

/** Plural resource names: from the CRDs in the plan, else the API server's usual rule. */
function pluralizer(
  resources: readonly PlannedResource[],
): (group: string, kind: string) => string {
  const plurals = new Map<string, string>();
  for (const r of resources) {
    if (kindOf(r) !== "CustomResourceDefinition") continue;
    const spec = (r.inputs.spec ?? {}) as Json;
    if (spec.names?.kind && spec.names?.plural)
      plurals.set(`${spec.group}/${spec.names.kind}`, spec.names.plural);
  }
  return (group, kind) => {
    const known = plurals.get(`${group}/${kind}`);
    if (known) return known;
    const lower = kind.toLowerCase();
    if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
    if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
    return `${lower}s`;
  };
}

/** Webhooks that refuse what they cannot reach: failurePolicy Fail (the v1 default). */
export function failClosedWebhooks(resources: readonly PlannedResource[]): Webhook[] {
  return resources
    .filter((r) => WEBHOOK_TYPES.has(r.type))
    .flatMap((r) =>
      ((r.inputs.webhooks ?? []) as Json[])
        .filter((w) => (w.failurePolicy ?? "Fail") === "Fail")
        .map((w) => ({
          config: `${kindOf(r)}/${metaOf(r).name}`,
          webhook: String(w.name),
          ...(r.provider ? { provider: r.provider } : {}),
          rules: (w.rules ?? []) as Json[],
          namespaceSelector: w.namespaceSelector,
          objectSelector: w.objectSelector,
        })),
    );
}

function ruleCovers(rule: Json, group: string, plural: string): boolean {
  const any = (list: Json, value: string): boolean =>
    Array.isArray(list) && (list.includes("*") || list.includes(value));
  const ops = rule.operations ?? [];
  const resources: string[] = rule.resources ?? [];
  return (
    any(rule.apiGroups, group) &&
    (ops.includes("*") || ops.includes("CREATE")) &&
    (resources.includes("*") || resources.includes("*/*") || resources.includes(plural))
  );
}

/** The URNs each resource waits for, transitively: components stand for all their descendants. */
function dependencyClosure(resources: readonly PlannedResource[]): (urn: string) => Set<string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of resources) {
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  }
  const descendants = (urn: string): string[] =>
    (children.get(urn) ?? []).flatMap((c) => [c, ...descendants(c)]);
  const direct = (r: PlannedResource): string[] => {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    // A chart's children are registered only once the chart's own dependencies exist.
    const inherited = parent && EXPANDED_PARENTS.test(parent.type) ? parent.dependencies : [];
    return [...r.dependencies, ...inherited].flatMap((d) => {
      const dep = byUrn.get(d);
      return dep && !dep.custom ? [d, ...descendants(d)] : [d];
    });
  };
  const memo = new Map<string, Set<string>>();
  const closure = (urn: string): Set<string> => {
    const known = memo.get(urn);
    if (known) return known;
    const out = new Set<string>();
    memo.set(urn, out); // cycles end here
    const r = byUrn.get(urn);
    for (const d of r ? direct(r) : []) {
      if (out.has(d)) continue;
      out.add(d);
      for (const t of closure(d)) out.add(t);
    }
    return out;
  };
  return closure;
}

/** One message per object a fail-closed webhook covers that does not wait for its gate. */
export function webhookOrderingViolations(resources: readonly PlannedResource[]): string[] {
  const webhooks = failClosedWebhooks(resources);
  if (webhooks.length === 0) return [];
  const plural = pluralizer(resources);
  const closure = dependencyClosure(resources);
  const namespaceLabels = new Map<string, Record<string, unknown>>();
  for (const r of resources) {
    if (r.type !== "kubernetes:core/v1:Namespace") continue;
    const m = metaOf(r);
    namespaceLabels.set(`${r.provider}|${m.name}`, { ...(m.labels ?? {}), [NAME_LABEL]: m.name });
  }
  const gates = resources
    .filter((r) => r.type === GATE_TYPE && metaOf(r).annotations?.[GATES_ANNOTATION])
    .map((r) => ({
      urn: r.urn,
      provider: r.provider,
      gated: String(metaOf(r).annotations[GATES_ANNOTATION])
        .split(",")
        .map((s) => s.trim()),
    }));
  const out: string[] = [];
  for (const r of resources) {
    if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:yaml"))
      continue;
    const m = metaOf(r);
    if (!m.name) continue;
    const group = groupOf(r);
    const res = plural(group, kindOf(r));
    for (const w of webhooks) {
      if (w.provider !== r.provider) continue;
      if (!w.rules.some((rule) => ruleCovers(rule, group, res))) continue;
      if (m.namespace) {
        const labels = namespaceLabels.get(`${r.provider}|${m.namespace}`) ?? {
          [NAME_LABEL]: m.namespace,
        };
        if (!selects(w.namespaceSelector, labels)) continue;
      }
      if (!selects(w.objectSelector, m.labels ?? {})) continue;
      const waits = closure(r.urn);
      const gated = gates.some(
        (g) => g.provider === r.provider && g.gated.includes(w.config) && waits.has(g.urn),
      );
      if (!gated) {
        out.push(
          `${kindOf(r)} ${m.namespace ? `${m.namespace}/` : ""}${m.name} (${r.urn}) is checked by webhook ` +
            `${w.webhook} of ${w.config} (failurePolicy Fail) but waits for no gate Job annotated ` +
            `${GATES_ANNOTATION}: ${w.config}`,
        );
      }
    }
  }
  return out;
}
