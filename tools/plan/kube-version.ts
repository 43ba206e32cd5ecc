// The Kubernetes server version each cluster reports, which the provider hands Helm
// (`--kube-version`): an RKE2 cluster's pinned release (config/schema.ts accepts v1.36.x only),
// e.g. v1.36.5+rke2r1 as its gitVersion. An existing cluster states no version in the stack file;
// the program supports Kubernetes 1.36 only, so it renders as the oldest patch, v1.36.0 — the
// version a chart's `kubeVersion` constraint is most likely to refuse.
import { SiteConfig } from "../../config/site";
import { ExpansionContext } from "./chart-children";
import { PlannedResource } from "./recorder";

export const EXISTING_CLUSTER_KUBE_VERSION = "v1.36.0";

export function kubeVersionOf(site: SiteConfig, cluster: string): string {
  const c = site.clusters.find((x) => x.name === cluster);
  if (!c) throw new Error(`no cluster '${cluster}' in the site configuration`);
  return c.kind === "openstack" ? c.version : EXISTING_CLUSTER_KUBE_VERSION;
}

/**
 * Clusters are named by their provider, `k8s-<cluster>` (as tools/plan/manifests.ts reads them);
 * every cluster's charts come through the site's chart mirrors (components/kubernetes/index.ts).
 */
export function expansionContext(
  site: SiteConfig,
  resources: readonly PlannedResource[],
): ExpansionContext {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const clusterOf = (providerUrn: string | undefined): string => {
    const name = providerUrn ? byUrn.get(providerUrn)?.name : undefined;
    if (!name?.startsWith("k8s-")) {
      throw new Error(
        `a Kubernetes component uses provider ${providerUrn ?? "(default)"}, not a cluster's k8s-<cluster> provider`,
      );
    }
    return name.slice(4);
  };
  return {
    clusterOf,
    kubeVersionOf: (p) => kubeVersionOf(site, clusterOf(p)),
    chartMirrors: site.mirrors?.charts,
  };
}
