// The pure cloud plan: the allocation pool never covers a reserved address, address pairs, quotas.
import { SiteConfig, SiteConfigError } from "../../config/site";
import { collectAddressClaims } from "../../config/addresses";
import { ipInRange } from "../../config/ip";
import { allocationPoolFor, planCloud } from "../../components/openstack/cloud-plan";
import { planPlacement } from "../../components/openstack/placement";
import { siteOf } from "./harness";

/** A parsed site with one field changed, bypassing the config rules (to test the last guard). */
function withNetwork(site: SiteConfig, network: Partial<SiteConfig["network"]>): SiteConfig {
  return { ...site, network: { ...site.network, ...network } };
}

describe("allocation pool", () => {
  test.each([["avilla"], ["albion"]])(
    "%s: pool = vmRange, and no host, BMC, gateway, DHCP or static IP is in it",
    (stack) => {
      const site = siteOf(stack);
      const pool = allocationPoolFor(site);
      expect(pool).toEqual(site.network.vmRange);
      const outside = collectAddressClaims(site).filter((c) => c.kind !== "vm");
      expect(outside.map((c) => c.kind).sort()).toEqual(
        expect.arrayContaining(["gateway", "host", "bmc", "api-vip", "static"]),
      );
      for (const claim of outside)
        expect([claim.key, ipInRange(claim.ip, pool)]).toEqual([claim.key, false]);
      expect(
        ipInRange(site.network.dhcpRange.start, pool) ||
          ipInRange(site.network.dhcpRange.end, pool),
      ).toBe(false);
    },
  );

  const avilla = siteOf("avilla");
  test.each([
    [
      "a BMC address",
      { vmRange: { start: "10.1.0.20", end: "10.1.0.20" } },
      "10.1.0.20-10.1.0.20 contains 10.1.0.20, the BMC address of r620-1 (plant:hosts[0].bmcIp); Neutron would hand it out",
    ],
    [
      "the gateway",
      { vmRange: { start: "10.1.0.1", end: "10.1.0.1" } },
      "10.1.0.1-10.1.0.1 contains 10.1.0.1, the LAN gateway (plant:network.gateway); Neutron would hand it out",
    ],
    [
      "a static ingress IP",
      { vmRange: { start: "10.1.0.8", end: "10.1.0.8" } },
      "10.1.0.8-10.1.0.8 contains 10.1.0.8, the static ingress address 'reports' of cluster reports (plant:clusters[0].ingress.addresses[0].ip); Neutron would hand it out",
    ],
    [
      "the API VIP",
      { vmRange: { start: "10.1.0.10", end: "10.1.0.10" } },
      "10.1.0.10-10.1.0.10 contains 10.1.0.10, the API address of cluster reports (plant:clusters[0].apiVip); Neutron would hand it out",
    ],
    [
      "the DHCP range",
      { vmRange: { start: "10.1.3.250", end: "10.1.3.254" } },
      "10.1.3.250-10.1.3.254 overlaps the DHCP range 10.1.2.0-10.1.3.250",
    ],
  ])("refuses a pool containing %s", (_what, network, message) => {
    let error: unknown;
    try {
      allocationPoolFor(withNetwork(avilla, network));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SiteConfigError);
    expect((error as Error).message).toBe(
      `Stack 'avilla' has invalid configuration:\n  - [plant:network.vmRange] ${message}`,
    );
  });
});

describe("planCloud", () => {
  test("albion: one zone per R620 and the per-cluster names", () => {
    const site = siteOf("albion");
    const plan = planCloud(site, planPlacement(site));
    expect(plan.zones).toEqual(
      ["r620-1", "r620-2", "r620-3", "r620-4"].map((h) => ({ host: h, zone: h })),
    );
    expect(
      plan.clusters.map((c) => [
        c.name,
        c.serverGroups,
        c.reservations.map((r) => `${r.name}=${r.ip}`),
      ]),
    ).toEqual([
      [
        "reports",
        {
          "control-plane": {
            name: "plant-reporting-reports-control-plane",
            policy: "anti-affinity",
          },
          worker: { name: "plant-reporting-reports-workers", policy: "soft-anti-affinity" },
        },
        ["api=10.2.0.10", "reports=10.2.0.8"],
      ],
    ]);
  });

  test("existing clusters get no ports, no groups and no reservations (their IPs are not Neutron's)", () => {
    const site = siteOf("avilla");
    const plan = planCloud(site, planPlacement(site));
    expect(plan.clusters.map((c) => c.name)).toEqual(["reports"]);
    const reserved = plan.clusters.flatMap((c) => c.reservations.map((r) => r.ip));
    expect(reserved).not.toContain("10.1.0.112");
  });

  test("quotas for albion: 7 VMs + a spare of the largest", () => {
    const site = siteOf("albion");
    expect(planCloud(site, planPlacement(site)).quotas).toEqual({
      compute: {
        instances: 8,
        cores: 3 * 4 + 4 * 8 + 8,
        ramMb: (3 * 8 + 4 * 32 + 32) * 1024,
        serverGroups: 2,
        serverGroupMembers: 5,
      },
      network: {
        network: 1,
        subnet: 1,
        port: 7 + 2 + 2,
        router: 0,
        floatingip: 0,
        securityGroup: 2,
        securityGroupRule: 20 + 4 + 10,
      },
      // 3 instances of `reporting` + 1 spare, each 100 GiB data + 20 GiB WAL.
      volume: { gigabytes: 4 * 120, volumes: 4 * 2 },
    });
  });
});
