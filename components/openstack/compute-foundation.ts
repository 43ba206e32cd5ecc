// What Nova needs before a VM can be booted: one availability zone per R620 (a host aggregate
// with a single host, so a VM's zone names its physical host), private flavors per cluster role,
// server groups as a second guard behind the placement plan, the boot image and the keypair.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { OpenStackConfig } from "../../config/site";
import { NodeRole } from "../types";
import { ClusterCloudPlan } from "./cloud-plan";

export interface ComputeFoundationArgs {
  /** Aggregates and flavors are cloud-wide objects: they need the admin provider. */
  readonly adminProvider: openstack.Provider;
  /** Provider scoped to the platform project. */
  readonly provider: openstack.Provider;
  readonly projectId: pulumi.Input<string>;
  readonly namePrefix: string;
  /** One entry per R620: the Nova host and the zone named after it. */
  readonly zones: readonly { readonly host: string; readonly zone: string }[];
  readonly clusters: readonly ClusterCloudPlan[];
  readonly image: OpenStackConfig["image"];
  readonly keypair: OpenStackConfig["keypair"];
}

type PerRole<T> = Readonly<Record<NodeRole, T>>;

export class ComputeFoundation extends pulumi.ComponentResource {
  readonly imageId: pulumi.Output<string>;
  readonly keypairName: pulumi.Output<string>;
  /** Cluster → role → flavor id. */
  readonly flavorIds: ReadonlyMap<string, PerRole<pulumi.Output<string>>>;
  /** Cluster → role → server group id. */
  readonly serverGroupIds: ReadonlyMap<string, PerRole<pulumi.Output<string>>>;
  /** R620 name → availability zone name, resolved once the zone's aggregate exists. */
  readonly zones: ReadonlyMap<string, pulumi.Output<string>>;

  constructor(name: string, args: ComputeFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:ComputeFoundation", name, {}, opts);
    const admin = { parent: this, provider: args.adminProvider };
    const project = { parent: this, provider: args.provider };

    const zones = new Map<string, pulumi.Output<string>>();
    for (const z of args.zones) {
      const aggregate = new openstack.compute.AggregateV2(
        `${name}-az-${z.host}`,
        {
          name: `${args.namePrefix}-${z.host}`,
          zone: z.zone,
          hosts: [z.host],
          metadata: { "plant-host": z.host },
        },
        admin,
      );
      zones.set(
        z.host,
        aggregate.zone.apply((zone) => zone ?? z.zone),
      );
    }

    const flavorIds = new Map<string, PerRole<pulumi.Output<string>>>();
    const serverGroupIds = new Map<string, PerRole<pulumi.Output<string>>>();
    for (const c of args.clusters) {
      const flavorOf = (role: NodeRole): pulumi.Output<string> => {
        const f = c.flavors[role];
        // Private to the platform project, so other tenants neither see nor use it.
        const flavor = new openstack.compute.Flavor(
          `${name}-${c.name}-${role}-flavor`,
          { name: f.name, vcpus: f.vcpus, ram: f.ramMb, disk: f.diskGb, isPublic: false },
          admin,
        );
        const access = new openstack.compute.FlavorAccess(
          `${name}-${c.name}-${role}-flavor-access`,
          { flavorId: flavor.id, tenantId: args.projectId },
          admin,
        );
        // The project cannot see a private flavor before access is granted: hand out an id
        // that resolves only after the grant, so an instance built from it waits for it.
        return pulumi.all([flavor.id, access.id]).apply(([id]) => id);
      };
      flavorIds.set(c.name, {
        "control-plane": flavorOf("control-plane"),
        worker: flavorOf("worker"),
      });

      // Server groups are immutable in Nova: a new name or policy replaces the group, and a VM
      // cannot change group without being rebuilt, so every member would be replaced. protect
      // turns such a change into an explicit decision.
      const groupOf = (role: NodeRole): pulumi.Output<string> => {
        const g = c.serverGroups[role];
        const group = new openstack.compute.ServerGroup(
          `${name}-${c.name}-${role}-group`,
          { name: g.name, policies: [g.policy] },
          { ...project, protect: true },
        );
        return group.id;
      };
      serverGroupIds.set(c.name, {
        "control-plane": groupOf("control-plane"),
        worker: groupOf("worker"),
      });
    }

    this.imageId = this.image(name, args.image, args.namePrefix, project);

    const keypair = new openstack.compute.Keypair(
      `${name}-keypair`,
      // Public key only: a keypair without publicKey would make Nova generate a private key
      // and put it in the state.
      { name: args.keypair.name, publicKey: args.keypair.publicKey },
      project,
    );

    this.keypairName = keypair.name;
    this.flavorIds = flavorIds;
    this.serverGroupIds = serverGroupIds;
    this.zones = zones;
    this.registerOutputs({ imageId: this.imageId, keypairName: this.keypairName });
  }

  private image(
    name: string,
    image: OpenStackConfig["image"],
    prefix: string,
    opts: { readonly parent: pulumi.Resource; readonly provider: openstack.Provider },
  ): pulumi.Output<string> {
    if ("existingName" in image) {
      // A pre-uploaded image (e.g. by the cloud installer); looked up, never managed.
      return openstack.images.getImageOutput({ name: image.existingName, mostRecent: true }, opts)
        .id;
    }
    const uploaded = new openstack.images.Image(
      `${name}-image`,
      {
        name: image.name,
        imageSourceUrl: image.url,
        containerFormat: "bare",
        diskFormat: "qcow2",
        minDiskGb: image.minDiskGb,
        visibility: "private",
        // Glance's checksum of the upload is compared with the downloaded file.
        verifyChecksum: true,
        // The pinned digest travels with the image; see docs/openstack.md for checking it.
        properties: { os_distro: "ubuntu", plant_source_sha256: image.sha256 },
        tags: [`${prefix}-boot-image`],
      },
      opts,
    );
    return uploaded.id;
  }
}
