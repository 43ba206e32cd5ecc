// The database's side of the site object store: the S3 key Secret, the CA bundle of a private
// endpoint, and the Barman Cloud ObjectStore. Declared as children of the PostgresCluster (these
// are its resources; a function rather than a component keeps their URNs where they were).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig, ObjectStoreConfig } from "../../config/schema";
import { ObjectStoreEndpoint } from "../types";
import {
  destinationPath,
  OBJECT_STORE_CA_KEY,
  objectStoreSpec,
  S3_SECRET_KEYS,
} from "./backup-spec";
import { backupPath, DatabaseNames } from "./names";

export interface BackupStoreArgs {
  /** The PostgresCluster's resource name (children are `<name>-backup-s3`, …). */
  readonly name: string;
  readonly db: DatabaseConfig;
  readonly names: DatabaseNames;
  readonly store: ObjectStoreEndpoint;
  readonly endpointCA?: ObjectStoreConfig["endpointCA"];
  readonly meta: (objectName: string) => k8s.types.input.meta.v1.ObjectMeta;
  readonly provider: k8s.Provider;
  readonly namespace: k8s.core.v1.Namespace;
  readonly operatorReady: readonly pulumi.Resource[];
}

/** Declares the S3 Secret, the endpoint's CA Secret (PEM in config) and the ObjectStore. */
export function declareBackupStore(
  parent: pulumi.Resource,
  args: BackupStoreArgs,
): k8s.apiextensions.CustomResource {
  const { name, db, names, store, meta, namespace } = args;
  const child = { parent, provider: args.provider };
  const s3Secret = new k8s.core.v1.Secret(
    `${name}-backup-s3`,
    {
      metadata: meta(names.s3Secret),
      type: "Opaque",
      stringData: {
        [S3_SECRET_KEYS.accessKeyId]: pulumi.secret(store.accessKeyId),
        [S3_SECRET_KEYS.secretAccessKey]: pulumi.secret(store.secretAccessKey),
        [S3_SECRET_KEYS.region]: store.region,
      },
    },
    { ...child, dependsOn: [namespace] },
  );
  // endpointCA: a Secret made from the configured PEM, or the plant's own Secret in the
  // database namespace; none when a public CA signs the endpoint.
  const ca = args.endpointCA;
  let caRef: { name: string; key: string } | undefined;
  const caSecrets: k8s.core.v1.Secret[] = [];
  if (ca !== undefined && "secret" in ca) caRef = { name: ca.secret.name, key: ca.secret.key };
  if (ca !== undefined && "pem" in ca) {
    caSecrets.push(
      new k8s.core.v1.Secret(
        `${name}-object-store-ca`,
        {
          metadata: meta(names.objectStoreCaSecret),
          type: "Opaque",
          stringData: { [OBJECT_STORE_CA_KEY]: ca.pem },
        },
        { ...child, dependsOn: [namespace] },
      ),
    );
    caRef = { name: names.objectStoreCaSecret, key: OBJECT_STORE_CA_KEY };
  }
  return new k8s.apiextensions.CustomResource(
    `${name}-objectstore`,
    {
      apiVersion: "barmancloud.cnpg.io/v1",
      kind: "ObjectStore",
      metadata: meta(names.objectStore),
      spec: objectStoreSpec({
        db,
        names,
        endpointUrl: store.endpoint,
        destinationPath: store.bucket.apply((bucket) => destinationPath(bucket, backupPath(db))),
        ...(caRef ? { endpointCA: caRef } : {}),
      }),
    },
    { ...child, dependsOn: [namespace, s3Secret, ...caSecrets, ...args.operatorReady] },
  );
}
