// What the clusters' Cinder CSI drivers use to create, attach, grow and delete database volumes:
// an application credential of the platform user, made through the project-scoped provider (so
// Keystone restricts it to the platform project and to the platform roles), with a generated
// secret that stays a Pulumi secret from here to the cluster's Secret.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { BlockStorageEndpoint } from "../types";

export interface BlockStorageAccessArgs {
  /** Provider authenticated as the platform user, scoped to the platform project. */
  readonly provider: openstack.Provider;
  readonly authUrl: pulumi.Output<string>;
  readonly region: string;
  /** `<projectName>-cinder-csi`. */
  readonly credentialName: string;
  /** Roles the credential carries: the platform roles (a subset of the user's own). */
  readonly roles: readonly string[];
  readonly volumeType?: string;
}

export class BlockStorageAccess extends pulumi.ComponentResource {
  readonly endpoint: BlockStorageEndpoint;

  constructor(name: string, args: BlockStorageAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:BlockStorageAccess", name, {}, opts);
    // Keystone stores only a hash; generating the secret here keeps it reproducible in state.
    const secret = new random.RandomPassword(
      `${name}-secret`,
      { length: 64, special: false },
      { parent: this },
    );
    const credential = new openstack.identity.ApplicationCredential(
      `${name}-credential`,
      {
        name: args.credentialName,
        description: "Cinder CSI of the plant reporting clusters: database volumes",
        roles: [...args.roles],
        secret: pulumi.secret(secret.result),
        // Restricted: it cannot create further application credentials or trusts.
        unrestricted: false,
      },
      { parent: this, provider: args.provider, additionalSecretOutputs: ["secret"] },
    );
    this.endpoint = {
      authUrl: args.authUrl,
      region: args.region,
      applicationCredentialId: credential.id,
      applicationCredentialSecret: pulumi.secret(secret.result),
      ...(args.volumeType !== undefined ? { volumeType: args.volumeType } : {}),
    };
    this.registerOutputs({ applicationCredentialId: credential.id });
  }
}
