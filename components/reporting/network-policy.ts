// Pure NetworkPolicy builders for a service's namespace: deny everything, then allow exactly
// gateway → service port, workloads → DNS, and workloads with a database role → its pooler.
import { dnsEgressRule, NAMESPACE_NAME_LABEL } from "../k8s-fragments";
import { MONITORING_NAMESPACE, PROMETHEUS_POD_LABELS } from "../monitoring-scraper";
import * as k8s from "@pulumi/kubernetes";
import {
  dataPlaneNamespaces,
  DatabaseEndpoint,
  objectLabels,
  podLabels,
  ServicePlan,
} from "./model";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NetworkPolicyBody {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: NetworkPolicySpec;
}

/** Namespace label every namespace carries (set by the API server), for namespace selectors. */

function policy(plan: ServicePlan, name: string, spec: NetworkPolicySpec): NetworkPolicyBody {
  return { metadata: { name, namespace: plan.namespace, labels: objectLabels(plan.name) }, spec };
}

function podsOf(plan: ServicePlan, components: readonly string[]) {
  return {
    matchLabels: { "app.kubernetes.io/name": plan.name },
    matchExpressions: [
      { key: "app.kubernetes.io/component", operator: "In", values: [...components] },
    ],
  };
}

/** Egress to a PostgreSQL pooler: its namespace and pods, its port only. */
function toPooler(db: DatabaseEndpoint): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: db.namespace } },
        podSelector: { matchLabels: { ...db.poolerPodLabels } },
      },
    ],
    ports: [{ protocol: "TCP", port: db.port }],
  };
}

/**
 * Every NetworkPolicy of a service's namespace. Policies are additive, so the default-deny
 * one selects all pods in both directions and each allow names its pods and peers.
 */
export function buildNetworkPolicies(plan: ServicePlan): NetworkPolicyBody[] {
  const policies: NetworkPolicyBody[] = [
    policy(plan, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy(plan, "allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [dnsEgressRule()],
    }),
  ];
  if (plan.routes.length > 0) {
    // One peer per distinct data-plane namespace of the Gateways the routes attach to (today
    // every Gateway's Envoy runs in the same namespace, so this is one peer).
    policies.push(
      policy(plan, "allow-from-gateway", {
        podSelector: { matchLabels: podLabels(plan.name, "server") },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: dataPlaneNamespaces(plan.routes).map((matchLabels) => ({
              namespaceSelector: { matchLabels },
            })),
            ports: [{ protocol: "TCP", port: plan.port }],
          },
        ],
      }),
    );
  }
  if (plan.metricsPort !== undefined) {
    // The cluster's Prometheus scrapes the server pods (plant:services[].metrics).
    policies.push(
      policy(plan, "allow-from-prometheus", {
        podSelector: { matchLabels: podLabels(plan.name, "server") },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { [NAMESPACE_NAME_LABEL]: MONITORING_NAMESPACE },
                },
                podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
              },
            ],
            ports: [{ protocol: "TCP", port: plan.metricsPort }],
          },
        ],
      }),
    );
  }
  if (plan.database) {
    // The server and the scheduled report use the app role; the migration has its own policy.
    policies.push(
      policy(plan, "allow-to-postgres", {
        podSelector: podsOf(plan, ["server", "scheduled"]),
        policyTypes: ["Egress"],
        egress: [toPooler(plan.database)],
      }),
    );
  }
  if (plan.migration && plan.migrationDatabase) {
    policies.push(
      policy(plan, "allow-migration-to-postgres", {
        podSelector: { matchLabels: podLabels(plan.name, "migration") },
        policyTypes: ["Egress"],
        egress: [toPooler(plan.migrationDatabase)],
      }),
    );
  }
  return policies;
}
