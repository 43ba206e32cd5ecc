// Envoy Gateway values and the Gateway API objects of one static address as plain data
// (validated in tests against the pinned Gateway API v1.6.1 and Envoy Gateway v1.9.0 CRDs).
import { AWAIT_SECONDS, awaitAnnotations, gatewayServing, routeAccepted } from "../k8s-await";
import { hostSpreadConstraint } from "../k8s-fragments";
import { PHYSICAL_HOST_LABEL } from "../types";
import {
  AddressPlan,
  envoyPodLabels,
  GATEWAY_CLASS_NAME,
  GATEWAY_ROUTE_NAMESPACE_LABELS,
  HTTP_LISTENER,
  NAMESPACES,
} from "./model";
import { ENVOY_GATEWAY } from "./versions";

export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_API_VERSION = `${GATEWAY_API_GROUP}/v1`;
export const ENVOY_GATEWAY_GROUP = "gateway.envoyproxy.io";
export const ENVOY_GATEWAY_API_VERSION = `${ENVOY_GATEWAY_GROUP}/v1alpha1`;
/** MetalLB's Service annotation requesting an address (spec.loadBalancerIP is deprecated). */
export const METALLB_IPS_ANNOTATION = "metallb.io/loadBalancerIPs";
export const METALLB_POOL_ANNOTATION = "metallb.io/address-pool";

/**
 * The controller meets `restricted`; the Envoy pods it creates also run a shutdown-manager sidecar
 * whose security context Envoy Gateway sets (not verified against `restricted` here), so
 * `restricted` is audited and warned about and `baseline` is enforced: a rejected Envoy pod would
 * take the static IP offline.
 */
export const ENVOY_GATEWAY_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "baseline",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

/** Gateways hold no pods (the data plane runs in the controller namespace): `restricted`. */
export const GATEWAYS_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

function spreadOverHosts(matchLabels: Record<string, string>): Record<string, unknown> {
  return {
    maxSkew: 1,
    topologyKey: PHYSICAL_HOST_LABEL,
    // ScheduleAnyway: when a physical host is down its replica is rescheduled on a surviving host.
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels },
    matchLabelKeys: ["pod-template-hash"],
  };
}

/**
 * The data plane's hard spread: never two Envoy pods of one revision on one physical host (a host
 * failure takes at most one replica). Nodes of a down host carry the not-ready/unreachable
 * NoSchedule taint, which `nodeTaintsPolicy: Honor` leaves out of the count, so the spread does not
 * block scheduling on the surviving hosts; validate.ts keeps gatewayReplicas ≤ hosts − failures.
 */
function requireDistinctHosts(matchLabels: Record<string, string>): {
  topologySpreadConstraints: Record<string, unknown>[];
  affinity: Record<string, unknown>;
} {
  return {
    topologySpreadConstraints: [hostSpreadConstraint(matchLabels, true)],
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            topologyKey: PHYSICAL_HOST_LABEL,
            labelSelector: { matchLabels },
            // Per revision: a rollout's surge pod may share a host with an old pod about to go.
            matchLabelKeys: ["pod-template-hash"],
          },
        ],
      },
    },
  };
}

/**
 * gateway-helm: `crds.enabled: false` turns off the chart's CRD subchart, which would install the
 * experimental-channel Gateway API CRDs; the standard-channel ones and Envoy Gateway's own CRDs are
 * declared separately. Two controller replicas (leader election) spread over physical hosts.
 */
export function envoyGatewayValues(): Record<string, unknown> {
  const controllerLabels = { "control-plane": "envoy-gateway" };
  return {
    crds: { enabled: false },
    global: {
      images: {
        envoyGateway: { image: ENVOY_GATEWAY.controllerImage, pullPolicy: "IfNotPresent" },
        envoyProxy: { image: ENVOY_GATEWAY.envoyImage, pullPolicy: "IfNotPresent" },
      },
    },
    podDisruptionBudget: { minAvailable: 1 },
    // The injector only copies zone labels onto proxy pods (for zone-aware routing, unused here);
    // its webhook configuration is a Helm hook, which helm.v4.Chart drops anyway.
    topologyInjector: { enabled: false },
    deployment: {
      replicas: 2,
      pod: { topologySpreadConstraints: [spreadOverHosts(controllerLabels)] },
    },
    config: {
      envoyGateway: {
        gateway: { controllerName: ENVOY_GATEWAY.controllerName },
        provider: { type: "Kubernetes" },
        logging: { level: { default: "info" } },
      },
    },
  };
}

/** gateway-crds-helm: Envoy Gateway's CRDs only (the Gateway API ones come from the v1.6.1 release). */
export function envoyGatewayCrdValues(): Record<string, unknown> {
  return { crds: { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } } };
}

export interface GatewayObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export function gatewayClass(): GatewayObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "GatewayClass",
    metadata: { name: GATEWAY_CLASS_NAME },
    spec: {
      controllerName: ENVOY_GATEWAY.controllerName,
      description: "Envoy Gateway behind MetalLB static IPs (plant ingress)",
    },
  };
}

export interface EnvoyProxyArgs {
  readonly address: AddressPlan;
  readonly replicas: number;
}

/**
 * The data plane of one Gateway: a LoadBalancer Service that asks MetalLB for the static IP by
 * annotation, and `replicas` Envoy pods, each on its own physical host, with a PDB.
 *
 * externalTrafficPolicy Local: MetalLB (L2) then announces the IP only from a node running a ready
 * Envoy pod, so traffic takes no second kube-proxy hop and keeps the client's source address (access
 * logs, the per-client rate limits of route-features.ts). With ≥ 2 replicas on different hosts the address moves to another
 * host's node when one fails. No node ports: MetalLB L2 does not need them.
 */
export function envoyProxy(args: EnvoyProxyArgs): GatewayObject {
  const { address } = args;
  const podLabels = envoyPodLabels(address.gatewayName);
  return {
    apiVersion: ENVOY_GATEWAY_API_VERSION,
    kind: "EnvoyProxy",
    metadata: { name: address.envoyProxyName, namespace: NAMESPACES.gateways },
    spec: {
      provider: {
        type: "Kubernetes",
        kubernetes: {
          envoyService: {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            allocateLoadBalancerNodePorts: false,
            annotations: {
              [METALLB_IPS_ANNOTATION]: address.ip,
              [METALLB_POOL_ANNOTATION]: address.poolName,
            },
          },
          envoyDeployment: {
            replicas: args.replicas,
            container: {
              image: ENVOY_GATEWAY.envoyImage,
              resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
            pod: {
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              ...requireDistinctHosts(podLabels),
            },
          },
          envoyPDB: { maxUnavailable: 1 },
        },
      },
    },
  };
}

/**
 * One Gateway per static address (a LoadBalancer Service carries one IPv4 address): an HTTP listener
 * for routes of the Gateway's own namespace only (the redirect and cert-manager's ACME HTTP-01
 * solver routes, which cert-manager creates next to the Certificates), and one HTTPS listener per
 * host name with its own certificate. HTTPS listeners accept HTTPRoutes only from namespaces
 * labelled GATEWAY_ROUTES_LABEL (each service's namespace holds its routes).
 */
export function gateway(address: AddressPlan): GatewayObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "Gateway",
    metadata: {
      name: address.gatewayName,
      namespace: NAMESPACES.gateways,
      annotations: awaitAnnotations(gatewayServing(address.ip), AWAIT_SECONDS.gateway),
    },
    spec: {
      gatewayClassName: GATEWAY_CLASS_NAME,
      infrastructure: {
        parametersRef: {
          group: ENVOY_GATEWAY_GROUP,
          kind: "EnvoyProxy",
          name: address.envoyProxyName,
        },
      },
      listeners: [
        {
          name: HTTP_LISTENER,
          port: 80,
          protocol: "HTTP",
          allowedRoutes: { namespaces: { from: "Same" } },
        },
        ...address.hosts.map((h) => ({
          name: h.listener,
          hostname: h.fqdn,
          port: 443,
          protocol: "HTTPS",
          tls: {
            mode: "Terminate",
            certificateRefs: [{ group: "", kind: "Secret", name: h.secretName }],
          },
          allowedRoutes: {
            namespaces: {
              from: "Selector",
              selector: { matchLabels: { ...GATEWAY_ROUTE_NAMESPACE_LABELS } },
            },
            kinds: [{ group: GATEWAY_API_GROUP, kind: "HTTPRoute" }],
          },
        })),
      ],
    },
  };
}

/** Every plain-HTTP request gets a 301 to the same URL over HTTPS (port 443). */
export function httpsRedirectRoute(address: AddressPlan): GatewayObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    metadata: {
      name: address.redirectRouteName,
      namespace: NAMESPACES.gateways,
      annotations: awaitAnnotations(
        routeAccepted([{ name: address.gatewayName, sectionName: HTTP_LISTENER }]),
        AWAIT_SECONDS.route,
      ),
    },
    spec: {
      parentRefs: [
        {
          group: GATEWAY_API_GROUP,
          kind: "Gateway",
          name: address.gatewayName,
          sectionName: HTTP_LISTENER,
        },
      ],
      rules: [
        {
          filters: [
            { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
          ],
        },
      ],
    },
  };
}
