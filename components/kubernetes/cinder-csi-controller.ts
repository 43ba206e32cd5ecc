// The Cinder CSI driver's controller, ported from manifests/cinder-csi-plugin/
// cinder-csi-controllerplugin.yaml of the pinned release (cinder-csi-spec.ts): same images,
// containers, arguments and socket. What differs from upstream, on purpose (checked against the
// copies in test/fixtures/upstream/ by test/kubernetes/cinder-csi-upstream.test.ts): our
// namespace and our Secret; two replicas spread over R620s with a PodDisruptionBudget; Pod
// Security `restricted` (UID 65532, read-only root, no capabilities: the chart's suggested
// values); requests and limits; each sidecar serves its leader-election health check, which its
// probes use; no external snapshotter (no VolumeSnapshots here); `--provide-node-service=false`
// (as the chart sets it); no `--pvc-annotations` (off in the chart: a claim's annotations would
// steer Cinder's scheduling hints). With these it meets every workload policy of the pack.
import { hostSpreadConstraint } from "../k8s-fragments";
import {
  CINDER_CSI_IMAGES,
  CINDER_CSI_LABELS,
  CINDER_CSI_NAMESPACE,
  CLOUD_CONFIG_SECRET,
  CONTROLLER_NAME,
  CONTROLLER_SA,
} from "./cinder-csi-spec";

const CONTROLLER_SOCKET = "/var/lib/csi/sockets/pluginproxy/";
/** The plugin's health port, served by the liveness-probe sidecar (upstream's). */
export const HEALTH_PORT = 9808;

type Obj = Record<string, unknown>;

/** Metadata of a namespaced object of the driver; `app` is upstream's selector label. */
export const cinderCsiMeta = (name: string, extra: Obj = {}): Obj => ({
  name,
  namespace: CINDER_CSI_NAMESPACE,
  labels: { ...CINDER_CSI_LABELS, app: name },
  ...extra,
});

/** Requests and a memory limit (no CPU limit: the policy pack's rule, requests-and-limits). */
export const resources = (cpu: string, memory: string, limit: string): Obj => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** The plugin's health (the liveness-probe sidecar asks it over the socket). */
export const pluginHealth = (timeoutSeconds: number, periodSeconds: number): Obj => ({
  failureThreshold: 5,
  httpGet: { path: "/healthz", port: "healthz" },
  initialDelaySeconds: 10,
  timeoutSeconds,
  periodSeconds,
});

/** startup, readiness and liveness on one HTTP check: each sidecar's and the plugin's. */
function probes(path: string, port: string, liveness: Obj): Obj {
  const check = { httpGet: { path, port } };
  return {
    startupProbe: { ...check, periodSeconds: 5, failureThreshold: 36, timeoutSeconds: 5 },
    readinessProbe: { ...check, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
    livenessProbe: liveness,
  };
}

interface Sidecar {
  readonly name: string;
  readonly image: string;
  readonly args: readonly string[];
  /** Port of `--http-endpoint` (metrics and `/healthz/leader-election`). */
  readonly port: number;
}

/** Upstream's controller sidecars, in upstream's order and with upstream's arguments. */
const SIDECARS: readonly Sidecar[] = [
  {
    name: "csi-attacher",
    image: CINDER_CSI_IMAGES.attacher,
    args: [
      "--csi-address=$(ADDRESS)",
      "--timeout=3m",
      "--leader-election=true",
      "--default-fstype=ext4",
    ],
    port: 8081,
  },
  {
    name: "csi-provisioner",
    image: CINDER_CSI_IMAGES.provisioner,
    args: [
      "--csi-address=$(ADDRESS)",
      "--timeout=3m",
      "--default-fstype=ext4",
      "--feature-gates=Topology=true",
      "--extra-create-metadata",
      "--leader-election=true",
    ],
    port: 8082,
  },
  {
    name: "csi-resizer",
    image: CINDER_CSI_IMAGES.resizer,
    args: [
      "--csi-address=$(ADDRESS)",
      "--timeout=3m",
      "--handle-volume-inuse-error=false",
      "--leader-election=true",
    ],
    port: 8083,
  },
];

const ADDRESS_ENV = { name: "ADDRESS", value: `${CONTROLLER_SOCKET}csi.sock` };
const SOCKET_MOUNT = { name: "socket-dir", mountPath: CONTROLLER_SOCKET };

function sidecar(s: Sidecar): Obj {
  const port = `http-${s.name.replace(/^csi-/, "")}`;
  // The leader-election check fails only when the leader stops renewing its lease.
  const check = { httpGet: { path: "/healthz/leader-election", port } };
  return {
    name: s.name,
    image: s.image,
    imagePullPolicy: "IfNotPresent",
    args: [...s.args, `--http-endpoint=:${s.port}`],
    env: [ADDRESS_ENV],
    ports: [{ containerPort: s.port, name: port, protocol: "TCP" }],
    securityContext: RESTRICTED_CONTAINER,
    resources: resources("10m", "32Mi", "128Mi"),
    volumeMounts: [SOCKET_MOUNT],
    ...probes("/healthz/leader-election", port, {
      ...check,
      periodSeconds: 20,
      timeoutSeconds: 10,
      failureThreshold: 3,
    }),
  };
}

/** `clusterName`: recorded on every volume in Cinder (`cinder.csi.openstack.org/cluster`). */
export function controllerDeployment(clusterName: string): Obj {
  const labels = { ...CINDER_CSI_LABELS, app: CONTROLLER_NAME };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: cinderCsiMeta(CONTROLLER_NAME),
    spec: {
      // The sidecars elect a leader; the second replica takes over within seconds.
      replicas: 2,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      selector: { matchLabels: { app: CONTROLLER_NAME } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: CONTROLLER_SA,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [hostSpreadConstraint({ app: CONTROLLER_NAME }, true)],
          containers: [
            ...SIDECARS.map(sidecar),
            {
              name: "liveness-probe",
              image: CINDER_CSI_IMAGES.livenessProbe,
              imagePullPolicy: "IfNotPresent",
              args: ["--csi-address=$(ADDRESS)"],
              env: [ADDRESS_ENV],
              securityContext: RESTRICTED_CONTAINER,
              resources: resources("10m", "16Mi", "64Mi"),
              volumeMounts: [SOCKET_MOUNT],
              // It serves the plugin's health on 9808; its own liveness is that port answering.
              ...probes("/healthz", "healthz", {
                tcpSocket: { port: HEALTH_PORT },
                periodSeconds: 20,
                timeoutSeconds: 5,
                failureThreshold: 3,
              }),
            },
            {
              name: "cinder-csi-plugin",
              image: CINDER_CSI_IMAGES.plugin,
              imagePullPolicy: "IfNotPresent",
              args: [
                "/bin/cinder-csi-plugin",
                "--endpoint=$(CSI_ENDPOINT)",
                "--cloud-config=$(CLOUD_CONFIG)",
                "--cluster=$(CLUSTER_NAME)",
                "--provide-node-service=false",
                "--v=1",
              ],
              env: [
                { name: "CSI_ENDPOINT", value: "unix://csi/csi.sock" },
                { name: "CLOUD_CONFIG", value: "/etc/config/cloud.conf" },
                { name: "CLUSTER_NAME", value: clusterName },
              ],
              ports: [{ containerPort: HEALTH_PORT, name: "healthz", protocol: "TCP" }],
              securityContext: RESTRICTED_CONTAINER,
              resources: resources("10m", "64Mi", "256Mi"),
              volumeMounts: [
                { name: "socket-dir", mountPath: "/csi" },
                { name: "cloud-config", mountPath: "/etc/config", readOnly: true },
              ],
              ...probes("/healthz", "healthz", pluginHealth(10, 60)),
            },
          ],
          volumes: [
            { name: "socket-dir", emptyDir: {} },
            { name: "cloud-config", secret: { secretName: CLOUD_CONFIG_SECRET } },
          ],
        },
      },
    },
  };
}

export function controllerDisruptionBudget(): Obj {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: cinderCsiMeta(CONTROLLER_NAME),
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: CONTROLLER_NAME } } },
  };
}
