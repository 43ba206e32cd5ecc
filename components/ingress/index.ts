// Per-cluster platform add-ons: cert-manager (ingress TLS and the Postgres backup plugin need it)
// and the static-IP ingress (MetalLB L2 + Envoy Gateway on Gateway API, TLS from the site CA or ACME).
import * as pulumi from "@pulumi/pulumi";
import { SiteConfig, SiteConfigError, SiteSecrets } from "../../config";
import { IngressAddressOutput } from "../../outputs";
import { adoptionOptions } from "../adoption";
import { GatewayRef, PlantCluster } from "../types";
import { ClusterIngress } from "./cluster-ingress";
import { needsCertManager } from "./model";
import { SiteCa } from "./site-ca";
import { ingressProblems } from "./validate";

/** Per-cluster platform add-ons: cert-manager (needed by ingress TLS and the Postgres backup plugin) and the ingress. */
export interface ClusterAddons {
  /** cert-manager is installed and its webhook answers; empty when the cluster needs no cert-manager. */
  readonly certManagerReady: readonly pulumi.Resource[];
  readonly ingress?: {
    /** The Gateway of the cluster's first static address (plant:clusters[].ingress.addresses[0]). */
    readonly gateway: GatewayRef;
    /** One Gateway per static address, in config order; each FQDN is a listener of exactly one. */
    readonly gateways?: readonly GatewayRef[];
    readonly addresses: readonly IngressAddressOutput[];
    /** PEM of the site CA that signs the gateway certificates; "" when an ACME issuer signs them. */
    readonly caCertificate: pulumi.Output<string>;
  };
}

const checkedSites = new WeakSet<SiteConfig>();
const siteCas = new WeakMap<SiteConfig, SiteCa>();

/** The ingress rules config/rules.ts lacks, checked once per site before any add-on resource. */
function assertIngressConfig(site: SiteConfig): void {
  if (checkedSites.has(site)) return;
  const problems = ingressProblems(site);
  if (problems.length > 0) throw new SiteConfigError(site.stack, problems);
  checkedSites.add(site);
}

/** One root CA per site, shared by every cluster's CA issuer. */
function siteCaOf(site: SiteConfig): SiteCa {
  let ca = siteCas.get(site);
  if (!ca) {
    ca = new SiteCa(`${site.site.name}-site-ca`, {
      displayName: site.site.displayName,
      domain: site.site.domain,
    });
    siteCas.set(site, ca);
  }
  return ca;
}

/** Gateway whose HTTPS listeners include `hostname` (an FQDN), for routes on multi-address clusters. */
export function gatewayFor(addons: ClusterAddons, hostname: string): GatewayRef | undefined {
  const all = addons.ingress?.gateways ?? (addons.ingress ? [addons.ingress.gateway] : []);
  return all.find((g) => hostname in g.httpsListeners);
}

export function declareClusterAddons(
  site: SiteConfig,
  cluster: PlantCluster,
  _secrets: SiteSecrets,
): ClusterAddons {
  assertIngressConfig(site);
  const config = site.clusters.find((c) => c.name === cluster.name);
  if (!config || !needsCertManager(site, config)) return { certManagerReady: [] };
  const ingress = config.ingress;
  const name = cluster.name;

  let ca: SiteCa | undefined;
  if (ingress?.tls.issuer === "site-ca") ca = siteCaOf(site);
  return new ClusterIngress(
    `${name}-ingress`,
    { cluster, domain: site.site.domain, ingress, siteCa: ca },
    adoptionOptions(site, name),
  ).addons;
}
