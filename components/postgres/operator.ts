// CloudNativePG operator and Barman Cloud plugin, once per Kubernetes cluster hosting a database.
// Database objects wait for a gate proving the operator's webhooks serve: the operator writes
// its own webhook certificate and CA bundle after it starts, and until then every Cluster,
// Pooler or Backup create is refused (failurePolicy Fail), which Pulumi does not retry.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChart } from "../mirrors";
import { PlantCluster } from "../types";
import { NamespacePolicies } from "../kubernetes/namespace-policies";
import { scrapeAllow } from "../monitoring-scraper";
import { WebhookGate } from "../kubernetes/webhook-gate";
import { chartRevision } from "../kubernetes/webhook-gate-spec";
import { CNPG_NAMESPACE, POSTGRES_NAMESPACE_LABELS } from "./names";
import {
  BARMAN_CHART,
  CHART_REPO,
  CNPG_CHART,
  CNPG_WEBHOOKS,
  operatorValues,
  webhookProbeCluster,
  pluginValues,
} from "./operator-values";

export interface CnpgOperatorArgs {
  readonly cluster: PlantCluster;
  /** cert-manager installed and its webhook answering; the plugin's certificates need it. */
  readonly certManagerReady: readonly pulumi.Resource[];
  /** The site's time zone (plant:site.timeZone): the clock of every ScheduledBackup. */
  readonly timeZone: string;
}

export class CnpgOperator extends pulumi.ComponentResource {
  /** Resources a Cluster, ObjectStore, … must wait for (CRDs and webhooks). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: CnpgOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:postgres:CnpgOperator", name, {}, opts);
    const provider = args.cluster.provider;
    if (args.certManagerReady.length === 0) {
      void pulumi.log.warn(
        `cluster '${args.cluster.name}': no cert-manager readiness given; the Barman Cloud plugin needs cert-manager`,
        this,
      );
    }
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: CNPG_NAMESPACE, labels: { ...POSTGRES_NAMESPACE_LABELS } } },
      { parent: this, provider, dependsOn: [...args.cluster.ready] },
    );
    // The operator serves its webhooks (9443) to the API server; the Barman Cloud plugin serves
    // gRPC (9090) to the operator only.
    const policies = new NamespacePolicies(
      `${name}-policies`,
      {
        cluster: args.cluster,
        namespace: CNPG_NAMESPACE,
        namespaceResource: namespace,
        allows: [
          {
            name: "webhook",
            podLabels: { "app.kubernetes.io/name": CNPG_CHART.chart },
            ports: [9443],
          },
          {
            name: "barman-cloud",
            podLabels: { "app.kubernetes.io/name": BARMAN_CHART.chart },
            ports: [9090],
            fromNamespaces: [CNPG_NAMESPACE],
            fromPodLabels: { "app.kubernetes.io/name": CNPG_CHART.chart },
          },
          // The operator's metrics (observability area).
          scrapeAllow("metrics", { "app.kubernetes.io/name": CNPG_CHART.chart }, [8080]),
        ],
      },
      { parent: this },
    );
    const values = operatorValues(args.timeZone);
    const operator = new k8s.helm.v4.Chart(
      `${name}-operator`,
      {
        ...helmChart({ ...CNPG_CHART, repo: CHART_REPO }, args.cluster.chartMirrors),
        name: CNPG_CHART.release,
        namespace: CNPG_NAMESPACE,
        values,
      },
      { parent: this, provider, dependsOn: [namespace, ...policies.ready] },
    );
    const gate = new WebhookGate(
      "cnpg-webhook",
      {
        cluster: args.cluster,
        namespace: CNPG_NAMESPACE,
        webhooks: CNPG_WEBHOOKS,
        probe: webhookProbeCluster(),
        resource: "clusters",
        revision: chartRevision(CNPG_CHART.chart, CNPG_CHART.version, values),
        dependsOn: [namespace, operator],
      },
      { parent: this },
    );
    // The plugin must live in the operator's namespace; it registers with the running operator.
    const plugin = new k8s.helm.v4.Chart(
      `${name}-barman-cloud`,
      {
        ...helmChart({ ...BARMAN_CHART, repo: CHART_REPO }, args.cluster.chartMirrors),
        name: BARMAN_CHART.release,
        namespace: CNPG_NAMESPACE,
        values: pluginValues(),
      },
      { parent: this, provider, dependsOn: [namespace, operator, ...args.certManagerReady] },
    );
    this.ready = [operator, ...gate.ready, plugin];
    this.registerOutputs({});
  }
}
