// NetworkPolicies of a database namespace: deny everything, then allow exactly what
// CloudNativePG 1.30, its PgBouncer Poolers and the Barman Cloud plugin sidecar need, and
// client traffic only from the namespaces of the services with access to this database, each
// to the pooler its credential names (readwrite → rw, read → ro).
// Pure: plain facts in, plain policy bodies out.
import { DNS_PEER, DNS_PORTS, NAMESPACE_NAME_LABEL } from "../k8s-fragments";
import { compareIp } from "../../config/ip";
import { ObjectStoreEgress } from "../../config/object-store-rules";
import { DatabaseConfig, ServiceConfig } from "../../config/schema";
import { ClusterNode } from "../types";
import { CNPG_NAMESPACE, DatabaseNames, POSTGRES_PORT, poolerPodLabels } from "./names";
import { MONITORING_NAMESPACE, PROMETHEUS_POD_LABELS } from "../monitoring-scraper";

/** Metrics ports: the instance manager's exporter (with the Barman Cloud plugin's) and PgBouncer's. */
export const INSTANCE_METRICS_PORT = 9187;
export const POOLER_METRICS_PORT = 9127;

/** Namespace label the API server sets on every namespace, for namespace selectors. */
export { NAMESPACE_NAME_LABEL } from "../k8s-fragments";
/** The instance manager's status/API port (operator → instances, instance ↔ instance). */
export const INSTANCE_STATUS_PORT = 8000;
/** API server ports: 6443 behind the `kubernetes` Service's DNAT, 443 for the Service itself. */
export const API_SERVER_PORTS = [443, 6443] as const;
/** Pod label of the CloudNativePG operator (chart `cloudnative-pg`). */
export const OPERATOR_POD_LABELS = { "app.kubernetes.io/name": "cloudnative-pg" } as const;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}
interface Port {
  protocol: "TCP" | "UDP";
  port: number;
}
interface Rule {
  peers: Peer[];
  ports: Port[];
}
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: { from: Peer[]; ports: Port[] }[];
  egress?: { to: Peer[]; ports: Port[] }[];
}
export interface NamedPolicy {
  /** metadata.name, stable: adding a service or a host never renames a policy. */
  readonly name: string;
  readonly spec: NetworkPolicySpec;
}

/** Where the instances send WAL and base backups: the endpoint's addresses (/32) and port. */
export type ObjectStoreTarget = ObjectStoreEgress;

export interface NetworkPolicyArgs {
  readonly names: DatabaseNames;
  /** Namespaces allowed to reach each pooler (one per service with access), sorted. */
  readonly clients: PoolerClients;
  /** Where the API server answers (control-plane node IPs as /32, or the plant LAN). */
  readonly apiServerCidrs: readonly string[];
  readonly objectStore: ObjectStoreTarget;
}

const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ protocol: "TCP", port }));

/** Instance pods and the Cluster's Jobs (initdb, join, full-recovery), never the poolers. */
export function instanceSelector(names: DatabaseNames): LabelSelector {
  return {
    matchLabels: { "cnpg.io/cluster": names.cluster },
    // Pooler pods may carry cnpg.io/cluster too; NotIn also matches Jobs without a podRole.
    matchExpressions: [{ key: "cnpg.io/podRole", operator: "NotIn", values: ["pooler"] }],
  };
}

/** Pods of both Poolers (the label CloudNativePG and pooler-spec.ts put on them). */
export function poolerSelector(names: DatabaseNames): LabelSelector {
  return {
    matchExpressions: [
      { key: "cnpg.io/poolerName", operator: "In", values: [names.poolerRw, names.poolerRo] },
    ],
  };
}

/** Client namespaces per pooler: who may reach which PgBouncer. */
export interface PoolerClients {
  /** Services with a role that writes (access readwrite, or a migration role): the rw pooler. */
  readonly readWrite: readonly string[];
  /** Services with access read: their app credential points at the ro pooler. */
  readonly readOnly: readonly string[];
}

/**
 * Namespaces of the services that use this database, per pooler, each sorted. A read service
 * with a migration reaches the rw pooler too: its migration role changes the schema.
 */
export function clientNamespaces(
  db: Pick<DatabaseConfig, "name">,
  services: readonly ServiceConfig[],
): PoolerClients {
  // The reporting area runs each service in a namespace named after it.
  const users = services.filter((s) => s.database.name === db.name);
  const names = (keep: (s: ServiceConfig) => boolean) =>
    users
      .filter(keep)
      .map((s) => s.name)
      .sort();
  return {
    readWrite: names(
      (s) => s.database.access === "readwrite" || (s.database.access === "read" && !!s.migration),
    ),
    readOnly: names((s) => s.database.access === "read"),
  };
}

/**
 * Where pods reach the API server: the control-plane nodes (the `kubernetes` Service's
 * endpoints; CNIs check egress after kube-proxy's DNAT), or the whole plant LAN when the
 * cluster lists no control-plane node.
 */
export function apiServerCidrs(nodes: readonly ClusterNode[], lanCidr: string): string[] {
  const ips = nodes.filter((n) => n.roles.includes("control-plane")).map((n) => n.ip);
  return ips.length > 0 ? [...new Set(ips)].sort(compareIp).map((ip) => `${ip}/32`) : [lanCidr];
}

const ingress = (podSelector: LabelSelector, ...rules: Rule[]): NetworkPolicySpec => ({
  podSelector,
  policyTypes: ["Ingress"],
  ingress: rules.map((r) => ({ from: r.peers, ports: r.ports })),
});
const egress = (podSelector: LabelSelector, ...rules: Rule[]): NetworkPolicySpec => ({
  podSelector,
  policyTypes: ["Egress"],
  egress: rules.map((r) => ({ to: r.peers, ports: r.ports })),
});
const inNamespace = (namespace: string): LabelSelector => ({
  matchLabels: { [NAMESPACE_NAME_LABEL]: namespace },
});

/**
 * Every policy of the database namespace. Policies are additive: `default-deny` selects all
 * pods in both directions and each allow names its pods, peers and ports.
 */
export function networkPolicySpecs(args: NetworkPolicyArgs): NamedPolicy[] {
  const { names } = args;
  const instances = instanceSelector(names);
  const poolers = poolerSelector(names);
  const policies: NamedPolicy[] = [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      // Every pod resolves Service names (the poolers resolve <cluster>-rw, instances their peers).
      name: "allow-dns",
      spec: egress(
        {},
        {
          peers: [DNS_PEER],
          ports: DNS_PORTS,
        },
      ),
    },
    {
      // Every pod here runs CloudNativePG's instance manager (instances, Jobs, PgBouncer), which
      // watches the Cluster and Secrets and reports status through the API server.
      name: "allow-api-server",
      spec: egress(
        {},
        {
          peers: args.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: tcp(...API_SERVER_PORTS),
        },
      ),
    },
    {
      // The operator polls each instance's status endpoint (8000) and connects to PostgreSQL.
      name: "allow-operator-to-instances",
      spec: ingress(instances, {
        peers: [
          {
            namespaceSelector: inNamespace(CNPG_NAMESPACE),
            podSelector: { matchLabels: { ...OPERATOR_POD_LABELS } },
          },
        ],
        ports: tcp(INSTANCE_STATUS_PORT, POSTGRES_PORT),
      }),
    },
    {
      // Streaming replication, pg_rewind and the join Job's pg_basebackup (5432); the CNPG docs
      // require the pods to reach each other, so the instance managers' port (8000) too.
      name: "allow-replication",
      spec: {
        podSelector: instances,
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [{ podSelector: instances }], ports: tcp(POSTGRES_PORT, INSTANCE_STATUS_PORT) },
        ],
        egress: [
          { to: [{ podSelector: instances }], ports: tcp(POSTGRES_PORT, INSTANCE_STATUS_PORT) },
        ],
      },
    },
    {
      // PgBouncer connects to the -rw/-ro Services, i.e. to the instances on 5432.
      name: "allow-instances-from-poolers",
      spec: ingress(instances, { peers: [{ podSelector: poolers }], ports: tcp(POSTGRES_PORT) }),
    },
    {
      // The same flow, from the poolers' side (their egress is denied too).
      name: "allow-poolers-to-instances",
      spec: egress(poolers, { peers: [{ podSelector: instances }], ports: tcp(POSTGRES_PORT) }),
    },
    {
      // The cluster's Prometheus scrapes the instances and the poolers (observability area).
      name: "allow-prometheus",
      spec: {
        podSelector: { matchLabels: { "cnpg.io/cluster": names.cluster } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: inNamespace(MONITORING_NAMESPACE),
                podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
              },
            ],
            ports: tcp(INSTANCE_METRICS_PORT, POOLER_METRICS_PORT),
          },
        ],
      },
    },
    {
      // The Barman Cloud sidecar in the instance pods (and the recovery Job) archives WAL,
      // takes base backups and restores over S3; the plugin Deployment only talks to the operator.
      name: "allow-object-store",
      spec: egress(instances, {
        peers: args.objectStore.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
        ports: tcp(args.objectStore.port),
      }),
    },
  ];
  // One policy per pooler, and none without clients: an ingress rule with an empty `from`
  // would admit everyone. Writers reach only the rw pooler, readers only the ro pooler.
  const clientPolicies = [
    { name: "allow-clients-to-pooler-rw", pooler: names.poolerRw, clients: args.clients.readWrite },
    { name: "allow-clients-to-pooler-ro", pooler: names.poolerRo, clients: args.clients.readOnly },
  ];
  for (const { name, pooler, clients } of clientPolicies) {
    if (clients.length === 0) continue;
    policies.push({
      name,
      spec: ingress(
        { matchLabels: poolerPodLabels(pooler) },
        {
          peers: [
            {
              namespaceSelector: {
                matchExpressions: [
                  { key: NAMESPACE_NAME_LABEL, operator: "In", values: [...clients] },
                ],
              },
            },
          ],
          ports: tcp(POSTGRES_PORT),
        },
      ),
    });
  }
  return policies;
}
