// Who scrapes metrics, for the network policies of every scraped namespace: each cluster's
// Prometheus pods in the `monitoring` namespace (components/observability). A lower file of its
// own, so the areas that open their metrics ports do not import the observability area.

export const MONITORING_NAMESPACE = "monitoring";

/** Labels the prometheus-operator puts on the Prometheus pods of release `monitoring`. */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "prometheus",
  "app.kubernetes.io/instance": "monitoring-prometheus",
};

/** An add-on namespace's allow rule (addon-network-policy-spec.ts) for Prometheus on `ports`. */
export function scrapeAllow(
  name: string,
  podLabels: Readonly<Record<string, string>>,
  ports: readonly number[],
): {
  name: string;
  podLabels: Readonly<Record<string, string>>;
  ports: readonly number[];
  fromNamespaces: readonly string[];
  fromPodLabels: Readonly<Record<string, string>>;
} {
  return {
    name,
    podLabels,
    ports,
    fromNamespaces: [MONITORING_NAMESPACE],
    fromPodLabels: PROMETHEUS_POD_LABELS,
  };
}
