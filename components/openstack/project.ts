// The platform's own Keystone project, its quotas, the deploying user's role in it, and a
// provider scoped to it. Everything the platform runs lives in this project, apart from other
// tenants of the cloud; only cloud-wide objects (aggregates, flavors, the provider network) need
// the admin provider.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { QuotaPlan } from "./cloud-plan";

export interface PlatformProjectArgs {
  /** Provider with cloud-admin rights (clouds.yaml entry `cloud`). */
  readonly adminProvider: openstack.Provider;
  /** clouds.yaml entry used by both providers. */
  readonly cloud: string;
  readonly region: string;
  readonly projectName: string;
  /** Keystone domain id the project is created in. */
  readonly domainId: string;
  readonly description: string;
  readonly quotas: QuotaPlan;
  /** Keystone role the deploying user gets in the project. Default `member`. */
  readonly roleName?: string;
}

export class PlatformProject extends pulumi.ComponentResource {
  readonly projectId: pulumi.Output<string>;
  readonly projectName: pulumi.Output<string>;
  /** The user the credentials in clouds.yaml authenticate as. */
  readonly userId: pulumi.Output<string>;
  /** Provider scoped to the platform project; every project resource uses it. */
  readonly provider: openstack.Provider;

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

    // The deploying user (from clouds.yaml) needs a role in the new project before the
    // project-scoped provider can authenticate into it.
    const scope = openstack.identity.getAuthScopeOutput({ name: `${name}-deployer` }, admin);
    const role = openstack.identity.getRoleOutput({ name: args.roleName ?? "member" }, admin);
    const assignment = new openstack.identity.RoleAssignment(
      `${name}-deployer-role`,
      { projectId: project.id, userId: scope.userId, roleId: role.id },
      admin,
    );

    // Same credentials, scoped to the platform project by name (the clouds.yaml entry must
    // authenticate with project_name, not project_id; see docs/openstack.md). Everything created
    // through it waits for the role and for the quotas (the defaults are too small for the VMs).
    this.provider = new openstack.Provider(
      `${name}-scoped`,
      { cloud: args.cloud, region: args.region, tenantName: project.name },
      { parent: this, dependsOn: [assignment, computeQuota, networkQuota] },
    );

    this.projectId = project.id;
    this.projectName = project.name;
    this.userId = scope.userId;
    this.registerOutputs({ projectId: this.projectId, userId: this.userId });
  }
}
