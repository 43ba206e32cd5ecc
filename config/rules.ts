// Relations between config values that a schema cannot express. Each rule returns
// problems as { key, message }; nothing here touches Pulumi.
import { AddressClaim, collectAddressClaims, controlPlaneCount, fqdn } from "./addresses";
import {
  cidrsOverlap,
  ipInCidr,
  ipInRange,
  compareIp,
  rangeInCidr,
  rangesOverlap,
  Ipv4Range,
} from "./ip";
import { drillProblems } from "./drill";
import { identityProblems } from "./identity-rules";
import { boundProblems } from "./bound-rules";
import { claimedAddressProblems, claimedCrossSiteProblems } from "./claimed-rules";
import { clusterNetworkProblems } from "./cluster-network-rules";
import { valueProblems } from "./value-rules";
import { mirrorProblems } from "./mirrors";
import { observabilityProblems } from "./observability";
import { isClusterScoped } from "./kube-scope";
import { objectStoreProblems } from "./object-store-rules";
import { scheduleProblems } from "./schedule-rules";
import { ParsedSite } from "./schema";

export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

/** Another site's parsed file, for cross-site checks. */
export interface SiblingSite {
  readonly stack: string;
  readonly site: ParsedSite;
}

type Rule = (site: ParsedSite) => ConfigProblem[];

function duplicates<T>(items: T[], keyOf: (t: T) => string): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  items.forEach((item, i) => seen.set(keyOf(item), [...(seen.get(keyOf(item)) ?? []), i]));
  return new Map([...seen].filter(([, idx]) => idx.length > 1));
}

function uniqueNames(list: { name: string }[], key: string, what: string): ConfigProblem[] {
  return [...duplicates(list, (x) => x.name)].map(([name, idx]) => ({
    key: `${key}[${idx[1]}].name`,
    message: `${what} name '${name}' is used more than once (also at ${key}[${idx[0]}])`,
  }));
}

const hostCount: Rule = (site) => {
  const n = site.hosts.length;
  const f = site.site.failuresTolerated;
  const problems: ConfigProblem[] = [];
  if (n < 3) {
    problems.push({
      key: "plant:hosts",
      message: `lists ${n} R620(s); at least 3 are needed to survive a host failure`,
    });
  }
  if (n < 2 * f + 1) {
    problems.push({
      key: "plant:site.failuresTolerated",
      message: `is ${f}, which needs at least ${2 * f + 1} hosts (2f+1) for quorum; plant:hosts lists ${n}`,
    });
  }
  return problems;
};

const names: Rule = (site) => [
  ...uniqueNames(site.hosts, "plant:hosts", "host"),
  ...uniqueNames(site.clusters, "plant:clusters", "cluster"),
  ...uniqueNames(site.databases, "plant:databases", "database"),
  ...uniqueNames(site.services, "plant:services", "service"),
  ...site.clusters.flatMap((c, i) => [
    ...(c.kind === "existing" ? uniqueNames(c.nodes, `plant:clusters[${i}].nodes`, "node") : []),
    ...uniqueNames(
      c.ingress?.addresses ?? [],
      `plant:clusters[${i}].ingress.addresses`,
      "ingress address",
    ),
  ]),
];

const network: Rule = ({ network: net }) => {
  const problems: ConfigProblem[] = [];
  const ranges: [string, Ipv4Range][] = [
    ["plant:network.dhcpRange", net.dhcpRange],
    ["plant:network.vmRange", net.vmRange],
  ];
  for (const [key, r] of ranges) {
    if (compareIp(r.start, r.end) > 0)
      problems.push({ key, message: `starts (${r.start}) after it ends (${r.end})` });
    else if (!rangeInCidr(r, net.lanCidr)) {
      problems.push({
        key,
        message: `${r.start}-${r.end} is not inside the plant LAN ${net.lanCidr}`,
      });
    }
  }
  if (rangesOverlap(net.dhcpRange, net.vmRange)) {
    problems.push({
      key: "plant:network.vmRange",
      message: `${net.vmRange.start}-${net.vmRange.end} overlaps the DHCP range ${net.dhcpRange.start}-${net.dhcpRange.end}`,
    });
  }
  if (!ipInCidr(net.gateway, net.lanCidr)) {
    problems.push({
      key: "plant:network.gateway",
      message: `${net.gateway} is not inside the plant LAN ${net.lanCidr}`,
    });
  }
  if (net.provider.type === "vlan" && net.provider.segmentationId === undefined) {
    problems.push({
      key: "plant:network.provider.segmentationId",
      message: "is required for a vlan provider network",
    });
  }
  if (net.provider.type === "flat" && net.provider.segmentationId !== undefined) {
    problems.push({
      key: "plant:network.provider.segmentationId",
      message: "must not be set for a flat provider network",
    });
  }
  return problems;
};

/** Where each kind of address may live on the LAN. */
function placementProblems(claim: AddressClaim, site: ParsedSite): string | undefined {
  const net = site.network;
  if (!ipInCidr(claim.ip, net.lanCidr))
    return `${claim.ip} (${claim.what}) is outside the plant LAN ${net.lanCidr}`;
  if (claim.kind !== "gateway" && ipInRange(claim.ip, net.dhcpRange)) {
    return `${claim.ip} (${claim.what}) is inside the DHCP range ${net.dhcpRange.start}-${net.dhcpRange.end}`;
  }
  if (claim.kind === "vm" && !ipInRange(claim.ip, net.vmRange)) {
    return `${claim.ip} (${claim.what}) is outside the VM range ${net.vmRange.start}-${net.vmRange.end}`;
  }
  if (claim.kind !== "vm" && ipInRange(claim.ip, net.vmRange)) {
    return `${claim.ip} (${claim.what}) is inside the VM range ${net.vmRange.start}-${net.vmRange.end}, which Neutron hands out`;
  }
  return undefined;
}

const addresses: Rule = (site) => {
  const claims = collectAddressClaims(site);
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  for (const claim of claims) {
    const misplaced = placementProblems(claim, site);
    if (misplaced && !reported.has(claim.key)) {
      reported.add(claim.key);
      problems.push({ key: claim.key, message: misplaced });
    }
  }
  for (const [ip, idx] of duplicates(claims, (c) => c.ip)) {
    const [first, ...rest] = idx.map((i) => claims[i]);
    for (const other of rest) {
      problems.push({
        key: other.key,
        message: `${ip} is ${first.what} (${first.key}); it cannot also be ${other.what}`,
      });
    }
  }
  return problems;
};

const controlPlanes: Rule = (site) =>
  site.clusters.flatMap((c, i) => {
    if (c.kind !== "openstack") return [];
    const f = site.site.failuresTolerated;
    const n = controlPlaneCount(c, f);
    const key = `plant:clusters[${i}].controlPlane.count`;
    if (n % 2 === 0) return [{ key, message: `is ${n}; etcd needs an odd number of members` }];
    if (n < 2 * f + 1)
      return [
        {
          key,
          message: `is ${n}; surviving ${f} host failure(s) (plant:site.failuresTolerated) needs at least ${2 * f + 1}`,
        },
      ];
    if (n > site.hosts.length) {
      return [
        {
          key,
          message: `is ${n}, but only ${site.hosts.length} hosts exist to keep members on distinct R620s: add R620s to plant:hosts (${n} needed) or lower the count`,
        },
      ];
    }
    return [];
  });

/** Every hostname of a site, as FQDN, with the address it resolves to. */
function hostnameClaims(
  site: ParsedSite,
): { fqdn: string; ip: string; key: string; cluster: string }[] {
  return site.clusters.flatMap((c, ci) =>
    (c.ingress?.addresses ?? []).flatMap((a, ai) =>
      a.hostnames.map((h, hi) => ({
        fqdn: fqdn(h, site.site.domain),
        ip: a.ip,
        key: `plant:clusters[${ci}].ingress.addresses[${ai}].hostnames[${hi}]`,
        cluster: c.name,
      })),
    ),
  );
}

const hostnames: Rule = (site) =>
  [...duplicates(hostnameClaims(site), (h) => h.fqdn)].map(([name, idx]) => {
    const all = hostnameClaims(site);
    return {
      key: all[idx[1]].key,
      message: `${name} is already given to ${all[idx[0]].ip} (${all[idx[0]].key}); a host name resolves to exactly one static IP`,
    };
  });

const references: Rule = (site) => {
  const problems: ConfigProblem[] = [];
  const clusters = new Map(site.clusters.map((c) => [c.name, c]));
  const databases = new Map(site.databases.map((d) => [d.name, d]));
  site.databases.forEach((d, i) => {
    if (!clusters.has(d.cluster))
      problems.push({
        key: `plant:databases[${i}].cluster`,
        message: `names unknown cluster '${d.cluster}'`,
      });
  });
  site.services.forEach((s, i) => {
    const key = `plant:services[${i}]`;
    const cluster = clusters.get(s.cluster);
    if (!cluster)
      problems.push({ key: `${key}.cluster`, message: `names unknown cluster '${s.cluster}'` });
    if (s.replicas.max < s.replicas.min) {
      problems.push({
        key: `${key}.replicas.max`,
        message: `is ${s.replicas.max}, below replicas.min ${s.replicas.min}`,
      });
    }
    if (s.database.access !== "none") {
      const db = databases.get(s.database.name);
      if (!db)
        problems.push({
          key: `${key}.database.name`,
          message: `names unknown database '${s.database.name}'`,
        });
      else if (db.cluster !== s.cluster) {
        problems.push({
          key: `${key}.database.name`,
          message: `database '${db.name}' runs on cluster '${db.cluster}', not '${s.cluster}'`,
        });
      }
    }
    if (s.database.access === "none" && s.database.connectionsPerPod !== undefined) {
      problems.push({
        key: `${key}.database.connectionsPerPod`,
        message: "is set but database.access is none: the service holds no database connections",
      });
    }
    if (s.migration && s.database.access !== "readwrite") {
      problems.push({
        key: `${key}.migration`,
        message: "needs database.access 'readwrite' to migrate the schema",
      });
    }
    const served = new Set(
      (cluster?.ingress?.addresses ?? []).flatMap((a) =>
        a.hostnames.map((h) => fqdn(h, site.site.domain)),
      ),
    );
    s.routes.forEach((r, ri) => {
      if (cluster && !served.has(fqdn(r.hostname, site.site.domain))) {
        problems.push({
          key: `${key}.routes[${ri}].hostname`,
          message: `${fqdn(r.hostname, site.site.domain)} is not a host name of any static ingress address of cluster '${s.cluster}'`,
        });
      }
    });
  });
  return problems;
};

const mirrors: Rule = (site) => mirrorProblems(site.mirrors);
/** Adoption entries: each object once, with a namespace exactly when its kind is namespaced. */
const adoption: Rule = (site) =>
  site.clusters.flatMap((c, ci) => {
    const key = `plant:clusters[${ci}].adopt`;
    const problems: ConfigProblem[] = [];
    c.adopt.forEach((a, ai) => {
      if (isClusterScoped(a.kind) && a.namespace !== undefined) {
        problems.push({
          key: `${key}[${ai}].namespace`,
          message: `must not be set: ${a.kind} is cluster-scoped`,
        });
      }
      if (!isClusterScoped(a.kind) && a.namespace === undefined) {
        problems.push({
          key: `${key}[${ai}].namespace`,
          message: `is required: ${a.kind} is namespaced (cluster-scoped kinds: see config/kube-scope.ts)`,
        });
      }
    });
    const objectKey = (a: (typeof c.adopt)[number]): string =>
      `${a.kind} ${a.namespace ? `${a.namespace}/` : ""}${a.name}`;
    for (const [object, idx] of duplicates(c.adopt, objectKey)) {
      problems.push({
        key: `${key}[${idx[1]}]`,
        message: `${object} is listed more than once (also at ${key}[${idx[0]}])`,
      });
    }
    return problems;
  });

const drill: Rule = (site) => drillProblems(site.databases);

const SITE_RULES: Rule[] = [
  hostCount,
  names,
  network,
  addresses,
  controlPlanes,
  hostnames,
  references,
  identityProblems,
  claimedAddressProblems,
  clusterNetworkProblems,
  valueProblems,
  boundProblems,
  mirrors,
  adoption,
  objectStoreProblems,
  (site) => scheduleProblems(site),
  drill,
  observabilityProblems,
];

export function siteProblems(site: ParsedSite): ConfigProblem[] {
  return SITE_RULES.flatMap((rule) => rule(site));
}

/** Addresses and host names must not clash with a site sharing the network or the domain. */
export function crossSiteProblems(
  site: ParsedSite,
  siblings: readonly SiblingSite[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const mine = collectAddressClaims(site);
  const myNames = hostnameClaims(site);
  for (const other of siblings) {
    if (cidrsOverlap(site.network.lanCidr, other.site.network.lanCidr)) {
      const theirs = new Map(collectAddressClaims(other.site).map((c) => [c.ip, c]));
      for (const claim of mine) {
        const clash = theirs.get(claim.ip);
        // The shared gateway of a shared network is not a clash.
        if (clash && !(claim.kind === "gateway" && clash.kind === "gateway")) {
          problems.push({
            key: claim.key,
            message: `${claim.ip} is also ${clash.what} in stack '${other.stack}' (${clash.key}), which shares the network`,
          });
        }
      }
    }
    if (cidrsOverlap(site.network.lanCidr, other.site.network.lanCidr))
      problems.push(...claimedCrossSiteProblems(site, other));
    const theirNames = new Map(hostnameClaims(other.site).map((h) => [h.fqdn, h]));
    for (const h of myNames) {
      const clash = theirNames.get(h.fqdn);
      if (clash)
        problems.push({
          key: h.key,
          message: `${h.fqdn} is already used by stack '${other.stack}' (${clash.key})`,
        });
    }
  }
  return problems;
}
