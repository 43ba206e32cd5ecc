// Every pinned version of the observability area (docs/observability.md lists the same). The
// chart's own images are checked against its appVersions by the plan's chart-image check.

export const KUBE_PROMETHEUS_STACK = {
  chart: "kube-prometheus-stack",
  repo: "https://prometheus-community.github.io/helm-charts",
  version: "88.5.3",
  /** The prometheus-operator release the chart and its CRDs (../shared/crds) belong to. */
  operatorVersion: "v0.93.1",
} as const;

/**
 * Redfish exporter for the R620s' iDRACs (mrlhansen/idrac_exporter, tag v2.6.1, 2026-06-11):
 * health of the system, power supplies, fans, drives, volumes and memory as Prometheus metrics.
 */
export const IDRAC_EXPORTER_IMAGE = "ghcr.io/mrlhansen/idrac_exporter:2.6.1";

/** HTTPS probes of the static addresses (prometheus/blackbox_exporter). */
export const BLACKBOX_EXPORTER_IMAGE = "quay.io/prometheus/blackbox-exporter:v0.27.0";
