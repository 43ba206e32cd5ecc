// Envoy Gateway on one cluster: the standard-channel Gateway API v1.6.1 CRDs (managed here, not by
// the chart, which would install the experimental channel), Envoy Gateway's own CRDs, the
// control-plane certificates (the chart's certgen hook is dropped by helm.v4.Chart), the pinned
// controller chart, the GatewayClass and the namespace the Gateways live in.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChart, manifestUrl } from "../mirrors";
import { PlantCluster } from "../types";
import { EnvoyGatewayCerts } from "./envoy-gateway-certs";
import {
  ENVOY_GATEWAY_NAMESPACE_LABELS,
  envoyGatewayCrdValues,
  envoyGatewayValues,
  gatewayClass,
  GATEWAYS_NAMESPACE_LABELS,
} from "./gateway-spec";
import { GATEWAY_CLASS_NAME, NAMESPACES } from "./model";
import { ENVOY_GATEWAY, GATEWAY_API } from "./versions";

export interface EnvoyGatewayArgs {
  readonly cluster: PlantCluster;
  /**
   * Declares cert-manager (which may itself need the Gateway API CRDs, for ACME HTTP-01) and
   * returns what proves it ready: the controller's certificates are cert-manager Certificates.
   */
  readonly certManager: (gatewayApiCrds: readonly pulumi.Resource[]) => readonly pulumi.Resource[];
}

export class EnvoyGateway extends pulumi.ComponentResource {
  public readonly gatewayClassName = GATEWAY_CLASS_NAME;
  /** Gateway API and Envoy Gateway CRDs: anything declaring those kinds waits for these. */
  public readonly crds: readonly pulumi.Resource[];
  /** CRDs, controller, GatewayClass and the Gateways' namespace. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: EnvoyGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:EnvoyGateway", name, {}, opts);
    const provider = args.cluster.provider;
    const clusterReady = [...args.cluster.ready];
    const mirrors = args.cluster.chartMirrors;
    const gatewayApiCrds = new k8s.yaml.v2.ConfigFile(
      `${name}-gateway-api-crds`,
      { file: manifestUrl(GATEWAY_API.standardInstallUrl, mirrors) },
      { parent: this, provider, dependsOn: clusterReady },
    );
    const egCrds = new k8s.helm.v4.Chart(
      `${name}-crds`,
      {
        name: "envoy-gateway-crds",
        ...helmChart({ chart: ENVOY_GATEWAY.crdsChart, version: ENVOY_GATEWAY.version }, mirrors),
        namespace: NAMESPACES.envoyGateway,
        values: envoyGatewayCrdValues(),
      },
      { parent: this, provider, dependsOn: clusterReady },
    );
    this.crds = [gatewayApiCrds, egCrds];

    const controllerNs = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: { name: NAMESPACES.envoyGateway, labels: { ...ENVOY_GATEWAY_NAMESPACE_LABELS } },
      },
      { parent: this, provider, dependsOn: clusterReady },
    );
    const gatewaysNs = new k8s.core.v1.Namespace(
      `${name}-gateways-ns`,
      { metadata: { name: NAMESPACES.gateways, labels: { ...GATEWAYS_NAMESPACE_LABELS } } },
      { parent: this, provider, dependsOn: clusterReady },
    );
    const certs = new EnvoyGatewayCerts(
      `${name}-certs`,
      {
        cluster: args.cluster,
        namespace: controllerNs,
        certManagerReady: args.certManager(this.crds),
      },
      { parent: this },
    );
    const controller = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: "envoy-gateway",
        ...helmChart({ chart: ENVOY_GATEWAY.chart, version: ENVOY_GATEWAY.version }, mirrors),
        namespace: NAMESPACES.envoyGateway,
        // Both CRD sets are declared above; the chart must not bring (experimental) ones.
        skipCrds: true,
        values: envoyGatewayValues(),
      },
      { parent: this, provider, dependsOn: [controllerNs, ...this.crds, ...certs.ready] },
    );
    const cls = gatewayClass();
    const classResource = new k8s.apiextensions.CustomResource(
      `${name}-class`,
      { apiVersion: cls.apiVersion, kind: cls.kind, metadata: cls.metadata, spec: cls.spec },
      { parent: this, provider, dependsOn: [controller, ...this.crds] },
    );
    this.ready = [...this.crds, controller, classResource, gatewaysNs];
    this.registerOutputs({ gatewayClassName: this.gatewayClassName });
  }
}
