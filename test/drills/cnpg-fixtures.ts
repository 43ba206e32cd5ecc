// Recorded Kubernetes answers for the drills: a CloudNativePG Cluster `reporting` of three
// instances, one per R620, whose status the test changes as the operator would, and the stack
// outputs file a drill reads (kubeconfig of the fake API).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const NAMESPACE = "postgres-reporting";
export const CLUSTER_PATH = `/apis/postgresql.cnpg.io/v1/namespaces/${NAMESPACE}/clusters/reporting`;
export const PODS_PATH = `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=cnpg.io%2Fcluster%3Dreporting`;

const INSTANCES = ["reporting-1", "reporting-2", "reporting-3"];

export interface CnpgStatus {
  phase: string;
  currentPrimary: string;
  targetPrimary: string;
  readyInstances: number;
  healthy: string[];
}

function node(name: string, host: string, ready = true): Record<string, unknown> {
  return {
    metadata: { name, labels: { "topology.kubernetes.io/zone": host } },
    spec: {},
    status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

export const NODES = {
  kind: "NodeList",
  apiVersion: "v1",
  metadata: {},
  items: [1, 2, 3].map((i) => node(`reports-worker-${i}`, `r620-${i}`)),
};

function pod(name: string, nodeName: string, labels: Record<string, string>) {
  return {
    metadata: { name, namespace: NAMESPACE, labels },
    spec: { nodeName },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  };
}

/** The Cluster object with a mutable status, and the answers map that serves it. */
export function cnpgFake(primary: string, overrides: Partial<CnpgStatus> = {}) {
  const status: CnpgStatus = {
    phase: "Cluster in healthy state",
    currentPrimary: primary,
    targetPrimary: primary,
    readyInstances: 3,
    healthy: [...INSTANCES],
    ...overrides,
  };
  let version = 41;
  const object = () => ({
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "reporting", namespace: NAMESPACE, resourceVersion: String(version) },
    spec: { instances: 3 },
    status: {
      phase: status.phase,
      instances: 3,
      readyInstances: status.readyInstances,
      currentPrimary: status.currentPrimary,
      targetPrimary: status.targetPrimary,
      instancesStatus: { healthy: status.healthy },
      conditions: [
        {
          type: "Ready",
          status: status.phase === "Cluster in healthy state" ? "True" : "False",
          reason: "ClusterIsReady",
          lastTransitionTime: "2026-11-30T10:00:00Z",
        },
        { type: "ContinuousArchiving", status: "True", reason: "ContinuousArchivingSuccess" },
      ],
    },
  });
  const answers: Record<string, unknown> = {
    [CLUSTER_PATH]: object(),
    [PODS_PATH]: {
      kind: "PodList",
      apiVersion: "v1",
      metadata: {},
      items: INSTANCES.map((name, i) =>
        pod(name, `reports-worker-${i + 1}`, { "cnpg.io/cluster": "reporting" }),
      ),
    },
    "/api/v1/nodes": NODES,
  };
  return {
    answers,
    status,
    set(change: Partial<CnpgStatus>): void {
      Object.assign(status, change);
      version++;
      answers[CLUSTER_PATH] = object();
    },
  };
}

/** A stack outputs file (as `pulumi stack output --json --show-secrets`) in a temporary folder. */
export function writeOutputs(kubeconfig: string, extra: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-outputs-"));
  const file = path.join(dir, "outputs.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      clusters: { reports: { kind: "openstack", kubeconfig, nodes: [] } },
      ...extra,
    }),
  );
  return file;
}

/** Nodes of both Avilla clusters; `notReady` names nodes whose Ready condition is False. */
export function avillaNodes(notReady: readonly string[] = []) {
  const names = [
    ...[1, 2, 3].map((i) => [`reports-cp-${i}`, `r620-${i}`]),
    ...[1, 2, 3].map((i) => [`reports-worker-${i}`, `r620-${i}`]),
    ...[1, 2, 3].map((i) => [`opti-${i}`, `optiplex-${i}`]),
  ];
  return {
    kind: "NodeList",
    apiVersion: "v1",
    metadata: {},
    items: names.map(([n, h]) => node(n, h, !notReady.includes(n))),
  };
}

/** The gateways' LoadBalancer Services and MetalLB's ServiceL2Status naming the announcing node. */
export function loadBalancers(reportsNode: string) {
  const svc = (name: string, ip: string) => ({
    metadata: { name, namespace: "envoy-gateway-system" },
    spec: { type: "LoadBalancer" },
    status: { loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } },
  });
  const l2 = (name: string, node: string) => ({
    apiVersion: "metallb.io/v1beta1",
    kind: "ServiceL2Status",
    metadata: { name: `l2-${name}`, namespace: "metallb-system" },
    status: {
      node,
      serviceName: name,
      serviceNamespace: "envoy-gateway-system",
      interfaces: [{ name: "eth0" }],
    },
  });
  return {
    "/api/v1/services": {
      kind: "ServiceList",
      apiVersion: "v1",
      metadata: {},
      items: [svc("envoy-reports", "10.1.0.8"), svc("envoy-optiplex", "10.1.0.112")],
    },
    "/apis/metallb.io/v1beta1/servicel2statuses": {
      apiVersion: "metallb.io/v1beta1",
      kind: "ServiceL2StatusList",
      metadata: {},
      items: [l2("envoy-reports", reportsNode), l2("envoy-optiplex", "opti-2")],
    },
  };
}
