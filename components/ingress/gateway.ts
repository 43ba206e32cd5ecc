// One static address's API gateway: the EnvoyProxy (data plane asking MetalLB for the IP), a
// certificate per host name, the Gateway (HTTP + one HTTPS listener per host name) and the
// HTTP→HTTPS redirect route.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GatewayRef, PlantCluster } from "../types";
import { hostCertificate } from "./cert-manager-spec";
import { envoyProxy, gateway, httpsRedirectRoute } from "./gateway-spec";
import { AddressPlan, NAMESPACE_NAME_LABEL, NAMESPACES } from "./model";

export interface ApiGatewayArgs {
  readonly cluster: PlantCluster;
  readonly address: AddressPlan;
  /** Envoy replicas (plant:clusters[].ingress.gatewayReplicas, ≥ 2). */
  readonly replicas: number;
  readonly issuerName: string;
  /** ACME certificates: lifetime chosen by the ACME server. */
  readonly acme: boolean;
  /** Envoy Gateway (CRDs, controller, GatewayClass, namespace). */
  readonly envoyGatewayReady: readonly pulumi.Resource[];
  /** The ClusterIssuer. */
  readonly issuerReady: readonly pulumi.Resource[];
  /** MetalLB pools: the data-plane Service gets its address only once its pool exists. */
  readonly addressPoolsReady: readonly pulumi.Resource[];
}

export class ApiGateway extends pulumi.ComponentResource {
  public readonly ref: GatewayRef;

  constructor(name: string, args: ApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:ApiGateway", name, {}, opts);
    const provider = args.cluster.provider;
    const { address } = args;
    const custom = (
      suffix: string,
      obj: { apiVersion: string; kind: string; metadata: object; spec: object },
      dependsOn: readonly pulumi.Resource[],
    ) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${suffix}`,
        { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec: obj.spec },
        { parent: this, provider, dependsOn: [...dependsOn] },
      );

    const proxy = custom("envoy-proxy", envoyProxy({ address, replicas: args.replicas }), [
      ...args.envoyGatewayReady,
      ...args.addressPoolsReady,
    ]);
    // Named by FQDN: adding a host name adds a certificate and leaves the others alone.
    const certificate = (h: (typeof address.hosts)[number], after: readonly pulumi.Resource[]) =>
      custom(`cert-${h.fqdn}`, hostCertificate(h, args.issuerName, args.acme), [
        ...args.envoyGatewayReady,
        ...args.issuerReady,
        ...after,
      ]);
    let gw: k8s.apiextensions.CustomResource;
    let certificates: k8s.apiextensions.CustomResource[];
    if (args.acme) {
      // ACME HTTP-01 is answered through this Gateway's HTTP listener: the Gateway must serve
      // before a certificate can become Ready, so here the certificates wait for the Gateway.
      gw = custom("gateway", gateway(address), [...args.envoyGatewayReady, proxy]);
      certificates = address.hosts.map((h) => certificate(h, [gw]));
    } else {
      // Site CA certificates issue at once; the HTTPS listeners start with their Secrets present.
      certificates = address.hosts.map((h) => certificate(h, []));
      gw = custom("gateway", gateway(address), [...args.envoyGatewayReady, proxy, ...certificates]);
    }
    const redirect = custom("https-redirect", httpsRedirectRoute(address), [gw]);

    this.ref = {
      cluster: args.cluster.name,
      namespace: NAMESPACES.gateways,
      name: address.gatewayName,
      httpsListeners: Object.fromEntries(address.hosts.map((h) => [h.fqdn, h.listener])),
      dataPlaneNamespaceLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.envoyGateway },
      ready: [...args.envoyGatewayReady, gw, ...certificates],
    };
    this.registerOutputs({ gateway: address.gatewayName, redirect: redirect.urn });
  }
}
