// How a cluster's monitoring is reached (pure): the monitoring namespace's network policies, the
// HTTPRoutes under /monitoring/ on the cluster's first host name (Prometheus and Alertmanager
// behind basic auth, Grafana on the hub behind its own login), the htpasswd line and the hub
// Grafana's datasources for the other clusters.
import { createHash } from "crypto";
import { stringify } from "yaml";
import { AllowedIngress } from "../addon-network-policy-spec";
import { AWAIT_SECONDS, awaitAnnotations, routeAccepted } from "../k8s-await";
import { ENVOY_GATEWAY_API_VERSION, securityPolicyName } from "../ingress/route-features";
import {
  ACCESS_USER,
  MONITORING_NAMESPACE,
  MonitoringEndpoint,
  OBJECTS,
  POD_LABELS,
  PORTS,
  urlOf,
} from "./model";

/** Ingress allowed into the monitoring namespace; the rest is denied (NamespacePolicies). */
export function monitoringAllows(args: {
  readonly webhook: boolean;
  readonly hub: boolean;
  /** Envoy's namespace when the cluster routes its monitoring through its Gateway. */
  readonly dataPlaneNamespace?: string;
}): AllowedIngress[] {
  const allows: AllowedIngress[] = [
    {
      // Prometheus scrapes every pod here: itself, Alertmanager, the reloaders, kube-state-metrics,
      // the operator, Grafana and the exporters.
      name: "prometheus-scrapes",
      podLabels: {},
      ports: [
        PORTS.prometheus,
        PORTS.alertmanager,
        PORTS.reloader,
        PORTS.grafanaContainer,
        PORTS.blackbox,
        PORTS.idrac,
        PORTS.operator,
      ],
      fromNamespaces: [MONITORING_NAMESPACE],
      fromPodLabels: { ...POD_LABELS.prometheus },
    },
    {
      // The Alertmanager replicas gossip silences and notifications (TCP and UDP).
      name: "alertmanager-mesh",
      podLabels: { ...POD_LABELS.alertmanager },
      ports: [PORTS.alertmanagerMesh],
      udpPorts: [PORTS.alertmanagerMesh],
      fromNamespaces: [MONITORING_NAMESPACE],
      fromPodLabels: { ...POD_LABELS.alertmanager },
    },
  ];
  if (args.webhook) {
    // The API server calls the operator's admission webhook (PrometheusRule validation).
    allows.push({
      name: "webhook",
      podLabels: { ...POD_LABELS.operator },
      ports: [PORTS.operator],
    });
  }
  if (args.hub) {
    allows.push({
      name: "grafana-queries",
      podLabels: {},
      ports: [PORTS.prometheus, PORTS.alertmanager],
      fromNamespaces: [MONITORING_NAMESPACE],
      fromPodLabels: { ...POD_LABELS.grafana },
    });
  }
  if (args.dataPlaneNamespace) {
    allows.push({
      name: "gateway",
      podLabels: {},
      ports: [PORTS.prometheus, PORTS.alertmanager, ...(args.hub ? [PORTS.grafanaContainer] : [])],
      fromNamespaces: [args.dataPlaneNamespace],
    });
  }
  return allows;
}

/** `monitoring:{SHA}<base64 sha1>`: the only hash Envoy Gateway's basic auth accepts. */
export function htpasswdLine(password: string): string {
  const digest = createHash("sha1").update(password).digest("base64");
  return `${ACCESS_USER}:{SHA}${digest}\n`;
}

export interface RouteTarget {
  readonly gatewayNamespace: string;
  readonly gatewayName: string;
  readonly sectionName: string;
}

export interface RouteObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

function route(
  name: string,
  endpoint: MonitoringEndpoint,
  target: RouteTarget,
  path: string,
  service: string,
  port: number,
): RouteObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name,
      namespace: MONITORING_NAMESPACE,
      annotations: awaitAnnotations(
        routeAccepted([{ name: target.gatewayName, sectionName: target.sectionName }]),
        AWAIT_SECONDS.route,
      ),
    },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          namespace: target.gatewayNamespace,
          name: target.gatewayName,
          sectionName: target.sectionName,
        },
      ],
      hostnames: [endpoint.fqdn],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: path } }],
          backendRefs: [{ group: "", kind: "Service", name: service, port }],
        },
      ],
    },
  };
}

/** Routes and their basic-auth policies; Grafana (own login) only on the hub. */
export function monitoringRoutes(
  endpoint: MonitoringEndpoint,
  target: RouteTarget,
  hub: boolean,
): RouteObject[] {
  const guarded = [
    route(
      "prometheus",
      endpoint,
      target,
      endpoint.prometheusPath,
      OBJECTS.prometheus,
      PORTS.prometheus,
    ),
    route(
      "alertmanager",
      endpoint,
      target,
      endpoint.alertmanagerPath,
      OBJECTS.alertmanager,
      PORTS.alertmanager,
    ),
  ];
  const policies: RouteObject[] = guarded.map((r) => ({
    apiVersion: ENVOY_GATEWAY_API_VERSION,
    kind: "SecurityPolicy",
    metadata: { name: securityPolicyName(r.metadata.name), namespace: MONITORING_NAMESPACE },
    spec: {
      targetRefs: [
        { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: r.metadata.name },
      ],
      basicAuth: { users: { group: "", kind: "Secret", name: OBJECTS.accessHtpasswd } },
    },
  }));
  const grafana = hub
    ? [route("grafana", endpoint, target, endpoint.grafanaPath, OBJECTS.grafana, PORTS.grafana)]
    : [];
  return [...guarded, ...policies, ...grafana];
}

export interface RemoteCluster {
  readonly name: string;
  readonly endpoint: MonitoringEndpoint;
}

/**
 * Grafana datasource provisioning (the sidecar reads Secrets labelled grafana_datasource): a
 * Prometheus and an Alertmanager per other cluster, through its Gateway, with the access
 * password and the site CA. Holds secrets: only ever a Secret's data.
 */
export function remoteDatasourcesYaml(
  remotes: readonly RemoteCluster[],
  password: string,
  caPem: string,
): string {
  const tls = caPem ? { tlsAuthWithCACert: true } : {};
  const secure = { basicAuthPassword: password, ...(caPem ? { tlsCACert: caPem } : {}) };
  const datasources = remotes.flatMap((r) => [
    {
      name: `Prometheus ${r.name}`,
      uid: `prometheus-${r.name}`,
      type: "prometheus",
      access: "proxy",
      url: urlOf(r.endpoint, r.endpoint.prometheusPath),
      basicAuth: true,
      basicAuthUser: ACCESS_USER,
      jsonData: { httpMethod: "POST", ...tls },
      secureJsonData: secure,
    },
    {
      name: `Alertmanager ${r.name}`,
      uid: `alertmanager-${r.name}`,
      type: "alertmanager",
      access: "proxy",
      url: urlOf(r.endpoint, r.endpoint.alertmanagerPath),
      basicAuth: true,
      basicAuthUser: ACCESS_USER,
      jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false, ...tls },
      secureJsonData: secure,
    },
  ]);
  return stringify({ apiVersion: 1, datasources }, { lineWidth: 0 });
}
