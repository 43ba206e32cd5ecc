// The monitoring stack of one cluster: kube-prometheus-stack (Prometheus ×2, clustered
// Alertmanager, node-exporter, kube-state-metrics, the operator), the program's scrape objects
// and alert rules, Alertmanager's config as a Secret, and — when the cluster has a Gateway — its
// Prometheus and Alertmanager (and on the hub Grafana) routed under /monitoring/.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespacePolicies } from "../kubernetes/namespace-policies";
import { GATEWAY_ROUTE_NAMESPACE_LABELS, NAMESPACES } from "../ingress/model";
import { helmChart } from "../mirrors";
import { GatewayRef, PlantCluster } from "../types";
import { monitoringAllows, monitoringRoutes } from "./access-spec";
import {
  MONITORING_NAMESPACE,
  MonitoringEndpoint,
  NODE_EXPORTER_NAMESPACE,
  OBJECTS,
  RELEASE,
} from "./model";
import { RuleGroup } from "./rules-spec";
import { MonitorObject, SCRAPE_TOKEN_SECRET } from "./scrape-spec";
import { stackValues, StackValuesArgs } from "./stack-values";
import { KUBE_PROMETHEUS_STACK } from "./versions";

/** Both namespaces' Pod Security: node-exporter reads the host, everything else is restricted. */
const RESTRICTED = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};
const PRIVILEGED = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/audit": "privileged",
  "pod-security.kubernetes.io/warn": "privileged",
};

export interface ClusterMonitoringArgs {
  readonly cluster: PlantCluster;
  readonly values: Omit<StackValuesArgs, "certManager" | "endpoint">;
  /** cert-manager installed and its webhook gate passed; empty: the operator's webhooks are off. */
  readonly certManagerReady: readonly pulumi.Resource[];
  /** alertmanager.yaml (secret). */
  readonly alertmanagerYaml: pulumi.Input<string>;
  readonly monitors: readonly MonitorObject[];
  readonly ruleGroups: readonly RuleGroup[];
  /** The cluster's first host name and the Gateway serving it; absent: in-cluster only. */
  readonly exposure?: { readonly endpoint: MonitoringEndpoint; readonly gateway: GatewayRef };
  /** htpasswd of the access user (secret), needed with `exposure`. */
  readonly htpasswd?: pulumi.Input<string>;
  /** Hub: Grafana's admin password (secret). */
  readonly grafanaAdminPassword?: pulumi.Input<string>;
}

export class ClusterMonitoring extends pulumi.ComponentResource {
  /** The chart (CRDs, operator): monitoring objects of other components wait for it. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: ClusterMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:observability:ClusterMonitoring", name, {}, opts);
    const { cluster, exposure } = args;
    const provider = cluster.provider;
    const child = { parent: this, provider };
    const hub = args.values.hub;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: MONITORING_NAMESPACE,
          labels: { ...RESTRICTED, ...(exposure ? GATEWAY_ROUTE_NAMESPACE_LABELS : {}) },
        },
      },
      { ...child, dependsOn: [...cluster.ready] },
    );
    const nodeNamespace = new k8s.core.v1.Namespace(
      `${name}-node-ns`,
      { metadata: { name: NODE_EXPORTER_NAMESPACE, labels: { ...PRIVILEGED } } },
      { ...child, dependsOn: [...cluster.ready] },
    );
    const webhook = args.certManagerReady.length > 0;
    const policies = new NamespacePolicies(
      `${name}-policies`,
      {
        cluster,
        namespace: MONITORING_NAMESPACE,
        namespaceResource: namespace,
        allows: monitoringAllows({
          webhook,
          hub,
          ...(exposure ? { dataPlaneNamespace: NAMESPACES.envoyGateway } : {}),
        }),
      },
      { parent: this },
    );
    // node-exporter runs on the host network (policies do not apply); the deny is the pack's rule.
    const nodePolicies = new NamespacePolicies(
      `${name}-node-policies`,
      { cluster, namespace: NODE_EXPORTER_NAMESPACE, namespaceResource: nodeNamespace, allows: [] },
      { parent: this },
    );
    const inNs = { ...child, dependsOn: [namespace] };
    const secrets: pulumi.Resource[] = [
      new k8s.core.v1.Secret(
        `${name}-alertmanager-config`,
        {
          metadata: { name: OBJECTS.alertmanagerConfig, namespace: MONITORING_NAMESPACE },
          stringData: { "alertmanager.yaml": pulumi.secret(args.alertmanagerYaml) },
        },
        inNs,
      ),
    ];
    if (hub && args.grafanaAdminPassword !== undefined) {
      secrets.push(
        new k8s.core.v1.Secret(
          `${name}-grafana-admin`,
          {
            metadata: { name: OBJECTS.grafanaAdmin, namespace: MONITORING_NAMESPACE },
            stringData: {
              "admin-user": "admin",
              "admin-password": pulumi.secret(args.grafanaAdminPassword),
            },
          },
          inNs,
        ),
      );
    }
    const values = stackValues({
      ...args.values,
      certManager: webhook,
      ...(exposure ? { endpoint: exposure.endpoint } : {}),
    });
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: RELEASE,
        ...helmChart(KUBE_PROMETHEUS_STACK, cluster.chartMirrors),
        namespace: MONITORING_NAMESPACE,
        values,
      },
      {
        ...child,
        dependsOn: [
          namespace,
          nodeNamespace,
          ...policies.ready,
          ...nodePolicies.ready,
          ...secrets,
          ...args.certManagerReady,
        ],
      },
    );
    this.ready = [chart];
    // The token Prometheus shows to endpoints that authorize their scrapers (MetalLB).
    const token = new k8s.core.v1.Secret(
      `${name}-scrape-token`,
      {
        metadata: {
          name: SCRAPE_TOKEN_SECRET,
          namespace: MONITORING_NAMESPACE,
          annotations: { "kubernetes.io/service-account.name": OBJECTS.prometheus },
        },
        type: "kubernetes.io/service-account-token",
      },
      { ...child, dependsOn: [chart] },
    );
    for (const m of args.monitors) {
      new k8s.apiextensions.CustomResource(
        `${name}-${m.kind.toLowerCase()}-${m.metadata.name}`,
        { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec },
        { ...child, dependsOn: [chart, token] },
      );
    }
    if (args.ruleGroups.length > 0) {
      new k8s.apiextensions.CustomResource(
        `${name}-rules`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: "plant-alerts", namespace: MONITORING_NAMESPACE },
          spec: { groups: args.ruleGroups as unknown as pulumi.Input<unknown>[] },
        },
        { ...child, dependsOn: [chart] },
      );
    }
    if (exposure)
      this.expose(name, provider, exposure, args.htpasswd, hub, [chart, ...policies.ready]);
    this.registerOutputs({});
  }

  private expose(
    name: string,
    provider: k8s.Provider,
    exposure: NonNullable<ClusterMonitoringArgs["exposure"]>,
    htpasswd: pulumi.Input<string> | undefined,
    hub: boolean,
    after: readonly pulumi.Resource[],
  ): void {
    if (htpasswd === undefined)
      throw new pulumi.ResourceError(`${name}: routed monitoring needs the access htpasswd`, this);
    const child = { parent: this, provider };
    const users = new k8s.core.v1.Secret(
      `${name}-access-htpasswd`,
      {
        metadata: { name: OBJECTS.accessHtpasswd, namespace: MONITORING_NAMESPACE },
        stringData: { ".htpasswd": pulumi.secret(htpasswd) },
      },
      { ...child, dependsOn: [...after] },
    );
    const { gateway, endpoint } = exposure;
    const target = {
      gatewayNamespace: gateway.namespace,
      gatewayName: gateway.name,
      sectionName: gateway.httpsListeners[endpoint.fqdn],
    };
    for (const o of monitoringRoutes(endpoint, target, hub)) {
      new k8s.apiextensions.CustomResource(
        `${name}-${o.kind.toLowerCase()}-${o.metadata.name}`,
        { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec },
        { ...child, dependsOn: [...after, users, ...gateway.ready] },
      );
    }
  }
}
