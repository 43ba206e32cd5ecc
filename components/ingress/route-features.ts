// API-gateway features of one HTTPRoute as Envoy Gateway v1.9 policies (pure: data in, objects out).
// The reporting area declares these next to its HTTPRoutes; field names follow the pinned CRDs in
// ../shared/crds/envoy-gateway-v1.9.0 (BackendTrafficPolicy, SecurityPolicy, gateway.envoyproxy.io/v1alpha1).
import { ServiceConfig } from "../../config/schema";

export const ENVOY_GATEWAY_API_VERSION = "gateway.envoyproxy.io/v1alpha1";

/** The addresses a rate limit counts per client: every IPv4 client (the static IPs are IPv4). */
export const PER_CLIENT_CIDR = "0.0.0.0/0";

export interface RouteFeatureArgs {
  /** The service's namespace (the HTTPRoute's namespace). */
  readonly namespace: string;
  /** The HTTPRoute's metadata.name. */
  readonly routeName: string;
  /** `plant:services[].gateway`: { rateLimit?, maxRequestBytes?, auth? }. */
  readonly features: ServiceConfig["gateway"];
  /** Name of an Opaque Secret in `namespace` holding key ".htpasswd" (basic auth), when features.auth.type === "basic". */
  readonly htpasswdSecretName?: string;
}

export interface RoutePolicyObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

/** Name of the BackendTrafficPolicy (rate limit, request size) of a route. */
export function trafficPolicyName(routeName: string): string {
  return `${routeName}-traffic`;
}

/** Name of the SecurityPolicy (basic auth / JWT) of a route. */
export function securityPolicyName(routeName: string): string {
  return `${routeName}-auth`;
}

function targetRefs(routeName: string): Array<Record<string, string>> {
  return [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: routeName }];
}

/**
 * Envoy Gateway policy objects (apiVersion/kind/metadata/spec) targeting the HTTPRoute; [] when no feature is set.
 *
 * - rateLimit → BackendTrafficPolicy `spec.rateLimit.local` with one rule whose client selector is
 *   `sourceCIDR 0.0.0.0/0, type Distinct`: every client address gets its own bucket of the configured
 *   rate (Envoy Gateway 1.9 builds a `remote_address` descriptor per address, up to 10,000 at once).
 *   The counters live in the Envoy pod that receives the connection; with L2 announcement and
 *   `externalTrafficPolicy: Local` one node's Envoy takes a static IP's traffic, so that is one
 *   bucket per client. Clients behind one NAT share a bucket.
 * - maxRequestBytes → the same BackendTrafficPolicy's `spec.requestBuffer.limit`: Envoy buffers the request
 *   and answers 413 when it is larger. (ClientTrafficPolicy's buffer limit is per Gateway, not per route.)
 * - auth basic → SecurityPolicy `spec.basicAuth.users` → the htpasswd Secret (key `.htpasswd`).
 * - auth jwt → SecurityPolicy `spec.jwt.providers[0]` with the issuer, audiences and remote JWKS URI.
 */
export function routeFeaturePolicies(args: RouteFeatureArgs): RoutePolicyObject[] {
  const { namespace, routeName, features } = args;
  const policies: RoutePolicyObject[] = [];

  const traffic: Record<string, unknown> = {};
  if (features.rateLimit) {
    traffic.rateLimit = {
      local: {
        rules: [
          {
            clientSelectors: [{ sourceCIDR: { type: "Distinct", value: PER_CLIENT_CIDR } }],
            limit: { requests: features.rateLimit.requests, unit: features.rateLimit.unit },
          },
        ],
      },
    };
  }
  if (features.maxRequestBytes !== undefined) {
    // Plain bytes as a quantity string ("1048576"): the CRD's int-or-string with its quantity pattern.
    traffic.requestBuffer = { limit: String(features.maxRequestBytes) };
  }
  if (Object.keys(traffic).length > 0) {
    policies.push({
      apiVersion: ENVOY_GATEWAY_API_VERSION,
      kind: "BackendTrafficPolicy",
      metadata: { name: trafficPolicyName(routeName), namespace },
      spec: { targetRefs: targetRefs(routeName), ...traffic },
    });
  }

  const auth = features.auth;
  if (auth) {
    let security: Record<string, unknown>;
    if (auth.type === "basic") {
      if (!args.htpasswdSecretName) {
        throw new Error(
          `[gateway.auth] route ${namespace}/${routeName} uses basic auth: htpasswdSecretName ` +
            `(an Opaque Secret with key ".htpasswd" in ${namespace}) is required`,
        );
      }
      security = {
        basicAuth: { users: { group: "", kind: "Secret", name: args.htpasswdSecretName } },
      };
    } else {
      security = {
        jwt: {
          providers: [
            {
              name: "jwt",
              issuer: auth.issuer,
              ...(auth.audiences.length > 0 ? { audiences: [...auth.audiences] } : {}),
              remoteJWKS: { uri: auth.jwksUri },
            },
          ],
        },
      };
    }
    policies.push({
      apiVersion: ENVOY_GATEWAY_API_VERSION,
      kind: "SecurityPolicy",
      metadata: { name: securityPolicyName(routeName), namespace },
      spec: { targetRefs: targetRefs(routeName), ...security },
    });
  }
  return policies;
}
