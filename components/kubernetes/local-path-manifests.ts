// Rancher local-path-provisioner (pinned), as plain Kubernetes objects. RKE2 ships no storage
// provisioner, and every PVC downstream (CloudNativePG) names the cluster's storage class.
// Adapted from the upstream deploy/local-path-storage.yaml of the pinned release, hardened
// (local-path-security.ts): it meets every workload policy without the upstream opt-out.
import {
  helperSecurityContext,
  localPathNetworkPolicies,
  localPathPodDisruptionBudget,
  provisionerPodSecurityContext,
  provisionerProbes,
  provisionerSecurityContext,
} from "./local-path-security";

export const LOCAL_PATH_IMAGE = "rancher/local-path-provisioner:v0.0.32";
export const LOCAL_PATH_HELPER_IMAGE = "busybox:1.37.0";
export const LOCAL_PATH_NAMESPACE = "local-path-storage";
export const LOCAL_PATH_PROVISIONER = "rancher.io/local-path";
/** On each node's own disk (the VM's root disk on the R620). */
export const LOCAL_PATH_DIR = "/var/lib/rancher/local-path-provisioner";

const NAME = "local-path-provisioner";
const SA = "local-path-provisioner-service-account";
/** Selects the provisioner's pods only (helper pods carry no labels). */
export const LOCAL_PATH_POD_LABELS = { "app.kubernetes.io/name": NAME };
const labels = { ...LOCAL_PATH_POD_LABELS, "app.kubernetes.io/managed-by": "pulumi" };
const CONFIG_DIR = "/etc/config/";

const SETUP = `#!/bin/sh
set -eu
mkdir -m 0777 -p "$VOL_DIR"
`;
const TEARDOWN = `#!/bin/sh
set -eu
rm -rf "$VOL_DIR"
`;

export interface LocalPathObjects {
  readonly namespace: Record<string, unknown>;
  readonly serviceAccount: Record<string, unknown>;
  readonly clusterRole: Record<string, unknown>;
  readonly clusterRoleBinding: Record<string, unknown>;
  readonly configMap: Record<string, unknown>;
  readonly deployment: Record<string, unknown>;
  readonly storageClass: Record<string, unknown>;
  readonly podDisruptionBudget: Record<string, unknown>;
  readonly defaultDenyPolicy: Record<string, unknown>;
  readonly egressPolicy: Record<string, unknown>;
}

/**
 * `apiServerAddresses`: IPv4 addresses the provisioner may reach on 443/6443 (the `kubernetes`
 * Service IP, the API VIP, the servers); empty allows those ports to any address.
 */
export function localPathObjects(
  storageClassName: string,
  apiServerAddresses: readonly string[] = [],
): LocalPathObjects {
  const meta = (name: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace: LOCAL_PATH_NAMESPACE } : {}),
    labels,
  });
  const helperPod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "helper-pod" },
    spec: {
      priorityClassName: "system-node-critical",
      tolerations: [
        { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
      ],
      // The provisioner runs helper pods under its own service account; they never call the API.
      automountServiceAccountToken: false,
      containers: [
        {
          name: "helper-pod",
          image: LOCAL_PATH_HELPER_IMAGE,
          imagePullPolicy: "IfNotPresent",
          securityContext: helperSecurityContext,
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "128Mi" } },
        },
      ],
    },
  };
  const policyInput = {
    namespace: LOCAL_PATH_NAMESPACE,
    podLabels: LOCAL_PATH_POD_LABELS,
    labels,
    apiServerAddresses,
  };
  const policies = localPathNetworkPolicies(policyInput);
  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      // Helper pods mount host paths as root: the namespace needs the privileged Pod Security
      // level. The provisioner's own pod meets "restricted" regardless.
      metadata: {
        name: LOCAL_PATH_NAMESPACE,
        labels: { ...labels, "pod-security.kubernetes.io/enforce": "privileged" },
      },
    },
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(SA) },
    clusterRole: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta("local-path-provisioner-role", false),
      rules: [
        {
          apiGroups: [""],
          resources: ["nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "patch", "update"] },
        {
          apiGroups: [""],
          resources: ["persistentvolumes"],
          verbs: ["get", "list", "watch", "create", "patch", "update", "delete"],
        },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        {
          apiGroups: ["storage.k8s.io"],
          resources: ["storageclasses"],
          verbs: ["get", "list", "watch"],
        },
      ],
    },
    clusterRoleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta("local-path-provisioner-bind", false),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "local-path-provisioner-role",
      },
      subjects: [{ kind: "ServiceAccount", name: SA, namespace: LOCAL_PATH_NAMESPACE }],
    },
    configMap: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("local-path-config"),
      data: {
        "config.json": JSON.stringify(
          { nodePathMap: [{ node: "DEFAULT_PATH_FOR_NON_LISTED_NODES", paths: [LOCAL_PATH_DIR] }] },
          null,
          2,
        ),
        setup: SETUP,
        teardown: TEARDOWN,
        "helperPod.yaml": JSON.stringify(helperPod, null, 2),
      },
    },
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(NAME),
      spec: {
        replicas: 1,
        // Leader election is off upstream: never run the old and the new pod side by side.
        strategy: { type: "Recreate" },
        selector: { matchLabels: LOCAL_PATH_POD_LABELS },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: SA,
            priorityClassName: "system-cluster-critical",
            securityContext: provisionerPodSecurityContext,
            containers: [
              {
                name: NAME,
                image: LOCAL_PATH_IMAGE,
                imagePullPolicy: "IfNotPresent",
                command: [
                  "local-path-provisioner",
                  "start",
                  "--config",
                  `${CONFIG_DIR}config.json`,
                ],
                env: [
                  {
                    name: "POD_NAMESPACE",
                    valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
                  },
                  { name: "CONFIG_MOUNT_PATH", value: CONFIG_DIR },
                ],
                resources: {
                  requests: { cpu: "10m", memory: "32Mi" },
                  limits: { memory: "128Mi" },
                },
                securityContext: provisionerSecurityContext,
                ...provisionerProbes,
                volumeMounts: [
                  { name: "config-volume", mountPath: CONFIG_DIR, readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "config-volume", configMap: { name: "local-path-config" } },
              { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
            ],
          },
        },
      },
    },
    storageClass: {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: storageClassName,
        labels,
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: LOCAL_PATH_PROVISIONER,
      // Bind where the pod lands, so CloudNativePG's host spreading decides the disk.
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Delete",
    },
    podDisruptionBudget: localPathPodDisruptionBudget(policyInput, NAME),
    defaultDenyPolicy: policies.defaultDeny,
    egressPolicy: policies.provisionerEgress,
  };
}
