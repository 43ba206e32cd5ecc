// Entry point of the Kubernetes area: one PlantCluster per configured cluster, in config order.
// New clusters are RKE2 on the OpenStack VMs; existing ones are reached by kubeconfig.
import { controlPlaneSize, kubeconfigKey, SiteConfig, SiteSecrets } from "../../config";
import { OpenStackFoundation } from "../openstack";
import { Placement } from "../openstack/placement";
import { plannedClusterNodes } from "../../planning/cluster-nodes";
import { adoptionOptions } from "../adoption";
import { PlantCluster } from "../types";
import { ExistingCluster } from "./existing-cluster";
import { rke2Mirrors } from "./rke2-mirrors";
import { Rke2Cluster } from "./rke2-cluster";

export { ExistingCluster } from "./existing-cluster";
export { Rke2Cluster } from "./rke2-cluster";

export function declareClusters(
  site: SiteConfig,
  secrets: SiteSecrets,
  placement: Placement,
  openstack: OpenStackFoundation | undefined,
): PlantCluster[] {
  const chartMirrors = site.mirrors?.charts;
  const nodeMirrors = rke2Mirrors(site.mirrors);
  return site.clusters.map((c, i): PlantCluster => {
    if (c.kind === "existing") {
      const nodes = plannedClusterNodes(site, placement, c.name);
      return new ExistingCluster(
        c.name,
        {
          clusterName: c.name,
          apiEndpoint: c.apiEndpoint,
          kubeconfig: secrets.get(kubeconfigKey(c)),
          storageClass: c.storageClass,
          nodes,
          chartMirrors,
        },
        adoptionOptions(site, c.name),
      );
    }
    if (!openstack) {
      throw new Error(
        `[plant:clusters[${i}]] cluster ${c.name} is kind 'openstack' but no OpenStack foundation was declared`,
      );
    }
    if (!openstack.blockStorage) {
      throw new Error(
        `[plant:clusters[${i}]] cluster ${c.name}: the OpenStack foundation has no block storage access for its volumes`,
      );
    }
    // The foundation's slots carry the placement (host, IP, flavor) plus the OpenStack objects.
    return new Rke2Cluster(
      c.name,
      {
        clusterName: c.name,
        version: c.version,
        apiVip: c.apiVip,
        bootstrapped: c.bootstrapped,
        podCidr: c.podCidr,
        serviceCidr: c.serviceCidr,
        storageClass: c.storageClass,
        blockStorage: openstack.blockStorage,
        controlPlaneCount: controlPlaneSize(site, c),
        workerCount: c.workers.count,
        ntpServers: site.network.ntpServers,
        provider: openstack.provider,
        imageId: openstack.imageId,
        keypairName: openstack.keypairName,
        configDrive: openstack.configDrive ?? true,
        slots: openstack.vms.filter((v) => v.cluster === c.name),
        mirrors: nodeMirrors,
        chartMirrors,
      },
      adoptionOptions(site, c.name),
    );
  });
}
