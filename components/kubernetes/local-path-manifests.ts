// Rancher local-path-provisioner (pinned), as plain Kubernetes objects. RKE2 ships no storage
// provisioner, and every PVC downstream (CloudNativePG) names the cluster's storage class.
// Adapted from the upstream deploy/local-path-storage.yaml of the pinned release.

export const LOCAL_PATH_IMAGE = "rancher/local-path-provisioner:v0.0.32";
export const LOCAL_PATH_HELPER_IMAGE = "busybox:1.37.0";
export const LOCAL_PATH_NAMESPACE = "local-path-storage";
export const LOCAL_PATH_PROVISIONER = "rancher.io/local-path";
/** On each node's own disk (the VM's root disk on the R620). */
export const LOCAL_PATH_DIR = "/var/lib/rancher/local-path-provisioner";

const NAME = "local-path-provisioner";
const SA = "local-path-provisioner-service-account";
const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/managed-by": "pulumi" };

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
}

export function localPathObjects(storageClassName: string): LocalPathObjects {
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
      containers: [
        { name: "helper-pod", image: LOCAL_PATH_HELPER_IMAGE, imagePullPolicy: "IfNotPresent" },
      ],
    },
  };
  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      // Helper pods mount host paths: the namespace needs the privileged Pod Security level.
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
        selector: { matchLabels: { "app.kubernetes.io/name": NAME } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: SA,
            priorityClassName: "system-cluster-critical",
            containers: [
              {
                name: NAME,
                image: LOCAL_PATH_IMAGE,
                imagePullPolicy: "IfNotPresent",
                command: ["local-path-provisioner", "start", "--config", "/etc/config/config.json"],
                env: [
                  {
                    name: "POD_NAMESPACE",
                    valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
                  },
                  { name: "CONFIG_MOUNT_PATH", value: "/etc/config/" },
                ],
                resources: {
                  requests: { cpu: "10m", memory: "32Mi" },
                  limits: { memory: "128Mi" },
                },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
                volumeMounts: [{ name: "config-volume", mountPath: "/etc/config/" }],
              },
            ],
            volumes: [{ name: "config-volume", configMap: { name: "local-path-config" } }],
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
  };
}
