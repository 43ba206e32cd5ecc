// Installs the Cinder CSI driver and the cluster's default StorageClass: the namespace with its
// Pod Security level and ingress deny, the controller's cloud.conf from the OpenStack area's
// application credential (a secret end to end), the node plugin's credential-free config, and
// the driver's objects ported from the pinned upstream manifests (cinder-csi-rbac.ts,
// cinder-csi-controller.ts, cinder-csi-node.ts), then the StorageClass.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BlockStorageEndpoint, PlantCluster } from "../types";
import { controllerDeployment, controllerDisruptionBudget } from "./cinder-csi-controller";
import { csiDriver, nodeConfigMap, nodePluginDaemonSet } from "./cinder-csi-node";
import {
  bindingName,
  CINDER_CSI_ROLES,
  clusterRole,
  clusterRoleBinding,
  serviceAccount,
} from "./cinder-csi-rbac";
import {
  blockStorageClass,
  CINDER_CSI_LABELS,
  CINDER_CSI_NAMESPACE,
  CINDER_CSI_NAMESPACE_LABELS,
  CLOUD_CONFIG_SECRET,
  cloudConfig,
  CONTROLLER_SA,
  NODE_SA,
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

/* eslint-disable @typescript-eslint/no-explicit-any -- plain objects handed to typed Args */
const typed = <T>(o: Record<string, unknown>): T => o as any as T;

export class CinderCsi extends pulumi.ComponentResource {
  /** The controller, the node plugin and the StorageClass: claims bind once all exist. */
  readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: CinderCsiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:CinderCsi", name, {}, opts);
    const child = { parent: this, provider: args.cluster.provider };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: CINDER_CSI_NAMESPACE,
          labels: { ...CINDER_CSI_LABELS, ...CINDER_CSI_NAMESPACE_LABELS },
        },
      },
      { ...child, dependsOn: [...(args.dependsOn ?? [])] },
    );
    const inNs = { ...child, dependsOn: [namespace] };
    // Nothing calls the driver over the network (the kubelet and sidecars use unix sockets;
    // the probes come from the kubelet).
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
        metadata: {
          name: CLOUD_CONFIG_SECRET,
          namespace: CINDER_CSI_NAMESPACE,
          labels: { ...CINDER_CSI_LABELS },
        },
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
      inNs,
    );
    const nodeConfig = new k8s.core.v1.ConfigMap(
      `${name}-node-config`,
      typed<k8s.core.v1.ConfigMapArgs>(nodeConfigMap()),
      inNs,
    );
    const accounts = Object.fromEntries(
      [CONTROLLER_SA, NODE_SA].map((sa) => [
        sa,
        new k8s.core.v1.ServiceAccount(
          `${name}-${sa}`,
          typed<k8s.core.v1.ServiceAccountArgs>(serviceAccount(sa)),
          inNs,
        ),
      ]),
    );
    const bindings = Object.entries(CINDER_CSI_ROLES).map(([role, { account }]) => {
      const r = new k8s.rbac.v1.ClusterRole(
        `${name}-${role}`,
        typed<k8s.rbac.v1.ClusterRoleArgs>(clusterRole(role)),
        child,
      );
      return {
        account,
        binding: new k8s.rbac.v1.ClusterRoleBinding(
          `${name}-${bindingName(role)}`,
          typed<k8s.rbac.v1.ClusterRoleBindingArgs>(clusterRoleBinding(role)),
          { ...child, dependsOn: [r, accounts[account]] },
        ),
      };
    });
    const boundTo = (sa: string) => bindings.filter((x) => x.account === sa).map((x) => x.binding);
    const driver = new k8s.storage.v1.CSIDriver(
      `${name}-driver`,
      typed<k8s.storage.v1.CSIDriverArgs>(csiDriver()),
      child,
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-controller-pdb`,
      typed<k8s.policy.v1.PodDisruptionBudgetArgs>(controllerDisruptionBudget()),
      inNs,
    );
    const controller = new k8s.apps.v1.Deployment(
      `${name}-controller`,
      typed<k8s.apps.v1.DeploymentArgs>(controllerDeployment(args.cluster.name)),
      { ...child, dependsOn: [config, driver, ...policies.ready, ...boundTo(CONTROLLER_SA)] },
    );
    const nodePlugin = new k8s.apps.v1.DaemonSet(
      `${name}-node`,
      typed<k8s.apps.v1.DaemonSetArgs>(nodePluginDaemonSet()),
      { ...child, dependsOn: [nodeConfig, driver, ...policies.ready, ...boundTo(NODE_SA)] },
    );
    const sc = blockStorageClass(args.storageClassName, b.volumeType);
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-class`,
      typed<k8s.storage.v1.StorageClassArgs>({ ...sc }),
      // Retained volumes hold database data: never replaced or deleted on a routine change.
      { ...child, protect: true, retainOnDelete: true, dependsOn: [driver] },
    );
    this.ready = [controller, nodePlugin, storageClass];
    this.registerOutputs({});
  }
}
