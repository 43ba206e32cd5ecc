// Checks on plant:databases that the schema cannot express. Pure: config and plain cluster
// facts in, problems out. declareDatabases throws them as a SiteConfigError before any resource.
import { SiteConfig, SiteConfigError } from "../../config/site";
import { ConfigProblem } from "../../config/rules";
import { moreWorkloadHosts } from "../../config/bound-rules";
import { DatabaseConfig, ParsedSite } from "../../config/schema";
import { roleName } from "./names";
import { minInstances } from "./quorum";
import { poolSizingProblems } from "./pool-sizing";
import { ObjectStoreEndpoint } from "../types";

/** What validation needs to know about a Kubernetes cluster (from PlantCluster). */
export interface ClusterFacts {
  readonly name: string;
  readonly nodes: readonly {
    readonly physicalHost: string;
    readonly roles: readonly ("control-plane" | "worker")[];
  }[];
}

/** Roles PostgreSQL or CloudNativePG reserve; a config must not claim them. */
const RESERVED_ROLES = new Set([
  "postgres",
  "streaming_replica",
  "cnpg_pooler_pgbouncer",
  "public",
]);

/** Values of synchronous_commit that still wait for the synchronous standbys. */
const DURABLE_COMMIT = new Set(["on", "remote_write", "remote_apply"]);

/** Parameters CloudNativePG owns; setting them would fight the operator (it rejects them). */
const OPERATOR_PARAMETERS = new Set([
  "synchronous_standby_names",
  "archive_mode",
  "archive_command",
  "restore_command",
  "primary_conninfo",
  "primary_slot_name",
  "port",
  "listen_addresses",
  "data_directory",
  "hba_file",
  "ident_file",
  // TLS is CloudNativePG's ("fixed" in pkg/postgres/configuration.go): certificates and keys.
  "ssl",
  "ssl_ca_file",
  "ssl_cert_file",
  "ssl_crl_file",
  "ssl_dh_params_file",
  "ssl_ecdh_curve",
  "ssl_key_file",
  "ssl_passphrase_command",
  "ssl_passphrase_command_supports_reload",
  "ssl_prefer_server_ciphers",
]);

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/;
const SERVER_NAME = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const BACKUP_PATH = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?)*$/;

/** Physical hosts of the nodes that run workloads (workers; all nodes if none is a worker). */
export function workloadHosts(cluster: ClusterFacts): string[] {
  const workers = cluster.nodes.filter((n) => n.roles.includes("worker"));
  const nodes = workers.length > 0 ? workers : cluster.nodes;
  return [...new Set(nodes.map((n) => n.physicalHost))].sort();
}

/** Problems of one database's own values and its services (config only). */
export function databaseConfigProblems(site: ParsedSite): ConfigProblem[] {
  const f = site.site.failuresTolerated;
  return site.databases
    .flatMap((db, i) => {
      const key = `plant:databases[${i}]`;
      const problems: ConfigProblem[] = [];
      const min = minInstances(f);
      if (db.instances < min) {
        problems.push({
          key: `${key}.instances`,
          message:
            `is ${db.instances}; surviving ${f} host failure(s) (plant:site.failuresTolerated) needs at least ${min} ` +
            `(max(3, 2f+1)): the failover quorum promotes a standby only when the synchronous ` +
            `number is at least the instances lost (f), and dataDurability: required then needs ` +
            `f standbys left besides the primary to acknowledge writes`,
        });
      }
      if (RESERVED_ROLES.has(db.owner) || db.owner.startsWith("pg_")) {
        problems.push({
          key: `${key}.owner`,
          message: `'${db.owner}' is reserved by PostgreSQL or CloudNativePG`,
        });
      }
      problems.push(...parameterProblems(db, key), ...restoreProblems(db, key));
      if (db.backup.path !== undefined && !BACKUP_PATH.test(db.backup.path)) {
        problems.push({
          key: `${key}.backup.path`,
          message: `'${db.backup.path}' must be a relative path like postgres/reporting (a-z, 0-9, '-', '_', '.', '/')`,
        });
      }
      problems.push(...roleProblems(site, db, key));
      return problems;
    })
    .concat(poolSizingProblems(site));
}

function parameterProblems(db: DatabaseConfig, key: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(db.parameters)) {
    if (OPERATOR_PARAMETERS.has(name)) {
      problems.push({
        key: `${key}.parameters.${name}`,
        message: "is managed by CloudNativePG and cannot be set",
      });
    }
    if (name === "password_encryption" && value !== "scram-sha-256") {
      problems.push({
        key: `${key}.parameters.${name}`,
        message: `is '${value}': the instances accept passwords only by scram-sha-256 (pg_hba, docs/postgres.md#tls)`,
      });
    }
    if (name === "synchronous_commit" && !DURABLE_COMMIT.has(value)) {
      problems.push({
        key: `${key}.parameters.${name}`,
        message: `is '${value}': commits would not wait for the synchronous standby (allowed: on, remote_write, remote_apply)`,
      });
    }
  }
  return problems;
}

function restoreProblems(db: DatabaseConfig, key: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { enabled, sourceServerName, targetTime } = db.restore;
  if (enabled && sourceServerName === undefined) {
    problems.push({
      key: `${key}.restore.sourceServerName`,
      message:
        `is required when restore.enabled is true: name the server of the lost cluster in the ` +
        `object store (a cluster that was never restored archives as '${db.name}')`,
    });
  }
  if (sourceServerName !== undefined && !SERVER_NAME.test(sourceServerName)) {
    problems.push({
      key: `${key}.restore.sourceServerName`,
      message: `'${sourceServerName}' is not a server name (a-z, 0-9, '-', '_', '.'; no '/')`,
    });
  }
  if (targetTime !== undefined && !TIMESTAMP.test(targetTime)) {
    problems.push({
      key: `${key}.restore.targetTime`,
      message: `'${targetTime}' must be a timestamp with a time zone, e.g. 2026-11-20T14:30:00Z`,
    });
  }
  if (targetTime !== undefined && !enabled) {
    problems.push({
      key: `${key}.restore.targetTime`,
      message: "is set but restore.enabled is false",
    });
  }
  return problems;
}

function roleProblems(site: ParsedSite, db: DatabaseConfig, key: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  site.services.forEach((s, si) => {
    if (s.database.name !== db.name || s.database.access === "none") return;
    for (const kind of ["app", "migration"] as const) {
      if (kind === "migration" && !s.migration) continue;
      const role = roleName(s.name, kind);
      if (role === db.owner) {
        problems.push({
          key: `plant:services[${si}].name`,
          message: `gives role '${role}', which is the owner of database '${db.name}' (${key}.owner)`,
        });
      }
    }
  });
  return problems;
}

const clusterIndex = (site: ParsedSite, name: string): number =>
  site.clusters.findIndex((c) => c.name === name);

/** Problems that need the declared clusters and the object store (plan-time facts). */
export function databasePlacementProblems(
  site: ParsedSite,
  clusters: readonly ClusterFacts[],
  hasObjectStore: boolean,
): ConfigProblem[] {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  return site.databases.flatMap((db, i) => {
    const key = `plant:databases[${i}]`;
    const problems: ConfigProblem[] = [];
    const cluster = byName.get(db.cluster);
    if (!cluster) {
      problems.push({
        key: `${key}.cluster`,
        message: `names cluster '${db.cluster}', which the program did not declare`,
      });
    } else {
      const hosts = workloadHosts(cluster);
      if (hosts.length < db.instances) {
        problems.push({
          key: `${key}.instances`,
          message:
            `is ${db.instances}, but cluster '${db.cluster}' runs workloads on ${hosts.length} physical ` +
            `host(s) (${hosts.join(", ") || "none"}); each instance needs its own host ` +
            `(instances ≤ hosts running workloads): ${moreWorkloadHosts(site, clusterIndex(site, db.cluster), db.instances)}`,
        });
      }
    }
    if (!hasObjectStore) {
      problems.push({
        key: `${key}.backup`,
        message:
          "needs the site object store for WAL archiving and backups, but the site declares no " +
          "OpenStack cluster, so there is none: host the database on the OpenStack cluster",
      });
    }
    return problems;
  });
}

/** Throws SiteConfigError (before any resource) when a database cannot be placed safely. */
export function assertDatabasesPlaceable(
  site: SiteConfig,
  clusters: readonly ClusterFacts[],
  objectStore: ObjectStoreEndpoint | undefined,
): void {
  if (site.databases.length === 0) return;
  const problems = [
    ...databaseConfigProblems(site),
    ...databasePlacementProblems(site, clusters, objectStore !== undefined),
  ];
  if (problems.length > 0) throw new SiteConfigError(site.stack, problems);
}
