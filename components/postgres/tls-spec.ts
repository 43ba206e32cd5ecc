// TLS on every database connection: what the instances (pg_hba), the PgBouncer poolers and the
// clients are told, read from CloudNativePG 1.30's source (docs/postgres.md#tls). Pure.
//
// Who presents which certificate:
// - instances: `<cluster>-server`, a leaf CloudNativePG issues and renews (90 days) from
//   `spec.certificates.serverCASecret`; its SANs are the Cluster's Services plus
//   `serverAltDNSNames`;
// - PgBouncer, towards clients: the same `<cluster>-server` leaf (Pooler.GetClientTLSSecretNameOrDefault
//   falls back to the Cluster's server TLS Secret), so the poolers' Service names must be in
//   `serverAltDNSNames` for clients to verify them;
// - PgBouncer, towards the instances: verifies them against the server CA (server_tls_ca_file is
//   the Pooler's ServerCA = the Cluster's serverCASecret).
// The CA is the program's own (server-ca.ts), so every client can be given it at plan time;
// CloudNativePG's generated CA lives 90 days and is re-issued, so a copy would go stale.
import { DatabaseNames } from "./names";

/** libpq sslmode every client uses: TLS, a certificate from the CA, and the host name in it. */
export const CLIENT_SSL_MODE = "verify-full";

/** Keys of the server CA Secret, as CloudNativePG reads them (pkg/certs: ca.crt, ca.key). */
export const SERVER_CA_KEYS = { cert: "ca.crt", key: "ca.key" } as const;

/**
 * The server CA's lifetime. CloudNativePG does not renew a CA it was given (it warns when one
 * expires within 7 days); rotating it is a runbook (docs/postgres.md#rotating-the-server-ca).
 */
export const SERVER_CA_VALIDITY_HOURS = 10 * 365 * 24;

/**
 * User pg_hba rules of the instances. CloudNativePG puts them after its fixed rules (local peer
 * access; `hostssl … cert` for streaming_replica and cnpg_pooler_pgbouncer) and before its
 * default `host all all all scram-sha-256`, which the reject makes unreachable: a TCP connection
 * without TLS is refused whoever it is.
 */
export const INSTANCE_PG_HBA = [
  "hostssl all all all scram-sha-256",
  "host all all all reject",
] as const;

/**
 * PgBouncer's pg_hba rules (its auth_type is hba). CloudNativePG appends `host all all 0.0.0.0/0
 * md5` and `::/0 md5` after these, which the rejects make unreachable. md5 as CloudNativePG uses
 * it: PgBouncer answers with SCRAM when the stored secret (from auth_query) is SCRAM.
 */
export const POOLER_PG_HBA = [
  "hostssl all all 0.0.0.0/0 md5",
  "hostssl all all ::/0 md5",
  "host all all 0.0.0.0/0 reject",
  "host all all ::/0 reject",
] as const;

/**
 * PgBouncer TLS parameters (both on CloudNativePG's allow-list; its defaults are prefer and
 * verify-ca). require: a client without TLS is refused. verify-full: PgBouncer checks the
 * instance's certificate against the server CA and its name (`<cluster>-rw` / `-ro`, which are
 * in the certificate's SANs).
 */
export const POOLER_TLS_PARAMETERS = {
  client_tls_sslmode: "require",
  server_tls_sslmode: "verify-full",
} as const;

/** The cluster-local DNS domain the Services answer under. */
export const CLUSTER_DOMAIN = "cluster.local";

/** The names a Service answers to inside the cluster (what CloudNativePG puts in SANs). */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`,
  ];
}

/** `spec.certificates` of the Cluster: the program's CA, and the poolers' names in the SANs. */
export function certificatesSpec(names: DatabaseNames): Record<string, unknown> {
  return {
    serverCASecret: names.serverCaSecret,
    serverAltDNSNames: [names.poolerRw, names.poolerRo].flatMap((p) =>
      serviceDnsNames(p, names.namespace),
    ),
  };
}
