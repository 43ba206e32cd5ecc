// The plain-data model of one reporting service after wiring (config + gateway + database
// roles, without secret values), and the names, labels and hashes derived from it. Pure: the
// manifest builders and the component read only this.
import { createHash } from "crypto";
import { ResourcesConfig, ServiceConfig } from "../../config/schema";
import { GATEWAY_ROUTE_NAMESPACE_LABELS } from "../ingress/model";

/** Where secret files are mounted in every container (schema: /var/run/secrets/app/<file>). */
export const APP_SECRETS_DIR = "/var/run/secrets/app";
/** Where the database credential files (host, port, dbname, username, password, TLS) are mounted. */
export const DB_CREDENTIALS_DIR = "/var/run/secrets/db";
/** The database server CA (PEM) inside DB_CREDENTIALS_DIR. */
export const DB_CA_FILE = "ca.crt";
/** Absolute path of that CA: the `sslrootcert` file's content and PGSSLROOTCERT. */
export const DB_CA_PATH = `${DB_CREDENTIALS_DIR}/${DB_CA_FILE}`;
/**
 * Files of a database credential Secret, one value each: a libpq connection is host, port,
 * dbname, username, password plus `sslmode` (verify-full) and `sslrootcert` (DB_CA_PATH).
 */
export const DB_CREDENTIAL_FILES = [
  "host",
  "port",
  "dbname",
  "username",
  "password",
  "sslmode",
  "sslrootcert",
  DB_CA_FILE,
] as const;
/** Non-root identity of every container (the images must not need a named user). */
export const RUN_AS_ID = 10001;
/** Pod Security Standards version the namespaces enforce: pinned to the clusters' minor. */
export const POD_SECURITY_VERSION = "v1.36";

/** A database endpoint without its secret: what manifests may show. */
export interface DatabaseEndpoint {
  readonly dbname: string;
  readonly username: string;
  readonly host: string;
  readonly port: number;
  /** libpq sslmode (verify-full): TLS, the server certificate from the CA, the host name in it. */
  readonly sslMode: "verify-full";
  /** Namespace of the pooler, for network policies. */
  readonly namespace: string;
  readonly poolerPodLabels: Readonly<Record<string, string>>;
}

/** A Gateway a route attaches to, and where its Envoy data plane runs. */
export interface GatewayTarget {
  readonly namespace: string;
  readonly name: string;
  readonly dataPlaneNamespaceLabels: Readonly<Record<string, string>>;
}

/** One HTTPRoute: a host name on its Gateway and the path prefixes served there. */
export interface RoutePlan {
  /** metadata.name of the HTTPRoute (stable: derived from the host name, not its position). */
  readonly name: string;
  readonly fqdn: string;
  /**
   * The Gateway whose HTTPS listeners include `fqdn`: a cluster has one Gateway per static
   * address, so routes of one service may attach to different Gateways.
   */
  readonly gateway: GatewayTarget;
  /** The HTTPS listener of that Gateway serving this host name. */
  readonly sectionName: string;
  readonly pathPrefixes: readonly string[];
}

/** Everything the manifests of one service need, as plain data. */
export interface ServicePlan {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly port: number;
  /** The port Prometheus scrapes (plant:services[].metrics); absent: not scraped. */
  readonly metricsPort?: number;
  readonly env: Readonly<Record<string, string>>;
  /** File names under APP_SECRETS_DIR (values come from secret config keys). */
  readonly secretFiles: readonly string[];
  /** The app role matching database.access; absent for access none. */
  readonly database?: DatabaseEndpoint;
  /** The migrating role; present exactly when the service has a migration. */
  readonly migrationDatabase?: DatabaseEndpoint;
  readonly resources: ResourcesConfig;
  readonly replicas: ServiceConfig["replicas"];
  readonly health: ServiceConfig["health"];
  readonly migration?: ServiceConfig["migration"];
  readonly schedule?: ServiceConfig["schedule"];
  /** The site's IANA time zone (plant:site.timeZone): the CronJob's clock. */
  readonly timeZone: string;
  readonly routes: readonly RoutePlan[];
}

export type WorkloadComponent = "server" | "migration" | "scheduled";

/** Object names inside the service's namespace. */
export function objectNames(service: string) {
  return {
    serviceAccount: service,
    configMap: `${service}-env`,
    appSecrets: `${service}-secrets`,
    dbCredentials: `${service}-db`,
    migrationCredentials: `${service}-migration-db`,
    htpasswd: `${service}-htpasswd`,
    deployment: service,
    service: service,
    hpa: service,
    pdb: service,
    // CronJob names are limited to 52 characters; service names are ≤ 40.
    cronJob: `${service}-cron`,
  };
}

/** Labels of the pods of one workload of a service (selectors use all of them). */
export function podLabels(service: string, component: WorkloadComponent): Record<string, string> {
  return {
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "plant-reporting",
  };
}

/** Labels of every object of a service. */
export function objectLabels(service: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/part-of": "plant-reporting",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/**
 * Namespace labels enforcing the Pod Security `restricted` profile (all three modes) and, for a
 * service with routes, the label the Gateways' HTTPS listeners admit routes from.
 */
export function namespaceLabels(service: string, routed = false): Record<string, string> {
  return {
    ...objectLabels(service),
    // Only a namespace with this label may attach routes to the Gateways' HTTPS listeners.
    ...(routed ? GATEWAY_ROUTE_NAMESPACE_LABELS : {}),
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": POD_SECURITY_VERSION,
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** JSON with object keys sorted, so a hash does not depend on insertion order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The migration Job's name: a short hash of the migration image and command. A new release
 * (new image) gets a new Job, which Kubernetes runs once; the old one is deleted by Pulumi.
 */
export function migrationJobName(
  service: string,
  migration: { image: string; command: readonly string[] },
): string {
  const digest = sha256(
    canonicalJson({ image: migration.image, command: migration.command }),
  ).slice(0, 10);
  return `${service}-migrate-${digest}`;
}

/** checksum/config: the ConfigMap's data (plain values, safe to hash in the clear). */
export function configChecksum(data: Readonly<Record<string, string>>): string {
  return sha256(canonicalJson(data));
}

/**
 * checksum/secrets: a truncated SHA-256 of the secret values, computed inside apply and then
 * published as a plain annotation. 64 bits of a one-way hash reveal nothing usable of a random
 * password; for low-entropy config secrets see docs/reporting.md.
 */
export function secretsVersion(values: Readonly<Record<string, string>>): string {
  return sha256(`plant-reporting/secrets-version/v1\n${canonicalJson(values)}`).slice(0, 16);
}

/**
 * libpq's own environment for TLS: any libpq-based client (psql, psycopg, pgx, node-postgres
 * with its env support) verifies the server even if the app ignores the sslmode file.
 */
export function libpqTlsEnv(db: Pick<DatabaseEndpoint, "sslMode">): Record<string, string> {
  return { PGSSLMODE: db.sslMode, PGSSLROOTCERT: DB_CA_PATH };
}

/** The ConfigMap of a service: its plain environment plus where its secret files are. */
export function configMapData(
  plan: Pick<ServicePlan, "env" | "secretFiles" | "database">,
): Record<string, string> {
  const data: Record<string, string> = { ...plan.env };
  if (plan.secretFiles.length > 0) data.APP_SECRETS_DIR = APP_SECRETS_DIR;
  if (plan.database) {
    data.DB_CREDENTIALS_DIR = DB_CREDENTIALS_DIR;
    Object.assign(data, libpqTlsEnv(plan.database));
  }
  return data;
}

/** https://<fqdn><pathPrefix> for every route, in config order. */
export function serviceUrls(routes: readonly { fqdn: string; pathPrefix: string }[]): string[] {
  return routes.map((r) => `https://${r.fqdn}${r.pathPrefix}`);
}

/** HTTPRoute name for a host name: the service plus the host's first DNS label. */
export function routeName(service: string, fqdn: string): string {
  return `${service}-${fqdn.split(".")[0]}`;
}

/**
 * The distinct data-plane namespace label sets of the Gateways a service's routes attach to,
 * in route order: the namespaces its ingress traffic may come from.
 */
export function dataPlaneNamespaces(
  routes: readonly Pick<RoutePlan, "gateway">[],
): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const r of routes) {
    const labels = { ...r.gateway.dataPlaneNamespaceLabels };
    const key = canonicalJson(labels);
    if (!seen.has(key)) seen.set(key, labels);
  }
  return [...seen.values()];
}
