// CloudNativePG operator and Barman Cloud plugin, once per Kubernetes cluster hosting a database.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlantCluster } from "../types";
import { CNPG_NAMESPACE } from "./names";
import {
  BARMAN_CHART,
  CHART_REPO,
  CNPG_CHART,
  CNPG_NAMESPACE_LABELS,
  operatorValues,
  pluginValues,
} from "./operator-values";

export interface CnpgOperatorArgs {
  readonly cluster: PlantCluster;
  /** cert-manager installed and its webhook answering; the plugin's certificates need it. */
  readonly certManagerReady: readonly pulumi.Resource[];
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
      { metadata: { name: CNPG_NAMESPACE, labels: { ...CNPG_NAMESPACE_LABELS } } },
      { parent: this, provider, dependsOn: [...args.cluster.ready] },
    );
    const operator = new k8s.helm.v4.Chart(
      `${name}-operator`,
      {
        chart: CNPG_CHART.chart,
        version: CNPG_CHART.version,
        name: CNPG_CHART.release,
        repositoryOpts: { repo: CHART_REPO },
        namespace: CNPG_NAMESPACE,
        values: operatorValues(),
      },
      { parent: this, provider, dependsOn: [namespace] },
    );
    // The plugin must live in the operator's namespace; it registers with the running operator.
    const plugin = new k8s.helm.v4.Chart(
      `${name}-barman-cloud`,
      {
        chart: BARMAN_CHART.chart,
        version: BARMAN_CHART.version,
        name: BARMAN_CHART.release,
        repositoryOpts: { repo: CHART_REPO },
        namespace: CNPG_NAMESPACE,
        values: pluginValues(),
      },
      { parent: this, provider, dependsOn: [namespace, operator, ...args.certManagerReady] },
    );
    this.ready = [operator, plugin];
    this.registerOutputs({});
  }
}
