// One security group per cluster, holding exactly the rules of security-rules.ts. Neutron's
// default rules are deleted so the group holds nothing that is not declared (and tested) here.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { SecurityRule, worldOpenProblem } from "./security-rules";

export interface ClusterSecurityGroupArgs {
  /** Provider scoped to the platform project. */
  readonly provider: openstack.Provider;
  /** Neutron name of the group. */
  readonly groupName: string;
  readonly cluster: string;
  readonly rules: readonly SecurityRule[];
}

export class ClusterSecurityGroup extends pulumi.ComponentResource {
  readonly groupId: pulumi.Output<string>;

  constructor(
    name: string,
    args: ClusterSecurityGroupArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("plant:openstack:ClusterSecurityGroup", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    for (const rule of args.rules) {
      const problem = worldOpenProblem(rule);
      if (problem) throw new pulumi.ResourceError(`cluster ${args.cluster}: ${problem}`, this);
    }

    const group = new openstack.networking.SecGroup(
      `${name}-sg`,
      {
        name: args.groupName,
        description: `Nodes of Kubernetes cluster ${args.cluster}`,
        deleteDefaultRules: true,
        tags: [`cluster:${args.cluster}`],
      },
      child,
    );

    for (const rule of args.rules) {
      new openstack.networking.SecGroupRule(
        `${name}-${rule.id}`,
        {
          securityGroupId: group.id,
          description: rule.description,
          direction: rule.direction,
          ethertype: "IPv4",
          ...(rule.protocol ? { protocol: rule.protocol } : {}),
          ...(rule.portMin !== undefined
            ? { portRangeMin: rule.portMin, portRangeMax: rule.portMax }
            : {}),
          ...("self" in rule.remote
            ? { remoteGroupId: group.id }
            : { remoteIpPrefix: rule.remote.cidr }),
        },
        child,
      );
    }

    this.groupId = group.id;
    this.registerOutputs({ groupId: this.groupId });
  }
}
