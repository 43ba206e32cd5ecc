// The whole program's offline plan for both sites: the database objects are there, valid
// against the pinned CRDs, protected, and the config switches (restore, instances) act on them.
import * as path from "path";
import { readStackFile } from "../../config/site";
import { PlanResult, runPlan } from "../../tools/plan/run";
import { PROJECT_DIR } from "./fixtures";
import { defaultDenyViolations } from "../../policy/rules/stack";
import { sitePlan } from "../support/plans";
import { validateObject } from "../support/upstream-schemas";
import { crdErrors } from "./schemas";

const KINDS = [
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:barmancloud.cnpg.io/v1:ObjectStore",
  "kubernetes:postgresql.cnpg.io/v1:Cluster",
  "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
  "kubernetes:postgresql.cnpg.io/v1:Pooler",
];

function rawWith(stack: string, patch: Record<string, unknown>): Record<string, unknown> {
  const raw = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
  const [db, ...rest] = raw.databases as Record<string, unknown>[];
  return { ...raw, databases: [{ ...db, ...patch }, ...rest] };
}

describe.each(["avilla", "albion"])("plan of %s", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });

  test("shows the operator, the plugin, the Cluster, ObjectStore, ScheduledBackup, Poolers and roles", () => {
    const mine = plan.resources.filter((r) => r.urn.includes("plant:postgres:"));
    const types = mine.map((r) => r.type);
    for (const kind of KINDS) expect(types).toContain(kind);
    expect(
      mine.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart").map((r) => r.inputs.chart),
    ).toEqual(["cloudnative-pg", "plugin-barman-cloud"]);
    const cluster = mine.find((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")!;
    const roles = (cluster.inputs.spec as { managed: { roles: { name: string }[] } }).managed.roles;
    expect(roles.map((r) => r.name)).toEqual([
      "svc_gauge_report",
      "svc_report_api",
      "svc_report_api_migrate",
    ]);
    expect(cluster.protect).toBe(true);
    // The deploy waits for the database to be Ready before anything that logs in to it, and for
    // WAL to reach the object store.
    const metadata = cluster.inputs.metadata as { annotations?: Record<string, string> };
    expect(metadata.annotations).toEqual({
      "pulumi.com/waitFor": '["condition=Ready","condition=ContinuousArchiving"]',
    });
    // ...and for the first base backup, taken once the Cluster archives.
    const first = mine.find((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Backup")!;
    expect((first.inputs.metadata as { annotations?: unknown }).annotations).toEqual({
      "pulumi.com/waitFor": "jsonpath={.status.phase}=completed",
      "pulumi.com/timeoutSeconds": "3600",
    });
    expect(first.dependencies).toContain(cluster.urn);
    expect(first.ignoreChanges).toEqual(["spec"]);
    for (const pooler of mine.filter((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Pooler")) {
      expect((pooler.inputs.metadata as { annotations?: unknown }).annotations).toEqual({
        "pulumi.com/waitFor": "jsonpath={.status.phase}=active",
      });
    }
  });

  test("every postgres custom resource validates against the pinned CRDs", () => {
    const crs = plan.manifests.filter((m) => /cnpg\.io\//.test(String(m.object.apiVersion)));
    expect(crs.map((m) => m.kind).sort()).toEqual([
      "Backup",
      "Cluster",
      "ObjectStore",
      "Pooler",
      "Pooler",
      "ScheduledBackup",
    ]);
    for (const m of crs)
      expect(crdErrors(m.object as { apiVersion: string; kind: string })).toEqual([]);
  });

  test("the plan shows TLS required, the pools derived from the HPA maxima and the schedules' zone", () => {
    expect(plan.tree).toContain(
      "Databases and schedules (every schedule runs in America/Indiana/Indianapolis, plant:site.timeZone):",
    );
    expect(plan.tree).toContain(
      "  reporting (cluster reports): TLS required — instances accept hostssl only; PgBouncer client_tls_sslmode require, server_tls_sslmode verify-full; clients sslmode verify-full against the CA in Secret reporting-server-ca",
    );
    expect(plan.tree).toContain(
      "    pooler rw (session, 2 pods): default_pool_size 45, max_db_connections 50, max_client_conn 100 per pod; at most 100 + 10 reserved of max_connections 200 on the primary",
    );
    expect(plan.tree).toContain(
      "  CronJob gauge-report/gauge-report-cron: '0 6 * * *' America/Indiana/Indianapolis (timeZone)",
    );
    const cron = plan.manifests.find((m) => m.kind === "CronJob")!;
    expect((cron.object.spec as { timeZone: string }).timeZone).toBe(
      "America/Indiana/Indianapolis",
    );
    const tls = plan.manifests.find((m) => m.kind === "Cluster")!.object.spec as {
      postgresql: { pg_hba: string[] };
    };
    expect(tls.postgresql.pg_hba).toEqual([
      "hostssl all all all scram-sha-256",
      "host all all all reject",
    ]);
  });

  test("database outputs carry endpoints, never a password", () => {
    const outputs = plan.outputs as { databases: Record<string, Record<string, unknown>> };
    expect(outputs.databases.reporting).toMatchObject({
      cluster: "reports",
      database: "reporting",
      port: 5432,
      poolerReadWrite: "reporting-pooler-rw.postgres-reporting.svc",
    });
    expect(JSON.stringify(outputs.databases)).not.toMatch(/password|secret/i);
  });
});

describe.each(["avilla", "albion"])("network policies in the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });
  const policiesOf = (ns: string) =>
    plan.manifests.filter((m) => m.kind === "NetworkPolicy" && m.namespace === ns);

  test("the database namespace has a default-deny and exactly the CloudNativePG allows, all valid", () => {
    const policies = policiesOf("postgres-reporting");
    expect(policies.map((m) => m.name).sort()).toEqual([
      "allow-api-server",
      "allow-clients-to-pooler-ro",
      "allow-clients-to-pooler-rw",
      "allow-dns",
      "allow-instances-from-poolers",
      "allow-object-store",
      "allow-operator-to-instances",
      "allow-poolers-to-instances",
      "allow-prometheus",
      "allow-replication",
      "default-deny",
    ]);
    expect(policies.find((m) => m.name === "default-deny")!.object.spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    for (const m of policies) expect(validateObject(m.object)).toEqual([]);
  });

  test("satisfies the policy pack's default-deny rule, thanks to default-deny itself", () => {
    const plain = plan.resources.map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: r.inputs,
      protect: r.protect,
      ...(r.provider ? { provider: r.provider } : {}),
    }));
    const postgres = (v: { message: string }[]) =>
      v.map((x) => x.message).filter((m) => m.includes("postgres-reporting"));
    expect(postgres(defaultDenyViolations(plain))).toEqual([]);
    const withoutDeny = plain.filter((r) => r.name !== "postgres-reporting-netpol-default-deny");
    expect(postgres(defaultDenyViolations(withoutDeny))).toEqual([
      "namespace postgres-reporting runs workloads (Cluster postgres-reporting/reporting) but has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules)",
    ]);
  });

  test("only services with access to the database reach its poolers, each its own pooler", () => {
    const raw = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
    const services = raw.services as {
      name: string;
      database?: { name: string; access: string };
      migration?: unknown;
    }[];
    const users = services.filter((s) => s.database?.name === "reporting");
    const writers = users
      .filter(
        (s) => s.database!.access === "readwrite" || (s.database!.access === "read" && s.migration),
      )
      .map((s) => s.name)
      .sort();
    const readers = users
      .filter((s) => s.database!.access === "read")
      .map((s) => s.name)
      .sort();
    // The stack files have a writer, a reader and a service without database access.
    expect(writers.length).toBeGreaterThan(0);
    expect(readers.length).toBeGreaterThan(0);
    expect(services.some((s) => !writers.includes(s.name) && !readers.includes(s.name))).toBe(true);
    type Spec = {
      podSelector: unknown;
      ingress: { from: { namespaceSelector: { matchExpressions: { values: string[] }[] } }[] }[];
    };
    const clients = (type: "rw" | "ro") =>
      policiesOf("postgres-reporting").find((m) => m.name === `allow-clients-to-pooler-${type}`)!
        .object.spec as Spec;
    for (const [type, expected] of [
      ["rw", writers],
      ["ro", readers],
    ] as const) {
      const spec = clients(type);
      expect(spec.podSelector).toEqual({
        matchLabels: { "cnpg.io/poolerName": `reporting-pooler-${type}` },
      });
      expect(spec.ingress).toHaveLength(1);
      expect(spec.ingress[0].from).toHaveLength(1);
      expect(spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values).toEqual(
        expected,
      );
    }
  });
  test("each service's egress (reporting area) targets the pooler whose ingress admits it", () => {
    type Egress = { egress: { to: { podSelector: { matchLabels: Record<string, string> } }[] }[] };
    type Ingress = {
      podSelector: { matchLabels: Record<string, string> };
      ingress: { from: { namespaceSelector: { matchExpressions: { values: string[] }[] } }[] }[];
    };
    const admitted = new Map<string, string[]>();
    for (const m of policiesOf("postgres-reporting").filter((p) =>
      p.name.startsWith("allow-clients-to-pooler-"),
    )) {
      const spec = m.object.spec as Ingress;
      admitted.set(
        spec.podSelector.matchLabels["cnpg.io/poolerName"],
        spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values,
      );
    }
    const egress = plan.manifests.filter(
      (m) =>
        m.kind === "NetworkPolicy" &&
        (m.name === "allow-to-postgres" || m.name === "allow-migration-to-postgres"),
    );
    expect(egress.length).toBeGreaterThan(0);
    const seen = new Map<string, string>();
    for (const m of egress) {
      const pooler = (m.object.spec as Egress).egress[0].to[0].podSelector.matchLabels[
        "cnpg.io/poolerName"
      ];
      expect(admitted.get(pooler)).toContain(m.namespace);
      if (m.name === "allow-to-postgres") seen.set(m.namespace, pooler);
    }
    // gauge-report reads: the ro pooler; report-api writes: the rw pooler.
    expect(seen.get("gauge-report")).toBe("reporting-pooler-ro");
    expect(seen.get("report-api")).toBe("reporting-pooler-rw");
  });
});

describe("config switches through the real program", () => {
  test("restore.enabled bootstraps the Cluster from the object store", async () => {
    const plan = await runPlan({
      stack: "avilla",
      rawConfig: rawWith("avilla", {
        restore: {
          enabled: true,
          sourceServerName: "reporting",
          targetTime: "2026-11-20T14:30:00Z",
        },
      }),
    });
    const cluster = plan.manifests.find((m) => m.kind === "Cluster")!;
    const spec = cluster.object.spec as {
      bootstrap: Record<string, unknown>;
      plugins: { parameters: Record<string, string> }[];
    };
    expect(Object.keys(spec.bootstrap)).toEqual(["recovery"]);
    expect(spec.plugins[0].parameters.serverName).toBe("reporting-g2");
  });

  test("a restore without a source server stops the plan with the config key", async () => {
    await expect(
      runPlan({ stack: "avilla", rawConfig: rawWith("avilla", { restore: { enabled: true } }) }),
    ).rejects.toThrow(
      "[plant:databases[0].restore.sourceServerName] is required when restore.enabled is true",
    );
  });
});
