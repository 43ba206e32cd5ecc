// cert-manager on one cluster: its namespace, the pinned chart (with CRDs) and a gate proving its
// webhook serves with the CA bundle cainjector injects. Ingress TLS, Envoy Gateway's control-plane
// certificates and the Postgres backup plugin wait on `ready`. (The chart's own proof of that,
// startupapicheck, is a Helm hook, which helm.v4.Chart drops.)
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChart } from "../mirrors";
import { PlantCluster } from "../types";
import { NamespacePolicies } from "../kubernetes/namespace-policies";
import { scrapeAllow } from "../monitoring-scraper";
import { WebhookGate } from "../kubernetes/webhook-gate";
import { chartRevision } from "../kubernetes/webhook-gate-spec";
import {
  CERT_MANAGER_NAMESPACE_LABELS,
  CERT_MANAGER_RELEASE,
  CERT_MANAGER_WEBHOOK,
  certManagerValues,
  webhookProbeIssuer,
} from "./cert-manager-spec";
import { NAMESPACES } from "./model";
import { CERT_MANAGER } from "./versions";

export interface CertManagerArgs {
  readonly cluster: PlantCluster;
  /** Turn on cert-manager's Gateway API support (ACME HTTP-01 through the Gateway). Default false. */
  readonly enableGatewayApi?: boolean;
  /** Must exist first, e.g. the Gateway API CRDs when `enableGatewayApi` is set. Default []. */
  readonly dependsOn?: readonly pulumi.Resource[];
}

export class CertManager extends pulumi.ComponentResource {
  public readonly namespace: string = NAMESPACES.certManager;
  /** The chart and the webhook gate: once these are done, cert-manager objects can be created. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:CertManager", name, {}, opts);
    const provider = args.cluster.provider;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: NAMESPACES.certManager, labels: { ...CERT_MANAGER_NAMESPACE_LABELS } } },
      { parent: this, provider, dependsOn: [...args.cluster.ready] },
    );
    // Only the webhook (10250, the chart's securePort) is called from outside the namespace.
    const policies = new NamespacePolicies(
      `${name}-policies`,
      {
        cluster: args.cluster,
        namespace: NAMESPACES.certManager,
        namespaceResource: namespace,
        allows: [
          {
            name: "webhook",
            podLabels: {
              "app.kubernetes.io/instance": CERT_MANAGER_RELEASE,
              "app.kubernetes.io/component": "webhook",
            },
            ports: [10250],
          },
          // Certificate expiry and issuance metrics (observability area).
          scrapeAllow(
            "metrics",
            {
              "app.kubernetes.io/instance": CERT_MANAGER_RELEASE,
              "app.kubernetes.io/component": "controller",
            },
            [9402],
          ),
        ],
      },
      { parent: this },
    );
    const values = certManagerValues({ enableGatewayApi: args.enableGatewayApi ?? false });
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: CERT_MANAGER_RELEASE,
        ...helmChart(CERT_MANAGER, args.cluster.chartMirrors),
        namespace: NAMESPACES.certManager,
        values,
      },
      {
        parent: this,
        provider,
        dependsOn: [namespace, ...policies.ready, ...(args.dependsOn ?? [])],
      },
    );
    const gate = new WebhookGate(
      "cert-manager-webhook",
      {
        cluster: args.cluster,
        namespace: NAMESPACES.certManager,
        webhooks: [CERT_MANAGER_WEBHOOK],
        probe: webhookProbeIssuer(),
        resource: "issuers",
        revision: chartRevision(CERT_MANAGER.chart, CERT_MANAGER.version, values),
        dependsOn: [namespace, chart],
      },
      { parent: this },
    );
    this.ready = [chart, ...gate.ready];
    this.registerOutputs({ namespace: this.namespace });
  }
}
