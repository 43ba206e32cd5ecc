// What each cluster's Prometheus scrapes beyond the chart's own monitors (kubelet, API server,
// CoreDNS, node-exporter, kube-state-metrics, itself): the platform's add-ons, each database, the
// reporting services that declare metrics, kube-vip, and on the hub the BMCs and the HTTPS probes.
// Pure; validated against the pinned prometheus-operator v0.93.1 CRDs in the tests.
import { MONITORING_NAMESPACE, OBJECTS, PORTS } from "./model";

export const MONITORING_API = "monitoring.coreos.com/v1";
export const MONITORING_API_ALPHA = "monitoring.coreos.com/v1alpha1";

export interface MonitorObject {
  apiVersion: string;
  kind: "PodMonitor" | "ServiceMonitor" | "Probe" | "ScrapeConfig" | "PrometheusRule";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Secret (service-account token of Prometheus) for endpoints that check who scrapes them. */
export const SCRAPE_TOKEN_SECRET = "prometheus-scrape-token";

const LABELS = { "app.kubernetes.io/part-of": "plant-monitoring" };

function monitor(
  kind: MonitorObject["kind"],
  name: string,
  spec: Record<string, unknown>,
  apiVersion = MONITORING_API,
): MonitorObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: MONITORING_NAMESPACE, labels: { ...LABELS } },
    spec,
  };
}

/** Copies a pod label into a target label (e.g. cnpg.io/cluster → cnpg_cluster). */
function podLabelTo(podLabel: string, target: string): Record<string, unknown> {
  const meta = `__meta_kubernetes_pod_label_${podLabel.replace(/[^A-Za-z0-9_]/g, "_")}`;
  return { sourceLabels: [meta], targetLabel: target, action: "replace" };
}

function podMonitor(
  name: string,
  namespace: string,
  matchLabels: Record<string, string>,
  endpoint: Record<string, unknown>,
): MonitorObject {
  return monitor("PodMonitor", name, {
    namespaceSelector: { matchNames: [namespace] },
    selector: { matchLabels },
    podMetricsEndpoints: [endpoint],
  });
}

/** The add-ons every cluster with ingress (or a database) runs. */
export function addonMonitors(args: {
  readonly certManager: boolean;
  readonly ingress: boolean;
  readonly cnpg: boolean;
}): MonitorObject[] {
  const out: MonitorObject[] = [];
  if (args.certManager) {
    out.push(
      podMonitor(
        "cert-manager",
        "cert-manager",
        {
          "app.kubernetes.io/instance": "cert-manager",
          "app.kubernetes.io/component": "controller",
        },
        { port: "http-metrics", path: "/metrics" },
      ),
    );
  }
  if (args.ingress) {
    // MetalLB serves metrics over HTTPS to callers allowed `get /metrics` (Prometheus' role).
    const metallbEndpoint = {
      port: "metricshttps",
      scheme: "https",
      tlsConfig: { insecureSkipVerify: true },
      authorization: { type: "Bearer", credentials: { name: SCRAPE_TOKEN_SECRET, key: "token" } },
    };
    out.push(
      podMonitor(
        "metallb-controller",
        "metallb-system",
        { "app.kubernetes.io/name": "metallb", "app.kubernetes.io/component": "controller" },
        metallbEndpoint,
      ),
      podMonitor(
        "metallb-speaker",
        "metallb-system",
        { "app.kubernetes.io/name": "metallb", "app.kubernetes.io/component": "speaker" },
        metallbEndpoint,
      ),
      podMonitor(
        "envoy-gateway",
        "envoy-gateway-system",
        { "app.kubernetes.io/name": "gateway-helm", "control-plane": "envoy-gateway" },
        { port: "metrics", path: "/metrics" },
      ),
      podMonitor(
        "envoy-proxies",
        "envoy-gateway-system",
        { "app.kubernetes.io/name": "envoy" },
        {
          port: "metrics",
          path: "/stats/prometheus",
          relabelings: [podLabelTo("gateway.envoyproxy.io/owning-gateway-name", "gateway")],
        },
      ),
    );
  }
  if (args.cnpg) {
    out.push(
      podMonitor(
        "cloudnative-pg-operator",
        "cnpg-system",
        { "app.kubernetes.io/name": "cloudnative-pg" },
        { port: "metrics", path: "/metrics" },
      ),
    );
  }
  return out;
}

/** One PodMonitor per database cluster (instances, with the Barman Cloud plugin's metrics) and its poolers. */
export function databaseMonitors(
  dbs: readonly { name: string; namespace: string; poolers: readonly string[] }[],
): MonitorObject[] {
  return dbs.flatMap((db) => [
    monitor("PodMonitor", `postgres-${db.name}`, {
      namespaceSelector: { matchNames: [db.namespace] },
      selector: {
        matchLabels: { "cnpg.io/cluster": db.name },
        matchExpressions: [{ key: "cnpg.io/podRole", operator: "In", values: ["instance"] }],
      },
      podMetricsEndpoints: [
        {
          port: "metrics",
          relabelings: [
            podLabelTo("cnpg.io/cluster", "cnpg_cluster"),
            podLabelTo("cnpg.io/instanceRole", "role"),
          ],
        },
      ],
    }),
    monitor("PodMonitor", `postgres-${db.name}-poolers`, {
      namespaceSelector: { matchNames: [db.namespace] },
      selector: {
        matchExpressions: [{ key: "cnpg.io/poolerName", operator: "In", values: [...db.poolers] }],
      },
      podMetricsEndpoints: [
        { port: "metrics", relabelings: [podLabelTo("cnpg.io/poolerName", "pooler")] },
      ],
    }),
  ]);
}

/** A reporting service that declares `metrics`: its server pods, on the service port or its own. */
export function serviceMonitors(
  services: readonly { name: string; namespace: string; path: string; port?: number }[],
): MonitorObject[] {
  return services.map((s) =>
    podMonitor(
      `service-${s.name}`,
      s.namespace,
      { "app.kubernetes.io/name": s.name, "app.kubernetes.io/component": "server" },
      { ...(s.port !== undefined ? { portNumber: s.port } : { port: "http" }), path: s.path },
    ),
  );
}

/** kube-vip on the control-plane nodes (a static pod on the host network, metrics on :2112). */
export function kubeVipScrape(controlPlaneIps: readonly string[]): MonitorObject[] {
  if (controlPlaneIps.length === 0) return [];
  return [
    monitor(
      "ScrapeConfig",
      "kube-vip",
      {
        jobName: "kube-vip",
        staticConfigs: [{ targets: controlPlaneIps.map((ip) => `${ip}:2112`) }],
        metricsPath: "/metrics",
      },
      MONITORING_API_ALPHA,
    ),
  ];
}

/** One Probe per R620: the Redfish exporter reads its iDRAC (`target` = the BMC address). */
export function bmcProbes(hosts: readonly { name: string; bmcIp: string }[]): MonitorObject[] {
  return hosts.map((h) =>
    monitor("Probe", `idrac-${h.name}`, {
      jobName: "idrac",
      prober: {
        url: `${OBJECTS.idrac}.${MONITORING_NAMESPACE}.svc:${PORTS.idrac}`,
        path: "/metrics",
      },
      // A Redfish walk of a whole R620 takes tens of seconds.
      interval: "2m",
      scrapeTimeout: "90s",
      targets: { staticConfig: { static: [h.bmcIp], labels: { physical_host: h.name } } },
    }),
  );
}

/** The blackbox module probing one host name through its static IP. */
export function blackboxModuleName(fqdn: string): string {
  return `https_${fqdn.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** One Probe per static address: each of its host names, over HTTPS to the IP itself. */
export function httpsProbes(
  addresses: readonly { cluster: string; name: string; ip: string; fqdns: readonly string[] }[],
): MonitorObject[] {
  return addresses.flatMap((a) =>
    a.fqdns.map((fqdn) =>
      monitor("Probe", `https-${fqdn.replace(/\./g, "-")}`, {
        jobName: "blackbox-https",
        module: blackboxModuleName(fqdn),
        prober: {
          url: `${OBJECTS.blackbox}.${MONITORING_NAMESPACE}.svc:${PORTS.blackbox}`,
          path: "/probe",
        },
        interval: "1m",
        targets: {
          staticConfig: {
            static: [`https://${a.ip}/`],
            labels: { fqdn, ip: a.ip, address: a.name, target_cluster: a.cluster },
          },
        },
      }),
    ),
  );
}
