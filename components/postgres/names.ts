// Naming of everything a database owns. One place, so names stay stable: adding a service
// or a database never renames the objects of another.
import { DatabaseConfig } from "../../config/site";
import { DatabaseAccess } from "../types";

/** Namespace of the operator and the Barman Cloud plugin (the plugin must share it). */
export const CNPG_NAMESPACE = "cnpg-system";
/** The Barman Cloud plugin's name as CloudNativePG knows it. */
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
export const POSTGRES_PORT = 5432;

/**
 * Pod Security of the operator's and every database's namespace: `restricted`, the strictest
 * level, enforced (and audited and warned about). Every pod there meets it: the operator and the
 * Barman Cloud plugin (their charts' defaults, unchanged by the values here: non-root UID 10001,
 * no privilege escalation, all capabilities dropped, seccomp RuntimeDefault; checked against the
 * rendered charts in the tests), the webhook gates'
 * probe pods, and the instance, join/initdb Job and PgBouncer pods CloudNativePG builds (the same
 * settings, the Barman Cloud sidecar included: plugin-barman-cloud's lifecycle.go sets them).
 */
export const POSTGRES_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};
/** Name of the external cluster a restore reads from (only inside the Cluster spec). */
export const RESTORE_SOURCE = "origin";

export type RoleKind = "app" | "migration";

export type PoolerType = "rw" | "ro";

/** The pooler a role connects through: only writers get the read-write one. */
export function poolerTypeOf(access: DatabaseAccess): PoolerType {
  return access === "read" ? "ro" : "rw";
}

export interface DatabaseNames {
  readonly namespace: string;
  /** The CNPG Cluster; also the prefix of its services (`<cluster>-rw`, `-ro`, `-r`). */
  readonly cluster: string;
  readonly ownerSecret: string;
  readonly s3Secret: string;
  /** CA bundle of the object store's certificate, when given as PEM (objectStore.endpointCA). */
  readonly objectStoreCaSecret: string;
  readonly objectStore: string;
  readonly scheduledBackup: string;
  /** The base backup `pulumi up` takes (and waits for) once, right after the Cluster is ready. */
  readonly firstBackup: string;
  readonly poolerRw: string;
  readonly poolerRo: string;
  /**
   * The program's CA for the database's server certificates (`spec.certificates.serverCASecret`):
   * ca.crt + ca.key. CloudNativePG signs `<cluster>-server` with it; every client trusts ca.crt.
   */
  readonly serverCaSecret: string;
}

export function databaseNames(db: Pick<DatabaseConfig, "name">): DatabaseNames {
  return {
    namespace: `postgres-${db.name}`,
    cluster: db.name,
    ownerSecret: `${db.name}-owner`,
    s3Secret: `${db.name}-backup-s3`,
    objectStoreCaSecret: `${db.name}-object-store-ca`,
    objectStore: `${db.name}-backups`,
    scheduledBackup: `${db.name}-daily`,
    firstBackup: `${db.name}-first`,
    poolerRw: `${db.name}-pooler-rw`,
    poolerRo: `${db.name}-pooler-ro`,
    serverCaSecret: `${db.name}-server-ca`,
  };
}

/** PostgreSQL role of a service: `report-api` → `svc_report_api` (+ `_migrate` for the migration role). */
export function roleName(service: string, kind: RoleKind): string {
  const base = `svc_${service.replace(/-/g, "_")}`;
  return kind === "migration" ? `${base}_migrate` : base;
}

/** basic-auth Secret holding a service role's password, in the database namespace. */
export function roleSecretName(db: string, service: string, kind: RoleKind): string {
  return kind === "migration" ? `${db}-role-${service}-migrate` : `${db}-role-${service}`;
}

/** Labels CloudNativePG puts on a pooler's pods. */
export function poolerPodLabels(pooler: string): Record<string, string> {
  return { "cnpg.io/poolerName": pooler };
}

export interface DatabaseEndpoints {
  readonly poolerReadWrite: string;
  readonly poolerReadOnly: string;
  readonly directReadWrite: string;
  readonly directReadOnly: string;
}

/** In-cluster DNS names (services CloudNativePG creates for the Cluster and each Pooler). */
export function databaseEndpoints(names: DatabaseNames): DatabaseEndpoints {
  const svc = (service: string) => `${service}.${names.namespace}.svc`;
  return {
    poolerReadWrite: svc(names.poolerRw),
    poolerReadOnly: svc(names.poolerRo),
    directReadWrite: svc(`${names.cluster}-rw`),
    directReadOnly: svc(`${names.cluster}-ro`),
  };
}

const GENERATION = /^(.+)-g([1-9][0-9]*)$/;

/**
 * The server name a cluster restored from `source` archives to: `reporting` → `reporting-g2`,
 * `reporting-g2` → `reporting-g3`. Never equal to the source, so a restore never writes into the
 * backups it was restored from.
 */
export function nextServerName(source: string): string {
  const m = GENERATION.exec(source);
  return m ? `${m[1]}-g${Number(m[2]) + 1}` : `${source}-g2`;
}

/**
 * Where the cluster's WAL and base backups go in the object store. Depends only on
 * `restore.sourceServerName` (not on `restore.enabled`), so switching restore off again after a
 * restore does not point the archive back at the old cluster's backups.
 */
export function archiveServerName(db: Pick<DatabaseConfig, "name" | "restore">): string {
  const source = db.restore.sourceServerName;
  return source === undefined ? db.name : nextServerName(source);
}

/** Path inside the bucket: `backup.path`, default `postgres/<name>`. */
export function backupPath(db: Pick<DatabaseConfig, "name" | "backup">): string {
  return db.backup.path ?? `postgres/${db.name}`;
}
