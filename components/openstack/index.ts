// INITIAL STUB (spine): replaced by the OpenStack issue.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { SiteConfig } from "../../config";
import { OpenStackOutput } from "../../outputs";
import { ObjectStoreEndpoint } from "../types";
import { Placement, PlannedVm } from "./placement";

/** A planned VM with the OpenStack objects it is built from. */
export interface OpenStackVmSlot extends PlannedVm {
  /** Port with the fixed IP and the allowed address pairs. */
  readonly port: openstack.networking.Port;
  readonly flavorId: pulumi.Output<string>;
  readonly serverGroupId: pulumi.Output<string>;
  /** Availability zone pinning the VM to its R620. */
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
  readonly outputs: OpenStackOutput;
}

export function declareOpenStack(_site: SiteConfig, _placement: Placement): OpenStackFoundation | undefined {
  return undefined;
}
