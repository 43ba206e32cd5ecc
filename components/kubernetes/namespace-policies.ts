// Declares an add-on namespace's ingress policies (see addon-network-policy-spec.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { addonIngressPolicies, AllowedIngress } from "../addon-network-policy-spec";
import { PlantCluster } from "../types";

export interface NamespacePoliciesArgs {
  readonly cluster: PlantCluster;
  readonly namespace: string;
  /** The Namespace resource: the policies live in it. */
  readonly namespaceResource: pulumi.Resource;
  readonly allows: readonly AllowedIngress[];
}

export class NamespacePolicies extends pulumi.ComponentResource {
  /** Every policy, deny last: workloads may start once these exist. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: NamespacePoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:NamespacePolicies", name, {}, opts);
    const p = addonIngressPolicies(args.namespace, args.allows);
    const child = { parent: this, provider: args.cluster.provider };
    const allows = p.allows.map(
      (a) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-${a.metadata.name}`, a, {
          ...child,
          dependsOn: [args.namespaceResource],
        }),
    );
    // The deny comes last, so a webhook is never cut off between the two.
    const deny = new k8s.networking.v1.NetworkPolicy(`${name}-${p.deny.metadata.name}`, p.deny, {
      ...child,
      dependsOn: [args.namespaceResource, ...allows],
    });
    this.ready = [...allows, deny];
    this.registerOutputs({});
  }
}
