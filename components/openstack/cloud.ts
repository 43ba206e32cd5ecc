// Everything the platform needs inside the OpenStack cloud of one site, composed from the
// project, network, security-group, port, compute and object-store components. The VMs
// themselves are created by the Kubernetes cluster component from the slots this one prepares.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig, OpenStackConfig } from "../../config/site";
import { CloudPlan } from "./cloud-plan";
import { ComputeFoundation } from "./compute-foundation";
import { planIdentities } from "./identity-plan";
import { PlantNetwork } from "./network";
import { BlockStorageAccess } from "./block-storage";
import { BackupObjectStore } from "./object-store";
import { ClusterPorts } from "./ports";
import { PlatformProject } from "./project";
import { ClusterSecurityGroup } from "./security-groups";

export interface OpenStackCloudArgs {
  readonly siteName: string;
  readonly settings: OpenStackConfig;
  readonly network: NetworkConfig;
  /** The pure plan (cloud-plan.ts) built from the config and the VM placement. */
  readonly plan: CloudPlan;
}

export class OpenStackCloud extends pulumi.ComponentResource {
  /** Cloud-admin provider from clouds.yaml; only for cloud-wide objects. */
  readonly adminProvider: openstack.Provider;
  readonly project: PlatformProject;
  readonly network: PlantNetwork;
  readonly compute: ComputeFoundation;
  readonly securityGroups: ReadonlyMap<string, ClusterSecurityGroup>;
  readonly ports: ReadonlyMap<string, ClusterPorts>;
  readonly objectStore: BackupObjectStore;
  readonly blockStorage: BlockStorageAccess;

  constructor(name: string, args: OpenStackCloudArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:Cloud", name, {}, opts);
    const s = args.settings;
    const prefix = s.projectName;

    // The admin's credentials come from the clouds.yaml entry named in config, never from
    // Pulumi config; the platform user's are created by the program (project.ts).
    this.adminProvider = new openstack.Provider(
      `${name}-admin`,
      { cloud: s.cloud, region: s.region },
      { parent: this },
    );
    const identities = planIdentities(s);

    this.project = new PlatformProject(
      `${name}-platform`,
      {
        adminProvider: this.adminProvider,
        region: s.region,
        projectName: s.projectName,
        domainId: s.domain,
        description: `Plant reporting platform, site ${args.siteName}`,
        quotas: args.plan.quotas,
        identity: identities.platform,
        ...(identities.authUrl !== undefined ? { authUrl: identities.authUrl } : {}),
      },
      { parent: this },
    );
    const provider = this.project.provider;
    const projectId = this.project.projectId;

    this.network = new PlantNetwork(
      `${name}-network`,
      {
        adminProvider: this.adminProvider,
        projectId,
        namePrefix: prefix,
        network: args.network,
        allocationPool: args.plan.allocationPool,
      },
      { parent: this },
    );

    this.compute = new ComputeFoundation(
      `${name}-compute`,
      {
        adminProvider: this.adminProvider,
        provider,
        projectId,
        namePrefix: prefix,
        zones: args.plan.zones,
        clusters: args.plan.clusters,
        image: s.image,
        keypair: s.keypair,
      },
      { parent: this },
    );

    const securityGroups = new Map<string, ClusterSecurityGroup>();
    const ports = new Map<string, ClusterPorts>();
    for (const c of args.plan.clusters) {
      const group = new ClusterSecurityGroup(
        `${name}-${c.name}`,
        { provider, groupName: `${prefix}-${c.name}-nodes`, cluster: c.name, rules: c.rules },
        { parent: this },
      );
      securityGroups.set(c.name, group);
      ports.set(
        c.name,
        new ClusterPorts(
          `${name}-${c.name}-ports`,
          {
            provider,
            cluster: c.name,
            networkId: this.network.networkId,
            subnetId: this.network.subnetId,
            securityGroupId: group.groupId,
            ports: c.ports,
            reservations: c.reservations,
          },
          { parent: this },
        ),
      );
    }
    this.securityGroups = securityGroups;
    this.ports = ports;

    this.objectStore = new BackupObjectStore(
      `${name}-backups`,
      {
        adminProvider: this.adminProvider,
        provider,
        projectId,
        domainId: s.domain,
        identity: identities.backup,
        container: s.objectStore.container,
        s3Endpoint: s.objectStore.s3Endpoint,
        s3Region: s.objectStore.s3Region,
      },
      { parent: this },
    );

    this.blockStorage = new BlockStorageAccess(
      `${name}-block-storage`,
      {
        provider,
        authUrl: this.project.authUrl,
        region: s.region,
        credentialName: `${prefix}-cinder-csi`,
        roles: s.identity.platformRoles,
        ...(s.blockStorage.volumeType !== undefined
          ? { volumeType: s.blockStorage.volumeType }
          : {}),
      },
      { parent: this },
    );

    this.registerOutputs({
      projectId,
      networkId: this.network.networkId,
      subnetId: this.network.subnetId,
      bucket: this.objectStore.endpoint.bucket,
    });
  }
}
