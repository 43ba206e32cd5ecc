// INITIAL STUB (spine): replaced by the ingress issue.
import * as pulumi from "@pulumi/pulumi";
import { SiteConfig, SiteSecrets } from "../../config";
import { IngressAddressOutput } from "../../outputs";
import { GatewayRef, PlantCluster } from "../types";

/** Per-cluster platform add-ons: cert-manager (needed by ingress TLS and the Postgres backup plugin) and the ingress. */
export interface ClusterAddons {
  /** cert-manager is installed and its webhook answers; empty when the cluster needs no cert-manager. */
  readonly certManagerReady: readonly pulumi.Resource[];
  readonly ingress?: {
    readonly gateway: GatewayRef;
    readonly addresses: readonly IngressAddressOutput[];
    readonly caCertificate: pulumi.Output<string>;
  };
}

export function declareClusterAddons(_site: SiteConfig, _cluster: PlantCluster, _secrets: SiteSecrets): ClusterAddons {
  return { certManagerReady: [] };
}
