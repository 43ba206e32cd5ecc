// kube-prometheus-stack values of one cluster (pure). Every value is plain data: secrets live in
// Secrets the program writes (Alertmanager's config, Grafana's admin), so the render can be cached
// and never holds a credential.
import { hostSpreadConstraint } from "../k8s-fragments";
import { PHYSICAL_HOST_LABEL, PLANT_HOST_LABEL } from "../types";
import {
  MonitoringEndpoint,
  NODE_EXPORTER_NAMESPACE,
  OBJECTS,
  POD_LABELS,
  RELEASE,
  urlOf,
} from "./model";

export interface StackValuesArgs {
  readonly site: string;
  readonly cluster: string;
  /** The hub also runs Grafana. */
  readonly hub: boolean;
  readonly prometheusReplicas: number;
  readonly alertmanagerReplicas: number;
  readonly retention: string;
  readonly prometheusStorage: { readonly size: string; readonly storageClass: string };
  readonly alertmanagerStorage: { readonly size: string; readonly storageClass: string };
  /** cert-manager runs on the cluster: it issues the operator's admission-webhook certificate. */
  readonly certManager: boolean;
  /** Where Prometheus, Alertmanager (and on the hub Grafana) are routed; absent: in-cluster only. */
  readonly endpoint?: MonitoringEndpoint;
}

/** Container resources: requests and a memory limit, as every workload here. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

const res = (cpu: string, memory: string, limit: string): ContainerResources => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

/**
 * What every container of the stack requests: the values below set them, and the
 * failure-domain analysis (planning/failure-model.ts) counts them, so the two cannot drift.
 */
export const MONITORING_RESOURCES = {
  prometheus: res("250m", "2Gi", "4Gi"),
  alertmanager: res("20m", "64Mi", "256Mi"),
  /** The operator's config-reloader sidecar in every Prometheus and Alertmanager pod. */
  configReloader: res("10m", "32Mi", "64Mi"),
  operator: res("50m", "128Mi", "256Mi"),
  kubeStateMetrics: res("20m", "96Mi", "256Mi"),
  /** On every node (a DaemonSet): taken off each node's allocatable in the analysis. */
  nodeExporter: res("20m", "48Mi", "128Mi"),
  grafana: res("50m", "128Mi", "512Mi"),
  /** Each of Grafana's two sidecars (dashboards, datasources). */
  grafanaSidecar: res("10m", "96Mi", "192Mi"),
} as const satisfies Record<string, ContainerResources>;
const R = MONITORING_RESOURCES;

/** Default rule groups for components RKE2 binds to localhost (or an existing cluster hides). */
const RULES_OFF = {
  etcd: false,
  kubeControllerManager: false,
  kubeSchedulerAlerting: false,
  kubeSchedulerRecording: false,
  kubeProxy: false,
  windows: false,
} as const;

/** Pods of a node that stops answering move after 30 s instead of Kubernetes' default 300 s. */
const FAST_EVICTION = [
  {
    key: "node.kubernetes.io/not-ready",
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: 30,
  },
  {
    key: "node.kubernetes.io/unreachable",
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: 30,
  },
];

function volumeClaim(storage: { size: string; storageClass: string }): Record<string, unknown> {
  return {
    volumeClaimTemplate: {
      spec: {
        storageClassName: storage.storageClass,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: storage.size } },
      },
    },
  };
}

function prometheusValues(args: StackValuesArgs): Record<string, unknown> {
  const e = args.endpoint;
  return {
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    prometheusSpec: {
      replicas: args.prometheusReplicas,
      retention: args.retention,
      storageSpec: volumeClaim(args.prometheusStorage),
      // Each replica scrapes everything: with one host down the other still sees it all.
      topologySpreadConstraints: [hostSpreadConstraint({ ...POD_LABELS.prometheus }, false)],
      externalLabels: { site: args.site, cluster: args.cluster },
      // Every ServiceMonitor, PodMonitor, Probe and rule of the cluster, not only the release's.
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false,
      scrapeConfigSelectorNilUsesHelmValues: false,
      resources: R.prometheus,
      ...(e ? { routePrefix: e.prometheusPath, externalUrl: urlOf(e, e.prometheusPath) } : {}),
    },
  };
}

function alertmanagerValues(args: StackValuesArgs): Record<string, unknown> {
  const e = args.endpoint;
  return {
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    alertmanagerSpec: {
      replicas: args.alertmanagerReplicas,
      storage: volumeClaim(args.alertmanagerStorage),
      topologySpreadConstraints: [hostSpreadConstraint({ ...POD_LABELS.alertmanager }, false)],
      // Receivers carry secrets: the program writes alertmanager.yaml into its own Secret.
      useExistingSecret: true,
      configSecret: OBJECTS.alertmanagerConfig,
      resources: R.alertmanager,
      ...(e ? { routePrefix: e.alertmanagerPath, externalUrl: urlOf(e, e.alertmanagerPath) } : {}),
    },
  };
}

function grafanaValues(args: StackValuesArgs): Record<string, unknown> {
  if (!args.hub) return { enabled: false };
  const e = args.endpoint;
  return {
    enabled: true,
    // A view, not in the alert path: one replica, rescheduled when its host goes (state is
    // provisioned from ConfigMaps and Secrets, nothing is kept).
    replicas: 1,
    testFramework: { enabled: false },
    persistence: { enabled: false },
    admin: {
      existingSecret: OBJECTS.grafanaAdmin,
      userKey: "admin-user",
      passwordKey: "admin-password",
    },
    tolerations: FAST_EVICTION,
    // Grafana migrates its database on a first start: up to 5 minutes before liveness counts.
    startupProbe: {
      httpGet: { path: "/api/health", port: "grafana" },
      periodSeconds: 10,
      failureThreshold: 30,
    },
    "grafana.ini": {
      ...(e
        ? {
            server: {
              domain: e.fqdn,
              root_url: urlOf(e, e.grafanaPath),
              serve_from_sub_path: true,
            },
          }
        : {}),
      analytics: {
        reporting_enabled: false,
        check_for_updates: false,
        check_for_plugin_updates: false,
      },
      users: { allow_sign_up: false },
      "auth.anonymous": { enabled: false },
      security: { cookie_secure: true, disable_gravatar: true },
    },
    sidecar: {
      image: { tag: "2.10.1" },
      resources: R.grafanaSidecar,
      // Dashboards from any namespace (the CloudNativePG chart ships its own into cnpg-system).
      dashboards: { searchNamespace: "ALL" },
      datasources: { searchNamespace: "ALL" },
    },
    resources: R.grafana,
  };
}

export function stackValues(args: StackValuesArgs): Record<string, unknown> {
  return {
    fullnameOverride: RELEASE,
    cleanPrometheusOperatorObjectNames: true,
    crds: { enabled: true },
    windowsMonitoring: { enabled: false },
    defaultRules: { create: true, rules: { ...RULES_OFF } },
    // RKE2 binds these to 127.0.0.1; an existing cluster's are not ours to reach.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    kubeEtcd: { enabled: false },
    "kube-state-metrics": {
      // The physical host of each node, for the host-down alert and the site dashboard.
      metricLabelsAllowlist: [`nodes=[${PHYSICAL_HOST_LABEL},${PLANT_HOST_LABEL}]`],
      tolerations: FAST_EVICTION,
      resources: R.kubeStateMetrics,
      startupProbe: { enabled: true, failureThreshold: 12 },
    },
    nodeExporter: { operatingSystems: { aix: { enabled: false }, darwin: { enabled: false } } },
    // The chart's images, pinned here: the chart itself renders node-exporter's distroless tag
    // and Grafana's sidecar at versions no appVersion names.
    "prometheus-node-exporter": {
      namespaceOverride: NODE_EXPORTER_NAMESPACE,
      image: { tag: "v1.12.1", distroless: false },
      resources: R.nodeExporter,
    },
    prometheusOperator: {
      admissionWebhooks: args.certManager ? { certManager: { enabled: true } } : { enabled: false },
      ...(args.certManager ? {} : { tls: { enabled: false } }),
      tolerations: FAST_EVICTION,
      resources: R.operator,
      // The operator sets these on the reloader sidecar of every Prometheus and Alertmanager pod.
      prometheusConfigReloader: { resources: R.configReloader, enableProbe: true },
    },
    prometheus: prometheusValues(args),
    alertmanager: alertmanagerValues(args),
    grafana: grafanaValues(args),
  };
}
