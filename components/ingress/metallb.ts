// MetalLB in layer-2 mode on one cluster: namespace, pinned chart, one IPAddressPool per static
// address and an L2Advertisement. The pools wait for a webhook gate, not merely the chart:
// MetalLB's validating webhook (failurePolicy Fail) refuses every pool until the controller has
// written its own serving certificate and CA bundle, and Pulumi does not retry that refusal.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChart } from "../mirrors";
import { PlantCluster } from "../types";
import { NamespacePolicies } from "../kubernetes/namespace-policies";
import { scrapeAllow } from "../monitoring-scraper";
import { WebhookGate } from "../kubernetes/webhook-gate";
import { chartRevision } from "../kubernetes/webhook-gate-spec";
import {
  addressPool,
  l2Advertisement,
  METALLB_CONTROLLER_LABELS,
  METALLB_NAMESPACE_LABELS,
  METALLB_WEBHOOK,
  metallbValues,
  webhookProbePool,
} from "./metallb-spec";
import { AddressPlan, NAMESPACES } from "./model";
import { METALLB } from "./versions";

export interface MetalLbArgs {
  readonly cluster: PlantCluster;
  readonly addresses: readonly AddressPlan[];
}

export class MetalLb extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  /** Pools and the advertisement: a LoadBalancer Service gets its static IP once these exist. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: MetalLbArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:MetalLb", name, {}, opts);
    const provider = args.cluster.provider;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: NAMESPACES.metallb, labels: { ...METALLB_NAMESPACE_LABELS } } },
      { parent: this, provider, dependsOn: [...args.cluster.ready] },
    );
    // The speakers use the host network (policies do not apply to them); the controller serves
    // the webhook.
    const policies = new NamespacePolicies(
      `${name}-policies`,
      {
        cluster: args.cluster,
        namespace: NAMESPACES.metallb,
        namespaceResource: namespace,
        allows: [
          { name: "webhook", podLabels: METALLB_CONTROLLER_LABELS, ports: [9443] },
          // The controller's metrics (HTTPS, callers authorized by RBAC); observability area.
          scrapeAllow("metrics", METALLB_CONTROLLER_LABELS, [9120]),
        ],
      },
      { parent: this },
    );
    const values = metallbValues();
    this.chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: "metallb",
        ...helmChart(METALLB, args.cluster.chartMirrors),
        namespace: NAMESPACES.metallb,
        values,
      },
      { parent: this, provider, dependsOn: [namespace, ...policies.ready] },
    );
    const gate = new WebhookGate(
      "metallb-webhook",
      {
        cluster: args.cluster,
        namespace: NAMESPACES.metallb,
        webhooks: [METALLB_WEBHOOK],
        probe: webhookProbePool(),
        resource: "ipaddresspools",
        revision: chartRevision(METALLB.chart, METALLB.version, values),
        dependsOn: [namespace, this.chart],
      },
      { parent: this },
    );
    // Named by the address name, so adding an address adds a pool and renames nothing.
    const pools = args.addresses.map((a) => {
      const pool = addressPool(a);
      return new k8s.apiextensions.CustomResource(
        `${name}-pool-${a.poolName}`,
        { apiVersion: pool.apiVersion, kind: pool.kind, metadata: pool.metadata, spec: pool.spec },
        { parent: this, provider, dependsOn: [this.chart, ...gate.ready] },
      );
    });
    const adv = l2Advertisement(args.addresses.map((a) => a.poolName));
    const advertisement = new k8s.apiextensions.CustomResource(
      `${name}-l2`,
      { apiVersion: adv.apiVersion, kind: adv.kind, metadata: adv.metadata, spec: adv.spec },
      { parent: this, provider, dependsOn: [this.chart, ...gate.ready, ...pools] },
    );
    this.ready = [...pools, advertisement];
    this.registerOutputs({});
  }
}
