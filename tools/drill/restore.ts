// `npm run drill:restore`: restores the latest backup of a database into a scratch
// CloudNativePG cluster (namespace plant-drill), waits until it is ready, runs the configured
// consistency checks, reports the recovery point and the time taken, and removes what it made.
// The live database is only read (its Cluster, ObjectStore and S3 Secret); every write goes to
// the drill namespace. Refuses when its names are taken.
import type { Client } from "pg";
import { DrillCheck } from "../../config/drill";
import { isNotFound, KubeClients, kubeErrorReason, withTimeout } from "../site/kube";
import { CheckResult, Progress } from "../site/report";
import { recoveryPointFromLog, runChecks } from "./checks";
import {
  DRILL_LABEL,
  DrillNames,
  drillNames,
  namespaceObject,
  objectStoreObject,
  s3SecretObject,
  scratchClusterObject,
} from "./restore-spec";

const CNPG = { group: "postgresql.cnpg.io", version: "v1" } as const;
const BARMAN = { group: "barmancloud.cnpg.io", version: "v1" } as const;
export const RESTORE_RUNBOOK = "docs/postgres.md#restore-drill";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A database connection to the scratch primary, and how to let it go. */
export interface DrillConnection {
  readonly client: Client;
  close(): Promise<void>;
}

/** Opens a connection to `pod` (port 5432) as `user`; the CLI forwards a port through the API. */
export type Connector = (target: {
  namespace: string;
  pod: string;
  database: string;
  user: string;
  password: string;
}) => Promise<DrillConnection>;

export interface RestoreTarget {
  readonly database: string;
  /** PostgreSQL database name inside the cluster, and its owner. */
  readonly dbname: string;
  readonly owner: string;
  readonly serverName: string;
  readonly checks: readonly DrillCheck[];
}

export interface RestoreOptions {
  readonly clients: KubeClients;
  readonly connect: Connector;
  readonly progress: Progress;
  /** The whole wait for the scratch cluster. */
  readonly waitTimeoutMs: number;
  readonly pollMs: number;
  readonly callTimeoutMs: number;
  /** Leave the scratch cluster for a look (the report says how to remove it). */
  readonly keep: boolean;
  readonly now?: () => number;
}

export interface RestoreReport {
  readonly database: string;
  readonly results: CheckResult[];
  /** Time of the last replayed transaction, when it could be read. */
  readonly recoveryPoint?: string;
  readonly recoveryPointSource?: string;
  /** From creating the scratch cluster to it being ready, seconds. */
  readonly restoreSeconds?: number;
  readonly cleanedUp: boolean;
}

/** The drill cannot start or cannot go on; nothing (more) is created. */
export class DrillRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillRefused";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function restoreDrill(t: RestoreTarget, o: RestoreOptions): Promise<RestoreReport> {
  const n = drillNames(t.database);
  const now = o.now ?? Date.now;
  const call = <T>(what: string, p: Promise<T>) => withTimeout(p, o.callTimeoutMs, what);
  const { core, custom } = o.clients;
  const getOrUndefined = async <T>(what: string, p: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call(what, p());
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const results: CheckResult[] = [];
  const row = (subject: string, ok: boolean, detail: string, object?: string): CheckResult => {
    const r: CheckResult = {
      area: "restore",
      subject: `database ${t.database}: ${subject}`,
      status: ok ? "ok" : "fail",
      detail,
      ...(object ? { object } : {}),
      ...(ok ? {} : { runbook: RESTORE_RUNBOOK }),
    };
    results.push(r);
    o.progress.result(r);
    return r;
  };

  // 1. Names free? A namespace the drill did not make, or a scratch Cluster already there, stops it.
  const ns = await getOrUndefined("read namespace", () =>
    core.readNamespace({ name: n.namespace }),
  );
  if (ns && ns.metadata?.labels?.[DRILL_LABEL] !== "restore")
    throw new DrillRefused(
      `namespace ${n.namespace} exists and was not made by a drill (no label ${DRILL_LABEL}=restore); the drill will not write into it`,
    );
  const existing = await getOrUndefined("read scratch cluster", () =>
    custom.getNamespacedCustomObject({
      ...CNPG,
      plural: "clusters",
      namespace: n.namespace,
      name: n.cluster,
    }),
  );
  if (existing)
    throw new DrillRefused(
      `Cluster ${n.namespace}/${n.cluster} already exists: another drill is running, or one was kept (remove it with: kubectl delete cluster ${n.cluster} -n ${n.namespace})`,
    );
  const store = await getOrUndefined("read scratch object store", () =>
    custom.getNamespacedCustomObject({
      ...BARMAN,
      plural: "objectstores",
      namespace: n.namespace,
      name: n.objectStore,
    }),
  );
  if (store)
    throw new DrillRefused(
      `ObjectStore ${n.namespace}/${n.objectStore} already exists (left by an earlier drill?): remove it first`,
    );
  if (
    await getOrUndefined("read secret", () =>
      core.readNamespacedSecret({ namespace: n.namespace, name: n.s3Secret }),
    )
  )
    throw new DrillRefused(
      `Secret ${n.namespace}/${n.s3Secret} already exists (left by an earlier drill?): remove it first`,
    );

  // 2. Read the live objects (read only).
  const liveCluster = (await getOrUndefined("read live cluster", () =>
    custom.getNamespacedCustomObject({
      ...CNPG,
      plural: "clusters",
      namespace: n.live.namespace,
      name: n.live.cluster,
    }),
  )) as Obj | undefined;
  if (!liveCluster)
    throw new DrillRefused(`the live Cluster ${n.live.namespace}/${n.live.cluster} does not exist`);
  const liveStore = (await getOrUndefined("read live object store", () =>
    custom.getNamespacedCustomObject({
      ...BARMAN,
      plural: "objectstores",
      namespace: n.live.namespace,
      name: n.live.objectStore,
    }),
  )) as Obj | undefined;
  if (!liveStore)
    throw new DrillRefused(
      `the live ObjectStore ${n.live.namespace}/${n.live.objectStore} does not exist`,
    );
  const liveSecret = await getOrUndefined("read S3 secret", () =>
    core.readNamespacedSecret({ namespace: n.live.namespace, name: n.live.s3Secret }),
  );
  if (!liveSecret?.data)
    throw new DrillRefused(
      `the S3 credentials Secret ${n.live.namespace}/${n.live.s3Secret} cannot be read`,
    );

  // 3. Create, then wait; whatever happens, clean up.
  const created: (() => Promise<unknown>)[] = [];
  const started = now();
  let recoveryPoint: Date | undefined;
  let recoveryPointSource: string | undefined;
  let restoreSeconds: number | undefined;
  let cleanedUp = false;
  try {
    if (!ns) {
      await call("create namespace", core.createNamespace({ body: namespaceObject() }));
      created.push(() => core.deleteNamespace({ name: n.namespace }));
    }
    await call(
      "create secret",
      core.createNamespacedSecret({
        namespace: n.namespace,
        body: s3SecretObject(n, liveSecret.data),
      }),
    );
    created.push(() => core.deleteNamespacedSecret({ namespace: n.namespace, name: n.s3Secret }));
    await call(
      "create object store",
      custom.createNamespacedCustomObject({
        ...BARMAN,
        plural: "objectstores",
        namespace: n.namespace,
        body: objectStoreObject(n, liveStore.spec ?? {}),
      }),
    );
    created.push(() =>
      custom.deleteNamespacedCustomObject({
        ...BARMAN,
        plural: "objectstores",
        namespace: n.namespace,
        name: n.objectStore,
      }),
    );
    const body = scratchClusterObject({
      names: n,
      liveSpec: liveCluster.spec ?? {},
      database: t.dbname,
      owner: t.owner,
      serverName: t.serverName,
    });
    await call(
      "create scratch cluster",
      custom.createNamespacedCustomObject({
        ...CNPG,
        plural: "clusters",
        namespace: n.namespace,
        body,
      }),
    );
    created.push(() =>
      custom.deleteNamespacedCustomObject({
        ...CNPG,
        plural: "clusters",
        namespace: n.namespace,
        name: n.cluster,
      }),
    );
    o.progress.note(
      `Cluster ${n.namespace}/${n.cluster} created: recovering ${t.serverName} from the object store`,
    );

    const primary = await waitReady(n, o, call, started, now);
    restoreSeconds = Math.round((now() - started) / 1000);
    row(
      "restore",
      true,
      `scratch cluster ready in ${restoreSeconds} s (primary ${primary})`,
      `Cluster ${n.namespace}/${n.cluster}`,
    );

    const fromLog = await recoveryLog(n, o);
    if (fromLog) {
      recoveryPoint = fromLog;
      recoveryPointSource = "the recovery job's log";
    }
    const secret = await call(
      "read superuser secret",
      core.readNamespacedSecret({ namespace: n.namespace, name: n.superuserSecret }),
    );
    const decode = (k: string) => Buffer.from(secret.data?.[k] ?? "", "base64").toString("utf8");
    const conn = await o.connect({
      namespace: n.namespace,
      pod: primary,
      database: t.dbname,
      user: decode("username") || "postgres",
      password: decode("password"),
    });
    try {
      if (!recoveryPoint) {
        const r = await conn.client.query("SELECT pg_last_xact_replay_timestamp() AS t");
        const v = r.rows[0]?.t as Date | null | undefined;
        if (v) {
          recoveryPoint = new Date(v);
          recoveryPointSource = "pg_last_xact_replay_timestamp()";
        }
      }
      const outcomes = await runChecks(conn.client, t.checks, o.callTimeoutMs);
      for (const c of outcomes)
        row(
          `check ${c.name}`,
          c.ok,
          c.detail,
          `plant:databases[${t.database}].drill.checks ${c.name}`,
        );
      if (t.checks.length === 0)
        row(
          "checks",
          true,
          "no consistency checks configured (plant:databases[].drill.checks): the restore itself is the only proof",
        );
    } finally {
      await conn.close();
    }
  } catch (e) {
    if (e instanceof DrillRefused)
      row("restore", false, e.message, `Cluster ${n.namespace}/${n.cluster}`);
    else
      row(
        "restore",
        false,
        kubeOrOther(e, o.clients.server),
        `Cluster ${n.namespace}/${n.cluster}`,
      );
  } finally {
    if (o.keep) o.progress.note(`kept: kubectl delete namespace ${n.namespace} removes the drill`);
    else {
      cleanedUp = true;
      for (const undo of created.reverse())
        try {
          await call("clean up", undo());
        } catch (e) {
          if (!isNotFound(e)) {
            cleanedUp = false;
            o.progress.note(
              `clean-up failed: ${kubeErrorReason(e, o.clients.server)}; remove namespace ${n.namespace} by hand`,
            );
          }
        }
    }
  }
  return {
    database: t.database,
    results,
    ...(recoveryPoint ? { recoveryPoint: recoveryPoint.toISOString(), recoveryPointSource } : {}),
    ...(restoreSeconds !== undefined ? { restoreSeconds } : {}),
    cleanedUp,
  };
}

function kubeOrOther(e: unknown, server: string): string {
  const code = (e as { code?: unknown })?.code;
  return code !== undefined ? kubeErrorReason(e, server) : String((e as Error)?.message ?? e);
}

/** Polls the scratch Cluster until it is ready; fails on a failed recovery Job or the time limit. */
async function waitReady(
  n: DrillNames,
  o: RestoreOptions,
  call: <T>(what: string, p: Promise<T>) => Promise<T>,
  started: number,
  now: () => number,
): Promise<string> {
  let phase = "";
  for (;;) {
    const c = (await call(
      "read scratch cluster",
      o.clients.custom.getNamespacedCustomObject({
        ...CNPG,
        plural: "clusters",
        namespace: n.namespace,
        name: n.cluster,
      }),
    )) as Obj;
    const st = c.status ?? {};
    if (st.phase && st.phase !== phase) {
      phase = st.phase;
      o.progress.note(`${n.cluster}: ${phase}${st.phaseReason ? ` (${st.phaseReason})` : ""}`);
    }
    const ready = (st.conditions ?? []).some((x: Obj) => x.type === "Ready" && x.status === "True");
    if (ready && (st.readyInstances ?? 0) >= 1 && st.currentPrimary)
      return st.currentPrimary as string;
    const jobs = await call(
      "list jobs",
      o.clients.batch.listNamespacedJob({
        namespace: n.namespace,
        labelSelector: `cnpg.io/cluster=${n.cluster}`,
      }),
    );
    const failed = jobs.items.find((j) => (j.status?.failed ?? 0) > 0);
    if (failed)
      throw new DrillRefused(
        `the recovery Job ${n.namespace}/${failed.metadata?.name} failed: kubectl logs -n ${n.namespace} job/${failed.metadata?.name}`,
      );
    if (now() - started > o.waitTimeoutMs)
      throw new DrillRefused(
        `not ready after ${Math.round(o.waitTimeoutMs / 1000)} s (phase '${phase || "none"}')`,
      );
    await sleep(o.pollMs);
  }
}

/** The recovery point from the full-recovery Job's pod log, if the pod is still there. */
async function recoveryLog(n: DrillNames, o: RestoreOptions): Promise<Date | undefined> {
  try {
    const pods = await withTimeout(
      o.clients.core.listNamespacedPod({
        namespace: n.namespace,
        labelSelector: `cnpg.io/jobRole=full-recovery,cnpg.io/cluster=${n.cluster}`,
      }),
      o.callTimeoutMs,
      "list recovery pods",
    );
    for (const p of pods.items) {
      const log = await withTimeout(
        o.clients.core.readNamespacedPodLog({
          namespace: n.namespace,
          name: p.metadata?.name ?? "",
        }),
        o.callTimeoutMs,
        "read recovery log",
      );
      const d = recoveryPointFromLog(String(log));
      if (d) return d;
    }
  } catch {
    // The Job's pod may be gone already; the SQL fallback answers then.
  }
  return undefined;
}
