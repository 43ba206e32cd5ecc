// The plant LAN as a Neutron provider network (flat or VLAN) and its subnet. VMs sit directly on
// the plant LAN, so MetalLB's ARP announcements reach plant clients without routers or NAT.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { Ipv4Range } from "../../config/ip";
import { NetworkConfig } from "../../config/site";

export interface PlantNetworkArgs {
  /** Provider networks can only be created by a cloud admin. */
  readonly adminProvider: openstack.Provider;
  /** Owner of the network: as network owner the project may set fixed IPs and address pairs. */
  readonly projectId: pulumi.Input<string>;
  /** Prefix of the Neutron names (the project name). */
  readonly namePrefix: string;
  readonly network: NetworkConfig;
  /** Addresses Neutron may hand out: exactly plant:network.vmRange (see cloud-plan.ts). */
  readonly allocationPool: Ipv4Range;
}

export class PlantNetwork extends pulumi.ComponentResource {
  readonly networkId: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;

  constructor(name: string, args: PlantNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:PlantNetwork", name, {}, opts);
    const net = args.network;
    // Stateful: every VM port and reserved VIP hangs off these two objects.
    const admin = { parent: this, provider: args.adminProvider, protect: true };

    const network = new openstack.networking.Network(
      `${name}-lan`,
      {
        name: `${args.namePrefix}-plant-lan`,
        description: `Plant LAN ${net.lanCidr} (${net.provider.type} on ${net.provider.physicalNetwork})`,
        tenantId: args.projectId,
        shared: false,
        external: false,
        adminStateUp: true,
        // Port security stays on: it is what enforces the security groups and address pairs.
        portSecurityEnabled: true,
        mtu: net.provider.mtu,
        segments: [
          {
            networkType: net.provider.type,
            physicalNetwork: net.provider.physicalNetwork,
            ...(net.provider.segmentationId !== undefined
              ? { segmentationId: net.provider.segmentationId }
              : {}),
          },
        ],
      },
      admin,
    );

    const subnet = new openstack.networking.Subnet(
      `${name}-lan-subnet`,
      {
        name: `${args.namePrefix}-plant-lan-v4`,
        networkId: network.id,
        tenantId: args.projectId,
        cidr: net.lanCidr,
        ipVersion: 4,
        gatewayIp: net.gateway,
        dnsNameservers: net.dnsServers,
        allocationPools: [{ start: args.allocationPool.start, end: args.allocationPool.end }],
        // The plant already runs a DHCP server on this LAN; a second one would race it. VMs get
        // their static address from the config drive (network_data.json) instead.
        enableDhcp: false,
      },
      admin,
    );

    this.networkId = network.id;
    this.subnetId = subnet.id;
    this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId });
  }
}
