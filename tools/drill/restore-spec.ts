// What a restore drill creates, as plain objects: a scratch namespace, a copy of the S3
// credentials, an ObjectStore pointing at the same backups (without a retention policy: the
// drill must never prune anything), and a one-instance CloudNativePG Cluster bootstrapped by
// recovery through the Barman Cloud plugin. The scratch Cluster archives nothing (no WAL
// archiver plugin), so it never writes into the object store. Pure.
import { BARMAN_PLUGIN, databaseNames } from "../../components/postgres/names";

/** Namespace every restore drill runs in; created by the drill, labelled, removed after. */
export const DRILL_NAMESPACE = "plant-drill";
export const DRILL_LABEL = "plant.busche-cnc.com/drill";
export const DRILL_LABELS = { [DRILL_LABEL]: "restore" } as const;
/** Name of the external cluster the scratch Cluster recovers from. */
const SOURCE = "origin";

export interface DrillNames {
  /** The live database's namespace and objects (only read). */
  readonly live: { namespace: string; cluster: string; objectStore: string; s3Secret: string };
  readonly namespace: string;
  readonly cluster: string;
  readonly objectStore: string;
  readonly s3Secret: string;
  /** The superuser Secret CloudNativePG makes for the scratch Cluster. */
  readonly superuserSecret: string;
}

export function drillNames(db: string): DrillNames {
  const live = databaseNames({ name: db });
  const cluster = `restore-${db}`;
  return {
    live: {
      namespace: live.namespace,
      cluster: live.cluster,
      objectStore: live.objectStore,
      s3Secret: live.s3Secret,
    },
    namespace: DRILL_NAMESPACE,
    cluster,
    objectStore: cluster,
    s3Secret: `${cluster}-s3`,
    superuserSecret: `${cluster}-superuser`,
  };
}

type Obj = Record<string, unknown>;

export function namespaceObject(): Obj {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: DRILL_NAMESPACE,
      labels: {
        ...DRILL_LABELS,
        "pod-security.kubernetes.io/enforce": "restricted",
      },
    },
  };
}

/** The live S3 Secret's data under the drill's name (the value is never printed). */
export function s3SecretObject(n: DrillNames, data: Record<string, string>): Obj {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: n.s3Secret, namespace: n.namespace, labels: { ...DRILL_LABELS } },
    data,
  };
}

/**
 * The live ObjectStore's configuration, credentials renamed to the copied Secret. Everything
 * that writes (retention, sidecar settings) is left out.
 */
export function objectStoreObject(n: DrillNames, liveSpec: Obj): Obj {
  const configuration = JSON.parse(JSON.stringify(liveSpec.configuration ?? {})) as Obj;
  const rename = (ref: unknown) =>
    ref && typeof ref === "object" ? { ...(ref as Obj), name: n.s3Secret } : ref;
  const s3 = configuration.s3Credentials as Obj | undefined;
  if (s3)
    configuration.s3Credentials = Object.fromEntries(
      Object.entries(s3).map(([k, v]) => [k, rename(v)]),
    );
  return {
    apiVersion: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    metadata: { name: n.objectStore, namespace: n.namespace, labels: { ...DRILL_LABELS } },
    spec: { configuration },
  };
}

export interface ScratchClusterArgs {
  readonly names: DrillNames;
  /** The live Cluster's spec (image, storage, parameters: recovery needs settings ≥ the source's). */
  readonly liveSpec: Obj;
  readonly database: string;
  readonly owner: string;
  /** The server name the live cluster archives to (stack output backupServerName). */
  readonly serverName: string;
}

export function scratchClusterObject(a: ScratchClusterArgs): Obj {
  const live = a.liveSpec;
  const pick = (key: string) => (live[key] !== undefined ? { [key]: live[key] } : {});
  const parameters = (live.postgresql as Obj | undefined)?.parameters;
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: a.names.cluster, namespace: a.names.namespace, labels: { ...DRILL_LABELS } },
    spec: {
      description: `restore drill of ${a.names.live.namespace}/${a.names.live.cluster}`,
      instances: 1,
      ...pick("imageName"),
      ...pick("storage"),
      ...pick("walStorage"),
      ...pick("resources"),
      // The checks connect as the superuser: it sees every table whatever the grants.
      enableSuperuserAccess: true,
      postgresql: { ...(parameters ? { parameters } : {}) },
      bootstrap: {
        recovery: { source: SOURCE, database: a.database, owner: a.owner },
      },
      externalClusters: [
        {
          name: SOURCE,
          plugin: {
            name: BARMAN_PLUGIN,
            parameters: { barmanObjectName: a.names.objectStore, serverName: a.serverName },
          },
        },
      ],
    },
  };
}
