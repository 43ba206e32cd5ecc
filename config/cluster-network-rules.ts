// The networks inside each RKE2 cluster (podCidr, serviceCidr) against the networks outside it,
// and the admin networks that may reach the clusters. A pod network that overlaps a network the
// pods must reach turns those addresses into pod addresses: DNS, NTP, the object store or an
// admin's workstation become unreachable from inside the cluster. Pure; no Pulumi.
import { controlPlaneCount } from "./addresses";
import { cidrAsRange, cidrsOverlap, ipInCidr, prefixLength } from "./ip";
import { objectStoreAddresses } from "./object-store-rules";
import { ParsedSite } from "./schema";

interface Problem {
  readonly key: string;
  readonly message: string;
}

/** kube-controller-manager's default node-cidr-mask-size (IPv4): every node gets a /24. */
export const NODE_POD_PREFIX = 24;
/** The largest service range kube-apiserver has always accepted (2^20 addresses). */
export const MAX_SERVICE_RANGE_PREFIX = 12;
/** The smallest service range: the add-ons alone take a few dozen Service IPs. */
export const MIN_SERVICE_RANGE_PREFIX = 24;

/** A network outside the cluster that pods must reach, with its key. */
interface Outside {
  readonly cidr: string;
  readonly key: string;
  readonly what: string;
}

function outsideNetworks(site: ParsedSite): Outside[] {
  const net = site.network;
  const host = (ip: string): string => `${ip}/32`;
  const outside: Outside[] = [
    { cidr: net.lanCidr, key: "plant:network.lanCidr", what: "the plant LAN" },
    ...net.adminCidrs.map((cidr, i) => ({
      cidr,
      key: `plant:network.adminCidrs[${i}]`,
      what: "an admin network",
    })),
    ...net.routed.map((r, i) => ({
      cidr: r.cidr,
      key: `plant:network.routed[${i}]`,
      what: `the routed network '${r.note}'`,
    })),
    ...net.dnsServers.map((ip, i) => ({
      cidr: host(ip),
      key: `plant:network.dnsServers[${i}]`,
      what: "a DNS server",
    })),
    ...net.ntpServers.flatMap((s, i) =>
      /^[0-9.]+$/.test(s)
        ? [{ cidr: host(s), key: `plant:network.ntpServers[${i}]`, what: "an NTP server" }]
        : [],
    ),
  ];
  // The object store Barman writes to.
  for (const { ip, key } of objectStoreAddresses(site.openstack.objectStore))
    outside.push({ cidr: host(ip), key, what: "the object store" });
  // What lies inside the LAN is reported once, as the LAN.
  const lan = net.lanCidr;
  const insideLan = (cidr: string): boolean =>
    ipInCidr(cidrAsRange(cidr).start, lan) && ipInCidr(cidrAsRange(cidr).end, lan);
  // A /0 is refused on its own (adminProblems); it would also "overlap" every cluster network.
  return outside.filter(
    (o) => o.key === "plant:network.lanCidr" || (prefixLength(o.cidr) > 0 && !insideLan(o.cidr)),
  );
}

function sizeProblems(site: ParsedSite, i: number): Problem[] {
  const c = site.clusters[i];
  if (c.kind !== "openstack") return [];
  const base = `plant:clusters[${i}]`;
  const problems: Problem[] = [];
  const nodes = controlPlaneCount(c, site.site.failuresTolerated) + c.workers.count;
  const podPrefix = prefixLength(c.podCidr);
  // One spare /24 so a replacement node can join before the node it replaces is deleted.
  const needed = nodes + 1;
  const blocks = podPrefix > NODE_POD_PREFIX ? 0 : 2 ** (NODE_POD_PREFIX - podPrefix);
  if (blocks < needed) {
    const widest = NODE_POD_PREFIX - Math.ceil(Math.log2(needed));
    problems.push({
      key: `${base}.podCidr`,
      message: `${c.podCidr} holds ${blocks} node range(s) of /${NODE_POD_PREFIX} (each node gets one), but cluster ${c.name} needs ${needed}: ${nodes} nodes (controlPlane.count + workers.count) and one for a replacement; use /${widest} or wider`,
    });
  }
  const servicePrefix = prefixLength(c.serviceCidr);
  if (servicePrefix < MAX_SERVICE_RANGE_PREFIX) {
    problems.push({
      key: `${base}.serviceCidr`,
      message: `${c.serviceCidr} is wider than /${MAX_SERVICE_RANGE_PREFIX}, the largest service range kube-apiserver accepts`,
    });
  } else if (servicePrefix > MIN_SERVICE_RANGE_PREFIX) {
    problems.push({
      key: `${base}.serviceCidr`,
      message: `${c.serviceCidr} is narrower than /${MIN_SERVICE_RANGE_PREFIX}: the add-ons and services need a few dozen Service IPs (CoreDNS takes the tenth)`,
    });
  }
  return problems;
}

function overlapProblems(site: ParsedSite, i: number, outside: readonly Outside[]): Problem[] {
  const c = site.clusters[i];
  if (c.kind !== "openstack") return [];
  const base = `plant:clusters[${i}]`;
  const problems: Problem[] = [];
  if (cidrsOverlap(c.podCidr, c.serviceCidr)) {
    problems.push({
      key: `${base}.serviceCidr`,
      message: `${c.serviceCidr} overlaps the pod network ${c.podCidr} (${base}.podCidr) of the same cluster`,
    });
  }
  for (const field of ["podCidr", "serviceCidr"] as const) {
    const cidr = c[field];
    for (const o of outside) {
      if (!cidrsOverlap(cidr, o.cidr)) continue;
      const shown = o.cidr.endsWith("/32") ? o.cidr.slice(0, -3) : o.cidr;
      const verb = o.cidr.endsWith("/32") ? "contains" : "overlaps";
      problems.push({
        key: `${base}.${field}`,
        message: `${cidr} ${verb} ${o.what} ${shown} (${o.key}): pods of cluster ${c.name} could not reach it`,
      });
    }
  }
  return problems;
}

function adminProblems(site: ParsedSite): Problem[] {
  const net = site.network;
  return [
    ...net.adminCidrs.flatMap((cidr, i): Problem[] =>
      prefixLength(cidr) === 0
        ? [
            {
              key: `plant:network.adminCidrs[${i}]`,
              message: `${cidr} would open SSH and the Kubernetes API of every node to every address; list the admin networks`,
            },
          ]
        : [],
    ),
    ...net.routed.flatMap((r, i): Problem[] =>
      cidrsOverlap(r.cidr, net.lanCidr)
        ? [
            {
              key: `plant:network.routed[${i}]`,
              message: `${r.cidr} overlaps the plant LAN ${net.lanCidr}; list only networks beyond the LAN (LAN machines go in plant:network.reserved)`,
            },
          ]
        : [],
    ),
  ];
}

export function clusterNetworkProblems(site: ParsedSite): Problem[] {
  const outside = outsideNetworks(site);
  return [
    ...adminProblems(site),
    ...site.clusters.flatMap((_, i) => [
      ...overlapProblems(site, i, outside),
      ...sizeProblems(site, i),
    ]),
  ];
}
