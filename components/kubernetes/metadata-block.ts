// Declares the metadata-service block (metadata-block-spec.ts) on an RKE2 cluster. Workloads wait
// for it (it is part of the cluster's `ready`), so no pod of the program ever starts able to
// read the VMs' user data from 169.254.169.254.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { guardrailTier, metadataServicePolicy } from "./metadata-block-spec";

export interface MetadataServiceBlockArgs {
  /** Cluster name, for messages. */
  readonly clusterName: string;
}

export class MetadataServiceBlock extends pulumi.ComponentResource {
  /** The tier and the policy: pods may start once both exist. */
  readonly ready: readonly pulumi.Resource[];

  /** `opts.provider` must be the cluster's k8s provider. */
  constructor(
    name: string,
    args: MetadataServiceBlockArgs,
    opts: pulumi.ComponentResourceOptions & { provider: k8s.Provider },
  ) {
    super("plant:kubernetes:MetadataServiceBlock", name, { clusterName: args.clusterName }, opts);
    const child = { parent: this, provider: opts.provider };
    const tier = guardrailTier();
    // The CRDs come with Canal (RKE2 installs it before the API answers); a create before they
    // are served is retried by the provider (NoMatch).
    const tierResource = new k8s.apiextensions.CustomResource(`${name}-tier`, { ...tier }, child);
    const policy = metadataServicePolicy();
    const policyResource = new k8s.apiextensions.CustomResource(
      `${name}-policy`,
      { ...policy },
      { ...child, dependsOn: [tierResource] },
    );
    this.ready = [tierResource, policyResource];
    this.registerOutputs({});
  }
}
