// Values checked the way the system that reads them will: URLs with the scheme their consumer
// speaks, resource limits never below requests, route paths as Gateway API validates them and
// no two routes claiming the same host and path (or one route name), database volumes on a
// StorageClass that exists, the SSH key as Nova imports it, DNS servers as Neutron takes them,
// admin networks that name their security-group rules uniquely. Formats (quantities, cron) are in
// the schema (config/quantity.ts, config/cron.ts). Pure.
import { fqdn } from "./addresses";
import { parseCpu, parseMemory } from "./quantity";
import { ParsedSite, ResourcesConfig } from "./schema";
import { urlProblem } from "./url";

interface Problem {
  readonly key: string;
  readonly message: string;
}

/** Envoy Gateway's SecurityPolicy: jwt.providers[].issuer and remoteJWKS.uri (maxLength 253). */
const JWT_MAX_LENGTH = 253;

function urlProblems(site: ParsedSite): Problem[] {
  const checks: [string, string | undefined, Parameters<typeof urlProblem>[1]][] = [
    [
      "plant:openstack.objectStore.s3Endpoint",
      site.openstack.objectStore.s3Endpoint,
      {
        schemes: ["https:", "http:"],
        consumer: "Barman's S3 client (endpointURL)",
        rootOnly: true,
      },
    ],
    [
      "plant:openstack.image.url",
      "url" in site.openstack.image ? site.openstack.image.url : undefined,
      { schemes: ["https:", "http:"], consumer: "the image download" },
    ],
  ];
  site.clusters.forEach((c, i) => {
    const base = `plant:clusters[${i}]`;
    if (c.kind === "existing") {
      checks.push([
        `${base}.apiEndpoint`,
        c.apiEndpoint,
        { schemes: ["https:"], consumer: "the Kubernetes API", rootOnly: true },
      ]);
    }
    const tls = c.ingress?.tls;
    if (tls?.issuer === "acme") {
      checks.push([
        `${base}.ingress.tls.server`,
        tls.server,
        // RFC 8555 §6.1: ACME is spoken over HTTPS only.
        { schemes: ["https:"], consumer: "cert-manager's ACME client" },
      ]);
    }
  });
  site.services.forEach((s, i) => {
    const auth = s.gateway.auth;
    if (auth?.type !== "jwt") return;
    const key = `plant:services[${i}].gateway.auth`;
    checks.push([
      `${key}.jwksUri`,
      auth.jwksUri,
      {
        schemes: ["https:"],
        consumer: "Envoy Gateway's remote JWKS fetch",
        maxLength: JWT_MAX_LENGTH,
      },
    ]);
  });
  const problems = checks.flatMap(([key, value, needs]): Problem[] => {
    const problem = value === undefined ? undefined : urlProblem(value, needs);
    return problem ? [{ key, message: problem }] : [];
  });
  site.services.forEach((s, i) => {
    const auth = s.gateway.auth;
    if (auth?.type === "jwt" && auth.issuer.length > JWT_MAX_LENGTH)
      problems.push({
        key: `plant:services[${i}].gateway.auth.issuer`,
        message: `is longer than ${JWT_MAX_LENGTH} characters, the most Envoy Gateway accepts`,
      });
  });
  return problems;
}

/** Kubernetes refuses a container whose limit is below its request. */
function limitProblems(resources: ResourcesConfig, key: string): Problem[] {
  const problems: Problem[] = [];
  const { requests, limits } = resources;
  const memReq = parseMemory(requests.memory);
  const memLim = parseMemory(limits.memory);
  if (memReq !== undefined && memLim !== undefined && memLim < memReq) {
    problems.push({
      key: `${key}.limits.memory`,
      message: `${limits.memory} is below requests.memory ${requests.memory}; Kubernetes refuses a limit below the request`,
    });
  }
  if (limits.cpu !== undefined) {
    const cpuReq = parseCpu(requests.cpu);
    const cpuLim = parseCpu(limits.cpu);
    if (cpuReq !== undefined && cpuLim !== undefined && cpuLim < cpuReq) {
      problems.push({
        key: `${key}.limits.cpu`,
        message: `${limits.cpu} is below requests.cpu ${requests.cpu}; Kubernetes refuses a limit below the request`,
      });
    }
  }
  return problems;
}

/** Gateway API v1.6.1 HTTPRoute path rules for PathPrefix (CEL validations of the CRD). */
export function pathPrefixProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "must start with '/'";
  if (path.length > 1024) return "is longer than 1024 characters";
  for (const bad of ["//", "/./", "/../", "%2f", "%2F", "#"])
    if (path.includes(bad)) return `must not contain '${bad}'`;
  if (path.endsWith("/..") || path.endsWith("/.")) return "must not end with '/.' or '/..'";
  if (!/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/.test(path))
    return "has characters an HTTP path may not hold unescaped";
  return undefined;
}

/** Gateway API ignores a trailing '/' of a PathPrefix: `/gauges/` and `/gauges` are one prefix. */
function normalPrefix(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

function routeProblems(site: ParsedSite): Problem[] {
  const problems: Problem[] = [];
  const claimed = new Map<string, { service: string; key: string }>();
  site.services.forEach((s, i) => {
    const mine = new Set<string>();
    // One HTTPRoute per host name, named <service>-<first label> (components/reporting/model.ts).
    const byLabel = new Map<string, { fqdn: string; index: number }>();
    s.routes.forEach((r, ri) => {
      const host = fqdn(r.hostname, site.site.domain);
      const label = host.split(".")[0];
      const other = byLabel.get(label);
      if (other && other.fqdn !== host)
        problems.push({
          key: `plant:services[${i}].routes[${ri}].hostname`,
          message: `${host} starts with the same label as ${other.fqdn} (routes[${other.index}]): the service's HTTPRoutes are named ${s.name}-<first label>, so both would be ${s.name}-${label}; use host names whose first labels differ`,
        });
      else if (!other) byLabel.set(label, { fqdn: host, index: ri });
    });
    s.routes.forEach((r, ri) => {
      const key = `plant:services[${i}].routes[${ri}]`;
      const bad = pathPrefixProblem(r.pathPrefix);
      if (bad) {
        problems.push({ key: `${key}.pathPrefix`, message: `'${r.pathPrefix}' ${bad}` });
        return;
      }
      // A host name resolves to one static IP, so host + prefix identifies one Gateway's match.
      const claim = `${fqdn(r.hostname, site.site.domain)}${normalPrefix(r.pathPrefix)}`;
      const other = claimed.get(claim);
      if (other && !mine.has(claim)) {
        problems.push({
          key: `${key}.pathPrefix`,
          message: `${claim} is already routed to service ${other.service} (${other.key}); two routes on one Gateway must not claim the same host and path prefix`,
        });
      } else if (!other) claimed.set(claim, { service: s.name, key });
      mine.add(claim);
    });
  });
  return problems;
}

function storageClassProblems(site: ParsedSite): Problem[] {
  return site.databases.flatMap((db, i): Problem[] => {
    const ci = site.clusters.findIndex((c) => c.name === db.cluster);
    const cluster = site.clusters[ci];
    const asked = db.storage.storageClass;
    // The program installs one StorageClass on the clusters it builds (Cinder block volumes,
    // components/kubernetes/cinder-csi-spec.ts); an existing cluster's classes are its own business.
    if (cluster?.kind !== "openstack" || asked === undefined || asked === cluster.storageClass)
      return [];
    return [
      {
        key: `plant:databases[${i}].storage.storageClass`,
        message: `'${asked}' does not exist on cluster ${cluster.name}: the program installs only '${cluster.storageClass}' (plant:clusters[${ci}].storageClass), Cinder block volumes sized and kept off the workers' root disks; the volumes would stay Pending`,
      },
    ];
  });
}

/** Neutron's subnet takes at most max_dns_nameservers (5 by default) distinct DNS servers. */
export const MAX_DNS_SERVERS = 5;

function listProblems(site: ParsedSite): Problem[] {
  const problems: Problem[] = [];
  const net = site.network;
  const repeated = (list: readonly string[], key: string, why: string): void =>
    list.forEach((v, i) => {
      const first = list.indexOf(v);
      if (first !== i)
        problems.push({
          key: `${key}[${i}]`,
          message: `${v} is listed twice (also at ${key}[${first}]); ${why}`,
        });
    });
  repeated(net.dnsServers, "plant:network.dnsServers", "Neutron refuses a duplicate name server");
  repeated(
    net.adminCidrs,
    "plant:network.adminCidrs",
    "each admin network gets its own security-group rules, named after it",
  );
  if (net.dnsServers.length > MAX_DNS_SERVERS)
    problems.push({
      key: "plant:network.dnsServers",
      message: `lists ${net.dnsServers.length}; a Neutron subnet takes at most ${MAX_DNS_SERVERS} (max_dns_nameservers)`,
    });
  return problems;
}

/**
 * Nova imports the key only if its base64 blob is an SSH key of the named type: the blob starts
 * with that type as a length-prefixed string (RFC 4253 §6.6).
 */
export function sshKeyProblem(publicKey: string): string | undefined {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length % 4 !== 0)
    return "has no base64 key after its type";
  const bytes = Buffer.from(blob, "base64");
  const length = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  const inner = length >= 0 ? bytes.subarray(4, 4 + length).toString("latin1") : "";
  if (inner !== type)
    return `is not a ${type} key: its base64 part does not start with '${type}' (a truncated or mixed-up paste?)`;
  if (type === "ssh-ed25519" && bytes.length !== 4 + type.length + 4 + 32)
    return "is not a whole ssh-ed25519 key (its key part is not 32 bytes): a truncated paste?";
  return undefined;
}

export function valueProblems(site: ParsedSite): Problem[] {
  const keyProblem = sshKeyProblem(site.openstack.keypair.publicKey);
  return [
    ...(keyProblem ? [{ key: "plant:openstack.keypair.publicKey", message: keyProblem }] : []),
    ...listProblems(site),
    ...urlProblems(site),
    ...site.services.flatMap((s, i) =>
      limitProblems(s.resources, `plant:services[${i}].resources`),
    ),
    ...site.databases.flatMap((d, i) =>
      limitProblems(d.resources, `plant:databases[${i}].resources`),
    ),
    ...routeProblems(site),
    ...storageClassProblems(site),
  ];
}
