// Installs the Cinder CSI driver and the cluster's default StorageClass (cinder-csi-spec.ts):
// namespace with its Pod Security level and ingress deny, the cloud-config Secret built from the
// OpenStack area's application credential (a secret end to end), the pinned chart, the class.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BlockStorageEndpoint, PlantCluster } from "../types";
import {
  blockStorageClass,
  CINDER_CSI_CHART,
  CINDER_CSI_NAMESPACE,
  CINDER_CSI_NAMESPACE_LABELS,
  cinderCsiValues,
  CLOUD_CONFIG_SECRET,
  cloudConfig,
} from "./cinder-csi-spec";
import { NamespacePolicies } from "./namespace-policies";

export interface CinderCsiArgs {
  /** The cluster it serves (its provider, name and readiness). */
  readonly cluster: PlantCluster;
  /** Name of the default StorageClass (plant:clusters[].storageClass). */
  readonly storageClassName: string;
  readonly blockStorage: BlockStorageEndpoint;
  /** What must exist before the driver's pods start (the API, the metadata block). */
  readonly dependsOn?: readonly pulumi.Resource[];
}

export class CinderCsi extends pulumi.ComponentResource {
  /** The chart and the StorageClass: claims bind once both exist. */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: CinderCsiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:CinderCsi", name, {}, opts);
    const provider = args.cluster.provider;
    const child = { parent: this, provider };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: CINDER_CSI_NAMESPACE, labels: { ...CINDER_CSI_NAMESPACE_LABELS } } },
      { ...child, dependsOn: [...(args.dependsOn ?? [])] },
    );
    // Nothing calls the driver over the network (the kubelet and sidecars use unix sockets).
    const policies = new NamespacePolicies(
      `${name}-policies`,
      {
        cluster: args.cluster,
        namespace: CINDER_CSI_NAMESPACE,
        namespaceResource: namespace,
        allows: [],
      },
      { parent: this },
    );
    const b = args.blockStorage;
    const config = new k8s.core.v1.Secret(
      `${name}-cloud-config`,
      {
        metadata: { name: CLOUD_CONFIG_SECRET, namespace: CINDER_CSI_NAMESPACE },
        type: "Opaque",
        stringData: {
          "cloud.conf": pulumi.secret(
            pulumi
              .all([b.authUrl, b.applicationCredentialId, b.applicationCredentialSecret])
              .apply(([authUrl, id, secret]) =>
                cloudConfig({
                  authUrl,
                  region: b.region,
                  applicationCredentialId: id,
                  applicationCredentialSecret: secret,
                }),
              ),
          ),
        },
      },
      { ...child, dependsOn: [namespace] },
    );
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        chart: CINDER_CSI_CHART.chart,
        version: CINDER_CSI_CHART.version,
        name: CINDER_CSI_CHART.release,
        repositoryOpts: { repo: CINDER_CSI_CHART.repo },
        namespace: CINDER_CSI_NAMESPACE,
        values: cinderCsiValues(args.cluster.name),
      },
      { ...child, dependsOn: [namespace, config, ...policies.ready] },
    );
    const sc = blockStorageClass(args.storageClassName, b.volumeType);
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-class`,
      sc as unknown as k8s.storage.v1.StorageClassArgs,
      // Retained volumes hold database data: never replaced or deleted on a routine change.
      { ...child, protect: true, retainOnDelete: true, dependsOn: [chart] },
    );
    this.ready = [chart, storageClass];
    this.registerOutputs({});
  }
}
