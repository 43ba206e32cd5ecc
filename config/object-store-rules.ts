// The site object store (plant:openstack.objectStore) as the databases reach it: where its
// S3 endpoint answers (the database namespaces' only way out besides DNS and the API server)
// and which CA signs its certificate. Pure: config in, problems and plain facts out.
import { isIpv4 } from "./ip";
import { caBundleProblem } from "./mirrors";
import { ObjectStoreConfig, ParsedSite } from "./schema";

/** A { key, message } problem (the shape of rules.ts' ConfigProblem; no import loop). */
interface ConfigProblem {
  readonly key: string;
  readonly message: string;
}

const KEY = "plant:openstack.objectStore";

/** Where the database pods send WAL and base backups: /32 CIDRs and one port. */
export interface ObjectStoreEgress {
  readonly cidrs: readonly string[];
  readonly port: number;
}

/**
 * The object store's IPv4 addresses with the key that gives each: the s3Endpoint's own address,
 * or the `addresses` its host name resolves to. Pods must reach them and nothing the program
 * puts on the LAN may take them (cluster-network-rules.ts, claimed-rules.ts).
 */
export function objectStoreAddresses(
  store: ObjectStoreConfig,
): { readonly ip: string; readonly key: string }[] {
  let hostname: string;
  try {
    hostname = new URL(store.s3Endpoint).hostname;
  } catch {
    return [];
  }
  if (isIpv4(hostname)) return [{ ip: hostname, key: `${KEY}.s3Endpoint` }];
  return (store.addresses ?? []).map((ip, i) => ({ ip, key: `${KEY}.addresses[${i}]` }));
}

/**
 * The endpoint's addresses (its IP, or the configured `addresses` of its host name) as /32s,
 * and its port (explicit, or 443/80 by scheme). Validation guarantees one of the two exists.
 */
export function objectStoreEgress(store: ObjectStoreConfig): ObjectStoreEgress {
  const url = new URL(store.s3Endpoint);
  const port = url.port !== "" ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
  const ips = isIpv4(url.hostname) ? [url.hostname] : [...(store.addresses ?? [])];
  return { cidrs: [...new Set(ips)].map((ip) => `${ip}/32`), port };
}

export function objectStoreProblems(site: ParsedSite): ConfigProblem[] {
  const store = site.openstack.objectStore;
  const problems: ConfigProblem[] = [];
  // The endpoint's scheme and shape are value-rules.ts' (as Barman's S3 client reads it).
  const url = new URL(store.s3Endpoint);
  if (isIpv4(url.hostname)) {
    if (store.addresses !== undefined) {
      problems.push({
        key: `${KEY}.addresses`,
        message: `must not be set: s3Endpoint already names the address ${url.hostname}`,
      });
    }
  } else if (store.addresses === undefined) {
    problems.push({
      key: `${KEY}.addresses`,
      message:
        `is required: s3Endpoint names the host ${url.hostname}, and the database pods may ` +
        `reach only the addresses listed here (the IPv4 addresses that name resolves to)`,
    });
  } else {
    store.addresses.forEach((ip, i) => {
      if (store.addresses!.indexOf(ip) !== i) {
        problems.push({ key: `${KEY}.addresses[${i}]`, message: `${ip} is listed twice` });
      }
    });
  }
  const ca = store.endpointCA;
  if (ca !== undefined) {
    if (url.protocol !== "https:") {
      problems.push({
        key: `${KEY}.endpointCA`,
        message: `is set but s3Endpoint '${store.s3Endpoint}' is not https`,
      });
    }
    // Checked here, not in the schema, so the refusal does not repeat the whole PEM.
    const problem = "pem" in ca ? caBundleProblem(ca.pem) : undefined;
    if (problem) problems.push({ key: `${KEY}.endpointCA.pem`, message: problem });
  }
  return problems;
}
