// Pure builders for how a service is reached and kept available: ClusterIP Service, the
// HTTPRoutes on the cluster's Gateways, the HorizontalPodAutoscaler and the PodDisruptionBudget.
import { AWAIT_SECONDS, awaitAnnotations, routeAccepted } from "../k8s-await";
import * as k8s from "@pulumi/kubernetes";
import { objectLabels, objectNames, podLabels, RoutePlan, ServicePlan } from "./model";
import { ObjectBody } from "./workload-spec";

export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

export function buildService(plan: ServicePlan): ObjectBody<k8s.types.input.core.v1.ServiceSpec> {
  return {
    metadata: {
      name: objectNames(plan.name).service,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
    },
    spec: {
      type: "ClusterIP",
      selector: podLabels(plan.name, "server"),
      ports: [
        { name: "http", port: plan.port, targetPort: "http", protocol: "TCP", appProtocol: "http" },
      ],
    },
  };
}

export interface HttpRouteObject {
  apiVersion: typeof GATEWAY_API_VERSION;
  kind: "HTTPRoute";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    parentRefs: {
      group: string;
      kind: string;
      namespace: string;
      name: string;
      sectionName: string;
    }[];
    hostnames: string[];
    rules: {
      matches: { path: { type: "PathPrefix"; value: string } }[];
      backendRefs: { group: string; kind: string; name: string; port: number }[];
    }[];
  };
}

/**
 * One HTTPRoute per host name, attached to that host's HTTPS listener only (on the Gateway of
 * the static address the host name resolves to), so a path prefix configured for one host
 * name is never served on another.
 */
export function buildHttpRoutes(plan: ServicePlan): HttpRouteObject[] {
  return plan.routes.map((route: RoutePlan) => ({
    apiVersion: GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    metadata: {
      name: route.name,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
      // `pulumi up` succeeds only once the Gateway has accepted the route on its listener.
      annotations: awaitAnnotations(
        routeAccepted([{ name: route.gateway.name, sectionName: route.sectionName }]),
        AWAIT_SECONDS.route,
      ),
    },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          namespace: route.gateway.namespace,
          name: route.gateway.name,
          sectionName: route.sectionName,
        },
      ],
      hostnames: [route.fqdn],
      rules: [
        {
          matches: route.pathPrefixes.map((value) => ({
            path: { type: "PathPrefix" as const, value },
          })),
          backendRefs: [
            { group: "", kind: "Service", name: objectNames(plan.name).service, port: plan.port },
          ],
        },
      ],
    },
  }));
}

export function buildHorizontalPodAutoscaler(
  plan: ServicePlan,
): ObjectBody<k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec> {
  return {
    metadata: {
      name: objectNames(plan.name).hpa,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
    },
    spec: {
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: objectNames(plan.name).deployment,
      },
      minReplicas: plan.replicas.min,
      maxReplicas: plan.replicas.max,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: plan.replicas.cpuTargetPercent },
          },
        },
      ],
      // Scale down slowly: a report burst is often followed by another.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

/**
 * maxUnavailable 1 (not minAvailable): with the minimum of 2 replicas a node drain can always
 * evict one pod, and AlwaysAllow lets it evict pods that are not Ready, so a crash-looping
 * release never blocks host maintenance.
 */
export function buildPodDisruptionBudget(
  plan: ServicePlan,
): ObjectBody<k8s.types.input.policy.v1.PodDisruptionBudgetSpec> {
  return {
    metadata: {
      name: objectNames(plan.name).pdb,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
    },
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: podLabels(plan.name, "server") },
    },
  };
}
