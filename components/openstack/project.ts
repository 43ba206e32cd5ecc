// The platform's own Keystone project, its quotas, the platform user that acts inside it, and the
// provider that authenticates as that user into the project. Everything tenant-level (server
// groups, keypair, image, security groups, ports, VMs, the backup container) is created through
// that provider; only cloud-wide objects and identity administration use the admin provider.
//
// Why a user of its own: with `cloud` set, terraform-provider-openstack takes the project from
// clouds.yaml and ignores tenant_id/tenant_name (see identity-plan.ts), so "the admin's entry
// plus another project" cannot be expressed; explicit credentials with tenantId can.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { QuotaPlan } from "./cloud-plan";
import { PlannedIdentity } from "./identity-plan";

export interface PlatformProjectArgs {
  /** Provider with cloud-admin rights (clouds.yaml entry `plant:openstack.cloud`). */
  readonly adminProvider: openstack.Provider;
  readonly region: string;
  readonly projectName: string;
  /** Keystone domain id the project and its users are created in. */
  readonly domainId: string;
  readonly description: string;
  readonly quotas: QuotaPlan;
  /** The platform user and its roles on the project (identity-plan.ts). */
  readonly identity: PlannedIdentity;
  /**
   * Keystone URL the platform user authenticates against. Default: the public identity endpoint
   * of `region` in the admin cloud's catalog.
   */
  readonly authUrl?: string;
}

export class PlatformProject extends pulumi.ComponentResource {
  readonly projectId: pulumi.Output<string>;
  readonly projectName: pulumi.Output<string>;
  /** The platform user: creator of every tenant-level resource. */
  readonly platformUserId: pulumi.Output<string>;
  /** Provider authenticated as the platform user, scoped to the project by id. */
  readonly provider: openstack.Provider;
  /** Keystone URL the platform user (and the clusters' Cinder CSI) authenticate against. */
  readonly authUrl: pulumi.Output<string>;

  constructor(name: string, args: PlatformProjectArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:Project", name, {}, opts);
    const admin = { parent: this, provider: args.adminProvider };

    const project = new openstack.identity.Project(
      `${name}-project`,
      {
        name: args.projectName,
        domainId: args.domainId,
        description: args.description,
        enabled: true,
        tags: ["plant-reporting"],
      },
      // Deleting the project would orphan every VM, volume and backup in it.
      { ...admin, protect: true },
    );

    const q = args.quotas;
    const computeQuota = new openstack.compute.QuotaSetV2(
      `${name}-compute-quota`,
      {
        projectId: project.id,
        instances: q.compute.instances,
        cores: q.compute.cores,
        ram: q.compute.ramMb,
        serverGroups: q.compute.serverGroups,
        serverGroupMembers: q.compute.serverGroupMembers,
      },
      admin,
    );
    // Cinder's defaults (1000 GB, 10 volumes) are not this site's: database volumes are sized here.
    const volumeQuota = new openstack.blockstorage.QuoteSetV3(
      `${name}-volume-quota`,
      { projectId: project.id, gigabytes: q.volume.gigabytes, volumes: q.volume.volumes },
      admin,
    );
    const networkQuota = new openstack.networking.QuotaV2(
      `${name}-network-quota`,
      {
        projectId: project.id,
        network: q.network.network,
        subnet: q.network.subnet,
        port: q.network.port,
        router: q.network.router,
        floatingip: q.network.floatingip,
        securityGroup: q.network.securityGroup,
        securityGroupRule: q.network.securityGroupRule,
      },
      admin,
    );

    // Mixed classes and length satisfy the usual Keystone password_regex settings; the symbols
    // avoid quoting trouble in clouds.yaml or a shell if an operator ever needs the password.
    const password = new random.RandomPassword(
      `${name}-password`,
      {
        length: 40,
        special: true,
        overrideSpecial: "-_.,:+=",
        minLower: 2,
        minUpper: 2,
        minNumeric: 2,
        minSpecial: 2,
      },
      { parent: this },
    );
    const user = new openstack.identity.User(
      `${name}-user`,
      {
        name: args.identity.userName,
        domainId: args.domainId,
        defaultProjectId: project.id,
        description: "Plant reporting platform: creates the platform's servers, ports and storage",
        enabled: true,
        password: password.result,
        // Keystone's PCI-DSS options would otherwise lock the program out at the first run
        // (forced change on first use) or some months later (expiry); the password changes
        // only when the program replaces it.
        ignoreChangePasswordUponFirstUse: true,
        ignorePasswordExpiry: true,
      },
      admin,
    );
    const grants = args.identity.roles.map((roleName) => {
      const role = openstack.identity.getRoleOutput({ name: roleName }, admin);
      return new openstack.identity.RoleAssignment(
        `${name}-role-${roleName}`,
        { projectId: project.id, userId: user.id, roleId: role.id },
        admin,
      );
    });

    const authUrl =
      args.authUrl ??
      openstack.identity.getEndpointOutput(
        { serviceType: "identity", interface: "public", endpointRegion: args.region },
        admin,
      ).url;

    // No `cloud`: it would win over everything below. userName + userDomainId, not userId: the
    // provider's default_domain ("default") becomes the user domain, which gophercloud refuses
    // beside a user id. The password input is secret (the SDK also lists it as a secret output).
    // Everything created through this provider waits for the grants and the quotas (Nova's
    // defaults are below one site's need).
    this.provider = new openstack.Provider(
      `${name}-scoped`,
      {
        authUrl,
        region: args.region,
        userName: user.name,
        userDomainId: args.domainId,
        password: pulumi.secret(password.result),
        tenantId: project.id,
      },
      { parent: this, dependsOn: [...grants, computeQuota, networkQuota, volumeQuota] },
    );

    this.authUrl = pulumi.output(authUrl);
    this.projectId = project.id;
    this.projectName = project.name;
    this.platformUserId = user.id;
    this.registerOutputs({ projectId: this.projectId, platformUserId: this.platformUserId });
  }
}
