// Rules over the whole stack: a PodDisruptionBudget for every Deployment, and a default-deny
// NetworkPolicy in every namespace running our workloads. Objects of one cluster share a provider.
import { selectorMatches } from "./selectors";
import { asArray, asObj, label, PlainResource, str, Violation } from "./types";
import { CNPG_CLUSTER, isGuarded, isWorkload } from "./workloads";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CNPG_POOLER = "kubernetes:postgresql.cnpg.io/v1:Pooler";

function namespaceOf(r: PlainResource): string {
  return str(asObj(r.props.metadata).namespace) ?? "default";
}

/** Cluster + namespace, so equal namespace names in two clusters stay apart. */
function scope(r: PlainResource): string {
  return `${r.provider ?? "(default provider)"}|${namespaceOf(r)}`;
}

export function pdbViolations(
  resources: readonly PlainResource[],
  foreignNamespaces?: readonly string[],
): Violation[] {
  const pdbs = resources.filter((r) => r.type === PDB);
  return resources
    .filter((r) => r.type === DEPLOYMENT && isGuarded("pdb-per-deployment", r, foreignNamespaces))
    .filter((d) => {
      const podLabels = asObj(asObj(asObj(asObj(d.props.spec).template).metadata).labels);
      return !pdbs.some(
        (p) => scope(p) === scope(d) && selectorMatches(asObj(p.props.spec).selector, podLabels),
      );
    })
    .map((d) => ({
      message: `${label(d)} has no PodDisruptionBudget selecting its pods`,
      urn: d.urn,
    }));
}

/** podSelector {} with policyType Ingress and no ingress rule: denies all ingress to the namespace. */
export function isDefaultDeny(np: PlainResource): boolean {
  const spec = asObj(np.props.spec);
  const sel = asObj(spec.podSelector);
  const selectsAll =
    Object.keys(asObj(sel.matchLabels)).length === 0 && asArray(sel.matchExpressions).length === 0;
  return (
    selectsAll &&
    asArray(spec.policyTypes).includes("Ingress") &&
    asArray(spec.ingress).length === 0
  );
}

export function defaultDenyViolations(
  resources: readonly PlainResource[],
  foreignNamespaces?: readonly string[],
): Violation[] {
  const denied = new Set(
    resources.filter((r) => r.type === NETWORK_POLICY && isDefaultDeny(r)).map(scope),
  );
  const needing = new Map<string, PlainResource>();
  for (const r of resources) {
    const runsPods = isWorkload(r.type) || r.type === CNPG_CLUSTER || r.type === CNPG_POOLER;
    if (
      runsPods &&
      isGuarded("default-deny-network-policy", r, foreignNamespaces) &&
      !needing.has(scope(r))
    )
      needing.set(scope(r), r);
  }
  return [...needing]
    .filter(([s]) => !denied.has(s))
    .map(([, r]) => ({
      message: `namespace ${namespaceOf(r)} runs workloads (${label(r)}) but has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules)`,
      urn: r.urn,
    }));
}
