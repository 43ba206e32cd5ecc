// Pinned charts and Helm values of the CloudNativePG operator and the Barman Cloud plugin.
// Pure; the values are validated against the charts' values.schema.json in the tests.
import { PHYSICAL_HOST_LABEL } from "../types";

export const CHART_REPO = "https://cloudnative-pg.github.io/charts";

export const CNPG_CHART = {
  chart: "cloudnative-pg",
  version: "0.29.0",
  release: "cloudnative-pg",
  image: "1.30.0",
} as const;

export const BARMAN_CHART = {
  chart: "plugin-barman-cloud",
  version: "0.7.0",
  release: "plugin-barman-cloud",
  image: "v0.13.0",
} as const;

/** Two replicas on different physical hosts: failover needs the operator, so it must not die with a host. */
function spread(appName: string) {
  return [
    {
      maxSkew: 1,
      topologyKey: PHYSICAL_HOST_LABEL,
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { "app.kubernetes.io/name": appName } },
    },
  ];
}

/**
 * Operator values. `timeZone` (plant:site.timeZone) becomes the operator's TZ: CloudNativePG
 * evaluates every ScheduledBackup's cron in the operator's local time (time.Now() and the
 * status times it reads back as time.Local; robfig/cron v1 follows the time's location), so the
 * backups run on the plant's wall clock, clock changes included. Go reads the zone from the
 * image's /usr/share/zoneinfo (the operator image is distroless static, which ships tzdata).
 */
export function operatorValues(timeZone: string): Record<string, unknown> {
  return {
    // Leader election (on by default) lets the second replica take over within seconds.
    replicaCount: 2,
    additionalEnv: [{ name: "TZ", value: timeZone }],
    image: { tag: CNPG_CHART.image },
    crds: { create: true },
    config: { create: true, clusterWide: true },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    topologySpreadConstraints: spread(CNPG_CHART.chart),
    // The PodMonitors are the observability area's; the chart's dashboard (a ConfigMap labelled
    // for Grafana's sidecar) is what the hub's Grafana shows for PostgreSQL.
    monitoring: { podMonitorEnabled: false, grafanaDashboard: { create: true } },
  };
}

export function pluginValues(): Record<string, unknown> {
  return {
    // The plugin runs with --leader-elect; a second replica keeps backups and restores going
    // while a host is down.
    replicaCount: 2,
    image: { tag: BARMAN_CHART.image },
    sidecarImage: { tag: BARMAN_CHART.image },
    crds: { create: true },
    // Self-signed issuer created by the chart; cert-manager must be running first.
    certificate: { createClientCertificate: true, createServerCertificate: true },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    topologySpreadConstraints: spread(BARMAN_CHART.chart),
  };
}

/** The operator's admission webhooks (both failurePolicy Fail); a Cluster passes through both. */
export const CNPG_WEBHOOKS = [
  "MutatingWebhookConfiguration/cnpg-mutating-webhook-configuration",
  "ValidatingWebhookConfiguration/cnpg-validating-webhook-configuration",
] as const;

/** What the webhook gate dry-runs: the smallest valid Cluster (never stored, so never started). */
export function webhookProbeCluster(): {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
} {
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "webhook-gate-probe" },
    spec: { instances: 1, storage: { size: "1Gi" } },
  };
}
