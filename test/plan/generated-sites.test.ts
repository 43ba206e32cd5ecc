// A few generated sites that the pure checks accept, planned in full (the real program under the
// mock runtime, as `npm run plan` does): acceptance by prepareSite must mean the declarations run
// through, and what they declare keeps clear of every address the plant uses. Most generated
// sites are checked on the pure path only (test/config/site-properties.test.ts): a full plan costs
// about a second, so this file plans three, chosen deterministically for coverage.
import fc from "fast-check";
import { plantClaims, PlantClaim } from "../../config/claimed-rules";
import { cidrAsRange, ipInRange, rangesOverlap } from "../../config/ip";
import { parseSite, SiteConfig } from "../../config/site";
import { checkSite } from "../../planning/site-checks";
import { runPlan } from "../../tools/plan/run";
import { GENERATED_STACK, RawSite, siteArbitrary } from "../support/site-arbitrary";

function accepted(raw: RawSite): SiteConfig | undefined {
  try {
    const config = parseSite(GENERATED_STACK, raw);
    checkSite(config);
    return config;
  } catch {
    return undefined;
  }
}

/** Three accepted sites, the smallest of each kind below. */
function pick(): { raw: RawSite; config: SiteConfig; why: string }[] {
  const pool = fc
    .sample(siteArbitrary, { seed: 7, numRuns: 120 })
    .map((raw) => ({ raw, config: accepted(raw) }))
    .filter((s): s is { raw: RawSite; config: SiteConfig } => s.config !== undefined);
  const wanted: [string, (c: SiteConfig) => boolean][] = [
    [
      "an existing cluster with services, f = 1",
      (c) =>
        c.clusters.some((k) => k.kind === "existing") &&
        c.services.length >= 2 &&
        c.site.failuresTolerated === 1,
    ],
    [
      "f ≥ 2 with a database and routes",
      (c) =>
        c.site.failuresTolerated >= 2 &&
        c.databases.length > 0 &&
        c.services.some((s) => s.routes.length > 0),
    ],
    [
      "f = 0 with several clusters",
      (c) => c.site.failuresTolerated === 0 && c.clusters.length >= 2,
    ],
  ];
  // The smallest such site: a full plan's cost grows with what it declares.
  const weight = (c: SiteConfig): number =>
    c.clusters.reduce((n, k) => n + (k.kind === "openstack" ? 2 * k.workers.count + 5 : 3), 0) +
    3 * c.services.length +
    10 * c.databases.length;
  pool.sort((a, b) => weight(a.config) - weight(b.config));
  return wanted.map(([why, test]) => {
    const found = pool.find((s) => test(s.config));
    if (!found) throw new Error(`no generated site with ${why} among the sampled ones`);
    return { ...found, why };
  });
}

function takenBy(ip: string, claims: readonly PlantClaim[]): string[] {
  return claims.filter((c) => ipInRange(ip, c.range)).map((c) => c.key);
}

describe("generated sites accepted by prepareSite plan in full", () => {
  const sites = pick();

  test.each(sites.map((s) => [s.why, s] as const))(
    "%s: the plan runs and declares nothing on a plant address",
    async (_why, { raw, config }) => {
      const plan = await runPlan({ stack: GENERATED_STACK, rawConfig: raw });
      const claims = plantClaims(config);
      const instances = plan.resources.filter(
        (r) => r.type === "openstack:compute/instance:Instance",
      );
      const expectedVms = config.clusters.reduce(
        (n, c) =>
          c.kind === "openstack"
            ? n + (c.controlPlane.count ?? 2 * config.site.failuresTolerated + 1) + c.workers.count
            : n,
        0,
      );
      expect(instances).toHaveLength(expectedVms);

      /* eslint-disable @typescript-eslint/no-explicit-any -- recorded provider inputs */
      for (const port of plan.resources.filter(
        (r) => r.type === "openstack:networking/port:Port",
      )) {
        const inputs = port.inputs as any;
        const ips: string[] = [
          ...(inputs.fixedIps ?? []).map((f: any) => f.ipAddress),
          ...(inputs.allowedAddressPairs ?? []).map((p: any) => String(p.ipAddress).split("/")[0]),
        ];
        for (const ip of ips)
          expect([port.name, ip, takenBy(ip, claims)]).toEqual([port.name, ip, []]);
      }
      for (const subnet of plan.resources.filter(
        (r) => r.type === "openstack:networking/subnet:Subnet",
      )) {
        for (const pool of (subnet.inputs as any).allocationPools as {
          start: string;
          end: string;
        }[])
          expect(claims.filter((c) => rangesOverlap(pool, c.range))).toEqual([]);
      }
      const pools = plan.manifests.filter((m) => m.kind === "IPAddressPool");
      expect(pools).toHaveLength(config.clusters.filter((c) => c.ingress).length);
      for (const pool of pools) {
        for (const cidr of (pool.object.spec as any).addresses as string[]) {
          const range = cidrAsRange(cidr);
          expect(claims.filter((c) => rangesOverlap(range, c.range))).toEqual([]);
        }
      }
      /* eslint-enable @typescript-eslint/no-explicit-any */
      expect(plan.tree).toContain(
        `tolerates ${config.site.failuresTolerated} failed physical host`,
      );
      expect(plan.tree).toContain("every tier survives");
    },
  );
});
