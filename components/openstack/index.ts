// Entry point of the OpenStack area: plans the cloud from the config and the VM placement, declares
// it, and hands the Kubernetes area one slot per VM (port, flavor, server group, zone).
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { SiteConfig } from "../../config/site";
import { OpenStackOutput } from "../../outputs";
import { BlockStorageEndpoint, ObjectStoreEndpoint } from "../types";
import { planCloud } from "./cloud-plan";
import { OpenStackCloud } from "./cloud";
import { Placement, PlannedVm } from "./placement";

export { formatPlacement, placementPins, planPlacement } from "./placement";

/** A planned VM with the OpenStack objects it is built from. */
export interface OpenStackVmSlot extends PlannedVm {
  /** Port with the fixed IP and the allowed address pairs. */
  readonly port: openstack.networking.Port;
  readonly flavorId: pulumi.Output<string>;
  readonly serverGroupId: pulumi.Output<string>;
  /** Availability zone pinning the VM to its R620 (the R620's name). */
  readonly availabilityZone: string;
}

/** What the cluster component needs to create its VMs. */
export interface OpenStackFoundation {
  /** Provider scoped to the platform project. */
  readonly provider: openstack.Provider;
  readonly imageId: pulumi.Output<string>;
  readonly keypairName: pulumi.Output<string>;
  readonly vms: readonly OpenStackVmSlot[];
  readonly objectStore: ObjectStoreEndpoint;
  /** Cinder access for the clusters' CSI drivers. Always set by declareOpenStack. */
  readonly blockStorage?: BlockStorageEndpoint;
  readonly outputs: OpenStackOutput;
  /** Platform project id. Always set by declareOpenStack (optional for hand-made test doubles). */
  readonly projectId?: pulumi.Output<string>;
  /** Plant LAN provider network and subnet. Always set by declareOpenStack. */
  readonly networkId?: pulumi.Output<string>;
  readonly subnetId?: pulumi.Output<string>;
  /** Cluster name → id of the security group on its node ports. Always set by declareOpenStack. */
  readonly securityGroupIds?: ReadonlyMap<string, pulumi.Output<string>>;
  /**
   * The subnet has no DHCP (the plant runs its own): instances must boot with a config drive so
   * cloud-init reads their static address from network_data.json. Always true.
   */
  readonly configDrive?: boolean;
  /** The component holding everything, for dependsOn. Always set by declareOpenStack. */
  readonly cloud?: pulumi.Resource;
}

/** Declares the site's cloud. Throws SiteConfigError (before any resource) if the plan is unsound. */
export function declareOpenStack(
  site: SiteConfig,
  placement: Placement,
): OpenStackFoundation | undefined {
  const plan = planCloud(site, placement);
  const cloud = new OpenStackCloud("openstack", {
    siteName: site.site.name,
    settings: site.openstack,
    network: site.network,
    plan,
  });

  const vms: OpenStackVmSlot[] = plan.clusters.flatMap((c) =>
    c.ports.map(({ vm }) => {
      const port = cloud.ports.get(c.name)?.vmPorts.get(vm.name);
      const flavorId = cloud.compute.flavorIds.get(c.name)?.[vm.role];
      const groupId = cloud.compute.serverGroupIds.get(c.name)?.[vm.role];
      const zone = cloud.compute.zones.get(vm.host);
      if (!port || !flavorId || !groupId || !zone) {
        throw new Error(`no OpenStack slot was declared for VM ${vm.name}`);
      }
      // Nova rejects a zone that does not exist yet: the server-group id handed out resolves only
      // once the R620's aggregate exists, so an instance built from the slot waits for its zone.
      const serverGroupId = pulumi.all([groupId, zone]).apply(([id]) => id);
      return { ...vm, port, flavorId, serverGroupId, availabilityZone: vm.host };
    }),
  );

  const outputs: OpenStackOutput = {
    projectId: cloud.project.projectId,
    networkId: cloud.network.networkId,
    subnetId: cloud.network.subnetId,
    vms: placement.vms.map((v) => ({
      name: v.name,
      cluster: v.cluster,
      role: v.role,
      host: v.host,
      ip: v.ip,
    })),
    objectStore: {
      endpoint: cloud.objectStore.endpoint.endpoint,
      bucket: cloud.objectStore.endpoint.bucket,
    },
  };

  return {
    provider: cloud.project.provider,
    imageId: cloud.compute.imageId,
    keypairName: cloud.compute.keypairName,
    vms,
    objectStore: cloud.objectStore.endpoint,
    blockStorage: cloud.blockStorage.endpoint,
    outputs,
    projectId: cloud.project.projectId,
    networkId: cloud.network.networkId,
    subnetId: cloud.network.subnetId,
    securityGroupIds: new Map([...cloud.securityGroups].map(([c, g]) => [c, g.groupId])),
    configDrive: true,
    cloud,
  };
}
