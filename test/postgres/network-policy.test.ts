// The database namespace's NetworkPolicies, pure: exact specs, upstream validity, and — through
// a small evaluator of NetworkPolicy semantics — exactly which flows they let through.
import fc from "fast-check";
import {
  apiServerCidrs,
  clientNamespaces,
  NamedPolicy,
  NetworkPolicySpec,
  networkPolicySpecs,
} from "../../components/postgres/network-policy-spec";
import { objectStoreEgress } from "../../config/object-store-rules";
import { openstackSchema } from "../../config/schema";
import { databaseNames } from "../../components/postgres/names";
import { ClusterNode } from "../../components/types";
import { ipInCidr } from "../../config/ip";
import { validateObject } from "../support/upstream-schemas";
import { database, service } from "./fixtures";

const LAN = "10.1.0.0/22";
/** The object store as a stack file gives it: a host name and the address it resolves to. */
const store = (s3Endpoint: string, addresses?: string[]) =>
  openstackSchema.shape.objectStore.parse({
    container: "avilla-pg-backups",
    s3Endpoint,
    ...(addresses ? { addresses } : {}),
  });
const names = databaseNames(database());
const services = [
  service("report-web", "none"),
  service("report-api", "readwrite", true),
  service("gauge-report", "read"),
  // Same access, another database: no ingress here either.
  { ...service("inventory", "readwrite"), database: { name: "inventory", access: "readwrite" } },
] as ReturnType<typeof service>[];

const node = (name: string, ip: string, roles: ClusterNode["roles"]): ClusterNode => ({
  name,
  ip,
  physicalHost: "r620-1",
  roles,
  cpu: 4,
  memoryGb: 8,
});
const NODES = [
  node("reports-cp-1", "10.1.1.11", ["control-plane"]),
  node("reports-cp-0", "10.1.1.10", ["control-plane"]),
  node("reports-worker-0", "10.1.1.20", ["worker"]),
];

function policies(svcs = services): NamedPolicy[] {
  return networkPolicySpecs({
    names,
    clients: clientNamespaces(database(), svcs),
    apiServerCidrs: apiServerCidrs(NODES, LAN),
    objectStore: objectStoreEgress(
      store("https://objects.avilla.busche-cnc.com:8080", ["10.1.0.5"]),
    ),
  });
}

/** The fields networking.k8s.io/v1 defines, per type (API reference), for a closed check. */
const FIELDS: Record<string, Record<string, string | undefined>> = {
  NetworkPolicySpec: {
    podSelector: "LabelSelector",
    policyTypes: undefined,
    ingress: "IngressRule",
    egress: "EgressRule",
  },
  IngressRule: { from: "Peer", ports: "Port" },
  EgressRule: { to: "Peer", ports: "Port" },
  Peer: { podSelector: "LabelSelector", namespaceSelector: "LabelSelector", ipBlock: "IPBlock" },
  IPBlock: { cidr: undefined, except: undefined },
  Port: { protocol: undefined, port: undefined, endPort: undefined },
  LabelSelector: { matchLabels: undefined, matchExpressions: "Requirement" },
  Requirement: { key: undefined, operator: undefined, values: undefined },
};

/** JSON pointers of fields the type does not define. */
function unknownFields(value: unknown, type: string, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, type, `${at}/${i}`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    if (!(k in FIELDS[type])) return [`${at}/${k}`];
    const sub = FIELDS[type][k];
    return sub ? unknownFields(v, sub, `${at}/${k}`) : [];
  });
}

// ---- a minimal NetworkPolicy evaluator (networking.k8s.io/v1 semantics) -------------------
type Labels = Record<string, string>;
interface Endpoint {
  namespace: string;
  labels?: Labels;
  /** Set for destinations outside the cluster's pods (API server, object store, internet). */
  ip?: string;
}
type Selector = NetworkPolicySpec["podSelector"];
type Peer = NonNullable<NetworkPolicySpec["ingress"]>[number]["from"][number];

/** NetworkPolicy selectors: an empty selector selects everything. */
function matches(sel: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (sel.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    if (e.operator === "In") return has && e.values!.includes(labels[e.key]);
    if (e.operator === "NotIn") return !has || !e.values!.includes(labels[e.key]);
    if (e.operator === "Exists") return has;
    return !has;
  });
}

function peerMatches(peer: Peer, other: Endpoint): boolean {
  if (peer.ipBlock) return other.ip !== undefined && ipInCidr(other.ip, peer.ipBlock.cidr);
  if (other.ip !== undefined) return false;
  const nsLabels = { "kubernetes.io/metadata.name": other.namespace };
  const inNs = peer.namespaceSelector
    ? matches(peer.namespaceSelector, nsLabels)
    : other.namespace === names.namespace;
  return inNs && (peer.podSelector ? matches(peer.podSelector, other.labels ?? {}) : true);
}

/** Whether the database namespace's policies let `pod` receive from / send to `other` on a TCP port. */
function allowed(
  all: readonly NamedPolicy[],
  direction: "Ingress" | "Egress",
  pod: Labels,
  other: Endpoint,
  port: number,
  protocol = "TCP",
): boolean {
  const applying = all.filter(
    (p) => matches(p.spec.podSelector, pod) && p.spec.policyTypes.includes(direction),
  );
  if (applying.length === 0) return true;
  return applying.some((p) => {
    const rules =
      direction === "Ingress"
        ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
        : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some(
      (r) =>
        r.ports.some((x) => x.port === port && x.protocol === protocol) &&
        r.peers.some((peer) => peerMatches(peer, other)),
    );
  });
}

const INSTANCE = { "cnpg.io/cluster": "reporting", "cnpg.io/podRole": "instance" };
const RECOVERY_JOB = { "cnpg.io/cluster": "reporting", "cnpg.io/jobRole": "full-recovery" };
const POOLER_RW = {
  "cnpg.io/poolerName": "reporting-pooler-rw",
  "cnpg.io/podRole": "pooler",
  "cnpg.io/cluster": "reporting",
};
const POOLER_RO = { "cnpg.io/poolerName": "reporting-pooler-ro", "cnpg.io/podRole": "pooler" };
const OPERATOR = {
  namespace: "cnpg-system",
  labels: { "app.kubernetes.io/name": "cloudnative-pg" },
};
const PLUGIN = {
  namespace: "cnpg-system",
  labels: { "app.kubernetes.io/name": "plugin-barman-cloud" },
};
const local = (labels: Labels): Endpoint => ({ namespace: names.namespace, labels });
const app = (ns: string): Endpoint => ({ namespace: ns, labels: { "app.kubernetes.io/name": ns } });
const DNS = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
const PROMETHEUS = {
  namespace: "monitoring",
  labels: {
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/instance": "monitoring-prometheus",
  },
};

describe("networkPolicySpecs", () => {
  const all = policies();
  const byName = new Map(all.map((p) => [p.name, p.spec]));

  test("declares exactly these policies, with stable names", () => {
    expect(all.map((p) => p.name)).toEqual([
      "default-deny",
      "allow-dns",
      "allow-api-server",
      "allow-operator-to-instances",
      "allow-replication",
      "allow-instances-from-poolers",
      "allow-poolers-to-instances",
      "allow-prometheus",
      "allow-object-store",
      "allow-clients-to-pooler-rw",
      "allow-clients-to-pooler-ro",
    ]);
  });

  test("default-deny selects every pod in both directions with no rule", () => {
    expect(byName.get("default-deny")).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
  });

  const clientPolicy = (pooler: string, namespaces: string[]) => ({
    podSelector: { matchLabels: { "cnpg.io/poolerName": pooler } },
    policyTypes: ["Ingress"],
    ingress: [
      {
        from: [
          {
            namespaceSelector: {
              matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: namespaces },
              ],
            },
          },
        ],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ],
  });

  test("clients: readwrite services to the rw pooler, read services to the ro pooler, port 5432", () => {
    expect(byName.get("allow-clients-to-pooler-rw")).toEqual(
      clientPolicy("reporting-pooler-rw", ["report-api"]),
    );
    expect(byName.get("allow-clients-to-pooler-ro")).toEqual(
      clientPolicy("reporting-pooler-ro", ["gauge-report"]),
    );
  });

  test("operator, API server and object store rules are exact", () => {
    expect(byName.get("allow-operator-to-instances")!.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
          },
        ],
        ports: [
          { protocol: "TCP", port: 8000 },
          { protocol: "TCP", port: 5432 },
        ],
      },
    ]);
    expect(byName.get("allow-api-server")).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "10.1.1.10/32" } }, { ipBlock: { cidr: "10.1.1.11/32" } }],
          ports: [
            { protocol: "TCP", port: 443 },
            { protocol: "TCP", port: 6443 },
          ],
        },
      ],
    });
    // The object store's configured address only, not the whole plant LAN.
    expect(byName.get("allow-object-store")!.egress).toEqual([
      { to: [{ ipBlock: { cidr: "10.1.0.5/32" } }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });

  test.each<[string, Labels, Endpoint, number, boolean]>([
    // clients → poolers: only services with access to this database
    ["report-api → rw pooler", POOLER_RW, app("report-api"), 5432, true],
    ["gauge-report (read) → ro pooler", POOLER_RO, app("gauge-report"), 5432, true],
    ["gauge-report (read) → rw pooler", POOLER_RW, app("gauge-report"), 5432, false],
    ["report-api (readwrite) → ro pooler", POOLER_RO, app("report-api"), 5432, false],
    ["report-web (access none) → rw pooler", POOLER_RW, app("report-web"), 5432, false],
    ["report-web (access none) → ro pooler", POOLER_RO, app("report-web"), 5432, false],
    ["inventory (other database) → rw pooler", POOLER_RW, app("inventory"), 5432, false],
    ["report-api → pooler on another port", POOLER_RW, app("report-api"), 6432, false],
    ["report-api → instance directly", INSTANCE, app("report-api"), 5432, false],
    // operator
    ["operator → instance status", INSTANCE, OPERATOR, 8000, true],
    ["operator → instance postgres", INSTANCE, OPERATOR, 5432, true],
    ["operator → pooler", POOLER_RW, OPERATOR, 5432, false],
    ["plugin → instance", INSTANCE, PLUGIN, 8000, false],
    [
      "another pod of cnpg-system → instance",
      INSTANCE,
      { namespace: "cnpg-system", labels: {} },
      8000,
      false,
    ],
    // inside the namespace
    ["instance ← instance replication", INSTANCE, local(INSTANCE), 5432, true],
    ["instance ← instance status", INSTANCE, local(INSTANCE), 8000, true],
    ["instance ← rw pooler", INSTANCE, local(POOLER_RW), 5432, true],
    ["instance ← ro pooler", INSTANCE, local(POOLER_RO), 5432, true],
    ["instance ← pooler on 8000", INSTANCE, local(POOLER_RW), 8000, false],
    ["pooler ← pooler", POOLER_RW, local(POOLER_RO), 5432, false],
    ["instance ← unknown pod of the namespace", INSTANCE, local({ run: "debug" }), 5432, false],
    // the cluster's Prometheus: metrics ports only (instance 9187, PgBouncer 9127)
    ["instance ← Prometheus metrics", INSTANCE, PROMETHEUS, 9187, true],
    ["pooler ← Prometheus metrics", POOLER_RW, PROMETHEUS, 9127, true],
    ["instance ← Prometheus on postgres", INSTANCE, PROMETHEUS, 5432, false],
    ["pooler ← Prometheus on pgbouncer", POOLER_RW, PROMETHEUS, 5432, false],
    [
      "instance ← another monitoring pod",
      INSTANCE,
      { namespace: "monitoring", labels: { "app.kubernetes.io/name": "grafana" } },
      9187,
      false,
    ],
  ])("ingress: %s", (_label, pod, from, port, ok) => {
    expect(allowed(all, "Ingress", pod, from, port)).toBe(ok);
  });

  test.each<[string, Labels, Endpoint, number, boolean]>([
    ["instance → instance 5432", INSTANCE, local(INSTANCE), 5432, true],
    ["instance → instance 8000", INSTANCE, local(INSTANCE), 8000, true],
    ["recovery job → instance 5432", RECOVERY_JOB, local(INSTANCE), 5432, true],
    ["instance → pooler", INSTANCE, local(POOLER_RW), 5432, false],
    ["pooler → instance 5432", POOLER_RW, local(INSTANCE), 5432, true],
    ["ro pooler → instance 5432", POOLER_RO, local(INSTANCE), 5432, true],
    ["pooler → instance 8000", POOLER_RW, local(INSTANCE), 8000, false],
    ["pooler → a service namespace", POOLER_RW, app("report-api"), 5432, false],
    ["instance → API server 6443", INSTANCE, { namespace: "", ip: "10.1.1.10" }, 6443, true],
    ["pooler → API server 443", POOLER_RW, { namespace: "", ip: "10.1.1.11" }, 443, true],
    ["instance → worker node 6443", INSTANCE, { namespace: "", ip: "10.1.1.20" }, 6443, false],
    ["instance → object store 8080", INSTANCE, { namespace: "", ip: "10.1.0.5" }, 8080, true],
    ["recovery job → object store", RECOVERY_JOB, { namespace: "", ip: "10.1.0.5" }, 8080, true],
    ["pooler → object store", POOLER_RW, { namespace: "", ip: "10.1.0.5" }, 8080, false],
    ["instance → another LAN host 8080", INSTANCE, { namespace: "", ip: "10.1.0.50" }, 8080, false],
    ["instance → a R620 8080", INSTANCE, { namespace: "", ip: "10.1.0.11" }, 8080, false],
    ["instance → internet 443", INSTANCE, { namespace: "", ip: "1.1.1.1" }, 443, false],
    ["instance → internet 8080", INSTANCE, { namespace: "", ip: "1.1.1.1" }, 8080, false],
    ["instance → operator", INSTANCE, OPERATOR, 9443, false],
    ["instance → plugin gRPC", INSTANCE, PLUGIN, 9090, false],
  ])("egress: %s", (_label, pod, to, port, ok) => {
    expect(allowed(all, "Egress", pod, to, port)).toBe(ok);
  });

  test.each([INSTANCE, POOLER_RW, RECOVERY_JOB])(
    "DNS to kube-system only, 53 udp+tcp (%j)",
    (pod) => {
      expect(allowed(all, "Egress", pod, DNS, 53, "UDP")).toBe(true);
      expect(allowed(all, "Egress", pod, DNS, 53, "TCP")).toBe(true);
      expect(allowed(all, "Egress", pod, { namespace: "default", labels: {} }, 53, "UDP")).toBe(
        false,
      );
      expect(allowed(all, "Egress", pod, { namespace: "", ip: "10.1.0.2" }, 53, "UDP")).toBe(false);
    },
  );

  test("the evaluator itself: without policies every flow is open", () => {
    expect(allowed([], "Ingress", POOLER_RW, app("report-web"), 5432)).toBe(true);
    expect(allowed([], "Egress", INSTANCE, { namespace: "", ip: "1.1.1.1" }, 443)).toBe(true);
  });

  test("no service with access: no client policy at all, and no pooler ingress from anywhere", () => {
    const none = policies([service("report-web", "none")]);
    expect(none.map((p) => p.name).filter((n) => n.startsWith("allow-clients"))).toEqual([]);
    expect(allowed(none, "Ingress", POOLER_RW, app("report-web"), 5432)).toBe(false);
    expect(allowed(none, "Ingress", POOLER_RW, app("report-api"), 5432)).toBe(false);
    expect(allowed(none, "Ingress", POOLER_RO, app("report-api"), 5432)).toBe(false);
  });

  test("only readers: an ro client policy and none for the rw pooler", () => {
    const readers = policies([service("gauge-report", "read")]);
    expect(readers.map((p) => p.name).filter((n) => n.startsWith("allow-clients"))).toEqual([
      "allow-clients-to-pooler-ro",
    ]);
    expect(allowed(readers, "Ingress", POOLER_RW, app("gauge-report"), 5432)).toBe(false);
    expect(allowed(readers, "Ingress", POOLER_RO, app("gauge-report"), 5432)).toBe(true);
  });

  test("a read service with a migration reaches the rw pooler too (its migration role writes)", () => {
    const p = policies([service("gauge-report", "read", true)]);
    expect(allowed(p, "Ingress", POOLER_RW, app("gauge-report"), 5432)).toBe(true);
    expect(allowed(p, "Ingress", POOLER_RO, app("gauge-report"), 5432)).toBe(true);
  });

  test("every rule names its peers and ports (an empty list would open the direction)", () => {
    fc.assert(
      fc.property(
        fc.subarray(["report-api", "gauge-report", "report-web", "quality-dashboard"]),
        fc.constantFrom<"read" | "readwrite" | "none">("read", "readwrite", "none"),
        (svcNames, access) => {
          for (const p of policies(svcNames.map((n) => service(n, access)))) {
            for (const r of p.spec.ingress ?? []) {
              expect(r.from.length).toBeGreaterThan(0);
              expect(r.ports.length).toBeGreaterThan(0);
            }
            for (const r of p.spec.egress ?? []) {
              expect(r.to.length).toBeGreaterThan(0);
              expect(r.ports.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  test("adding a service changes only the client lists, never a policy name", () => {
    const before = policies().map((p) => p.name);
    const after = policies([
      ...services,
      service("quality-dashboard", "read"),
      service("line-writer", "readwrite"),
    ]);
    expect(after.map((p) => p.name)).toEqual(before);
    const clients = (name: string) =>
      after.find((p) => p.name === name)!.spec.ingress![0].from[0].namespaceSelector!
        .matchExpressions![0].values;
    expect(clients("allow-clients-to-pooler-rw")).toEqual(["line-writer", "report-api"]);
    expect(clients("allow-clients-to-pooler-ro")).toEqual(["gauge-report", "quality-dashboard"]);
  });

  test("the first reader or writer only adds its pooler's policy; no existing one is renamed", () => {
    const writersOnly = policies(services.filter((s) => s.database.access !== "read"));
    const names = (ps: NamedPolicy[]) => ps.map((p) => p.name);
    expect(names(writersOnly)).toEqual(names(policies()).filter((n) => !n.endsWith("pooler-ro")));
  });

  test("every policy validates against networking.k8s.io/v1 (kubernetes-models)", () => {
    for (const p of all) {
      const obj = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: p.name, namespace: names.namespace },
        spec: p.spec,
      };
      expect(validateObject(obj)).toEqual([]);
    }
    // kubernetes-models checks types and required fields but lets unknown fields through,
    // so the field names are also checked against networking.k8s.io/v1 here.
    for (const p of all) expect(unknownFields(p.spec, "NetworkPolicySpec")).toEqual([]);
    expect(
      unknownFields({ podSelector: {}, policyType: ["Ingress"] }, "NetworkPolicySpec"),
    ).toEqual(["/policyType"]);
  });
});

describe("objectStoreEgress: the object store's own addresses, never the plant LAN", () => {
  test.each<[string, string[] | undefined, { cidrs: string[]; port: number }]>([
    [
      "https://objects.avilla.busche-cnc.com:8080",
      ["10.1.0.5"],
      { cidrs: ["10.1.0.5/32"], port: 8080 },
    ],
    [
      "https://objects.avilla.busche-cnc.com",
      ["10.1.0.5", "10.1.0.6"],
      { cidrs: ["10.1.0.5/32", "10.1.0.6/32"], port: 443 },
    ],
    ["http://minio.plant.local", ["10.1.0.7"], { cidrs: ["10.1.0.7/32"], port: 80 }],
    // Outside the plant LAN too: a cloud's object store elsewhere.
    ["https://s3.cloud.example:7480", ["172.16.4.10"], { cidrs: ["172.16.4.10/32"], port: 7480 }],
    ["https://10.1.0.50:7480", undefined, { cidrs: ["10.1.0.50/32"], port: 7480 }],
    ["http://10.1.0.50", undefined, { cidrs: ["10.1.0.50/32"], port: 80 }],
  ])("%s (addresses %j) → %j", (url, addresses, target) => {
    expect(objectStoreEgress(store(url, addresses))).toEqual(target);
  });
});

describe("apiServerCidrs and clientNamespaces", () => {
  test("control-plane node IPs, sorted numerically, as /32", () => {
    const nodes = [
      node("cp-2", "10.1.1.100", ["control-plane"]),
      node("cp-1", "10.1.1.9", ["control-plane", "worker"]),
      node("w", "10.1.1.20", ["worker"]),
    ];
    expect(apiServerCidrs(nodes, LAN)).toEqual(["10.1.1.9/32", "10.1.1.100/32"]);
  });

  test("no control-plane node known: the plant LAN", () => {
    expect(apiServerCidrs([node("w", "10.1.1.20", ["worker"])], LAN)).toEqual([LAN]);
  });

  test("services with read or readwrite on this database, per pooler, sorted; none and other databases left out", () => {
    expect(clientNamespaces(database(), services)).toEqual({
      readWrite: ["report-api"],
      readOnly: ["gauge-report"],
    });
  });
});
