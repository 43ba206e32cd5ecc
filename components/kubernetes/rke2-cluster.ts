// A new RKE2 cluster on OpenStack VMs: tokens and CAs made here, one Nova instance per planned
// slot booted by cloud-init alone, the admin kubeconfig computed here, and a k8s.Provider that
// waits for the API through the VIP — all in one `pulumi up`.
import * as k8s from "@pulumi/kubernetes";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ChartMirror } from "../mirrors";
import { OpenStackVmSlot } from "../openstack";
import { BlockStorageEndpoint, ClusterNode, PlantCluster } from "../types";
import { ApiServerReady } from "./api-ready";
import { CinderCsi } from "./cinder-csi";
import { adminKubeconfig, kubeconfigProviderOptions } from "./kubeconfig";
import { MetadataServiceBlock } from "./metadata-block";
import { apiServerUrl, KUBE_VIP_IMAGE, Rke2ClusterSettings } from "./rke2-config";
import { Rke2Pki } from "./rke2-pki";
import { Rke2Mirrors } from "./rke2-mirrors";
import { rke2UserData } from "./rke2-userdata";
import { checkSlots, slotNode, sortedSlots } from "./slots";

export interface Rke2ClusterArgs {
  /** Cluster name (also the k8s provider name `k8s-<name>`). */
  readonly clusterName: string;
  /** RKE2 release pinned to Kubernetes 1.36, e.g. v1.36.5+rke2r1. */
  readonly version: string;
  readonly apiVip: string;
  /**
   * The cluster exists (plant:clusters[].bootstrapped): no server may create it any more, so the
   * first server's user data joins like every other server's and carries no CA key. False: the
   * first server creates the cluster when it is first built.
   */
  readonly bootstrapped: boolean;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Name of the default StorageClass: Cinder block volumes through the Cinder CSI driver. */
  readonly storageClass: string;
  /** Cinder access for the CSI driver (the OpenStack area's application credential). */
  readonly blockStorage: BlockStorageEndpoint;
  /** Expected control-plane size (2f+1 by default); the slots must match it. */
  readonly controlPlaneCount: number;
  readonly workerCount: number;
  readonly ntpServers: readonly string[];
  /** OpenStack provider, image and keypair of the platform project. */
  readonly provider: openstack.Provider;
  readonly imageId: pulumi.Input<string>;
  readonly keypairName: pulumi.Input<string>;
  /** The plant subnet runs no Neutron DHCP: the VM reads its static IP from the config drive. */
  readonly configDrive: boolean;
  /** This cluster's planned VMs with their ports, flavors and server groups. */
  readonly slots: readonly OpenStackVmSlot[];
  /** Default KUBE_VIP_IMAGE. */
  readonly kubeVipImage?: string;
  /** Seconds `pulumi up` waits for the API after creating VMs. Default 1800. */
  readonly apiTimeoutSeconds?: number;
  /** Release files, registry mirrors and their CA for the nodes. Default none (upstream). */
  readonly mirrors?: Rke2Mirrors;
  /** plant:mirrors.charts. Default none (upstream). */
  readonly chartMirrors?: readonly ChartMirror[];
}

export class Rke2Cluster extends pulumi.ComponentResource implements PlantCluster {
  readonly name: string;
  readonly kind = "openstack" as const;
  readonly provider: k8s.Provider;
  readonly apiEndpoint: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly nodes: readonly ClusterNode[];
  readonly storageClass: string;
  readonly ready: readonly pulumi.Resource[];
  readonly instances: readonly openstack.compute.Instance[];
  /** Generated user data per VM name (secret: it carries the CA keys and tokens). */
  readonly userData: Readonly<Record<string, pulumi.Output<string>>>;
  readonly chartMirrors?: readonly ChartMirror[];

  constructor(name: string, args: Rke2ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:Rke2Cluster", name, {}, opts);
    checkSlots({ ...args, clusterName: args.clusterName }, this);
    const slots = sortedSlots(args.slots);
    this.name = args.clusterName;
    this.storageClass = args.storageClass;
    this.chartMirrors = args.chartMirrors;
    this.nodes = slots.map((s) => slotNode(s, args.workerCount > 0));

    // Alphanumeric: RKE2 splits tokens on ':'. Separate agent token: a worker never holds the
    // server token, which decrypts the CA keys kept in the datastore.
    const tokenArgs = { length: 48, special: false };
    const serverToken = new random.RandomPassword(`${name}-server-token`, tokenArgs, {
      parent: this,
    });
    const agentToken = new random.RandomPassword(`${name}-agent-token`, tokenArgs, {
      parent: this,
    });
    const pki = new Rke2Pki(`${name}-pki`, { clusterName: args.clusterName }, { parent: this });

    const settings: Rke2ClusterSettings = {
      name: args.clusterName,
      version: args.version,
      apiVip: args.apiVip,
      serverIps: slots.filter((s) => s.role === "control-plane").map((s) => s.ip),
      podCidr: args.podCidr,
      serviceCidr: args.serviceCidr,
      taintControlPlane: args.workerCount > 0,
      kubeVipImage: args.kubeVipImage ?? KUBE_VIP_IMAGE,
    };
    if (!args.bootstrapped) {
      const first = slots.find((s) => s.role === "control-plane" && s.index === 0);
      void pulumi.log.warn(
        `cluster '${args.clusterName}' is not marked bootstrapped: ${first?.name ?? "its first server"} ` +
          "creates the cluster when it is built and no other server answers. Once the cluster " +
          "is up, set plant:clusters[].bootstrapped: true (docs/kubernetes.md, Bootstrap sequence).",
        this,
      );
    }
    const userData: Record<string, pulumi.Output<string>> = {};
    const instances = slots.map((slot) => {
      const node = slotNode(slot, args.workerCount > 0);
      const isServer = slot.role === "control-plane";
      // The one explicit, one-time decision: only the first server of a cluster not yet
      // bootstrapped creates it; rebuilt later, the same server joins.
      const clusterInit = isServer && slot.index === 0 && !args.bootstrapped;
      userData[slot.name] = pulumi.secret(
        pulumi
          .all([serverToken.result, agentToken.result, pki.caBundle])
          .apply(([server, agent, cas]) =>
            rke2UserData({
              node: {
                name: slot.name,
                ip: slot.ip,
                role: slot.role,
                physicalHost: slot.host,
                clusterInit,
              },
              cluster: settings,
              tokens: { server, agent, serverCaPem: cas.serverCa.certPem },
              cas: clusterInit ? cas : undefined,
              ntpServers: args.ntpServers,
              mirrors: args.mirrors,
            }),
          ),
      );
      return new openstack.compute.Instance(
        `${name}-${isServer ? "cp" : "worker"}-${slot.index + 1}`,
        {
          name: slot.name,
          flavorId: slot.flavorId,
          imageId: args.imageId,
          keyPair: args.keypairName,
          configDrive: args.configDrive,
          availabilityZone: slot.availabilityZone,
          networks: [{ port: slot.port.id }],
          schedulerHints: [{ group: slot.serverGroupId }],
          userData: userData[slot.name],
          metadata: {
            cluster: args.clusterName,
            role: slot.role,
            "physical-host": node.physicalHost,
            ip: node.ip,
          },
          // A clean shutdown lets etcd and the kubelet stop before the disk goes away.
          stopBeforeDestroy: true,
        },
        {
          parent: this,
          provider: args.provider,
          // The fixed-IP port can hold one VM at a time: the old VM must go before its successor boots.
          deleteBeforeReplace: true,
          // A new RKE2 version, image or any other user-data change must not replace every VM in
          // one `pulumi up` (etcd and the database volumes would go at once). Nodes pick such a
          // change up only when rotated deliberately, one at a time: `pulumi up --replace <urn>`
          // (docs/kubernetes.md, "Node rotation").
          ignoreChanges: ["userData", "imageId"],
          additionalSecretOutputs: ["userData", "adminPass"],
        },
      );
    });
    this.instances = instances;
    this.userData = userData;

    this.apiEndpoint = pulumi.output(apiServerUrl(args.apiVip));
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([pki.serverCaCertPem, pki.adminCertPem, pki.adminKeyPem])
        .apply(([ca, cert, key]) =>
          adminKubeconfig({
            clusterName: args.clusterName,
            server: apiServerUrl(args.apiVip),
            caCertPem: ca,
            clientCertPem: cert,
            clientKeyPem: key,
          }),
        ),
    );
    const apiReady = new ApiServerReady(
      `${name}-api-ready`,
      {
        server: apiServerUrl(args.apiVip),
        caCertPem: pki.serverCaCertPem,
        clientCertPem: pki.adminCertPem,
        clientKeyPem: pki.adminKeyPem,
        instanceIds: instances.filter((_, i) => slots[i].role === "control-plane").map((i) => i.id),
        timeoutSeconds: args.apiTimeoutSeconds,
      },
      { parent: this, dependsOn: instances },
    );
    this.provider = new k8s.Provider(
      `k8s-${args.clusterName}`,
      // Renewing the admin certificate changes the kubeconfig: an update, never a replacement of
      // every Kubernetes object behind this provider.
      { kubeconfig: this.kubeconfig, clusterIdentifier: args.clusterName },
      kubeconfigProviderOptions({ parent: this, dependsOn: [apiReady] }),
    );
    // Pods must not read the VMs' user data (tokens; the first server's CA keys) from Nova's
    // metadata service: blocked cluster-wide before any workload starts.
    const metadataBlock = new MetadataServiceBlock(
      `${name}-metadata-block`,
      { clusterName: args.clusterName },
      { parent: this, provider: this.provider },
    );
    // Database volumes: one Cinder volume per claim, off the VMs' disks (cinder-csi-spec.ts).
    const storage = new CinderCsi(
      `${name}-cinder-csi`,
      {
        cluster: this,
        storageClassName: args.storageClass,
        blockStorage: args.blockStorage,
        dependsOn: [...metadataBlock.ready],
      },
      { parent: this },
    );
    this.ready = [apiReady, ...metadataBlock.ready, ...storage.ready];
    this.registerOutputs({ apiEndpoint: this.apiEndpoint, kubeconfig: this.kubeconfig });
  }
}
