// The offline plan's summary of what keeps the data safe: TLS on every database connection, the
// pool sizes derived from the services' HPA maxima, and every schedule with the site's zone.
// Pure: config in, text out (printed by `npm run plan`).
import { SiteConfig } from "../../config/site";
import { databaseNames } from "./names";
import { planPools, PoolerSizing } from "./pool-sizing";
import { CLIENT_SSL_MODE, POOLER_TLS_PARAMETERS } from "./tls-spec";

function poolLine(p: PoolerSizing, maxConnections: number): string[] {
  const target = p.type === "rw" ? "the primary" : "each standby";
  const clients = p.clients.length
    ? p.clients
        .map(
          (c) =>
            `${c.service}${c.kind === "migration" ? " migration" : ""} ${c.pods} pod(s) × ${c.connectionsPerPod} = ${c.connections}`,
        )
        .join("; ")
    : "no clients";
  return [
    `    pooler ${p.type} (${p.poolMode}, ${p.instances} pods): default_pool_size ${p.defaultPoolSize}, ` +
      `max_db_connections ${p.maxDbConnections}, max_client_conn ${p.maxClientConn} per pod; ` +
      `at most ${p.serverConnections} + ${p.reserved} reserved of max_connections ${maxConnections} on ${target}`,
    `      ${clients}`,
  ];
}

/** Lines for `npm run plan`: databases (TLS, backups, pools) and scheduled jobs, in the site's zone. */
export function formatDataPlan(site: SiteConfig): string {
  const zone = site.site.timeZone;
  const lines = [`Databases and schedules (every schedule runs in ${zone}, plant:site.timeZone):`];
  for (const db of site.databases) {
    const names = databaseNames(db);
    const pools = planPools(db, site.services);
    lines.push(
      `  ${db.name} (cluster ${db.cluster}): TLS required — instances accept hostssl only; ` +
        `PgBouncer client_tls_sslmode ${POOLER_TLS_PARAMETERS.client_tls_sslmode}, ` +
        `server_tls_sslmode ${POOLER_TLS_PARAMETERS.server_tls_sslmode}; clients sslmode ` +
        `${CLIENT_SSL_MODE} against the CA in Secret ${names.serverCaSecret}`,
      `    base backups: '${db.backup.schedule}' ${zone} (ScheduledBackup ${names.scheduledBackup}; the operator runs with TZ=${zone})`,
      ...poolLine(pools.rw, pools.maxConnections),
      ...poolLine(pools.ro, pools.maxConnections),
    );
  }
  for (const s of site.services) {
    if (s.schedule) {
      lines.push(`  CronJob ${s.name}/${s.name}-cron: '${s.schedule.cron}' ${zone} (timeZone)`);
    }
  }
  return lines.join("\n");
}
