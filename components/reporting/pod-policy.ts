// The security and scheduling policy every reporting pod shares: the Pod Security `restricted`
// profile, resources from config, three distinct probes and spreading over physical hosts.
// Pure: plain data in, Kubernetes fields out.
import { hostSpreadConstraint } from "../k8s-fragments";
import * as k8s from "@pulumi/kubernetes";
import { PHYSICAL_HOST_LABEL } from "../types";
import { RUN_AS_ID, ServicePlan } from "./model";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

export function restrictedPodSecurityContext(): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_ID,
    runAsGroup: RUN_AS_ID,
    fsGroup: RUN_AS_ID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function restrictedContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_ID,
    runAsGroup: RUN_AS_ID,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Requests from config, memory limit always; a CPU limit only when the service sets one. */
export function containerResources(
  resources: ServicePlan["resources"],
): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
    limits: {
      memory: resources.limits.memory,
      ...(resources.limits.cpu !== undefined ? { cpu: resources.limits.cpu } : {}),
    },
  };
}

/**
 * Three different probes: startup is patient (up to 3 minutes for a cold start, and it holds
 * the other two back), readiness is quick to take a pod out of the gateway, liveness is slow
 * to restart it so a short stall (GC, a slow query) does not kill a healthy pod.
 */
export function probes(
  health: ServicePlan["health"],
): Pick<Container, "startupProbe" | "readinessProbe" | "livenessProbe"> {
  return {
    startupProbe: {
      httpGet: { path: health.startup, port: "http" },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 36,
    },
    readinessProbe: {
      httpGet: { path: health.readiness, port: "http" },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
    },
    livenessProbe: {
      httpGet: { path: health.liveness, port: "http" },
      periodSeconds: 15,
      timeoutSeconds: 5,
      failureThreshold: 4,
    },
  };
}

/**
 * Spread over physical hosts: a hard spread (DoNotSchedule, maxSkew 1) that counts only the hosts
 * a pod may land on. A down host's nodes carry the not-ready/unreachable NoSchedule taint, so
 * `nodeTaintsPolicy: Honor` drops them from the domain count and the pods still schedule on the
 * hosts left; `nodeAffinityPolicy: Honor` likewise ignores hosts the pod may not use. A preferred
 * anti-affinity on the same label adds a score; no required anti-affinity (HPA replicas may exceed
 * the number of hosts).
 */
export function spreadOverHosts(
  labels: Record<string, string>,
  perRevision: boolean,
): Pick<PodSpec, "topologySpreadConstraints" | "affinity"> {
  return {
    topologySpreadConstraints: [hostSpreadConstraint(labels, perRevision)],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: PHYSICAL_HOST_LABEL,
              labelSelector: { matchLabels: labels },
            },
          },
        ],
      },
    },
  };
}
