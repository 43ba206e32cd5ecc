// The Helm hooks of the ingress charts, and how the program covers each: pulumi-kubernetes'
// helm.v4.Chart drops every hook (provider/pkg/provider/helm/v4/chart.go sets DisableHooks), so
// whatever a hook would have done must be done by the program or be shown unnecessary. The plan
// writes every dropped hook with its cover to hooks.json; a hook without one fails the tests.
// Names are as the charts render them with this program's release names.

export interface HookCover {
  /** The chart's own name (the last segment of an `oci://` reference). */
  readonly chart: string;
  /** The hook objects this cover answers for, by kind and rendered name. */
  readonly hooks: readonly { readonly kind: string; readonly name: string }[];
  /** How the program makes up for the hook not running. */
  readonly cover: string;
}

const CERTGEN = "envoy-gateway-gateway-helm-certgen";
const STARTUPAPICHECK = "cert-manager-startupapicheck";

export const INGRESS_HOOK_COVERS: readonly HookCover[] = [
  {
    chart: "gateway-helm",
    hooks: [
      { kind: "Job", name: CERTGEN },
      { kind: "ServiceAccount", name: CERTGEN },
      { kind: "Role", name: CERTGEN },
      { kind: "RoleBinding", name: CERTGEN },
    ],
    // With topologyInjector.enabled=false the chart renders neither the injector's webhook
    // configuration (itself a hook) nor the certgen RBAC that patched it.
    cover:
      "certgen: Secrets envoy-gateway, envoy and envoy-rate-limit are issued by cert-manager " +
      "Certificates from a private CA, and envoy-oidc-hmac is a random secret, all declared by the " +
      "program before the controller (components/ingress/envoy-gateway-certs.ts) and renewed by " +
      "cert-manager",
  },
  {
    chart: "cert-manager",
    hooks: [
      { kind: "Job", name: STARTUPAPICHECK },
      { kind: "ServiceAccount", name: STARTUPAPICHECK },
      { kind: "Role", name: `${STARTUPAPICHECK}:create-cert` },
      { kind: "RoleBinding", name: `${STARTUPAPICHECK}:create-cert` },
    ],
    cover:
      "smoke test only; replaced by the webhook gate (plant:kubernetes:WebhookGate, a Job " +
      "dry-running an Issuer through cert-manager's validating webhook) that every cert-manager " +
      "object depends on",
  },
];
