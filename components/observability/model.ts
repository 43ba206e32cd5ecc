// The observability area as plain data: namespaces, object names, pod labels and which cluster is
// the site's hub. Names derive from config names, so adding a cluster renames nothing.
import { fqdn } from "../../config/addresses";
import { hubClusterName, MONITORING_PATH } from "../../config/observability";
import { ClusterConfig, ParsedSite } from "../../config/schema";

export { MONITORING_PATH } from "../../config/observability";

/** Prometheus, Alertmanager, Grafana, the operator, kube-state-metrics and the exporters. */
export { MONITORING_NAMESPACE, PROMETHEUS_POD_LABELS } from "../monitoring-scraper";
import { PROMETHEUS_POD_LABELS } from "../monitoring-scraper";
/** node-exporter alone: it reads the host (hostNetwork, hostPID, host paths), so privileged. */
export const NODE_EXPORTER_NAMESPACE = "monitoring-node";
/** Helm release and fullnameOverride: every chart object is `monitoring-…`. */
export const RELEASE = "monitoring";

export const OBJECTS = {
  prometheus: `${RELEASE}-prometheus`,
  alertmanager: `${RELEASE}-alertmanager`,
  grafana: `${RELEASE}-grafana`,
  /** Secret holding alertmanager.yaml (receivers with their secrets), written by the program. */
  alertmanagerConfig: "plant-alertmanager-config",
  grafanaAdmin: "plant-grafana-admin",
  /** Basic-auth users (htpasswd) of the Prometheus and Alertmanager routes. */
  accessHtpasswd: "plant-monitoring-access",
  /** Grafana datasources of the other clusters (a Secret: they carry the access password). */
  remoteDatasources: "plant-remote-datasources",
  siteCa: "plant-site-ca",
  blackbox: "blackbox-exporter",
  idrac: "idrac-exporter",
  idracCredentials: "idrac-exporter-credentials",
} as const;

/** Service ports of the chart's Services. */
export const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  alertmanagerMesh: 9094,
  grafana: 80,
  grafanaContainer: 3000,
  reloader: 8080,
  kubeStateMetrics: 8080,
  operator: 10250,
  nodeExporter: 9100,
  blackbox: 9115,
  idrac: 9348,
} as const;

/** The user the hub's Grafana (and people) authenticate as on the Prometheus/Alertmanager routes. */
export const ACCESS_USER = "monitoring";

/** Pod labels, as the operator and the chart set them. */
export const POD_LABELS = {
  prometheus: PROMETHEUS_POD_LABELS,
  alertmanager: {
    "app.kubernetes.io/name": "alertmanager",
    "app.kubernetes.io/instance": OBJECTS.alertmanager,
  },
  grafana: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": RELEASE },
  operator: { app: "kube-prometheus-stack-operator", release: RELEASE },
  kubeStateMetrics: {
    "app.kubernetes.io/name": "kube-state-metrics",
    "app.kubernetes.io/instance": RELEASE,
  },
  blackbox: { "app.kubernetes.io/name": OBJECTS.blackbox },
  idrac: { "app.kubernetes.io/name": OBJECTS.idrac },
} as const;

/** Where a cluster's monitoring is reached from outside: its first host name, under /monitoring/. */
export interface MonitoringEndpoint {
  readonly fqdn: string;
  readonly prometheusPath: string;
  readonly alertmanagerPath: string;
  readonly grafanaPath: string;
}

export function monitoringEndpoint(
  cluster: ClusterConfig,
  domain: string,
): MonitoringEndpoint | undefined {
  const first = cluster.ingress?.addresses[0]?.hostnames[0];
  if (first === undefined) return undefined;
  return {
    fqdn: fqdn(first, domain),
    prometheusPath: `${MONITORING_PATH}/prometheus`,
    alertmanagerPath: `${MONITORING_PATH}/alertmanager`,
    grafanaPath: `${MONITORING_PATH}/grafana`,
  };
}

/** The hub (config/observability.ts decides; a configured hub is validated to have an ingress). */
export function hubOf(site: Pick<ParsedSite, "clusters" | "databases" | "observability">): string {
  const hub = hubClusterName(site);
  if (hub === undefined) throw new Error("[plant:observability.hub] no cluster can be the hub");
  return hub;
}

export function urlOf(endpoint: MonitoringEndpoint, path: string): string {
  return `https://${endpoint.fqdn}${path}/`;
}
