// Done-when of the OpenStack issue, on the whole program's offline plan (tools/plan/run.ts):
// every VM of both sites has a fixed-IP port, a server-group hint and an availability zone that
// is one R620, and every node port carries every static ingress IP of its cluster.
import { PlannedResource } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { planPlacement } from "../../components/openstack/placement";
import { siteOf } from "./harness";

type Inputs = Record<string, unknown>;

describe.each([["avilla"], ["albion"]])("offline plan of %s", (stack) => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    resources = (await sitePlan(stack)).resources;
  });

  test("every planned VM is an instance on its own fixed-IP port, in its R620's zone, with its server group", () => {
    const site = siteOf(stack);
    const hosts = new Set(site.hosts.map((h) => h.name));
    const instances = resources.filter((r) => r.type === "openstack:compute/instance:Instance");
    const ports = new Map(
      resources
        .filter((r) => r.type === "openstack:networking/port:Port")
        .map((r) => [`port-${r.name}`, r]),
    );
    const groups = new Map(
      resources
        .filter((r) => r.type === "openstack:compute/serverGroup:ServerGroup")
        .map((r) => [`servergroup-${r.name}`, r]),
    );
    const vmCount = planPlacement(site).vms.length;
    expect(instances).toHaveLength(vmCount);

    for (const inst of instances) {
      const name = inst.inputs.name as string;
      const zone = inst.inputs.availabilityZone as string;
      expect([name, hosts.has(zone)]).toEqual([name, true]);

      const [net] = inst.inputs.networks as { port: string }[];
      const port = ports.get(net.port);
      if (!port) throw new Error(`${name}: network port ${net.port} is not a declared port`);
      expect(port.protect).toBe(true);
      expect((port.inputs.fixedIps as { ipAddress: string }[])[0].ipAddress).toMatch(
        /^10\.\d+\.1\.\d+$/,
      );
      expect(port.inputs.name).toBe(name);

      const [hint] = inst.inputs.schedulerHints as { group: string }[];
      const group = groups.get(hint.group);
      if (!group)
        throw new Error(`${name}: scheduler hint ${hint.group} is not a declared server group`);
      const role = name.includes("-cp-") ? "anti-affinity" : "soft-anti-affinity";
      expect([name, group.inputs.policies]).toEqual([name, [role]]);

      const cluster = site.clusters.find((c) => name.startsWith(`${c.name}-`));
      const pairs = (port.inputs.allowedAddressPairs as { ipAddress: string }[]).map(
        (p) => p.ipAddress,
      );
      for (const a of cluster?.ingress?.addresses ?? []) {
        expect([name, pairs]).toEqual([name, expect.arrayContaining([`${a.ip}/32`])]);
      }
    }
  });

  test("each instance waits for its R620's zone aggregate and its flavor's access grant", () => {
    const instances = resources.filter((r) => r.type === "openstack:compute/instance:Instance");
    const urnOf = (name: string) => resources.find((r) => r.name === name)?.urn;
    for (const inst of instances) {
      const name = inst.inputs.name as string;
      const role = name.includes("-cp-") ? "control-plane" : "worker";
      const cluster = name.slice(0, name.indexOf(role === "worker" ? "-worker-" : "-cp-"));
      const zone = inst.inputs.availabilityZone as string;
      expect([name, inst.dependencies]).toEqual([
        name,
        expect.arrayContaining([
          urnOf(`openstack-compute-az-${zone}`),
          urnOf(`openstack-compute-${cluster}-${role}-flavor-access`),
        ]),
      ]);
    }
  });

  test("each instance's zone is the R620 the placement chose for it", () => {
    const instances = resources.filter((r) => r.type === "openstack:compute/instance:Instance");
    const zones = Object.fromEntries(
      instances.map((r) => [r.inputs.name, (r.inputs as Inputs).availabilityZone]),
    );
    const planned = Object.fromEntries(
      planPlacement(siteOf(stack)).vms.map((v) => [v.name, v.host]),
    );
    expect(zones).toEqual(planned);
  });
});
