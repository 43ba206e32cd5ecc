// PgBouncer pool sizes as a consequence of the services that use a database: each client role's
// peak connections (pods at the HPA maximum, plus a rollout's surge pod and the CronJob's pod,
// times plant:services[].database.connectionsPerPod), bounded by PostgreSQL's max_connections.
// Pure: config in, sizes and problems out (docs/postgres.md#connection-sizing).
import { DatabaseConfig, ParsedSite, ServiceConfig } from "../../config/schema";
import { SERVICE_MAX_SURGE } from "../types";
import { PoolerType, poolerTypeOf } from "./names";
import { planRoles } from "./roles";

/** A service's pool size per pod when its config does not say. */
export const DEFAULT_CONNECTIONS_PER_POD = 5;
/** PostgreSQL's default when `parameters.max_connections` is not set. */
export const DEFAULT_MAX_CONNECTIONS = 100;
/** PostgreSQL's default `superuser_reserved_connections`. */
const DEFAULT_SUPERUSER_RESERVED = 3;
/**
 * Connections CloudNativePG's own processes may hold on an instance besides the poolers' server
 * connections: the instance manager's status and metrics queries, a base backup, a join's
 * pg_basebackup. An allowance, not a measured count.
 */
export const OPERATOR_CONNECTIONS = 5;
/** PgBouncer's floor for max_client_conn (its own default is 100). */
const MIN_CLIENT_CONN = 100;

/** One role's share of a pooler at its peak. */
export interface PoolClient {
  readonly service: string;
  readonly role: string;
  readonly kind: "app" | "migration";
  /** Pods that may hold connections at once. */
  readonly pods: number;
  readonly connectionsPerPod: number;
  /** pods × connectionsPerPod: server connections this role needs in session mode. */
  readonly connections: number;
}

export interface PoolerSizing {
  readonly type: PoolerType;
  /** Session: a client holds its server connection from login to logout (see docs). */
  readonly poolMode: "session";
  readonly instances: number;
  readonly clients: readonly PoolClient[];
  /** Per PgBouncer pod, per role: the largest role's peak (one pod may carry all of it). */
  readonly defaultPoolSize: number;
  /** Per PgBouncer pod, across roles: every role's peak together. */
  readonly maxDbConnections: number;
  /** Per PgBouncer pod: twice the peak clients (reconnects overlap), at least 100. */
  readonly maxClientConn: number;
  /** instances × maxDbConnections: what this pooler can open on one instance at worst. */
  readonly serverConnections: number;
  /** Connections kept free on the instances it targets (superusers, operator, auth queries). */
  readonly reserved: number;
}

export interface DatabasePoolPlan {
  readonly maxConnections: number;
  readonly rw: PoolerSizing;
  readonly ro: PoolerSizing;
}

/** `database.connectionsPerPod` after its default. */
export function connectionsPerPod(s: ServiceConfig): number {
  return s.database.connectionsPerPod ?? DEFAULT_CONNECTIONS_PER_POD;
}

/**
 * Pods of a role that may be connected at once: the app role's Deployment at replicas.max plus
 * the surge pod of a rollout plus the CronJob's one pod (concurrencyPolicy Forbid); the
 * migration role's Job runs one pod at a time.
 */
export function peakPods(s: ServiceConfig, kind: "app" | "migration"): number {
  if (kind === "migration") return 1;
  return s.replicas.max + SERVICE_MAX_SURGE + (s.schedule ? 1 : 0);
}

function intParameter(db: DatabaseConfig, name: string, fallback: number): number {
  const raw = db.parameters[name];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : fallback;
}

function sizing(
  type: PoolerType,
  clients: PoolClient[],
  db: DatabaseConfig,
  baseReserved: number,
): PoolerSizing {
  const total = clients.reduce((sum, c) => sum + c.connections, 0);
  // max_db_connections 0 would mean "unlimited" to PgBouncer: a pooler without clients gets 1.
  const defaultPoolSize = Math.max(1, ...clients.map((c) => c.connections));
  const maxDbConnections = Math.max(1, total);
  return {
    type,
    poolMode: "session",
    instances: db.pooler.instances,
    clients,
    defaultPoolSize,
    maxDbConnections,
    maxClientConn: Math.max(MIN_CLIENT_CONN, 2 * total),
    serverConnections: db.pooler.instances * maxDbConnections,
    // Each PgBouncer pod of this pooler keeps one auth_query connection (cnpg_pooler_pgbouncer).
    reserved: baseReserved + db.pooler.instances,
  };
}

/** The pool sizes of both poolers of `db`, from the services that use it. */
export function planPools(
  db: DatabaseConfig,
  services: readonly ServiceConfig[],
): DatabasePoolPlan {
  const byName = new Map(services.map((s) => [s.name, s]));
  const clients: Record<PoolerType, PoolClient[]> = { rw: [], ro: [] };
  for (const role of planRoles(db, services)) {
    const s = byName.get(role.service)!;
    const pods = peakPods(s, role.kind);
    const perPod = connectionsPerPod(s);
    clients[poolerTypeOf(role.access)].push({
      service: s.name,
      role: role.role,
      kind: role.kind,
      pods,
      connectionsPerPod: perPod,
      connections: pods * perPod,
    });
  }
  const baseReserved =
    intParameter(db, "superuser_reserved_connections", DEFAULT_SUPERUSER_RESERVED) +
    intParameter(db, "reserved_connections", 0) +
    OPERATOR_CONNECTIONS;
  return {
    maxConnections: intParameter(db, "max_connections", DEFAULT_MAX_CONNECTIONS),
    rw: sizing("rw", clients.rw, db, baseReserved),
    ro: sizing("ro", clients.ro, db, baseReserved),
  };
}

/** PgBouncer parameters of one pooler (CloudNativePG allows each of these). */
export function poolParameters(p: PoolerSizing): Record<string, string> {
  return {
    default_pool_size: String(p.defaultPoolSize),
    max_db_connections: String(p.maxDbConnections),
    max_client_conn: String(p.maxClientConn),
  };
}

const TARGET: Record<PoolerType, string> = {
  rw: "the primary",
  ro: "each standby (the ro pooler may send all of it to one when the others are down)",
};

function clientList(p: PoolerSizing): string {
  return p.clients
    .map(
      (c) =>
        `${c.service}${c.kind === "migration" ? " migration" : ""} ${c.pods} pod(s) × ${c.connectionsPerPod}`,
    )
    .join(", ");
}

interface Problem {
  readonly key: string;
  readonly message: string;
}

/** Databases whose poolers could open more connections than PostgreSQL accepts. */
export function poolSizingProblems(site: ParsedSite): Problem[] {
  const problems: Problem[] = [];
  site.databases.forEach((db, i) => {
    const raw = db.parameters.max_connections;
    const key = `plant:databases[${i}].parameters.max_connections`;
    if (raw !== undefined && !/^[1-9]\d*$/.test(raw)) {
      problems.push({ key, message: `is '${raw}', not a whole number of connections` });
      return;
    }
    const plan = planPools(db, site.services);
    for (const p of [plan.rw, plan.ro]) {
      const needed = p.serverConnections + p.reserved;
      if (needed <= plan.maxConnections) continue;
      problems.push({
        key,
        message:
          `is ${plan.maxConnections}, but the ${p.type} pooler can open ${p.instances} PgBouncer pod(s) × ` +
          `${p.maxDbConnections} = ${p.serverConnections} server connections on ${TARGET[p.type]}, ` +
          `plus ${p.reserved} kept for superusers, the operator and PgBouncer's auth queries ` +
          `(= ${needed}); its clients at their HPA maximum: ${clientList(p)}. Raise max_connections ` +
          `to at least ${needed} (with the instances' memory), or lower a service's ` +
          `database.connectionsPerPod or replicas.max`,
      });
    }
  });
  return problems;
}
