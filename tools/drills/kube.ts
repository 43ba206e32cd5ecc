// What the drills ask of a Kubernetes cluster, through the kept client (@kubernetes/client-node):
// the CloudNativePG Cluster and its switchover (the `kubectl cnpg promote` status patch), pods and
// nodes with their physical host, cordon and drain (the Eviction API, so PodDisruptionBudgets
// hold), the owner secret of a database, which node announces each static IP (MetalLB's
// ServiceL2Status), and a port-forward to a pooler pod. Answers are plain data.
import * as k8s from "@kubernetes/client-node";
import * as net from "net";
import { PHYSICAL_HOST_LABEL } from "../../components/types";

export interface CnpgClusterState {
  readonly resourceVersion: string;
  readonly phase: string;
  readonly instances: number;
  readonly readyInstances: number;
  readonly currentPrimary: string;
  readonly targetPrimary: string;
  /** Instances CloudNativePG reports healthy. */
  readonly healthy: readonly string[];
  readonly conditions: readonly Record<string, unknown>[];
}

export interface PodState {
  readonly name: string;
  readonly node: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Owned by a DaemonSet (drain leaves it), or a static/mirror pod. */
  readonly daemon: boolean;
}

export interface NodeState {
  readonly name: string;
  /** The PHYSICAL_HOST_LABEL value ("" when missing). */
  readonly host: string;
  readonly ready: boolean;
  readonly unschedulable: boolean;
}

export interface Announcement {
  readonly ip: string;
  readonly service: string;
  /** The node MetalLB's ServiceL2Status names (undefined: no status yet). */
  readonly node?: string;
}

/** CloudNativePG's phase while it is happy. */
export const CNPG_HEALTHY = "Cluster in healthy state";
const CNPG = { group: "postgresql.cnpg.io", version: "v1", plural: "clusters" } as const;

/** An API answer with a status code (the client's ApiException, matched by its fields). */
export function apiStatus(e: unknown): number | undefined {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

export function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  let message: unknown;
  try {
    message = (typeof body === "string" ? JSON.parse(body) : body)?.message;
  } catch {
    message = undefined;
  }
  const code = apiStatus(e);
  if (typeof message === "string") return `${code ?? ""} ${message}`.trim();
  return (e as Error)?.message ?? String(e);
}

/** RFC 3339 with microseconds, as CloudNativePG writes targetPrimaryTimestamp. */
export function cnpgTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function clusterState(o: unknown): CnpgClusterState {
  const status = obj(obj(o).status);
  const healthy = obj(status.instancesStatus).healthy;
  return {
    resourceVersion: str(obj(obj(o).metadata).resourceVersion),
    phase: str(status.phase),
    instances: Number(status.instances ?? 0),
    readyInstances: Number(status.readyInstances ?? 0),
    currentPrimary: str(status.currentPrimary),
    targetPrimary: str(status.targetPrimary),
    healthy: Array.isArray(healthy) ? healthy.map(String) : [],
    conditions: Array.isArray(status.conditions) ? (status.conditions as Obj[]) : [],
  };
}

/**
 * The status the cnpg plugin's `promote` writes (internal/cmd/plugin/promote): target primary
 * and its timestamp, phase "Switchover in progress", and the Ready condition set to False (the
 * operator's SetClusterReadyConditionTX for a phase that is not healthy).
 */
export function promoteStatus(state: CnpgClusterState, instance: string, now: Date): Obj {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const notReady = {
    type: "Ready",
    status: "False",
    reason: "ClusterIsNotReady",
    message: "Cluster Is Not Ready",
  };
  // meta.SetStatusCondition: changed in place (order kept), the transition time moves only when
  // the status does; appended when absent.
  const ready = state.conditions.find((c) => c.type === "Ready");
  const lastTransitionTime =
    ready?.status === "False" ? str(ready.lastTransitionTime) || stamp : stamp;
  const updated = { ...ready, ...notReady, lastTransitionTime };
  const conditions = ready
    ? state.conditions.map((c) => (c === ready ? updated : c))
    : [...state.conditions, updated];
  return {
    targetPrimary: instance,
    targetPrimaryTimestamp: cnpgTimestamp(now),
    phase: "Switchover in progress",
    phaseReason: `Switching over to ${instance}`,
    conditions,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const MERGE = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

export class DrillKube {
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;

  constructor(
    readonly kubeconfig: k8s.KubeConfig,
    private readonly timeoutMs = 10_000,
  ) {
    this.core = kubeconfig.makeApiClient(k8s.CoreV1Api);
    this.custom = kubeconfig.makeApiClient(k8s.CustomObjectsApi);
  }

  static fromText(text: string, timeoutMs?: number): DrillKube {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(text);
    return new DrillKube(kc, timeoutMs);
  }

  private call<T>(what: string, p: Promise<T>): Promise<T> {
    return withTimeout(p, this.timeoutMs, what);
  }

  async cluster(namespace: string, name: string): Promise<CnpgClusterState> {
    const o = await this.call(
      `get Cluster ${namespace}/${name}`,
      this.custom.getNamespacedCustomObject({ ...CNPG, namespace, name }),
    );
    return clusterState(o);
  }

  /** Asks CloudNativePG to switch over to `instance`, as `kubectl cnpg promote` does. */
  async promote(namespace: string, name: string, instance: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const state = await this.cluster(namespace, name);
      if (state.targetPrimary === instance) return;
      try {
        await this.call(
          `patch Cluster ${namespace}/${name} status`,
          this.custom.patchNamespacedCustomObjectStatus(
            {
              ...CNPG,
              namespace,
              name,
              // The resourceVersion makes it an optimistic lock, as the plugin's patch is.
              body: {
                metadata: { resourceVersion: state.resourceVersion },
                status: promoteStatus(state, instance, new Date()),
              },
            },
            MERGE,
          ),
        );
        return;
      } catch (e) {
        if (apiStatus(e) !== 409 || attempt >= 5) throw e;
      }
    }
  }

  async pods(namespace: string, labelSelector: string): Promise<PodState[]> {
    const list = await this.call(
      `list pods ${namespace} ${labelSelector}`,
      this.core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items.map(podState);
  }

  async podsOnNode(node: string): Promise<(PodState & { namespace: string })[]> {
    const list = await this.call(
      `list pods on ${node}`,
      this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
    );
    return list.items.map((p) => ({ ...podState(p), namespace: p.metadata?.namespace ?? "" }));
  }

  async nodes(): Promise<NodeState[]> {
    const list = await this.call("list nodes", this.core.listNode());
    return list.items.map((n) => ({
      name: n.metadata?.name ?? "",
      host: n.metadata?.labels?.[PHYSICAL_HOST_LABEL] ?? "",
      ready: (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      unschedulable: n.spec?.unschedulable === true,
    }));
  }

  async cordon(node: string, unschedulable: boolean): Promise<void> {
    await this.call(
      `${unschedulable ? "cordon" : "uncordon"} ${node}`,
      this.core.patchNode({ name: node, body: { spec: { unschedulable } } }, MERGE),
    );
  }

  /**
   * Evicts every pod of `node` but DaemonSet and mirror pods, retrying those a
   * PodDisruptionBudget holds (429) until `timeoutMs`. Returns the pods still there.
   */
  async drain(node: string, timeoutMs: number, pauseMs = 2000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const pods = (await this.podsOnNode(node)).filter((p) => !p.daemon);
      const held: string[] = [];
      for (const p of pods) {
        try {
          await this.call(
            `evict ${p.namespace}/${p.name}`,
            this.core.createNamespacedPodEviction({
              name: p.name,
              namespace: p.namespace,
              body: {
                apiVersion: "policy/v1",
                kind: "Eviction",
                metadata: { name: p.name, namespace: p.namespace },
              },
            }),
          );
        } catch (e) {
          if (apiStatus(e) === 404) continue;
          if (apiStatus(e) !== 429) throw e;
          held.push(`${p.namespace}/${p.name}`);
        }
      }
      if (held.length === 0 || Date.now() > end) return held;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  async secret(namespace: string, name: string): Promise<Record<string, string>> {
    const s = await this.call(
      `read Secret ${namespace}/${name}`,
      this.core.readNamespacedSecret({ namespace, name }),
    );
    return Object.fromEntries(
      Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
    );
  }

  /** Every LoadBalancer address with the node MetalLB announces it from. */
  async announcements(): Promise<Announcement[]> {
    const services = await this.call("list services", this.core.listServiceForAllNamespaces());
    const statuses = await this.call(
      "list ServiceL2Statuses",
      this.custom.listClusterCustomObject({
        group: "metallb.io",
        version: "v1beta1",
        plural: "servicel2statuses",
      }),
    ).catch((e) => {
      // MetalLB not installed (or too old): addresses without an announcing node.
      if (apiStatus(e) === 404) return { items: [] };
      throw e;
    });
    const nodeOf = new Map<string, string>();
    for (const s of (obj(statuses).items as Obj[] | undefined) ?? []) {
      const st = obj(s.status);
      nodeOf.set(`${str(st.serviceNamespace)}/${str(st.serviceName)}`, str(st.node));
    }
    return services.items.flatMap((s) => {
      const key = `${s.metadata?.namespace ?? ""}/${s.metadata?.name ?? ""}`;
      return (s.status?.loadBalancer?.ingress ?? []).flatMap((i) =>
        i.ip
          ? [{ ip: i.ip, service: key, ...(nodeOf.get(key) ? { node: nodeOf.get(key) } : {}) }]
          : [],
      );
    });
  }

  /**
   * A local TCP port forwarded to `port` of a pod picked by `pickPod` for every connection (so a
   * new connection follows the pods that are ready now). Close the server when done.
   */
  async forward(
    namespace: string,
    pickPod: () => Promise<string>,
    port: number,
  ): Promise<{ port: number; close(): Promise<void> }> {
    const pf = new k8s.PortForward(this.kubeconfig);
    const open = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => undefined);
      pickPod()
        .then((pod) => pf.portForward(namespace, pod, [port], socket, null, socket))
        .then((ws) => {
          // The pod or the API went away: the connection ends now, not at the client's time-out.
          if (typeof ws !== "function") ws.on("close", () => socket.destroy());
        })
        .catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      close: () =>
        new Promise((resolve) => {
          for (const socket of open) socket.destroy();
          server.close(() => resolve());
        }),
    };
  }
}

function podState(p: k8s.V1Pod): PodState {
  const owners = p.metadata?.ownerReferences ?? [];
  return {
    name: p.metadata?.name ?? "",
    node: p.spec?.nodeName ?? "",
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    labels: p.metadata?.labels ?? {},
    daemon:
      owners.some((o) => o.kind === "DaemonSet") ||
      p.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined,
  };
}
