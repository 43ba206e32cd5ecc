// The Cinder CSI driver's node plugin and CSIDriver, ported from manifests/cinder-csi-plugin/
// cinder-csi-nodeplugin.yaml and csi-cinder-driver.yaml of the pinned release
// (cinder-csi-spec.ts): same images, containers, arguments, sockets and host mounts. What
// differs from upstream, on purpose (checked by test/kubernetes/cinder-csi-upstream.test.ts): our
// namespace and a credential-free ConfigMap instead of the `cloud-config` Secret; requests and
// limits; system-node-critical; the two sidecars without capabilities or privilege escalation on
// a read-only root (the plugin stays privileged: it attaches and mounts); the CSIDriver serves
// Persistent volumes only (inline ephemeral volumes were removed from the driver upstream, PR
// #2602). The DaemonSet carries the upstream-workload annotation: it cannot meet the pack's
// `restricted` rule; its namespace enforces `privileged` (pod-security-levels.ts).
import { UPSTREAM_ANNOTATION } from "../../policy/rules/workloads";
import {
  cinderCsiMeta,
  HEALTH_PORT,
  pluginHealth,
  RESTRICTED_CONTAINER,
  resources,
} from "./cinder-csi-controller";
import {
  CINDER_CSI_IMAGES,
  CINDER_CSI_LABELS,
  CINDER_CSI_PROVISIONER,
  CINDER_CSI_UPSTREAM,
  NODE_CONFIG_MAP,
  NODE_PLUGIN_NAME,
  NODE_SA,
  nodeConfig,
} from "./cinder-csi-spec";

const KUBELET_DIR = "/var/lib/kubelet";

type Obj = Record<string, unknown>;

export function csiDriver(): Obj {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "CSIDriver",
    metadata: { name: CINDER_CSI_PROVISIONER, labels: { ...CINDER_CSI_LABELS } },
    spec: { attachRequired: true, podInfoOnMount: true, volumeLifecycleModes: ["Persistent"] },
  };
}

export function nodeConfigMap(): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: cinderCsiMeta(NODE_CONFIG_MAP),
    data: { "cloud.conf": nodeConfig() },
  };
}

const hostPath = (name: string, path: string, type: string): Obj => ({
  name,
  hostPath: { path, type },
});

/**
 * On every node (upstream tolerates every taint). Privileged, host network: what attaching and
 * mounting block devices takes.
 */
export function nodePluginDaemonSet(): Obj {
  const labels = { ...CINDER_CSI_LABELS, app: NODE_PLUGIN_NAME };
  const socket = `${KUBELET_DIR}/plugins/${CINDER_CSI_PROVISIONER}`;
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: cinderCsiMeta(NODE_PLUGIN_NAME, {
      annotations: { [UPSTREAM_ANNOTATION]: CINDER_CSI_UPSTREAM },
    }),
    spec: {
      selector: { matchLabels: { app: NODE_PLUGIN_NAME } },
      template: {
        metadata: { labels },
        spec: {
          tolerations: [{ operator: "Exists" }],
          serviceAccountName: NODE_SA,
          hostNetwork: true,
          // A node losing its mounts loses its database volumes: evicted last.
          priorityClassName: "system-node-critical",
          containers: [
            {
              name: "node-driver-registrar",
              image: CINDER_CSI_IMAGES.nodeDriverRegistrar,
              imagePullPolicy: "IfNotPresent",
              args: [
                "--csi-address=$(ADDRESS)",
                "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)",
              ],
              env: [
                { name: "ADDRESS", value: "/csi/csi.sock" },
                { name: "DRIVER_REG_SOCK_PATH", value: `${socket}/csi.sock` },
                { name: "KUBE_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              ],
              securityContext: RESTRICTED_CONTAINER,
              resources: resources("10m", "16Mi", "64Mi"),
              volumeMounts: [
                { name: "socket-dir", mountPath: "/csi" },
                { name: "registration-dir", mountPath: "/registration" },
              ],
            },
            {
              name: "liveness-probe",
              image: CINDER_CSI_IMAGES.livenessProbe,
              imagePullPolicy: "IfNotPresent",
              args: ["--csi-address=/csi/csi.sock"],
              securityContext: RESTRICTED_CONTAINER,
              resources: resources("10m", "16Mi", "64Mi"),
              volumeMounts: [{ name: "socket-dir", mountPath: "/csi" }],
            },
            {
              name: "cinder-csi-plugin",
              securityContext: {
                privileged: true,
                capabilities: { add: ["SYS_ADMIN"] },
                allowPrivilegeEscalation: true,
              },
              image: CINDER_CSI_IMAGES.plugin,
              imagePullPolicy: "IfNotPresent",
              args: [
                "/bin/cinder-csi-plugin",
                "--endpoint=$(CSI_ENDPOINT)",
                "--provide-controller-service=false",
                "--cloud-config=$(CLOUD_CONFIG)",
                "--v=1",
              ],
              env: [
                { name: "CSI_ENDPOINT", value: "unix://csi/csi.sock" },
                { name: "CLOUD_CONFIG", value: "/etc/config/cloud.conf" },
              ],
              ports: [{ containerPort: HEALTH_PORT, name: "healthz", protocol: "TCP" }],
              livenessProbe: pluginHealth(3, 10),
              resources: resources("20m", "64Mi", "256Mi"),
              volumeMounts: [
                { name: "socket-dir", mountPath: "/csi" },
                { name: "kubelet-dir", mountPath: KUBELET_DIR, mountPropagation: "Bidirectional" },
                { name: "pods-probe-dir", mountPath: "/dev", mountPropagation: "HostToContainer" },
                { name: "node-config", mountPath: "/etc/config", readOnly: true },
              ],
            },
          ],
          volumes: [
            hostPath("socket-dir", socket, "DirectoryOrCreate"),
            hostPath("registration-dir", `${KUBELET_DIR}/plugins_registry/`, "Directory"),
            hostPath("kubelet-dir", KUBELET_DIR, "Directory"),
            hostPath("pods-probe-dir", "/dev", "Directory"),
            { name: "node-config", configMap: { name: NODE_CONFIG_MAP } },
          ],
        },
      },
    },
  };
}
