// Every pinned version of the ingress area in one place (docs/ingress.md lists the same).
// Bumping one is a reviewed change: the CRDs/values in ../shared must be bumped with it.

export const CERT_MANAGER = {
  chart: "cert-manager",
  repo: "https://charts.jetstack.io",
  version: "v1.21.1",
} as const;

export const METALLB = {
  chart: "metallb",
  repo: "https://metallb.github.io/metallb",
  version: "0.16.1",
  controllerImage: "quay.io/metallb/controller",
  speakerImage: "quay.io/metallb/speaker",
  imageTag: "v0.16.1",
} as const;

export const GATEWAY_API = {
  version: "v1.6.1",
  /** Standard channel only: the experimental kinds are not used and must not be installed by accident. */
  standardInstallUrl:
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
} as const;

export const ENVOY_GATEWAY = {
  chart: "oci://docker.io/envoyproxy/gateway-helm",
  /** The CRD-only chart of the same release: Envoy Gateway's own CRDs without the Gateway API ones. */
  crdsChart: "oci://docker.io/envoyproxy/gateway-crds-helm",
  version: "v1.9.0",
  controllerImage: "docker.io/envoyproxy/gateway:v1.9.0",
  /** Data-plane image; Envoy Gateway v1.9 is built against Envoy v1.39. */
  envoyImage: "docker.io/envoyproxy/envoy:distroless-v1.39.1",
  controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
} as const;
