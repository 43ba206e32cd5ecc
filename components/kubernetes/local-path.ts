// Installs the local-path provisioner and the cluster's default StorageClass on one cluster,
// with its PodDisruptionBudget and the namespace's NetworkPolicies.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { localPathObjects } from "./local-path-manifests";

export interface LocalPathProvisionerArgs {
  /** Name of the StorageClass to create (the cluster's `storageClass`). */
  readonly storageClassName: string;
  /**
   * IPv4 addresses the provisioner may reach on 443/6443 (the `kubernetes` Service IP, the API
   * VIP, the servers' node IPs). Default: none listed, i.e. those ports to any address.
   */
  readonly apiServerAddresses?: readonly string[];
}

export class LocalPathProvisioner extends pulumi.ComponentResource {
  /** The StorageClass and the provisioner: PVCs bind only once both exist. */
  readonly ready: pulumi.Resource[];

  /** `opts.provider` must be the cluster's k8s provider. */
  constructor(
    name: string,
    args: LocalPathProvisionerArgs,
    opts: pulumi.ComponentResourceOptions & { provider: k8s.Provider },
  ) {
    super("plant:kubernetes:LocalPathProvisioner", name, {}, opts);
    const o = localPathObjects(args.storageClassName, args.apiServerAddresses ?? []);
    const child = { parent: this, provider: opts.provider };
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      o.namespace as unknown as k8s.core.v1.NamespaceArgs,
      child,
    );
    const inNs = { ...child, dependsOn: [ns] };
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      o.serviceAccount as unknown as k8s.core.v1.ServiceAccountArgs,
      inNs,
    );
    const role = new k8s.rbac.v1.ClusterRole(
      `${name}-role`,
      o.clusterRole as unknown as k8s.rbac.v1.ClusterRoleArgs,
      child,
    );
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-binding`,
      o.clusterRoleBinding as unknown as k8s.rbac.v1.ClusterRoleBindingArgs,
      { ...child, dependsOn: [role, sa] },
    );
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      o.configMap as unknown as k8s.core.v1.ConfigMapArgs,
      inNs,
    );
    // The policies exist before the pod starts: it never runs unconfined, and its probes (an
    // open API connection) test the egress allowance from the first start.
    const denyAll = new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      o.defaultDenyPolicy as unknown as k8s.networking.v1.NetworkPolicyArgs,
      inNs,
    );
    const egress = new k8s.networking.v1.NetworkPolicy(
      `${name}-egress`,
      o.egressPolicy as unknown as k8s.networking.v1.NetworkPolicyArgs,
      inNs,
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      o.podDisruptionBudget as unknown as k8s.policy.v1.PodDisruptionBudgetArgs,
      inNs,
    );
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      o.deployment as unknown as k8s.apps.v1.DeploymentArgs,
      {
        ...child,
        dependsOn: [binding, config, denyAll, egress],
      },
    );
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-class`,
      o.storageClass as unknown as k8s.storage.v1.StorageClassArgs,
      child,
    );
    this.ready = [storageClass, deployment];
    this.registerOutputs({});
  }
}
