// Every IPv4 address a site claims, with the config key it comes from. The rules compare
// these lists (within a site and across sites that share a network).
import { ipAdd } from "./ip";
import { ParsedSite } from "./schema";

export type ClaimKind = "gateway" | "host" | "bmc" | "node" | "vm" | "api-vip" | "static";

export interface AddressClaim {
  readonly ip: string;
  /** Config key path, e.g. `plant:hosts[1].bmcIp`. */
  readonly key: string;
  readonly kind: ClaimKind;
  /** What a person calls it, e.g. `the BMC address of r620-2`. */
  readonly what: string;
}

export function controlPlaneCount(
  cluster: { controlPlane: { count?: number } },
  f: number,
): number {
  return cluster.controlPlane.count ?? 2 * f + 1;
}

export function collectAddressClaims(site: ParsedSite): AddressClaim[] {
  const claims: AddressClaim[] = [
    {
      ip: site.network.gateway,
      key: "plant:network.gateway",
      kind: "gateway",
      what: "the LAN gateway",
    },
  ];
  site.hosts.forEach((h, i) => {
    claims.push({
      ip: h.mgmtIp,
      key: `plant:hosts[${i}].mgmtIp`,
      kind: "host",
      what: `the management address of ${h.name}`,
    });
    claims.push({
      ip: h.bmcIp,
      key: `plant:hosts[${i}].bmcIp`,
      kind: "bmc",
      what: `the BMC address of ${h.name}`,
    });
  });
  site.clusters.forEach((c, ci) => {
    const base = `plant:clusters[${ci}]`;
    if (c.kind === "existing") {
      c.nodes.forEach((n, ni) =>
        claims.push({
          ip: n.ip,
          key: `${base}.nodes[${ni}].ip`,
          kind: "node",
          what: `node ${n.name} of cluster ${c.name}`,
        }),
      );
    } else {
      claims.push({
        ip: c.apiVip,
        key: `${base}.apiVip`,
        kind: "api-vip",
        what: `the API address of cluster ${c.name}`,
      });
      const cp = controlPlaneCount(c, site.site.failuresTolerated);
      for (let i = 0; i < cp; i++) {
        claims.push({
          ip: ipAdd(c.controlPlane.ipStart, i),
          key: `${base}.controlPlane.ipStart`,
          kind: "vm",
          what: `control-plane VM ${i + 1} of cluster ${c.name}`,
        });
      }
      for (let i = 0; i < c.workers.count; i++) {
        claims.push({
          ip: ipAdd(c.workers.ipStart, i),
          key: `${base}.workers.ipStart`,
          kind: "vm",
          what: `worker VM ${i + 1} of cluster ${c.name}`,
        });
      }
    }
    c.ingress?.addresses.forEach((a, ai) =>
      claims.push({
        ip: a.ip,
        key: `${base}.ingress.addresses[${ai}].ip`,
        kind: "static",
        what: `the static ingress address '${a.name}' of cluster ${c.name}`,
      }),
    );
  });
  return claims;
}

/** A host name as an FQDN under the site domain unless it already is one. */
export function fqdn(hostname: string, domain: string): string {
  return hostname.includes(".") ? hostname : `${hostname}.${domain}`;
}
