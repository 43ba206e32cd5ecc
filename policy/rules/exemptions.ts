// Workloads rendered from upstream charts (and manifest files) meet the same guardrails as the
// program's own, except where an exemption below says why not. Each is a decision, reviewed in
// the diff: a third-party pod that runs privileged, without a memory limit or a startup probe is
// accepted on purpose, never by accident. An exemption applies only to chart children (never to
// the program's own objects); test/guardrails/plan-policy.test.ts fails on one nothing uses.
import { asObj, PlainResource, str } from "./types";

export interface Exemption {
  /** Policy name (policy/rules/catalogue.ts). */
  readonly rule: string;
  /** Object kind; namespace-wide rules (default-deny) use "*". */
  readonly kind: string;
  readonly namespace: string;
  /** Object name, or "*" for every object of the kind in the namespace. */
  readonly name: string;
  readonly reason: string;
}

/** Type tokens whose children are rendered by the provider from a chart or manifest. */
const UPSTREAM_PARENTS = [
  /kubernetes:helm\.sh\/v\d+:Chart/,
  /kubernetes:yaml(\/v2)?:Config(File|Group)/,
];

/** True for objects the provider registers under a Chart or ConfigFile. */
export function isChartChild(r: PlainResource): boolean {
  // URN: urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>
  const typeChain = r.urn?.split("::")[2] ?? "";
  return UPSTREAM_PARENTS.some((re) => re.test(typeChain));
}

const METALLB_SPEAKER =
  "MetalLB's speaker answers ARP for the static IPs from the host network (hostNetwork, NET_RAW); " +
  "only the privileged level admits it, and metallb-system is privileged for it (docs/ingress.md)";
const NO_PROBE_VALUES =
  "the chart defines these probes itself and exposes no values to add the missing ones; " +
  "Pulumi still waits for the Deployment's ready replicas";
const NO_RESOURCES =
  "the chart sets no resources by default; sizing it through values is open work (docs/ingress.md)";

export const CHART_EXEMPTIONS: readonly Exemption[] = [
  // metallb-system
  {
    rule: "pod-security-restricted",
    kind: "DaemonSet",
    namespace: "metallb-system",
    name: "metallb-speaker",
    reason: METALLB_SPEAKER,
  },
  {
    rule: "pod-security-restricted",
    kind: "Deployment",
    namespace: "metallb-system",
    name: "metallb-controller",
    reason:
      "the chart sets no seccomp profile on the controller; its namespace is privileged for the speaker (baseline would admit it)",
  },
  {
    rule: "requests-and-limits",
    kind: "DaemonSet",
    namespace: "metallb-system",
    name: "metallb-speaker",
    reason: NO_RESOURCES,
  },
  {
    rule: "requests-and-limits",
    kind: "Deployment",
    namespace: "metallb-system",
    name: "metallb-controller",
    reason: NO_RESOURCES,
  },
  {
    rule: "deployment-probes",
    kind: "Deployment",
    namespace: "metallb-system",
    name: "metallb-controller",
    reason: NO_PROBE_VALUES,
  },
  {
    rule: "pdb-per-deployment",
    kind: "Deployment",
    namespace: "metallb-system",
    name: "metallb-controller",
    reason:
      "one controller replica by design (it only allocates addresses and serves the webhook); the speakers announce without it",
  },
  {
    rule: "default-deny-network-policy",
    kind: "*",
    namespace: "metallb-system",
    name: "*",
    reason:
      "the speakers run on the host network, where NetworkPolicies do not apply; the controller's webhook must answer the API server",
  },
  // cert-manager
  {
    rule: "requests-and-limits",
    kind: "Deployment",
    namespace: "cert-manager",
    name: "*",
    reason: NO_RESOURCES,
  },
  {
    rule: "deployment-probes",
    kind: "Deployment",
    namespace: "cert-manager",
    name: "*",
    reason: NO_PROBE_VALUES,
  },
  {
    rule: "default-deny-network-policy",
    kind: "*",
    namespace: "cert-manager",
    name: "*",
    reason:
      "cert-manager's webhook must answer the API server and the controller reaches ACME servers; no policy is declared for them yet",
  },
  // envoy-gateway-system
  {
    rule: "default-deny-network-policy",
    kind: "*",
    namespace: "envoy-gateway-system",
    name: "*",
    reason:
      "the Envoy data plane there takes traffic from the whole plant LAN through the static IP",
  },
  // cnpg-system
  {
    rule: "deployment-probes",
    kind: "Deployment",
    namespace: "cnpg-system",
    name: "plugin-barman-cloud",
    reason: NO_PROBE_VALUES,
  },
  {
    rule: "pdb-per-deployment",
    kind: "Deployment",
    namespace: "cnpg-system",
    name: "*",
    reason:
      "the operator and the plugin run two replicas with leader election; neither chart templates a PodDisruptionBudget",
  },
  {
    rule: "default-deny-network-policy",
    kind: "*",
    namespace: "cnpg-system",
    name: "*",
    reason:
      "the operator's webhooks must answer the API server and it reaches every instance's status port",
  },
  // monitoring-node, monitoring (kube-prometheus-stack, docs/observability.md)
  {
    rule: "pod-security-restricted",
    kind: "DaemonSet",
    namespace: "monitoring-node",
    name: "monitoring-prometheus-node-exporter",
    reason:
      "node-exporter reads the host it reports on (hostNetwork, hostPID, read-only /, /proc and /sys); " +
      "only the privileged level admits it, and monitoring-node is privileged for it alone",
  },
  {
    rule: "deployment-probes",
    kind: "Deployment",
    namespace: "monitoring",
    name: "monitoring-operator",
    reason:
      "the chart templates the operator's readiness and liveness probes but has no value for a startup probe",
  },
  {
    rule: "deployment-probes",
    kind: "Deployment",
    namespace: "monitoring",
    name: "monitoring-grafana",
    reason:
      "Grafana itself has startup, readiness and liveness probes (values); the chart gives its two k8s-sidecar " +
      "containers one shared probe value and a startup probe only as native sidecars. They copy dashboards " +
      "and datasources into Grafana: a failure shows as a missing dashboard, never in the alert path",
  },
  ...["monitoring-operator", "monitoring-kube-state-metrics", "monitoring-grafana"].map(
    (name): Exemption => ({
      rule: "pdb-per-deployment",
      kind: "Deployment",
      namespace: "monitoring",
      name,
      reason:
        "one replica by design (a second operator or kube-state-metrics would duplicate every series; " +
        "Grafana is a view): a PodDisruptionBudget could only block drains or allow everything. " +
        "Their pods leave a dead node after 30 s (tolerations) instead of 300 s",
    }),
  ),
];

/** The exemption that lets `r` skip `rule`, if any (chart children only). */
export function exemptionFor(
  rule: string,
  r: PlainResource,
  exemptions: readonly Exemption[] = CHART_EXEMPTIONS,
): Exemption | undefined {
  if (!isChartChild(r)) return undefined;
  const meta = asObj(r.props.metadata);
  const kind = r.type.split(":").pop() ?? "";
  const namespace = str(meta.namespace) ?? "";
  const name = str(meta.name) ?? "";
  return exemptions.find(
    (e) =>
      e.rule === rule &&
      e.namespace === namespace &&
      (e.kind === "*" || e.kind === kind) &&
      (e.name === "*" || e.name === name),
  );
}
