// Object storage for PostgreSQL backups: one Swift container per site, reached through Swift's
// S3 API (s3api) with EC2-style credentials of the deploying user in the platform project.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ObjectStoreEndpoint } from "../types";

export interface BackupObjectStoreArgs {
  /** Provider scoped to the platform project. */
  readonly provider: openstack.Provider;
  readonly projectId: pulumi.Input<string>;
  /** Swift container name = S3 bucket name. */
  readonly container: string;
  /** S3 API endpoint of Swift, reachable from the clusters. */
  readonly s3Endpoint: string;
  readonly s3Region: string;
}

export class BackupObjectStore extends pulumi.ComponentResource {
  /** What the PostgreSQL component needs; the key pair is secret. */
  readonly endpoint: ObjectStoreEndpoint;

  constructor(name: string, args: BackupObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:BackupObjectStore", name, {}, opts);
    const child = { parent: this, provider: args.provider };

    const container = new openstack.objectstorage.Container(
      `${name}-container`,
      {
        name: args.container,
        // Never delete a non-empty backup container, even if the resource is removed.
        forceDestroy: false,
        metadata: { purpose: "postgresql-backups" },
      },
      // The backups themselves live here.
      { ...child, protect: true },
    );

    const credential = new openstack.identity.Ec2CredentialV3(
      `${name}-s3-credential`,
      { projectId: args.projectId },
      { ...child, additionalSecretOutputs: ["access", "secret"] },
    );

    this.endpoint = {
      endpoint: args.s3Endpoint,
      region: args.s3Region,
      bucket: container.name,
      accessKeyId: pulumi.secret(credential.access),
      secretAccessKey: pulumi.secret(credential.secret),
    };
    this.registerOutputs({ bucket: this.endpoint.bucket, endpoint: args.s3Endpoint });
  }
}
