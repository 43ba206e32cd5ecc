// A cluster the plant already runs (OptiPlexes, Nutanix/vSphere VMs), reached by its kubeconfig
// from secret config. The program only labels its nodes with the physical machine they run on.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartMirror } from "../mirrors";
import { ClusterNode, PHYSICAL_HOST_LABEL, PlantCluster, PLANT_HOST_LABEL } from "../types";
import { kubeconfigProviderOptions } from "./kubeconfig";

export interface ExistingClusterArgs {
  readonly clusterName: string;
  /** From config: https://<address>:6443 */
  readonly apiEndpoint: string;
  /** Secret. In the offline plan a placeholder: never parsed here. */
  readonly kubeconfig: pulumi.Input<string>;
  readonly storageClass: string;
  readonly nodes: readonly ClusterNode[];
  /** plant:mirrors.charts. Default none (upstream). The nodes' registries are the plant's to set. */
  readonly chartMirrors?: readonly ChartMirror[];
}

/** The labels a node gets; the same keys the RKE2 nodes register with. */
export function physicalHostLabels(physicalHost: string): Record<string, string> {
  return { [PHYSICAL_HOST_LABEL]: physicalHost, [PLANT_HOST_LABEL]: physicalHost };
}

export class ExistingCluster extends pulumi.ComponentResource implements PlantCluster {
  readonly name: string;
  readonly kind = "existing" as const;
  readonly provider: k8s.Provider;
  readonly apiEndpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly nodes: readonly ClusterNode[];
  readonly storageClass: string;
  readonly ready: readonly pulumi.Resource[];
  readonly nodePatches: readonly k8s.core.v1.NodePatch[];
  readonly chartMirrors?: readonly ChartMirror[];

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:ExistingCluster", name, {}, opts);
    this.name = args.clusterName;
    this.nodes = args.nodes;
    this.storageClass = args.storageClass;
    this.chartMirrors = args.chartMirrors;
    this.apiEndpoint = pulumi.output(args.apiEndpoint);
    this.kubeconfig = pulumi.secret(args.kubeconfig);
    this.provider = new k8s.Provider(
      `k8s-${args.clusterName}`,
      // A rotated kubeconfig (new credentials) updates the provider instead of replacing every object.
      // Named by the cluster only: moving the API endpoint must not look like a new cluster,
      // which would replace every object on it.
      { kubeconfig: this.kubeconfig, clusterIdentifier: args.clusterName },
      kubeconfigProviderOptions({ parent: this }),
    );
    // One server-side-apply patch per node, named by node: adding a node renames nothing.
    this.nodePatches = args.nodes.map(
      (node) =>
        new k8s.core.v1.NodePatch(
          `${name}-node-${node.name}`,
          {
            metadata: {
              name: node.name,
              labels: physicalHostLabels(node.physicalHost),
              // Labels set earlier by hand (kubectl label) belong to another field manager: take them over.
              annotations: { "pulumi.com/patchForce": "true" },
            },
          },
          { parent: this, provider: this.provider },
        ),
    );
    this.ready = this.nodePatches;
    this.registerOutputs({ apiEndpoint: this.apiEndpoint, kubeconfig: this.kubeconfig });
  }
}
