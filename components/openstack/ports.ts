// The Neutron ports of one cluster: one per VM with its fixed IP from the plan, and one holding
// each static address (API VIP, ingress VIPs) so that nothing else in Neutron is ever given it.
//
// Port security drops traffic for any address a port does not own, so every node port lists the
// cluster's static ingress IPs (and control-plane ports the API VIP) as allowed address pairs:
// whichever node MetalLB elects may then answer ARP for the VIP and carry its traffic. Neutron
// (ML2/OVN) treats a port whose IP is another port's address pair as a virtual port, so the
// reservation ports do not answer ARP themselves.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { PortPlan, ReservedAddress } from "./cloud-plan";

export interface ClusterPortsArgs {
  /** Provider scoped to the platform project (the network owner). */
  readonly provider: openstack.Provider;
  readonly cluster: string;
  readonly networkId: pulumi.Input<string>;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly ports: readonly PortPlan[];
  readonly reservations: readonly ReservedAddress[];
}

export class ClusterPorts extends pulumi.ComponentResource {
  /** VM name → its port. */
  readonly vmPorts: ReadonlyMap<string, openstack.networking.Port>;
  /** Reservation name (`api` or the ingress address name) → its port. */
  readonly reservationPorts: ReadonlyMap<string, openstack.networking.Port>;

  constructor(name: string, args: ClusterPortsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:openstack:ClusterPorts", name, {}, opts);
    // Ports hold the plant's static addresses: losing one frees the IP for someone else.
    const child = { parent: this, provider: args.provider, protect: true };
    const common = {
      networkId: args.networkId,
      adminStateUp: true,
      portSecurityEnabled: true,
      securityGroupIds: [args.securityGroupId],
    };

    const vmPorts = new Map<string, openstack.networking.Port>();
    for (const p of args.ports) {
      const port = new openstack.networking.Port(
        `${name}-${p.vm.name}`,
        {
          ...common,
          name: p.vm.name,
          description: `${p.vm.role} VM ${p.vm.name} of cluster ${args.cluster} on ${p.vm.host}`,
          fixedIps: [{ subnetId: args.subnetId, ipAddress: p.vm.ip }],
          allowedAddressPairs: p.allowedAddressPairs.map((ipAddress) => ({ ipAddress })),
          tags: [`cluster:${args.cluster}`, `role:${p.vm.role}`],
        },
        child,
      );
      vmPorts.set(p.vm.name, port);
    }

    const reservationPorts = new Map<string, openstack.networking.Port>();
    for (const r of args.reservations) {
      const port = new openstack.networking.Port(
        `${name}-reserved-${r.name}`,
        {
          ...common,
          name: `${args.cluster}-reserved-${r.name}`,
          description: `Holds ${r.ip}, the ${r.what}; never attach it to a VM`,
          fixedIps: [{ subnetId: args.subnetId, ipAddress: r.ip }],
          tags: [`cluster:${args.cluster}`, "reserved"],
        },
        child,
      );
      reservationPorts.set(r.name, port);
    }

    this.vmPorts = vmPorts;
    this.reservationPorts = reservationPorts;
    this.registerOutputs({
      vmPortIds: Object.fromEntries([...vmPorts].map(([vm, p]) => [vm, p.id])),
      reservationPortIds: Object.fromEntries([...reservationPorts].map(([r, p]) => [r, p.id])),
    });
  }
}
