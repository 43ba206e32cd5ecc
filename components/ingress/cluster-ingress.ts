// All of one cluster's ingress under one component: cert-manager, MetalLB, Envoy Gateway with the
// Gateway API CRDs, the TLS issuer and one Gateway per static address.
import * as pulumi from "@pulumi/pulumi";
import { IngressConfig } from "../../config/site";
import { PlantCluster } from "../types";
import { CertManager } from "./cert-manager";
import { EnvoyGateway } from "./envoy-gateway";
import { ApiGateway } from "./gateway";
import type { ClusterAddons } from "./index";
import { IntermediateCa } from "./intermediate-ca";
import { IssuerSource, TlsIssuer } from "./issuer";
import { MetalLb } from "./metallb";
import { addressOutputs, ingressPlan } from "./model";
import { SiteCa } from "./site-ca";

export interface ClusterIngressArgs {
  readonly cluster: PlantCluster;
  /** The site's DNS domain: host names without a dot live under it. */
  readonly domain: string;
  /** `plant:clusters[].ingress`; undefined for a cluster that only needs cert-manager (a database). */
  readonly ingress?: IngressConfig;
  /** The site root CA (one per site; each cluster gets an intermediate) for issuer `site-ca`. */
  readonly siteCa?: SiteCa;
}

export class ClusterIngress extends pulumi.ComponentResource {
  /** What the databases and the reporting services use. */
  readonly addons: ClusterAddons;

  constructor(name: string, args: ClusterIngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:ClusterIngress", name, {}, opts);
    const { cluster, ingress } = args;
    const child = { parent: this };
    const acme = ingress?.tls.issuer === "acme";
    let certManager: CertManager | undefined;
    const declareCertManager = (gatewayApiCrds: readonly pulumi.Resource[]): CertManager =>
      new CertManager(
        `${cluster.name}-cert-manager`,
        {
          cluster,
          // The ACME HTTP-01 solver attaches HTTPRoutes: cert-manager needs the Gateway API CRDs at start.
          enableGatewayApi: acme,
          dependsOn: acme ? gatewayApiCrds : [],
        },
        child,
      );
    // Envoy Gateway's control-plane certificates come from cert-manager, so Envoy Gateway declares
    // cert-manager once its CRDs exist.
    const envoyGateway = ingress
      ? new EnvoyGateway(
          `${cluster.name}-envoy-gateway`,
          {
            cluster,
            certManager: (crds) => (certManager = declareCertManager(crds)).ready,
          },
          child,
        )
      : undefined;
    certManager ??= declareCertManager([]);
    this.addons =
      ingress && envoyGateway
        ? {
            certManagerReady: certManager.ready,
            ingress: this.declareIngress(args, ingress, envoyGateway, certManager),
          }
        : { certManagerReady: certManager.ready };
    this.registerOutputs({});
  }

  private declareIngress(
    args: ClusterIngressArgs,
    ingress: IngressConfig,
    envoyGateway: EnvoyGateway,
    certManager: CertManager,
  ): NonNullable<ClusterAddons["ingress"]> {
    const { cluster, siteCa } = args;
    const name = cluster.name;
    const child = { parent: this };
    const plan = ingressPlan(name, ingress, args.domain);
    const metallb = new MetalLb(`${name}-metallb`, { cluster, addresses: plan.addresses }, child);
    const acme = ingress.tls.issuer === "acme";
    let source: IssuerSource;
    if (ingress.tls.issuer === "acme") {
      source = { type: "acme", server: ingress.tls.server, email: ingress.tls.email };
    } else {
      if (!siteCa)
        throw new pulumi.ResourceError(`cluster ${name}: site-ca issuer without a site CA`, this);
      // The cluster gets its own intermediate; the root key never reaches any cluster.
      const intermediate = new IntermediateCa(
        `${name}-intermediate-ca`,
        { clusterName: name, root: siteCa },
        child,
      );
      source = {
        type: "site-ca",
        chainPem: intermediate.chainPem,
        keyPem: intermediate.keyPem,
        dependsOn: intermediate.resources,
      };
    }
    const issuer = new TlsIssuer(
      `${name}-tls-issuer`,
      { cluster, plan, source, certManagerReady: certManager.ready },
      child,
    );
    const gateways = plan.addresses.map(
      (address) =>
        new ApiGateway(
          `${name}-gateway-${address.name}`,
          {
            cluster,
            address,
            replicas: plan.gatewayReplicas,
            issuerName: issuer.issuerName,
            acme,
            envoyGatewayReady: envoyGateway.ready,
            issuerReady: issuer.ready,
            addressPoolsReady: metallb.ready,
          },
          child,
        ).ref,
    );
    return {
      gateway: gateways[0],
      gateways,
      addresses: addressOutputs(plan),
      caCertificate: siteCa && !acme ? siteCa.certPem : pulumi.output(""),
    };
  }
}
