// Every guardrail policy with its pure check. policy/index.ts turns these into engine policies;
// tests and the offline plan call the checks directly.
import { pinnedChartViolations, pinnedImageViolations } from "./images";
import { namespacePodSecurityViolations } from "./namespace-pod-security";
import { podSecurityViolations } from "./pod-security";
import { probeViolations } from "./probes";
import { protectViolations } from "./protect";
import { resourceViolations } from "./resources";
import { credentialResourceViolations } from "./secrets";
import { worldOpenIngressViolations } from "./security-groups";
import { defaultDenyViolations, pdbViolations } from "./stack";
import { PlainResource, Violation } from "./types";

export interface ResourceRule {
  readonly kind: "resource";
  readonly name: string;
  readonly description: string;
  readonly check: (r: PlainResource) => Violation[];
}

export interface StackRule {
  readonly kind: "stack";
  readonly name: string;
  readonly description: string;
  readonly check: (resources: readonly PlainResource[]) => Violation[];
}

export type Rule = ResourceRule | StackRule;

export const RULES: readonly Rule[] = [
  {
    kind: "resource",
    name: "pinned-images",
    description:
      "Every workload container and CNPG Cluster imageName is pinned (repo:tag or digest, never latest).",
    check: pinnedImageViolations,
  },
  {
    kind: "resource",
    name: "pinned-charts",
    description:
      "Every Helm chart is at an exact version and every remote manifest comes from a versioned release URL.",
    check: pinnedChartViolations,
  },
  {
    kind: "resource",
    name: "pod-security-restricted",
    description:
      "Our workloads meet Pod Security 'restricted': runAsNonRoot, no privilege escalation, drop ALL, seccomp RuntimeDefault.",
    check: (r) => podSecurityViolations(r),
  },
  {
    kind: "resource",
    name: "requests-and-limits",
    description: "Every container of our workloads requests CPU and memory and has a memory limit.",
    check: (r) => resourceViolations(r),
  },
  {
    kind: "resource",
    name: "deployment-probes",
    description: "Every container of our Deployments has startup, readiness and liveness probes.",
    check: (r) => probeViolations(r),
  },
  {
    kind: "resource",
    name: "credentials-secret",
    description: "Outputs holding credentials (kubeconfigs, passwords, keys) are secret.",
    check: credentialResourceViolations,
  },
  {
    kind: "resource",
    name: "no-world-open-ingress",
    description:
      "No OpenStack security-group rule admits ingress from 0.0.0.0/0, ::/0 or any address.",
    check: worldOpenIngressViolations,
  },
  {
    kind: "stack",
    name: "pdb-per-deployment",
    description: "Every Deployment of ours has a PodDisruptionBudget selecting its pods.",
    check: (rs) => pdbViolations(rs),
  },
  {
    kind: "stack",
    name: "default-deny-network-policy",
    description: "Every namespace running our workloads has a default-deny ingress NetworkPolicy.",
    check: (rs) => defaultDenyViolations(rs),
  },
  {
    kind: "stack",
    name: "namespace-pod-security",
    description:
      "Every workload, ours and the charts', passes the Pod Security level its namespace enforces.",
    check: namespacePodSecurityViolations,
  },
  {
    kind: "stack",
    name: "protect-stateful",
    description:
      "Databases, their namespaces, volumes, networks, fixed-IP ports and the backup container are protected.",
    check: protectViolations,
  },
];

/** Runs every rule over a set of resources (the offline plan's, or fixtures). */
export function checkAll(
  resources: readonly PlainResource[],
): { rule: string; message: string; urn?: string }[] {
  return RULES.flatMap((rule) =>
    rule.kind === "stack"
      ? rule.check(resources).map((v) => ({ rule: rule.name, ...v }))
      : resources.flatMap((r) =>
          rule.check(r).map((v) => ({ rule: rule.name, message: v.message, urn: r.urn })),
        ),
  );
}
