// Security groups: the rule table (pure) and the rules as declared. Least privilege: no ingress
// from the world, management only from the admin CIDRs, node ports only from the cluster itself.
import fc from "fast-check";
import {
  clusterSecurityRules,
  NODE_TO_NODE_PORTS,
  SecurityRule,
  worldOpenProblem,
} from "../../components/openstack/security-rules";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ClusterSecurityGroup } from "../../components/openstack/security-groups";
import { PlanMocks } from "../../tools/plan/mocks";
import { ofType, planOpenStack } from "./harness";

const AVILLA = {
  adminCidrs: ["10.1.0.224/27", "10.250.0.0/24"],
  lanCidr: "10.1.0.0/22",
  hasIngress: true,
};

const portsOf = (r: SecurityRule) =>
  `${r.protocol ?? "any"}/${r.portMin ?? "*"}-${r.portMax ?? "*"}`;

describe("clusterSecurityRules", () => {
  test("the exact rule table of a cluster with ingress", () => {
    const table = clusterSecurityRules(AVILLA).map(
      (r) => `${r.direction} ${portsOf(r)} from ${"self" in r.remote ? "cluster" : r.remote.cidr}`,
    );
    expect(table).toEqual([
      "egress any/*-* from 0.0.0.0/0",
      "ingress icmp/*-* from cluster",
      "ingress tcp/6443-6443 from cluster",
      "ingress tcp/9345-9345 from cluster",
      "ingress tcp/2379-2380 from cluster",
      "ingress tcp/10250-10250 from cluster",
      "ingress udp/8472-8472 from cluster",
      "ingress tcp/9100-9100 from cluster",
      "ingress tcp/2112-2112 from cluster",
      "ingress tcp/9120-9120 from cluster",
      "ingress tcp/7946-7946 from cluster",
      "ingress udp/7946-7946 from cluster",
      "ingress tcp/22-22 from 10.1.0.224/27",
      "ingress tcp/6443-6443 from 10.1.0.224/27",
      "ingress icmp/*-* from 10.1.0.224/27",
      "ingress tcp/22-22 from 10.250.0.0/24",
      "ingress tcp/6443-6443 from 10.250.0.0/24",
      "ingress icmp/*-* from 10.250.0.0/24",
      "ingress tcp/80-80 from 10.1.0.0/22",
      "ingress tcp/443-443 from 10.1.0.0/22",
    ]);
  });

  test("MetalLB memberlist 7946 is open on TCP and UDP, only between members", () => {
    const memberlist = clusterSecurityRules(AVILLA).filter((r) => r.portMin === 7946);
    expect(memberlist.map((r) => [r.protocol, r.remote])).toEqual([
      ["tcp", { self: true }],
      ["udp", { self: true }],
    ]);
  });

  test("without ingress addresses there is no HTTP/HTTPS rule", () => {
    const rules = clusterSecurityRules({ ...AVILLA, hasIngress: false });
    expect(rules.filter((r) => r.portMin === 80 || r.portMin === 443)).toEqual([]);
  });

  test("rule ids are unique and do not depend on list position", () => {
    const ids = clusterSecurityRules(AVILLA).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const more = clusterSecurityRules({
      ...AVILLA,
      adminCidrs: ["192.168.9.0/24", ...AVILLA.adminCidrs],
    }).map((r) => r.id);
    for (const id of ids) expect(more).toContain(id);
  });

  test("property: for any admin CIDRs and LAN, no ingress rule is world-open, SSH/API only from admin CIDRs", () => {
    const cidr = fc
      .tuple(
        fc.integer({ min: 1, max: 223 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 8, max: 32 }),
      )
      .map(([a, b, p]) => `${a}.${b}.0.0/${p}`);
    fc.assert(
      fc.property(
        fc.array(cidr, { minLength: 1, maxLength: 4 }),
        cidr,
        fc.boolean(),
        (adminCidrs, lanCidr, hasIngress) => {
          const rules = clusterSecurityRules({ adminCidrs, lanCidr, hasIngress });
          for (const r of rules) {
            expect(worldOpenProblem(r)).toBeUndefined();
            if (
              r.direction === "ingress" &&
              (r.portMin === 22 || (r.portMin === 6443 && !("self" in r.remote)))
            ) {
              expect(adminCidrs).toContain((r.remote as { cidr: string }).cidr);
            }
          }
        },
      ),
    );
  });

  test("worldOpenProblem catches a /0 ingress rule and ignores egress", () => {
    const open: SecurityRule = {
      id: "x",
      description: "",
      direction: "ingress",
      protocol: "tcp",
      remote: { cidr: "0.0.0.0/0" },
    };
    expect(worldOpenProblem(open)).toBe("rule x opens ingress from 0.0.0.0/0");
    expect(worldOpenProblem({ ...open, remote: { cidr: "::/0" } })).toBe(
      "rule x opens ingress from ::/0",
    );
    expect(worldOpenProblem({ ...open, direction: "egress" })).toBeUndefined();
  });

  test("node-to-node ports cover etcd, kubelet, RKE2 supervisor, the API and the CNI", () => {
    expect(NODE_TO_NODE_PORTS.map((p) => `${p.protocol}/${p.min}-${p.max}`)).toEqual([
      "tcp/6443-6443",
      "tcp/9345-9345",
      "tcp/2379-2380",
      "tcp/10250-10250",
      "udp/8472-8472",
      "tcp/9100-9100",
      "tcp/2112-2112",
      "tcp/9120-9120",
      "tcp/7946-7946",
      "udp/7946-7946",
    ]);
  });
});

describe("declared security group rules", () => {
  test.each([["avilla"], ["albion"]])(
    "%s: every ingress rule names a source that is not the world",
    async (stack) => {
      const plan = await planOpenStack(stack);
      const rules = ofType(plan, "openstack:networking/secGroupRule:SecGroupRule");
      expect(rules.length).toBeGreaterThan(0);
      for (const r of rules.filter((x) => x.inputs.direction === "ingress")) {
        const prefix = r.inputs.remoteIpPrefix as string | undefined;
        const group = r.inputs.remoteGroupId as string | undefined;
        // Exactly one source: a rule with neither would admit everyone.
        expect([r.name, (prefix === undefined) !== (group === undefined)]).toEqual([r.name, true]);
        if (prefix) expect([r.name, prefix]).not.toEqual([r.name, expect.stringMatching(/\/0$/)]);
        if (group) expect(group).toBe(r.inputs.securityGroupId);
      }
      const [group] = ofType(plan, "openstack:networking/secGroup:SecGroup");
      // Neutron's default rules are removed so only the declared rules exist.
      expect(group.inputs.deleteDefaultRules).toBe(true);
    },
  );
});

test("the component refuses a world-open ingress rule before declaring anything", async () => {
  await pulumi.runtime.setMocks(new PlanMocks(), "plant", "avilla", false);
  const provider = new openstack.Provider("guard-test", {});
  const open: SecurityRule = {
    id: "https-world",
    description: "",
    direction: "ingress",
    protocol: "tcp",
    portMin: 443,
    portMax: 443,
    remote: { cidr: "0.0.0.0/0" },
  };
  expect(
    () =>
      new ClusterSecurityGroup("guard", {
        provider,
        groupName: "g",
        cluster: "reports",
        rules: [open],
      }),
  ).toThrow("cluster reports: rule https-world opens ingress from 0.0.0.0/0");
});
