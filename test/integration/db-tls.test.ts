// Database TLS against a real PostgreSQL and a real PgBouncer on 127.0.0.1: the pg_hba rules,
// ssl settings and PgBouncer parameters the program renders (completed the way CloudNativePG 1.30
// completes them: pkg/postgres/configuration.go, pkg/management/pgbouncer/config), a certificate
// like the one CloudNativePG issues from the program's CA, and a client built from the
// credential files the reporting area mounts. A client without TLS is refused, by each layer on
// its own; a verify-full client with the CA gets in; a wrong CA or a wrong name does not.
//
// Run with `npm run test:db-tls` (separate from `npm test`, whose 60 s budget it would break:
// initdb and two servers take a few seconds); `.ci/run` runs it.
import * as path from "path";
import * as fs from "fs";
import { clusterSpec } from "../../components/postgres/cluster-spec";
import { databaseEndpoints, databaseNames, roleName } from "../../components/postgres/names";
import { planPools } from "../../components/postgres/pool-sizing";
import { poolerSpec } from "../../components/postgres/pooler-spec";
import { planRoles } from "../../components/postgres/roles";
import { serviceDnsNames } from "../../components/postgres/tls-spec";
import { DB_CA_PATH } from "../../components/reporting/model";
import { parseSite, readStackFile } from "../../config/site";
import {
  freePort,
  makePki,
  makeServerDir,
  Pki,
  psql,
  Running,
  scratchDir,
  startPgbouncer,
  startPostgres,
  stop,
  superuserSql,
  writeServerFile,
} from "./loopback-postgres";

const ROOT = path.resolve(__dirname, "../..");
const site = parseSite("avilla", readStackFile(path.join(ROOT, "Pulumi.avilla.yaml")));
const db = site.databases[0];
const names = databaseNames(db);
const spec = clusterSpec({
  db,
  names,
  roles: planRoles(db, site.services),
  failuresTolerated: site.site.failuresTolerated,
  defaultStorageClass: "local-path",
}) as {
  postgresql: { pg_hba: string[] };
  certificates: { serverAltDNSNames: string[] };
};
const rwPooler = poolerSpec(names, planPools(db, site.services).rw) as {
  pgbouncer: { poolMode: string; parameters: Record<string, string>; pg_hba: string[] };
};
const USER = roleName("report-api", "app");
const PASSWORD = "integration-test-password";
/** The credential's host: the rw pooler's Service name, which must be in the certificate. */
const POOLER_HOST = databaseEndpoints(names).poolerReadWrite;

/**
 * CloudNativePG's server certificate SANs (api/v1 GetClusterAltDNSNames): its three Services in
 * four forms each, then spec.certificates.serverAltDNSNames. Plus `localhost`, only so that
 * PgBouncer (whose database line has no hostaddr) can verify-full the loopback server by name;
 * in the cluster it connects to `<cluster>-rw`, the first SAN.
 */
const SERVER_NAMES = [
  ...["rw", "r", "ro"].flatMap((s) => serviceDnsNames(`${names.cluster}-${s}`, names.namespace)),
  ...spec.certificates.serverAltDNSNames,
  "localhost",
];

/** pg_hba.conf as CloudNativePG renders it: fixed rules, the program's rules, the default. */
function instanceHba(): string[] {
  return [
    // FIXED RULES (CloudNativePG: local peer maps; trust here, for the test's own setup only).
    "local all all trust",
    "hostssl postgres streaming_replica all cert",
    "hostssl all cnpg_pooler_pgbouncer all cert",
    // USER-DEFINED RULES: what the program declares.
    ...spec.postgresql.pg_hba,
    // DEFAULT RULES
    "host all all all scram-sha-256",
  ];
}

/** PgBouncer parameters as CloudNativePG builds them: its defaults, the Pooler's, then forced. */
function pgbouncerIni(
  dir: string,
  port: number,
  serverPort: number,
  pki: Pki,
  override: Record<string, string> = {},
): string {
  const defaults: Record<string, string> = {
    log_stats: "0",
    auth_type: "hba",
    client_tls_sslmode: "prefer",
    server_tls_sslmode: "verify-ca",
    ignore_startup_parameters: "extra_float_digits,options",
  };
  const forced: Record<string, string> = {
    listen_addr: "127.0.0.1",
    listen_port: String(port),
    // CloudNativePG: /controller/run; its instance manager and metrics exporter connect there.
    unix_socket_dir: path.join(dir, `pgbouncer-${port}`),
    admin_users: "pgbouncer",
    auth_hba_file: path.join(dir, "pgbouncer_hba.conf"),
    auth_file: path.join(dir, "userlist.txt"),
    // CloudNativePG: server CA = the Cluster's serverCASecret; client TLS = `<cluster>-server`.
    server_tls_ca_file: pki.caCert,
    client_tls_cert_file: pki.serverCert,
    client_tls_key_file: pki.serverKey,
    client_tls_ca_file: pki.caCert,
    pidfile: path.join(dir, `pgbouncer-${port}.pid`),
  };
  const params = { ...defaults, ...rwPooler.pgbouncer.parameters, ...override, ...forced };
  return [
    "[databases]",
    `* = host=localhost port=${serverPort}`,
    "",
    "[pgbouncer]",
    `pool_mode = ${rwPooler.pgbouncer.poolMode}`,
    ...Object.keys(params)
      .sort()
      .map((k) => `${k} = ${params[k]}`),
    "",
  ].join("\n");
}

/** The reporting area's credential files, as a libpq connection string (the CA at `caFile`). */
function credentialConninfo(port: number, caFile: string, changes: Record<string, string> = {}) {
  const files: Record<string, string> = {
    host: POOLER_HOST,
    port: String(port),
    dbname: db.database,
    username: USER,
    password: PASSWORD,
    sslmode: "verify-full",
    sslrootcert: caFile,
  };
  const c = { ...files, ...changes };
  // hostaddr: connect to loopback while verifying the certificate against `host`.
  return (
    `host=${c.host} hostaddr=127.0.0.1 port=${c.port} dbname=${c.dbname} user=${c.username} ` +
    `password=${c.password} sslmode=${c.sslmode} sslrootcert=${c.sslrootcert} connect_timeout=5`
  );
}

describe("database TLS on a real PostgreSQL and PgBouncer (loopback)", () => {
  let dir: string;
  let pki: Pki;
  let otherCa: Pki;
  let postgres: Running | undefined;
  let bouncer: Running | undefined;
  let hbaOnly: Running | undefined;
  const SSL_OF_BACKEND = "select ssl, version from pg_stat_ssl where pid = pg_backend_pid()";

  beforeAll(async () => {
    dir = scratchDir();
    pki = makePki(dir, "reporting", SERVER_NAMES);
    otherCa = makePki(dir, "stranger", SERVER_NAMES);
    postgres = await startPostgres({
      dir,
      hba: instanceHba(),
      settings: {
        ssl: "on",
        ssl_cert_file: `'${pki.serverCert}'`,
        ssl_key_file: `'${pki.serverKey}'`,
        ssl_ca_file: `'${pki.caCert}'`,
        ssl_min_protocol_version: "'TLSv1.3'",
        ssl_max_protocol_version: "'TLSv1.3'",
        password_encryption: "'scram-sha-256'",
      },
    });
    superuserSql(dir, postgres.port, `create role ${USER} login password '${PASSWORD}'`);
    superuserSql(dir, postgres.port, `create database ${db.database} owner ${USER}`);
    // PgBouncer's hba: the Pooler's rules, then CloudNativePG's trailing md5 lines.
    writeServerFile(
      path.join(dir, "pgbouncer_hba.conf"),
      [
        // CloudNativePG's first line is `local pgbouncer pgbouncer peer` (the pod's OS user is
        // pgbouncer); trust here, where psql runs as another OS user.
        "local pgbouncer pgbouncer trust",
        ...rwPooler.pgbouncer.pg_hba,
        "host all all 0.0.0.0/0 md5",
        "host all all ::/0 md5",
        "",
      ].join("\n"),
      0o600,
    );
    writeServerFile(
      path.join(dir, "userlist.txt"),
      `"${USER}" "${PASSWORD}"\n"pgbouncer" ""\n`,
      0o600,
    );
    const port = await freePort();
    makeServerDir(path.join(dir, `pgbouncer-${port}`));
    bouncer = await startPgbouncer(
      dir,
      "pgbouncer",
      pgbouncerIni(dir, port, postgres.port, pki),
      port,
    );
    // The same PgBouncer but accepting clients without TLS (CloudNativePG's default, prefer):
    // its pg_hba rules alone must still refuse them.
    const port2 = await freePort();
    makeServerDir(path.join(dir, `pgbouncer-${port2}`));
    hbaOnly = await startPgbouncer(
      dir,
      "pgbouncer-hba-only",
      pgbouncerIni(dir, port2, postgres.port, pki, { client_tls_sslmode: "prefer" }),
      port2,
    );
  }, 60_000);

  afterAll(async () => {
    await stop(hbaOnly, "SIGTERM");
    await stop(bouncer, "SIGTERM");
    await stop(postgres);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const direct = (extra: string) =>
    `host=${names.cluster}-rw hostaddr=127.0.0.1 port=${postgres!.port} dbname=${db.database} ` +
    `user=${USER} password=${PASSWORD} connect_timeout=5 ${extra}`;

  test("instance: a client without TLS is refused by pg_hba", () => {
    const r = psql(direct("sslmode=disable"), "select 1");
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain(
      `pg_hba.conf rejects connection for host "127.0.0.1", user "${USER}", database "${db.database}", no encryption`,
    );
  });

  test("instance: verify-full with the CA gets a TLS 1.3 session", () => {
    const r = psql(direct(`sslmode=verify-full sslrootcert=${pki.caCert}`), SSL_OF_BACKEND);
    expect(r).toMatchObject({ ok: true, stdout: "t|TLSv1.3" });
  });

  test("pooler: a client without TLS is refused (client_tls_sslmode require)", () => {
    const r = psql(
      credentialConninfo(bouncer!.port, pki.caCert, { sslmode: "disable" }),
      "select 1",
    );
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/SSL required/);
  });

  test("pooler: without client_tls_sslmode require, its pg_hba alone still refuses a client without TLS", () => {
    const plain = psql(
      credentialConninfo(hbaOnly!.port, pki.caCert, { sslmode: "disable" }),
      "select 1",
    );
    expect(plain.ok).toBe(false);
    expect(plain.stderr).toMatch(/login rejected|reject/i);
    const tls = psql(credentialConninfo(hbaOnly!.port, pki.caCert), "select 1");
    expect(tls).toMatchObject({ ok: true, stdout: "1" });
  });

  test("pooler: the credential files (verify-full, the CA, the pooler's name) get in, over TLS to the instance too", () => {
    // The mounted files point at DB_CA_PATH; here the CA sits in the scratch directory.
    expect(DB_CA_PATH).toBe("/var/run/secrets/db/ca.crt");
    const r = psql(credentialConninfo(bouncer!.port, pki.caCert), SSL_OF_BACKEND);
    // PgBouncer → PostgreSQL: the server side sees TLS (server_tls_sslmode verify-full).
    expect(r).toMatchObject({ ok: true, stdout: "t|TLSv1.3" });
  });

  test("pooler: the operator's own console connection over the Unix socket still works (require is for TCP)", () => {
    // CloudNativePG's instance manager (PAUSE/RESUME, reloads) and metrics exporter connect as
    // `host=/controller/run user=pgbouncer sslmode=disable`.
    const socketDir = path.join(dir, `pgbouncer-${bouncer!.port}`);
    const r = psql(
      `host=${socketDir} port=${bouncer!.port} user=pgbouncer dbname=pgbouncer sslmode=disable`,
      "show version",
    );
    expect(r).toMatchObject({ ok: true });
    expect(r.stdout).toMatch(/^PgBouncer /);
  });

  test("pooler: a CA that did not sign the certificate is refused by the client", () => {
    const r = psql(credentialConninfo(bouncer!.port, otherCa.caCert), "select 1");
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/certificate verify failed/);
  });

  test("pooler: a host name the certificate does not carry is refused by the client", () => {
    const r = psql(
      credentialConninfo(bouncer!.port, pki.caCert, { host: "reporting-pooler-rw.elsewhere.svc" }),
      "select 1",
    );
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/does not match host name/);
  });
});
