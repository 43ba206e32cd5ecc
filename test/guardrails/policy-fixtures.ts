// Resource fixtures for the policy rules: a compliant workload of each kind, and helpers to break one field.
import { PlainResource } from "../../policy/rules/types";

export const STACK_URN = "urn:pulumi:avilla::plant::";
export const PROVIDER = "urn:pulumi:avilla::plant::pulumi:providers:kubernetes::k8s-reports";

export function urnOf(type: string, name: string, parents = "plant:reporting:Service"): string {
  return `${STACK_URN}${parents}$${type}::${name}`;
}

export function goodContainer(name = "app"): Record<string, unknown> {
  return {
    name,
    image: "registry.busche-cnc.com/reporting/report-web:2026.11.2",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    startupProbe: { httpGet: { path: "/healthz", port: 8080 } },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
    livenessProbe: { httpGet: { path: "/livez", port: 8080 } },
  };
}

export function goodPodSpec(): Record<string, unknown> {
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [goodContainer()],
  };
}

const TEMPLATE_LABELS = { "app.kubernetes.io/name": "report-web" };

/** A compliant workload of the given type token. */
export function workload(
  type: string,
  pod = goodPodSpec(),
  namespace = "reporting",
): PlainResource {
  const metadata = { name: "report-web", namespace };
  const template = { metadata: { labels: TEMPLATE_LABELS }, spec: pod };
  const spec: Record<string, Record<string, unknown>> = {
    "kubernetes:apps/v1:Deployment": { selector: { matchLabels: TEMPLATE_LABELS }, template },
    "kubernetes:apps/v1:StatefulSet": { selector: { matchLabels: TEMPLATE_LABELS }, template },
    "kubernetes:apps/v1:DaemonSet": { selector: { matchLabels: TEMPLATE_LABELS }, template },
    "kubernetes:batch/v1:Job": { template },
    "kubernetes:batch/v1:CronJob": { schedule: "0 6 * * *", jobTemplate: { spec: { template } } },
    "kubernetes:core/v1:Pod": pod,
  };
  return {
    type,
    name: "report-web",
    urn: urnOf(type, "report-web"),
    provider: PROVIDER,
    props: { metadata, spec: spec[type] },
  };
}

export const WORKLOAD_TYPES = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:core/v1:Pod",
];

/** The workload with its first container changed. */
export function withContainer(
  type: string,
  change: (c: Record<string, unknown>) => void,
): PlainResource {
  const pod = goodPodSpec();
  change((pod.containers as Record<string, unknown>[])[0]);
  return workload(type, pod);
}

export function k8s(
  type: string,
  name: string,
  namespace: string | undefined,
  spec: unknown,
  extra: Partial<PlainResource> = {},
): PlainResource {
  return {
    type,
    name,
    urn: urnOf(type, name),
    provider: PROVIDER,
    props: {
      metadata: { name, ...(namespace ? { namespace } : {}) },
      ...(spec === undefined ? {} : { spec }),
    },
    ...extra,
  };
}

export const PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget";
export const NP_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

export function pdb(
  namespace = "reporting",
  matchLabels: Record<string, string> = TEMPLATE_LABELS,
): PlainResource {
  return k8s(PDB_TYPE, "report-web", namespace, { minAvailable: 1, selector: { matchLabels } });
}

export function defaultDeny(namespace = "reporting"): PlainResource {
  return k8s(NP_TYPE, "default-deny", namespace, {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
  });
}
