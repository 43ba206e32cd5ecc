// Object storage for PostgreSQL backups: one Swift container per site in the platform project's
// Swift account, reached through Swift's S3 API (s3api) with the EC2 credential of a backup user
// that holds only the object-store role(s) on that project. Barman's key can therefore read and
// write the project's containers and nothing else: no servers, no networks, no other project.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ObjectStoreEndpoint } from "../types";
import { PlannedIdentity } from "./identity-plan";

export interface BackupObjectStoreArgs {
  /** Cloud-admin provider: creates the backup user, its roles and its EC2 credential. */
  readonly adminProvider: openstack.Provider;
  /** Provider scoped to the platform project: creates the container in the project's account. */
  readonly provider: openstack.Provider;
  readonly projectId: pulumi.Input<string>;
  /** Keystone domain id of the project (and of the backup user). */
  readonly domainId: string;
  /** The backup user and its object-store roles (identity-plan.ts). */
  readonly identity: PlannedIdentity;
  /** Swift container name = S3 bucket name. */
  readonly container: string;
  /** S3 API endpoint of Swift, reachable from the clusters. */
  readonly s3Endpoint: string;
  readonly s3Region: string;
}

export class BackupObjectStore extends pulumi.ComponentResource {
  /** What the PostgreSQL component needs; the key pair is secret. */
  readonly endpoint: ObjectStoreEndpoint;
  /** The backup user Barman's credential belongs to. */
  readonly backupUserId: pulumi.Output<string>;

  constructor(name: string, args: BackupObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:BackupObjectStore", name, {}, opts);
    const admin = { parent: this, provider: args.adminProvider };

    const container = new openstack.objectstorage.Container(
      `${name}-container`,
      {
        name: args.container,
        // Never delete a non-empty backup container, even if the resource is removed.
        forceDestroy: false,
        metadata: { purpose: "postgresql-backups" },
      },
      // The backups themselves live here.
      { parent: this, provider: args.provider, protect: true },
    );

    // No password: the user never logs in. Its only credential is the EC2 key pair below, which
    // Keystone's ec2tokens turns into a token scoped to the project with exactly these roles.
    const user = new openstack.identity.User(
      `${name}-user`,
      {
        name: args.identity.userName,
        domainId: args.domainId,
        defaultProjectId: args.projectId,
        description: "Barman Cloud backups of the plant reporting databases: object storage only",
        enabled: true,
      },
      admin,
    );
    const grants = args.identity.roles.map((roleName) => {
      const role = openstack.identity.getRoleOutput({ name: roleName }, admin);
      return new openstack.identity.RoleAssignment(
        `${name}-role-${roleName}`,
        { projectId: args.projectId, userId: user.id, roleId: role.id },
        admin,
      );
    });

    // Keystone lets an admin create an EC2 credential for another user (keystone/api/users.py,
    // UserOSEC2CredentialsResourceListCreate.post checks policy, user and project only); the
    // provider sends user_id and tenant_id as given. It waits for the roles, so the key works as
    // soon as Barman gets it.
    const credential = new openstack.identity.Ec2CredentialV3(
      `${name}-s3-credential`,
      { projectId: args.projectId, userId: user.id },
      { ...admin, dependsOn: grants, additionalSecretOutputs: ["access", "secret"] },
    );

    this.endpoint = {
      endpoint: args.s3Endpoint,
      region: args.s3Region,
      bucket: container.name,
      accessKeyId: pulumi.secret(credential.access),
      secretAccessKey: pulumi.secret(credential.secret),
    };
    this.backupUserId = user.id;
    this.registerOutputs({
      bucket: this.endpoint.bucket,
      endpoint: args.s3Endpoint,
      backupUserId: this.backupUserId,
    });
  }
}
