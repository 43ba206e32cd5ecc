// INITIAL STUB (spine): replaced by the Kubernetes clusters issue.
import { SiteConfig, SiteSecrets } from "../../config";
import { OpenStackFoundation } from "../openstack";
import { Placement } from "../openstack/placement";
import { PlantCluster } from "../types";

export function declareClusters(
  _site: SiteConfig,
  _secrets: SiteSecrets,
  _placement: Placement,
  _openstack: OpenStackFoundation | undefined,
): PlantCluster[] {
  return [];
}
