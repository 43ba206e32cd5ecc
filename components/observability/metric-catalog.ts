// Which exporter exposes each metric the program's alerts and dashboards use, where that is
// documented, and when it was checked. A test parses every expression and refuses a metric that
// is in no table (docs/observability.md#metrics-used shows the same tables).

export interface Exporter {
  /** Who exposes it, as docs/observability.md names it. */
  readonly name: string;
  /** The pinned release the list was read from. */
  readonly version: string;
  readonly source: string;
  /** When the list was checked against the source. */
  readonly checked: string;
  /** Where it is scraped: every cluster, or the hub only. */
  readonly scope: "every cluster" | "hub";
  readonly metrics: readonly string[];
}

export const EXPORTERS: readonly Exporter[] = [
  {
    name: "kube-state-metrics",
    version: "v2.20.0 (chart kube-state-metrics 8.4.0 in kube-prometheus-stack 88.5.3)",
    source:
      "kubernetes/kube-state-metrics docs/metrics (node, deployment, pod, service metrics); node labels exposed through --metric-labels-allowlist",
    checked: "2026-11",
    scope: "every cluster",
    metrics: [
      "kube_node_status_condition",
      "kube_node_labels",
      "kube_node_role",
      "kube_node_info",
      "kube_deployment_status_replicas_available",
      "kube_pod_container_status_waiting_reason",
      "kube_pod_container_status_restarts_total",
      "kube_pod_info",
      "kube_pod_status_phase",
      "kube_service_status_load_balancer_ingress",
    ],
  },
  {
    name: "kubelet (cAdvisor and volume stats)",
    version: "Kubernetes v1.36",
    source: "kubernetes/kubernetes pkg/kubelet/metrics (volume stats), cAdvisor container metrics",
    checked: "2026-11",
    scope: "every cluster",
    metrics: [
      "kubelet_volume_stats_available_bytes",
      "kubelet_volume_stats_capacity_bytes",
      "container_cpu_usage_seconds_total",
      "container_memory_working_set_bytes",
    ],
  },
  {
    name: "node-exporter",
    version: "v1.12.1 (chart prometheus-node-exporter 4.56.1)",
    source: "prometheus/node_exporter README (collectors cpu, meminfo, filesystem)",
    checked: "2026-11",
    scope: "every cluster",
    metrics: [
      "node_cpu_seconds_total",
      "node_memory_MemAvailable_bytes",
      "node_memory_MemTotal_bytes",
      "node_filesystem_avail_bytes",
      "node_filesystem_size_bytes",
    ],
  },
  {
    name: "CloudNativePG instance manager",
    version: "CloudNativePG 1.30.0 (chart cloudnative-pg 0.29.0)",
    source:
      "../shared/charts/cloudnative-pg-0.29.0/values.yaml monitoringQueriesConfigMap (cnpg_pg_*), cloudnative-pg docs monitoring.md (cnpg_collector_*)",
    checked: "2026-11",
    scope: "every cluster",
    metrics: [
      "cnpg_collector_up",
      "cnpg_collector_sync_replicas",
      "cnpg_pg_replication_lag",
      "cnpg_pg_replication_in_recovery",
      "cnpg_pg_replication_streaming_replicas",
      "cnpg_pg_stat_archiver_last_failed_time",
      "cnpg_pg_stat_archiver_last_archived_time",
      "cnpg_pg_stat_archiver_seconds_since_last_archival",
      "cnpg_pg_database_size_bytes",
      "cnpg_backends_total",
    ],
  },
  {
    name: "Barman Cloud plugin (through the instance manager's exporter)",
    version: "plugin-barman-cloud v0.13.0",
    source: "cloudnative-pg/plugin-barman-cloud docs observability.md",
    checked: "2026-11",
    scope: "every cluster",
    metrics: [
      "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",
      "barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp",
      "barman_cloud_cloudnative_pg_io_first_recoverability_point",
    ],
  },
  {
    name: "Envoy proxies (Envoy Gateway data plane, /stats/prometheus)",
    version: "Envoy v1.39 (Envoy Gateway v1.9.0)",
    source:
      "envoyproxy/envoy docs: cluster manager statistics (upstream_rq_xx, upstream_rq_time) with tags envoy_cluster_name, envoy_response_code_class; Envoy Gateway names route clusters httproute/<namespace>/<name>/rule/<n>",
    checked: "2026-11",
    scope: "every cluster",
    metrics: ["envoy_cluster_upstream_rq_xx", "envoy_cluster_upstream_rq_time_bucket"],
  },
  {
    name: "blackbox_exporter",
    version: "v0.27.0",
    source: "prometheus/blackbox_exporter prober/http.go (probe_* metrics)",
    checked: "2026-11",
    scope: "hub",
    metrics: ["probe_success", "probe_ssl_earliest_cert_expiry", "probe_duration_seconds"],
  },
  {
    name: "idrac_exporter (Redfish)",
    version: "v2.6.1",
    source: "mrlhansen/idrac_exporter README 'List of Metrics' at tag v2.6.1",
    checked: "2026-11",
    scope: "hub",
    metrics: [
      "idrac_system_health",
      "idrac_system_power_on",
      "idrac_power_supply_health",
      "idrac_sensors_fan_health",
      "idrac_sensors_temperature",
      "idrac_storage_drive_health",
      "idrac_storage_volume_health",
      "idrac_memory_module_health",
    ],
  },
  {
    name: "Prometheus (scrape health)",
    version: "Prometheus v3.14.0 (kube-prometheus-stack 88.5.3)",
    source: "prometheus docs: jobs and instances (automatically generated series)",
    checked: "2026-11",
    scope: "every cluster",
    metrics: ["up"],
  },
];

/** Metrics the program's own recording rules produce (usable in alerts and dashboards). */
export const RECORDED_METRICS: readonly string[] = ["plant:node_ready:by_physical_host"];

/** The exporter of a metric, or undefined when no table lists it. */
export function exporterOf(metric: string): Exporter | undefined {
  return EXPORTERS.find((e) => e.metrics.includes(metric));
}
