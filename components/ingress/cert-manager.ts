// cert-manager on one cluster: its namespace and the pinned chart (with CRDs). Ingress TLS and the
// Postgres backup plugin wait on `ready`.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChart } from "../mirrors";
import { PlantCluster } from "../types";
import {
  CERT_MANAGER_NAMESPACE_LABELS,
  CERT_MANAGER_RELEASE,
  certManagerValues,
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
  /** The chart: its Deployments (webhook included) are awaited, so dependents can create cert-manager objects. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:CertManager", name, {}, opts);
    const provider = args.cluster.provider;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: NAMESPACES.certManager, labels: { ...CERT_MANAGER_NAMESPACE_LABELS } } },
      { parent: this, provider, dependsOn: [...args.cluster.ready] },
    );
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: CERT_MANAGER_RELEASE,
        ...helmChart(CERT_MANAGER, args.cluster.chartMirrors),
        namespace: NAMESPACES.certManager,
        values: certManagerValues({ enableGatewayApi: args.enableGatewayApi ?? false }),
      },
      { parent: this, provider, dependsOn: [namespace, ...(args.dependsOn ?? [])] },
    );
    this.ready = [chart];
    this.registerOutputs({ namespace: this.namespace });
  }
}
