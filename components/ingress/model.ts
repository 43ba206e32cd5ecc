// The ingress of one cluster as plain data: namespaces, object names and the host names of each
// static address. Every name derives from config names (never from list positions), so adding an
// address or a host name adds objects without renaming existing ones.
import { fqdn } from "../../config/addresses";
import { IngressConfig, ParsedSite } from "../../config/schema";
import { IngressAddressOutput } from "../../outputs";

export const NAMESPACES = {
  certManager: "cert-manager",
  metallb: "metallb-system",
  /** Envoy Gateway's controller and (default "ControllerNamespace" mode) every Envoy data-plane pod. */
  envoyGateway: "envoy-gateway-system",
  /** Gateways, their EnvoyProxy parameters, certificates and the redirect routes. */
  gateways: "plant-gateways",
} as const;

export const GATEWAY_CLASS_NAME = "plant-envoy";
export const L2_ADVERTISEMENT_NAME = "plant-ingress";
export const HTTP_LISTENER = "http";
export const SITE_CA_ISSUER = "plant-site-ca";
export const ACME_ISSUER = "plant-acme";
/** Secret (in the cert-manager namespace) holding the site CA key pair the CA issuer signs with. */
export const SITE_CA_SECRET = "plant-site-ca";

/**
 * The HTTPS listeners accept HTTPRoutes only from namespaces carrying this label (set by the
 * reporting area on each service namespace with routes), so no other namespace can attach a
 * route to a plant host name and take its traffic.
 */
export const GATEWAY_ROUTES_LABEL = "plant.busche-cnc.com/gateway-routes";
export const GATEWAY_ROUTE_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  [GATEWAY_ROUTES_LABEL]: "true",
};

/** The label every namespace carries with its own name (set by the API server). */
export { NAMESPACE_NAME_LABEL } from "../k8s-fragments";

export interface HostPlan {
  readonly fqdn: string;
  /** HTTPS listener name; the FQDN is a valid section name, so it is used as is. */
  readonly listener: string;
  /** cert-manager Certificate name (a DNS subdomain, like the FQDN). */
  readonly certificate: string;
  readonly secretName: string;
}

export interface AddressPlan {
  /** Config name of the address; also the Gateway, IPAddressPool and component suffix. */
  readonly name: string;
  readonly ip: string;
  readonly gatewayName: string;
  readonly envoyProxyName: string;
  readonly redirectRouteName: string;
  readonly poolName: string;
  readonly hosts: readonly HostPlan[];
}

export interface IngressPlan {
  readonly cluster: string;
  readonly issuer: "site-ca" | "acme";
  readonly issuerName: string;
  readonly gatewayReplicas: number;
  readonly addresses: readonly AddressPlan[];
}

export function hostPlan(name: string): HostPlan {
  return {
    fqdn: name,
    listener: `https-${name}`,
    certificate: name,
    secretName: `${name}-tls`,
  };
}

export function ingressPlan(
  clusterName: string,
  ingress: IngressConfig,
  domain: string,
): IngressPlan {
  return {
    cluster: clusterName,
    issuer: ingress.tls.issuer,
    issuerName: ingress.tls.issuer === "acme" ? ACME_ISSUER : SITE_CA_ISSUER,
    gatewayReplicas: ingress.gatewayReplicas,
    addresses: ingress.addresses.map((a) => ({
      name: a.name,
      ip: a.ip,
      gatewayName: a.name,
      envoyProxyName: `${a.name}-proxy`,
      redirectRouteName: `${a.name}-https-redirect`,
      poolName: a.name,
      hosts: a.hostnames.map((h) => hostPlan(fqdn(h, domain))),
    })),
  };
}

/** The stack output of each address: IP, FQDNs and base URLs. */
export function addressOutputs(plan: IngressPlan): IngressAddressOutput[] {
  return plan.addresses.map((a) => ({
    name: a.name,
    ip: a.ip,
    hostnames: a.hosts.map((h) => h.fqdn),
    baseUrls: a.hosts.map((h) => `https://${h.fqdn}`),
  }));
}

/** Does this cluster need cert-manager? Ingress TLS and the Postgres backup plugin both use it. */
export function needsCertManager(
  site: Pick<ParsedSite, "databases">,
  cluster: { name: string; ingress?: unknown },
): boolean {
  return cluster.ingress !== undefined || site.databases.some((d) => d.cluster === cluster.name);
}

/** Labels of the Envoy pods of one Gateway (set by Envoy Gateway on the pods it creates). */
export function envoyPodLabels(gatewayName: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "envoy",
    "gateway.envoyproxy.io/owning-gateway-name": gatewayName,
    "gateway.envoyproxy.io/owning-gateway-namespace": NAMESPACES.gateways,
  };
}
