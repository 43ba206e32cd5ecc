// The reads verify makes through @kubernetes/client-node (GET and LIST only), turned into the
// plain shapes kube-checks.ts and postgres-checks.ts judge.
import type * as k8s from "@kubernetes/client-node";
import { isNotFound, KubeClients, withTimeout } from "../site/kube";
import { labelSelector } from "./expected";
import { NodeInfo, PodInfo, ServiceInfo } from "./kube-checks";
import { BackupInfo, CnpgCluster, InstancePod } from "./postgres-checks";

const CNPG = { group: "postgresql.cnpg.io", version: "v1" } as const;
const BARMAN = { group: "barmancloud.cnpg.io", version: "v1" } as const;

export class KubeReader {
  constructor(
    readonly clients: KubeClients,
    private readonly timeoutMs: number,
  ) {}

  private call<T>(what: string, p: Promise<T>): Promise<T> {
    return withTimeout(p, this.timeoutMs, what);
  }

  async nodes(): Promise<NodeInfo[]> {
    const list = await this.call("list nodes", this.clients.core.listNode());
    return list.items.map((n: k8s.V1Node) => ({
      name: n.metadata?.name ?? "",
      labels: n.metadata?.labels ?? {},
      ready: (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      unschedulable: n.spec?.unschedulable === true,
    }));
  }

  async pods(namespace: string, labels: Readonly<Record<string, string>>): Promise<InstancePod[]> {
    const list = await this.call(
      `list pods in ${namespace}`,
      this.clients.core.listNamespacedPod({ namespace, labelSelector: labelSelector(labels) }),
    );
    return list.items.map(podInfo);
  }

  async services(
    namespace: string,
    labels: Readonly<Record<string, string>>,
  ): Promise<ServiceInfo[]> {
    const list = await this.call(
      `list services in ${namespace}`,
      this.clients.core.listNamespacedService({ namespace, labelSelector: labelSelector(labels) }),
    );
    return list.items.map((s: k8s.V1Service) => ({
      name: s.metadata?.name ?? "",
      type: s.spec?.type ?? "ClusterIP",
      ingressIps: (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
    }));
  }

  /** A custom object, or undefined when it does not exist. */
  async customObject(
    api: { group: string; version: string },
    plural: string,
    namespace: string,
    name: string,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.call(
        `get ${plural} ${namespace}/${name}`,
        this.clients.custom.getNamespacedCustomObject({ ...api, plural, namespace, name }),
      )) as Record<string, unknown>;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  cnpgCluster(namespace: string, name: string): Promise<CnpgCluster | undefined> {
    return this.customObject(CNPG, "clusters", namespace, name) as Promise<CnpgCluster | undefined>;
  }

  async scheduledBackupSchedule(namespace: string, name: string): Promise<string | undefined> {
    const sb = await this.customObject(CNPG, "scheduledbackups", namespace, name);
    const schedule = (sb?.spec as { schedule?: unknown } | undefined)?.schedule;
    return typeof schedule === "string" ? schedule : undefined;
  }

  /**
   * The last successful (and failed) base backup of `serverName`: the ObjectStore's recovery window
   * as the Barman Cloud plugin reports it, else the newest completed Backup of the cluster.
   */
  async backups(
    namespace: string,
    objectStore: string,
    clusterName: string,
    serverName: string,
  ): Promise<BackupInfo> {
    const store = await this.customObject(BARMAN, "objectstores", namespace, objectStore);
    const window = (
      store?.status as
        { serverRecoveryWindow?: Record<string, Record<string, string | undefined>> } | undefined
    )?.serverRecoveryWindow?.[serverName];
    const date = (s: string | undefined) => (s ? new Date(s) : undefined);
    if (window?.lastSuccessfulBackupTime) {
      const lastFailed = date(window.lastFailedBackupTime);
      return {
        lastSuccessful: new Date(window.lastSuccessfulBackupTime),
        ...(lastFailed ? { lastFailed } : {}),
        source: `ObjectStore ${objectStore} status`,
      };
    }
    const list = (await this.call(
      `list backups in ${namespace}`,
      this.clients.custom.listNamespacedCustomObject({ ...CNPG, plural: "backups", namespace }),
    )) as { items?: { spec?: { cluster?: { name?: string } }; status?: Record<string, string> }[] };
    const mine = (list.items ?? []).filter((b) => b.spec?.cluster?.name === clusterName);
    const times = (phase: string) =>
      mine
        .filter((b) => b.status?.phase === phase)
        .map((b) => date(b.status?.stoppedAt ?? b.status?.startedAt))
        .filter((d): d is Date => d !== undefined)
        .sort((a, b) => b.getTime() - a.getTime());
    const lastSuccessful = times("completed")[0];
    const lastFailed = times("failed")[0];
    return {
      ...(lastSuccessful ? { lastSuccessful } : {}),
      ...(lastFailed ? { lastFailed } : {}),
      source: `Backups in ${namespace}${store ? "" : `; ObjectStore ${objectStore} not found`}`,
    };
  }
}

export function podInfo(p: k8s.V1Pod): InstancePod {
  const role = p.metadata?.labels?.["cnpg.io/instanceRole"] ?? p.metadata?.labels?.role;
  return {
    name: p.metadata?.name ?? "",
    ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
    ready:
      p.status?.phase === "Running" &&
      (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    terminating: p.metadata?.deletionTimestamp !== undefined,
    ...(role ? { role } : {}),
  };
}

export type { PodInfo };
