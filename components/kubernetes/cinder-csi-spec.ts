// Database volumes on the RKE2 clusters, as plain data: the Cinder CSI driver's pinned release,
// names and configuration, and the default StorageClass. One Cinder volume per
// PersistentVolumeClaim: its size is the claim's (a full WAL volume stops that PostgreSQL
// instance, never the node), it grows online (csi-resizer, Cinder extend, then the node plugin
// grows the filesystem), it lives in the availability zone of the R620 its pod runs on
// (WaitForFirstConsumer + CSI topology), and it outlives its VM (a rotated worker re-attaches it).
// The driver's objects themselves: cinder-csi-rbac.ts and cinder-csi-workloads.ts.
import { PHYSICAL_HOST_LABEL } from "../types";

/**
 * kubernetes/cloud-provider-openstack v1.36.0 (tag v1.36.0 = chart openstack-cinder-csi-2.36.0,
 * commit bae07f4939caf612e71c43a3a65eaa42cc2bfbae): the objects are ported from its
 * `manifests/cinder-csi-plugin/` (copies in test/fixtures/upstream/, compared in the tests).
 */
export const CINDER_CSI_RELEASE = {
  repository: "kubernetes/cloud-provider-openstack",
  tag: "v1.36.0",
  manifests: "manifests/cinder-csi-plugin",
} as const;
/** `plant.busche-cnc.com/upstream-workload` of the node plugin: where it comes from. */
export const CINDER_CSI_UPSTREAM = `${CINDER_CSI_RELEASE.repository} ${CINDER_CSI_RELEASE.tag} ${CINDER_CSI_RELEASE.manifests}`;

/** The images of that release's manifests, unchanged. */
export const CINDER_CSI_IMAGES = {
  plugin: "registry.k8s.io/provider-os/cinder-csi-plugin:v1.36.0",
  attacher: "registry.k8s.io/sig-storage/csi-attacher:v4.10.0",
  provisioner: "registry.k8s.io/sig-storage/csi-provisioner:v5.3.0",
  resizer: "registry.k8s.io/sig-storage/csi-resizer:v1.14.0",
  livenessProbe: "registry.k8s.io/sig-storage/livenessprobe:v2.17.0",
  nodeDriverRegistrar: "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.15.0",
} as const;

export const CINDER_CSI_NAMESPACE = "cinder-csi";
export const CINDER_CSI_PROVISIONER = "cinder.csi.openstack.org";
/** The controller's cloud.conf, with the application credential (a Secret). */
export const CLOUD_CONFIG_SECRET = "cinder-csi-cloud-config";
/** The node plugin's cloud.conf: no credential at all (a ConfigMap). */
export const NODE_CONFIG_MAP = "cinder-csi-node-config";
export const CONTROLLER_NAME = "csi-cinder-controllerplugin";
export const NODE_PLUGIN_NAME = "csi-cinder-nodeplugin";
export const CONTROLLER_SA = "csi-cinder-controller-sa";
export const NODE_SA = "csi-cinder-node-sa";

export const CINDER_CSI_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/part-of": "cinder-csi",
  "app.kubernetes.io/managed-by": "pulumi",
};

/**
 * `privileged`, the only level the node plugin passes: it runs privileged with host networking
 * and mounts the kubelet's directory and /dev to attach and mount volumes. The controller pods
 * alone pass `restricted` (cinder-csi-workloads.ts). Reason recorded in pod-security-levels.ts.
 */
export const CINDER_CSI_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/audit": "privileged",
  "pod-security.kubernetes.io/warn": "privileged",
};

export interface CloudConfigInput {
  readonly authUrl: string;
  readonly region: string;
  readonly applicationCredentialId: string;
  readonly applicationCredentialSecret: string;
}

/** Refuses a value that would break out of its `key=value` line. */
function iniValue(key: string, value: string): string {
  if (/[\r\n]/.test(value) || value.length === 0)
    throw new Error(`[blockStorage] cloud.conf ${key} must be one non-empty line`);
  return value;
}

/**
 * The controller's cloud.conf (cloud-provider-openstack docs, using-cinder-csi-plugin.md): it
 * creates, attaches and extends volumes through Cinder and Nova. Cinder's availability zones are
 * the R620s' (ignore-volume-az false), so a volume is created on the host of its pod.
 */
export function cloudConfig(c: CloudConfigInput): string {
  return [
    "[Global]",
    `auth-url=${iniValue("auth-url", c.authUrl)}`,
    `region=${iniValue("region", c.region)}`,
    `application-credential-id=${iniValue("application-credential-id", c.applicationCredentialId)}`,
    `application-credential-secret=${iniValue("application-credential-secret", c.applicationCredentialSecret)}`,
    "",
    "[BlockStorage]",
    "ignore-volume-az=false",
    "",
  ].join("\n");
}

/**
 * The node plugin's cloud.conf. The node service uses no OpenStack client since upstream's
 * ephemeral-volume removal (PR #2602; `--node-service-no-os-client` is deprecated with "Node
 * service do not use OpenStack credentials anymore"); it reads only [Metadata] and
 * [BlockStorage] (cmd/cinder-csi-plugin/main.go at v1.36.0). So the privileged pod on
 * every node holds no credential. Instance metadata (the VM's id and zone) comes from the config
 * drive only: pods cannot reach the metadata service (metadata-block-spec.ts), and the VMs
 * always boot with a config drive.
 */
export function nodeConfig(): string {
  return ["[Metadata]", "search-order=configDrive", ""].join("\n");
}

export interface StorageClassObject {
  readonly apiVersion: "storage.k8s.io/v1";
  readonly kind: "StorageClass";
  readonly metadata: { readonly name: string; readonly annotations: Record<string, string> };
  readonly provisioner: string;
  readonly reclaimPolicy: "Retain";
  readonly allowVolumeExpansion: true;
  readonly volumeBindingMode: "WaitForFirstConsumer";
  readonly parameters?: Record<string, string>;
}

/**
 * The cluster's default StorageClass. Retain: deleting a claim (or its namespace) keeps the Cinder
 * volume, so database data is removed only by hand. WaitForFirstConsumer: the volume is created
 * once the pod is scheduled, in its R620's zone.
 */
export function blockStorageClass(name: string, volumeType?: string): StorageClassObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: CINDER_CSI_PROVISIONER,
    reclaimPolicy: "Retain",
    allowVolumeExpansion: true,
    volumeBindingMode: "WaitForFirstConsumer",
    ...(volumeType !== undefined ? { parameters: { type: volumeType } } : {}),
  };
}

/** The zone label CSI topology uses is Kubernetes' own; the R620 is the zone (types.ts). */
export const TOPOLOGY_KEY = PHYSICAL_HOST_LABEL;
