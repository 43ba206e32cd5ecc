// Barman Cloud plugin objects: the ObjectStore (where WAL and base backups go) and the
// ScheduledBackup. Pure: plain values in, specs out; credentials only by Secret reference.
import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig } from "../../config/schema";
import { AWAIT_SECONDS, awaitAnnotations } from "../k8s-await";
import { BARMAN_PLUGIN, DatabaseNames } from "./names";

/** Keys of the S3 credentials Secret (in the database namespace). */
export const S3_SECRET_KEYS = {
  accessKeyId: "ACCESS_KEY_ID",
  secretAccessKey: "ACCESS_SECRET_KEY",
  region: "REGION",
} as const;

export interface ObjectStoreSpecArgs {
  readonly db: DatabaseConfig;
  readonly names: DatabaseNames;
  /** S3 API endpoint of the site object store. */
  readonly endpointUrl: string;
  /** `s3://<bucket>/<path>`; an Output when the bucket is computed. */
  readonly destinationPath: pulumi.Input<string>;
  /** Secret key holding the CA bundle of the endpoint's certificate, when no public CA signs it. */
  readonly endpointCA?: { readonly name: string; readonly key: string };
}

/** Key of the CA bundle in the Secret the program makes from `objectStore.endpointCA.pem`. */
export const OBJECT_STORE_CA_KEY = "ca.crt";

export function objectStoreSpec(args: ObjectStoreSpecArgs) {
  const ref = (key: string) => ({ name: args.names.s3Secret, key });
  return {
    retentionPolicy: args.db.backup.retention,
    configuration: {
      destinationPath: args.destinationPath,
      endpointURL: args.endpointUrl,
      // barman-cloud verifies the endpoint's certificate against this bundle.
      ...(args.endpointCA ? { endpointCA: { ...args.endpointCA } } : {}),
      s3Credentials: {
        accessKeyId: ref(S3_SECRET_KEYS.accessKeyId),
        secretAccessKey: ref(S3_SECRET_KEYS.secretAccessKey),
        region: ref(S3_SECRET_KEYS.region),
      },
      wal: { compression: "gzip", maxParallel: 4 },
      data: { compression: "gzip", jobs: 2 },
    },
  };
}

export function destinationPath(bucket: string, path: string): string {
  return `s3://${bucket}/${path}`;
}

/**
 * Annotation naming the zone a ScheduledBackup's schedule is read in. The CRD has no time-zone
 * field: CloudNativePG evaluates the cron in the operator's local time (time.Now(), robfig/cron
 * v1), which operator-values.ts sets to the site's zone with TZ. The annotation says so in the
 * object itself (`kubectl get scheduledbackup -o yaml`) and in the plan.
 */
export const SCHEDULE_TIME_ZONE_ANNOTATION = "plant.busche-cnc.com/schedule-time-zone";

export function scheduledBackupSpec(
  db: DatabaseConfig,
  names: DatabaseNames,
): Record<string, unknown> {
  return {
    cluster: { name: names.cluster },
    schedule: db.backup.schedule,
    method: "plugin",
    pluginConfiguration: { name: BARMAN_PLUGIN },
    // The first base backup is the program's own awaited Backup (firstBackupSpec); starting
    // another at the same time would only compete with it.
    immediate: false,
    // Backups are owned by the ScheduledBackup, not the Cluster: deleting the Cluster keeps them.
    backupOwnerReference: "self",
    // Read the base backup from a standby, keeping I/O off the primary.
    target: "prefer-standby",
  };
}

/**
 * A WAL archive is useless without a base backup: `pulumi up` takes one as soon as the Cluster
 * archives WAL, and waits until the object store holds it (a failure here is a failed deploy,
 * not a silent gap in the backups).
 */
export function firstBackupSpec(names: DatabaseNames): Record<string, unknown> {
  return {
    cluster: { name: names.cluster },
    method: "plugin",
    pluginConfiguration: { name: BARMAN_PLUGIN },
    target: "prefer-standby",
  };
}

/** Backup status phases (CNPG 1.30): `completed` only once the base backup is in the object store. */
export const FIRST_BACKUP_AWAIT = awaitAnnotations(
  ["jsonpath={.status.phase}=completed"],
  AWAIT_SECONDS.firstBackup,
);
