// MetalLB objects and chart values as plain data (validated in tests against the pinned CRDs and
// the chart's values.schema.json).
import { AddressPlan, L2_ADVERTISEMENT_NAME, NAMESPACES } from "./model";
import { METALLB } from "./versions";

export const METALLB_API_VERSION = "metallb.io/v1beta1";

/**
 * The speaker uses host networking and NET_RAW to answer ARP for the static IPs, which only the
 * `privileged` Pod Security level admits.
 */
export const METALLB_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/audit": "privileged",
  "pod-security.kubernetes.io/warn": "privileged",
};

/**
 * L2 only: no FRR in the speaker, no frr-k8s subchart. Images pinned to the chart's release. The
 * chart's defaults for serviceAccount/tolerateMaster are restated because values.schema.json
 * requires them in every values document it is given.
 */
export function metallbValues(): Record<string, unknown> {
  const serviceAccount = { create: true, name: "" };
  return {
    crds: { enabled: true },
    frrk8s: { enabled: false },
    controller: {
      image: { repository: METALLB.controllerImage, tag: METALLB.imageTag },
      webhookMode: "enabled",
      serviceAccount,
    },
    speaker: {
      image: { repository: METALLB.speakerImage, tag: METALLB.imageTag },
      serviceAccount,
      tolerateMaster: true,
      frr: { enabled: false },
      // memberlist (7946 TCP/UDP between nodes) lets speakers notice a dead node in seconds.
      memberlist: { enabled: true, mlBindPort: 7946 },
    },
  };
}

export interface MetalLbObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

/**
 * One pool per static address: exactly that /32, never handed out on its own (autoAssign: false),
 * and only to Services in the namespace where Envoy Gateway creates the data-plane Services, so
 * no other namespace can take the address by asking for it.
 */
export function addressPool(address: Pick<AddressPlan, "poolName" | "ip">): MetalLbObject {
  return {
    apiVersion: METALLB_API_VERSION,
    kind: "IPAddressPool",
    metadata: { name: address.poolName, namespace: NAMESPACES.metallb },
    spec: {
      addresses: [`${address.ip}/32`],
      autoAssign: false,
      serviceAllocation: { namespaces: [NAMESPACES.envoyGateway] },
    },
  };
}

/** Announces every ingress pool over ARP (layer 2); no BGP. */
export function l2Advertisement(poolNames: readonly string[]): MetalLbObject {
  return {
    apiVersion: METALLB_API_VERSION,
    kind: "L2Advertisement",
    metadata: { name: L2_ADVERTISEMENT_NAME, namespace: NAMESPACES.metallb },
    spec: { ipAddressPools: [...poolNames] },
  };
}

/** MetalLB's validating webhook (failurePolicy Fail) over pools, advertisements and peers. */
export const METALLB_WEBHOOK = "ValidatingWebhookConfiguration/metallb-webhook-configuration";

/**
 * What the webhook gate dry-runs: a pool of one TEST-NET-1 address (RFC 5737, never on a plant
 * LAN), so the webhook's overlap check cannot refuse it for a reason other than not serving.
 */
export function webhookProbePool(): MetalLbObject {
  return {
    apiVersion: METALLB_API_VERSION,
    kind: "IPAddressPool",
    metadata: { name: "webhook-gate-probe", namespace: NAMESPACES.metallb },
    spec: { addresses: ["192.0.2.1/32"], autoAssign: false },
  };
}

/** Pod labels of MetalLB's controller (release `metallb`), which serves the webhook on 9443. */
export const METALLB_CONTROLLER_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "metallb",
  "app.kubernetes.io/component": "controller",
};
