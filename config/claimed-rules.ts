// Addresses the plant already uses: the DNS and NTP servers and the object store on the LAN and
// every plant:network.reserved entry (machines this program does not own — CNC controllers, PLCs,
// printers, the plant's servers). Nothing the program announces (static ingress IPs, API VIPs) or
// hands out (VM addresses, Neutron's allocation pool) may take one. Pure; no Pulumi.
import { AddressClaim, collectAddressClaims } from "./addresses";
import { cidrAsRange, compareIp, ipInCidr, ipInRange, Ipv4Range, rangesOverlap } from "./ip";
import { objectStoreAddresses } from "./object-store-rules";
import { ParsedSite } from "./schema";

interface Problem {
  readonly key: string;
  readonly message: string;
}

/** An address or range the plant uses, with the key that lists it. */
export interface PlantClaim {
  readonly range: Ipv4Range;
  readonly key: string;
  /** e.g. `DNS server 10.1.0.2`, `reserved 10.1.0.40-10.1.0.49 (PLCs, hall 2)`. */
  readonly what: string;
}

/** Kinds of address the program itself puts on the LAN. */
const PROGRAM_KINDS: ReadonlySet<AddressClaim["kind"]> = new Set(["vm", "api-vip", "static"]);

function label(r: Ipv4Range): string {
  return r.start === r.end ? r.start : `${r.start}-${r.end}`;
}

/** The reserved entry's range, or undefined when its shape is wrong (reported by reservedProblems). */
function reservedRange(e: ParsedSite["network"]["reserved"][number]): Ipv4Range | undefined {
  if (e.ip !== undefined && e.start === undefined && e.end === undefined)
    return { start: e.ip, end: e.ip };
  if (e.ip === undefined && e.start !== undefined && e.end !== undefined)
    return compareIp(e.start, e.end) <= 0 ? { start: e.start, end: e.end } : undefined;
  return undefined;
}

/** Every address on the LAN the plant uses and the program must leave alone. */
export function plantClaims(site: ParsedSite): PlantClaim[] {
  const net = site.network;
  const claims: PlantClaim[] = [];
  const server = (ip: string, key: string, what: string): void => {
    if (ipInCidr(ip, net.lanCidr)) claims.push({ range: { start: ip, end: ip }, key, what });
  };
  net.dnsServers.forEach((ip, i) =>
    server(ip, `plant:network.dnsServers[${i}]`, `the DNS server ${ip}`),
  );
  net.ntpServers.forEach((s, i) => {
    // A host name is resolved by the nodes; only literal addresses can be checked here.
    if (/^[0-9.]+$/.test(s)) server(s, `plant:network.ntpServers[${i}]`, `the NTP server ${s}`);
  });
  // The object store on the LAN (Swift's S3 endpoint): backups stop if a VM or VIP takes it.
  for (const { ip, key } of objectStoreAddresses(site.openstack.objectStore))
    server(ip, key, `the object store ${ip}`);
  net.reserved.forEach((e, i) => {
    const range = reservedRange(e);
    if (range)
      claims.push({
        range,
        key: `plant:network.reserved[${i}]`,
        what: `reserved ${label(range)} (${e.note})`,
      });
  });
  return claims;
}

/** The shape of each reserved entry: one address or one range, inside the LAN. */
function reservedProblems(site: ParsedSite): Problem[] {
  const net = site.network;
  return net.reserved.flatMap((e, i): Problem[] => {
    const key = `plant:network.reserved[${i}]`;
    const single = e.ip !== undefined;
    const ranged = e.start !== undefined || e.end !== undefined;
    if (single === ranged || (ranged && (e.start === undefined || e.end === undefined)))
      return [{ key, message: "must give either ip, or start and end" }];
    if (ranged && compareIp(e.start as string, e.end as string) > 0)
      return [{ key: `${key}.start`, message: `${e.start} is after end ${e.end}` }];
    const range = reservedRange(e) as Ipv4Range;
    if (!ipInCidr(range.start, net.lanCidr) || !ipInCidr(range.end, net.lanCidr)) {
      return [
        {
          key,
          message: `${label(range)} is not inside the plant LAN ${net.lanCidr}; list LAN machines here (networks beyond the LAN go in plant:network.routed)`,
        },
      ];
    }
    const lan = cidrAsRange(net.lanCidr);
    if (ipInRange(lan.start, range) || ipInRange(lan.end, range))
      return [
        {
          key,
          message: `${label(range)} takes the network or broadcast address of ${net.lanCidr}`,
        },
      ];
    return [];
  });
}

/** Program addresses and the VM range against what the plant already uses. */
function clashProblems(site: ParsedSite): Problem[] {
  const plant = plantClaims(site);
  const problems: Problem[] = [];
  for (const claim of collectAddressClaims(site)) {
    if (!PROGRAM_KINDS.has(claim.kind)) continue;
    const taken = plant.find((p) => ipInRange(claim.ip, p.range));
    if (taken) {
      problems.push({
        key: claim.key,
        message: `${claim.ip} (${claim.what}) is ${taken.what} (${taken.key}); the program must not ${claim.kind === "vm" ? "hand it to a VM" : "announce it"}`,
      });
    }
  }
  const pool = site.network.vmRange;
  for (const p of plant) {
    if (compareIp(pool.start, pool.end) <= 0 && rangesOverlap(pool, p.range)) {
      problems.push({
        key: "plant:network.vmRange",
        message: `${label(pool)} contains ${p.what} (${p.key}); Neutron hands out any address of the range to VMs and its own ports`,
      });
    }
  }
  return problems;
}

export function claimedAddressProblems(site: ParsedSite): Problem[] {
  return [...reservedProblems(site), ...clashProblems(site)];
}

/**
 * A site sharing the network with `other` must not announce or hand out what the other site
 * lists as its DNS, NTP or reserved addresses.
 */
export function claimedCrossSiteProblems(
  site: ParsedSite,
  other: { stack: string; site: ParsedSite },
): Problem[] {
  const theirs = plantClaims(other.site);
  return collectAddressClaims(site).flatMap((claim): Problem[] => {
    if (!PROGRAM_KINDS.has(claim.kind)) return [];
    const taken = theirs.find((p) => ipInRange(claim.ip, p.range));
    return taken
      ? [
          {
            key: claim.key,
            message: `${claim.ip} (${claim.what}) is ${taken.what} in stack '${other.stack}' (${taken.key}), which shares the network`,
          },
        ]
      : [];
  });
}
