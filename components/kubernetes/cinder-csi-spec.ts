// Database volumes on the RKE2 clusters, as plain data: the Cinder CSI chart's values, its cloud
// config, and the default StorageClass. One Cinder volume per PersistentVolumeClaim: its size is
// the claim's (a full WAL volume stops that PostgreSQL instance, never the node), it grows online
// (csi-resizer, Cinder extend, then the node plugin grows the filesystem), it lives in the
// availability zone of the R620 its pod runs on (WaitForFirstConsumer + CSI topology), and it
// outlives its VM (a rotated worker re-attaches it).
import { PHYSICAL_HOST_LABEL } from "../types";

/** kubernetes/cloud-provider-openstack chart, pinned (cinder-csi-plugin v1.36.0, Kubernetes 1.36). */
export const CINDER_CSI_CHART = {
  chart: "openstack-cinder-csi",
  version: "2.36.0",
  repo: "https://kubernetes.github.io/cloud-provider-openstack",
  release: "cinder-csi",
} as const;
export const CINDER_CSI_NAMESPACE = "cinder-csi";
export const CINDER_CSI_PROVISIONER = "cinder.csi.openstack.org";
/** The Secret holding cloud.conf (the chart mounts it; the program creates it). */
export const CLOUD_CONFIG_SECRET = "cinder-csi-cloud-config";

/**
 * `privileged`, the only level the node plugin passes: it runs privileged with host networking
 * and mounts the kubelet's directory and /dev to attach and mount volumes. The controller pods
 * alone would pass `restricted` (their security contexts below).
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
 * cloud.conf of the driver (cloud-provider-openstack docs, using-cinder-csi-plugin.md). Cinder's
 * availability zones are the R620s' (ignore-volume-az false), so a volume is created on the host
 * of its pod. Instance metadata comes from the config drive only: pods cannot reach the
 * metadata service (metadata-block-spec.ts), and the VMs always boot with a config drive.
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
    "[Metadata]",
    "search-order=configDrive",
    "",
  ].join("\n");
}

const CONTROLLER_POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};
const CONTROLLER_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Chart values: our Secret, no chart StorageClasses, no host CA mount, hardened controllers. */
export function cinderCsiValues(clusterName: string): Record<string, unknown> {
  return {
    // Volume metadata `cinder.csi.openstack.org/cluster=<name>`: whose volume it is, in Cinder.
    clusterID: clusterName,
    secret: {
      enabled: true,
      create: false,
      hostMount: false,
      name: CLOUD_CONFIG_SECRET,
      filename: "cloud.conf",
    },
    // The program declares the one StorageClass itself (Retain, expansion, the volume type).
    storageClass: { enabled: false },
    csi: {
      plugin: {
        // The chart's default also mounts the host's /etc/cacert; nothing there is needed.
        volumes: [],
        volumeMounts: [{ name: "cloud-config", mountPath: "/etc/config", readOnly: true }],
        controllerPlugin: {
          // The sidecars elect a leader; a second replica takes over within seconds.
          replicas: 2,
          podSecurityContext: CONTROLLER_POD_SECURITY,
          securityContext: CONTROLLER_CONTAINER_SECURITY,
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: PHYSICAL_HOST_LABEL,
                    labelSelector: {
                      matchLabels: {
                        component: "controllerplugin",
                        release: CINDER_CSI_CHART.release,
                      },
                    },
                  },
                },
              ],
            },
          },
        },
      },
    },
  };
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
