// Joins each configured service with what the other areas hand over (its cluster's Gateways,
// its database roles) into a plain ServicePlan, and reports every gap at once, before any
// resource exists. Pure: no secrets and no resources cross this boundary.
import { fqdn } from "../../config/addresses";
import { ServiceConfig } from "../../config/schema";
import { DatabaseCredential, GatewayRef } from "../types";
import {
  DatabaseEndpoint,
  GatewayTarget,
  routeName,
  RoutePlan,
  serviceUrls,
  ServicePlan,
} from "./model";

/** Environment variables the program sets itself (see configMapData). */
const RESERVED_ENV: Readonly<Record<string, string>> = {
  APP_SECRETS_DIR: "where secret files are mounted",
  DB_CREDENTIALS_DIR: "where secret files are mounted",
  PGSSLMODE: "libpq's TLS mode for the database: verify-full",
  PGSSLROOTCERT: "the database's server CA for libpq",
};

export type GatewayInfo = Omit<GatewayRef, "ready" | "cluster">;
export type CredentialInfo = Omit<DatabaseCredential, "password" | "ready" | "caCertificate">;

export interface WiringInputs {
  readonly domain: string;
  /** plant:site.timeZone: the clock of the services' CronJobs. */
  readonly timeZone: string;
  readonly services: readonly ServiceConfig[];
  readonly clusters: ReadonlySet<string>;
  /**
   * Cluster name → its Gateways, one per static address in config order (ClusterAddons
   * `ingress.gateways`), for clusters with ingress.
   */
  readonly gateways: ReadonlyMap<string, readonly GatewayInfo[]>;
  /** Service name → app role. */
  readonly credentials: ReadonlyMap<string, CredentialInfo>;
  /** Service name → migrating role. */
  readonly migrationCredentials: ReadonlyMap<string, CredentialInfo>;
}

export interface WiredService {
  readonly config: ServiceConfig;
  readonly plan: ServicePlan;
  /** https://<fqdn><pathPrefix>, in config order. */
  readonly urls: readonly string[];
}

export class ServiceWiringError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Reporting services cannot be wired:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ServiceWiringError";
  }
}

function endpoint(c: CredentialInfo): DatabaseEndpoint {
  return {
    dbname: c.dbname,
    username: c.username,
    host: c.host,
    port: c.port,
    sslMode: c.sslMode,
    namespace: c.namespace,
    poolerPodLabels: { ...c.poolerPodLabels },
  };
}

/** Namespaces a service may not take: the system's and those of the gateways and databases. */
function reservedNamespaces(inputs: WiringInputs): Map<string, string> {
  const reserved = new Map<string, string>();
  for (const [cluster, gateways] of inputs.gateways)
    for (const g of gateways)
      reserved.set(g.namespace, `the Gateway namespace of cluster ${cluster}`);
  for (const c of [...inputs.credentials.values(), ...inputs.migrationCredentials.values()]) {
    reserved.set(c.namespace, `the namespace of database ${c.database}`);
  }
  return reserved;
}

function wireRoutes(
  s: ServiceConfig,
  key: string,
  inputs: WiringInputs,
  problems: string[],
): RoutePlan[] {
  const gateways = inputs.gateways.get(s.cluster) ?? [];
  if (s.routes.length > 0 && gateways.length === 0) {
    problems.push(
      `[${key}.routes] cluster '${s.cluster}' has no Gateway (ingress) to attach routes to`,
    );
    return [];
  }
  const byHost = new Map<
    string,
    { gateway: GatewayTarget; sectionName: string; pathPrefixes: string[] }
  >();
  s.routes.forEach((r, i) => {
    const host = fqdn(r.hostname, inputs.domain);
    // The Gateway of the address the host name resolves to (as ingress' gatewayFor finds it).
    const gateway = gateways.find((g) => host in g.httpsListeners);
    if (!gateway) {
      const names = gateways.map((g) => `${g.namespace}/${g.name}`).join(", ");
      problems.push(
        `[${key}.routes[${i}].hostname] ${host} has no HTTPS listener on ${gateways.length > 1 ? "any of the Gateways" : "Gateway"} ${names}`,
      );
      return;
    }
    const entry = byHost.get(host) ?? {
      gateway: {
        namespace: gateway.namespace,
        name: gateway.name,
        dataPlaneNamespaceLabels: { ...gateway.dataPlaneNamespaceLabels },
      },
      sectionName: gateway.httpsListeners[host],
      pathPrefixes: [],
    };
    if (!entry.pathPrefixes.includes(r.pathPrefix)) entry.pathPrefixes.push(r.pathPrefix);
    byHost.set(host, entry);
  });
  const routes = [...byHost].map(([host, e]): RoutePlan => ({
    name: routeName(s.name, host),
    fqdn: host,
    ...e,
  }));
  const names = new Set<string>();
  for (const r of routes) {
    if (names.has(r.name))
      problems.push(
        `[${key}.routes] two host names start with the same label: route name ${r.name} is ambiguous`,
      );
    names.add(r.name);
  }
  return routes;
}

/**
 * Problems visible in the services' config alone (no other area needed), so the program can
 * refuse them with the other config checks, before any resource exists.
 */
export function serviceConfigProblems(services: readonly ServiceConfig[]): string[] {
  const problems: string[] = [];
  services.forEach((s, i) => {
    const key = `plant:services[${i}]`;
    if (s.name === "default" || s.name.startsWith("kube-")) {
      problems.push(
        `[${key}.name] '${s.name}' would be the service's namespace, which is a system namespace`,
      );
    }
    const files = s.secrets.map((x) => x.file);
    files.forEach((f, fi) => {
      if (files.indexOf(f) !== fi)
        problems.push(`[${key}.secrets[${fi}].file] '${f}' is already used by another secret`);
    });
    for (const [reservedVar, why] of Object.entries(RESERVED_ENV)) {
      if (reservedVar in s.env) {
        problems.push(`[${key}.env.${reservedVar}] is set by the program (${why})`);
      }
    }
  });
  return problems;
}

/** Wires every service, or throws ServiceWiringError listing every problem. */
export function wireServices(inputs: WiringInputs): WiredService[] {
  const problems: string[] = serviceConfigProblems(inputs.services);
  const reserved = reservedNamespaces(inputs);
  const wired = inputs.services.map((s, i): WiredService => {
    const key = `plant:services[${i}]`;
    if (!inputs.clusters.has(s.cluster))
      problems.push(`[${key}.cluster] names unknown cluster '${s.cluster}'`);
    // One namespace per service, named after it (see docs/reporting.md).
    const namespace = s.name;
    const clash = reserved.get(namespace);
    if (clash)
      problems.push(
        `[${key}.name] '${s.name}' would be the service's namespace, which is ${clash}`,
      );
    let database: DatabaseEndpoint | undefined;
    if (s.database.access !== "none") {
      const c = inputs.credentials.get(s.name);
      if (!c)
        problems.push(
          `[${key}.database] no ${s.database.access} role was created for ${s.name} in database '${s.database.name}'`,
        );
      else if (c.access !== s.database.access) {
        problems.push(
          `[${key}.database.access] is '${s.database.access}' but the role ${c.username} has '${c.access}' access`,
        );
      } else database = endpoint(c);
    }
    let migrationDatabase: DatabaseEndpoint | undefined;
    if (s.migration) {
      const c = inputs.migrationCredentials.get(s.name);
      if (!c)
        problems.push(
          `[${key}.migration] no migrating role was created for ${s.name} in database '${s.database.name}'`,
        );
      else migrationDatabase = endpoint(c);
    }
    const routes = wireRoutes(s, key, inputs, problems);
    const plan: ServicePlan = {
      name: s.name,
      namespace,
      image: s.image,
      port: s.port,
      ...(s.metrics ? { metricsPort: s.metrics.port ?? s.port } : {}),
      env: { ...s.env },
      secretFiles: s.secrets.map((x) => x.file),
      ...(database ? { database } : {}),
      ...(migrationDatabase ? { migrationDatabase } : {}),
      resources: s.resources,
      replicas: s.replicas,
      health: s.health,
      ...(s.migration ? { migration: s.migration } : {}),
      ...(s.schedule ? { schedule: s.schedule } : {}),
      timeZone: inputs.timeZone,
      routes,
    };
    const urls = serviceUrls(
      s.routes.map((r) => ({ fqdn: fqdn(r.hostname, inputs.domain), pathPrefix: r.pathPrefix })),
    );
    return { config: s, plan, urls };
  });
  if (problems.length > 0) throw new ServiceWiringError(problems);
  return wired;
}
