// declareDatabases under the mock runtime with a fake cluster and object store: exact children,
// protect/retainOnDelete, ordering, providers, CRD validity, and secrets that stay secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareDatabases, DatabasesResult } from "../../components/postgres";
import { DatabaseCredential, ObjectStoreEndpoint, PlantCluster } from "../../components/types";
import { SiteConfig, SiteConfigError } from "../../config/site";
import { maskWire } from "../../tools/plan/mask";
import { PlanMocks } from "../../tools/plan/mocks";
import { installRecorder, PlannedResource, waitForRegistrations } from "../../tools/plan/recorder";
import { avillaSite, clusterFacts } from "./fixtures";
import { validateObject } from "../support/upstream-schemas";
import { crdErrors } from "./schemas";

const CANARY = "CANARY";
const PROVIDER_URN = "urn:pulumi:avilla::plant::pulumi:providers:kubernetes::k8s-reports";

/* eslint-disable @typescript-eslint/no-explicit-any -- the mock monitor's protobuf requests are untyped */
function recordIgnoreChanges(): {
  ignoreChanges: Map<string, string[]>;
  timeouts: Map<string, { create: string; update: string; delete: string }>;
} {
  const ignoreChanges = new Map<string, string[]>();
  const timeouts = new Map<string, { create: string; update: string; delete: string }>();
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    ignoreChanges.set(req.getName(), req.getIgnorechangesList());
    const t = req.getCustomtimeouts();
    if (t)
      timeouts.set(req.getName(), {
        create: t.getCreate(),
        update: t.getUpdate(),
        delete: t.getDelete(),
      });
    return register(req, callback);
  };
  return { ignoreChanges, timeouts };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Run {
  resources: PlannedResource[];
  /** Resource name → ignoreChanges, as the engine receives them. */
  ignoreChanges: Map<string, string[]>;
  /** Resource name → customTimeouts, as the engine receives them. */
  timeouts: Map<string, { create: string; update: string; delete: string }>;
  result: DatabasesResult;
  outputs: Record<string, unknown>;
  certManager: pulumi.Resource;
}

async function run(site: SiteConfig): Promise<Run> {
  // Every generated password becomes a canary: it must never show up outside a secret.
  await pulumi.runtime.setMocks(
    new PlanMocks((type, name, state) =>
      type === "random:index/randomPassword:RandomPassword"
        ? { ...state, result: `${CANARY}-${name}` }
        : state,
    ),
    "plant",
    "avilla",
    false,
  );
  const resources = installRecorder();
  const { ignoreChanges, timeouts } = recordIgnoreChanges();
  const provider = new k8s.Provider("k8s-reports", { kubeconfig: pulumi.secret("apiVersion: v1") });
  const cluster: PlantCluster = {
    ...clusterFacts("reports", ["r620-1", "r620-2", "r620-3"]),
    kind: "openstack",
    provider,
    apiEndpoint: pulumi.output("https://10.1.0.10:6443"),
    kubeconfig: pulumi.secret("apiVersion: v1"),
    storageClass: "local-path",
    ready: [],
  };
  const objectStore: ObjectStoreEndpoint = {
    endpoint: "https://objects.avilla.busche-cnc.com:8080",
    region: "RegionOne",
    bucket: pulumi.output("avilla-pg-backups"),
    accessKeyId: pulumi.secret(`${CANARY}-access-key`),
    secretAccessKey: pulumi.secret(`${CANARY}-secret-key`),
  };
  // Stands in for the ingress area's cert-manager readiness.
  const certManager = new k8s.core.v1.Namespace(
    "cert-manager-reports",
    { metadata: { name: "cert-manager" } },
    { provider },
  );
  const result = declareDatabases(
    site,
    [cluster],
    new Map([["reports", { certManagerReady: [certManager] }]]),
    objectStore,
  );
  // `ready` holds resources (a graph, not data): serialize the data fields only.
  const plain = (m: ReadonlyMap<string, DatabaseCredential>) =>
    Object.fromEntries([...m].map(([k, { ready: _ready, ...c }]) => [k, c]));
  const wire = await pulumi.runtime.serializeProperties("outputs", {
    outputs: result.outputs,
    credentials: plain(result.credentials),
    migrationCredentials: plain(result.migrationCredentials),
  });
  await waitForRegistrations();
  return {
    resources,
    ignoreChanges,
    timeouts,
    result,
    outputs: maskWire(wire) as Record<string, unknown>,
    certManager,
  };
}

const named = (plan: Run, name: string): PlannedResource => {
  const r = plan.resources.find((x) => x.name === name);
  if (!r)
    throw new Error(`no resource ${name}; have ${plan.resources.map((x) => x.name).join(", ")}`);
  return r;
};

describe("declareDatabases on the avilla config", () => {
  let plan: Run;
  beforeAll(async () => {
    plan = await run(avillaSite());
  });

  test("declares exactly the operator, the plugin and the database's objects", () => {
    const mine = plan.resources.filter((r) => r.name !== "cert-manager-reports");
    const count = (type: string) => mine.filter((r) => r.type === type).length;
    expect(count("plant:postgres:CnpgOperator")).toBe(1);
    expect(count("plant:postgres:PostgresCluster")).toBe(1);
    expect(count("kubernetes:helm.sh/v4:Chart")).toBe(2);
    expect(count("kubernetes:core/v1:Namespace")).toBe(2);
    // owner, three roles, S3 key, server CA.
    expect(count("kubernetes:core/v1:Secret")).toBe(6);
    expect(count("plant:postgres:DatabaseServerCa")).toBe(1);
    expect(count("tls:index/privateKey:PrivateKey")).toBe(1);
    expect(count("tls:index/selfSignedCert:SelfSignedCert")).toBe(1);
    expect(count("random:index/randomPassword:RandomPassword")).toBe(4);
    expect(count("kubernetes:postgresql.cnpg.io/v1:Cluster")).toBe(1);
    expect(count("kubernetes:barmancloud.cnpg.io/v1:ObjectStore")).toBe(1);
    expect(count("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")).toBe(1);
    expect(count("kubernetes:postgresql.cnpg.io/v1:Pooler")).toBe(2);
    // 11 in the database namespace, 4 in cnpg-system (deny, webhook, plugin, metrics).
    expect(count("kubernetes:networking.k8s.io/v1:NetworkPolicy")).toBe(15);
  });

  test("charts are pinned, from the CloudNativePG repo, in cnpg-system", () => {
    expect(named(plan, "cnpg-reports-operator").inputs).toMatchObject({
      chart: "cloudnative-pg",
      version: "0.29.0",
      repositoryOpts: { repo: "https://cloudnative-pg.github.io/charts" },
      namespace: "cnpg-system",
    });
    expect(named(plan, "cnpg-reports-operator").provider).toBe(PROVIDER_URN);
    expect(named(plan, "cnpg-reports-barman-cloud").inputs).toMatchObject({
      chart: "plugin-barman-cloud",
      version: "0.7.0",
      namespace: "cnpg-system",
    });
  });

  test("the plugin waits for cert-manager and the operator", () => {
    const deps = named(plan, "cnpg-reports-barman-cloud").dependencies;
    expect(deps).toContain(named(plan, "cert-manager-reports").urn);
    expect(deps).toContain(named(plan, "cnpg-reports-operator").urn);
  });

  test("the Cluster and its namespace are protected and retained on delete", () => {
    for (const name of ["postgres-reporting-cluster", "postgres-reporting-ns"]) {
      expect(named(plan, name)).toMatchObject({ protect: true, retainOnDelete: true });
    }
    const protectedNames = plan.resources.filter((r) => r.protect).map((r) => r.name);
    expect(protectedNames.sort()).toEqual(["postgres-reporting-cluster", "postgres-reporting-ns"]);
  });

  test("a live Cluster's bootstrap is never patched (it only runs at creation)", () => {
    expect(plan.ignoreChanges.get("postgres-reporting-cluster")).toEqual([
      "spec.bootstrap",
      "spec.externalClusters",
    ]);
  });

  test("Pulumi waits for the Cluster's Ready condition up to 60 minutes (a restore replays WAL)", () => {
    const cluster = named(plan, "postgres-reporting-cluster");
    expect((cluster.inputs.metadata as { annotations: unknown }).annotations).toEqual({
      "pulumi.com/waitFor": '["condition=Ready","condition=ContinuousArchiving"]',
    });
    expect(plan.timeouts.get("postgres-reporting-cluster")).toEqual({
      create: "60m",
      update: "60m",
      delete: "",
    });
  });

  test("Pulumi waits for each Pooler to be active (the Pooler status has no conditions)", () => {
    for (const type of ["rw", "ro"]) {
      const pooler = named(plan, `postgres-reporting-pooler-${type}`);
      expect((pooler.inputs.metadata as { annotations: unknown }).annotations).toEqual({
        "pulumi.com/waitFor": "jsonpath={.status.phase}=active",
      });
      expect(plan.timeouts.get(`postgres-reporting-pooler-${type}`)).toEqual({
        create: "10m",
        update: "10m",
        delete: "",
      });
    }
  });

  test("the Cluster waits for the operator, the plugin, its Secrets and the ObjectStore", () => {
    const deps = named(plan, "postgres-reporting-cluster").dependencies;
    for (const name of [
      "cnpg-reports-operator",
      "cnpg-reports-barman-cloud",
      "postgres-reporting-owner",
      "postgres-reporting-role-report-api",
      "postgres-reporting-role-report-api-migrate",
      "postgres-reporting-role-gauge-report",
      "postgres-reporting-objectstore",
    ]) {
      expect(deps).toContain(named(plan, name).urn);
    }
    expect(named(plan, "postgres-reporting-pooler-rw").dependencies).toContain(
      named(plan, "postgres-reporting-cluster").urn,
    );
  });

  test("every CNPG object waits for the gate proving the operator's webhooks serve", () => {
    const gate = named(plan, "reports-cnpg-webhook-job");
    expect(gate.type).toBe("kubernetes:batch/v1:Job");
    expect(gate.dependencies).toContain(named(plan, "cnpg-reports-operator").urn);
    const annotations = (gate.inputs.metadata as { annotations: Record<string, string> })
      .annotations;
    expect(annotations["plant.busche-cnc.com/gates-webhooks"]).toBe(
      "MutatingWebhookConfiguration/cnpg-mutating-webhook-configuration," +
        "ValidatingWebhookConfiguration/cnpg-validating-webhook-configuration",
    );
    for (const r of plan.resources.filter((x) => /cnpg\.io/.test(x.type))) {
      const direct = r.dependencies.includes(gate.urn);
      const viaCluster = r.dependencies.includes(named(plan, "postgres-reporting-cluster").urn);
      expect([r.name, direct || viaCluster]).toEqual([r.name, true]);
    }
  });

  test("every Kubernetes object uses the cluster's provider, an explicit name and namespace", () => {
    const k8sObjects = plan.resources.filter(
      (r) =>
        r.custom &&
        r.type.startsWith("kubernetes:") &&
        r.name !== "cert-manager-reports" &&
        !r.name.startsWith("reports-cnpg-webhook-") &&
        !r.name.startsWith("cnpg-reports-policies-"),
    );
    expect(k8sObjects.length).toBe(25);
    for (const r of k8sObjects) {
      expect(r.provider).toBe(PROVIDER_URN);
      const metadata = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
      expect(metadata?.name).toMatch(/^[a-z0-9-]+$/);
      if (r.type !== "kubernetes:core/v1:Namespace")
        expect(metadata?.namespace).toBe("postgres-reporting");
    }
  });

  test("every custom resource, as declared, validates against the pinned CRDs", () => {
    const crs = plan.resources.filter((r) => /cnpg\.io/.test(r.type));
    expect(crs.length).toBe(6);
    for (const r of crs)
      expect(crdErrors(r.inputs as { apiVersion: string; kind: string })).toEqual([]);
  });

  test("passwords exist only as secret Secret data; no plaintext anywhere", () => {
    for (const name of [
      "postgres-reporting-owner",
      "postgres-reporting-role-report-api",
      "postgres-reporting-role-report-api-migrate",
      "postgres-reporting-role-gauge-report",
    ]) {
      const inputs = named(plan, name).inputs;
      expect(inputs.type).toBe("kubernetes.io/basic-auth");
      expect(inputs.stringData).toBe("[secret]");
    }
    expect(named(plan, "postgres-reporting-backup-s3").inputs.stringData).toBe("[secret]");
    expect(JSON.stringify(plan.resources)).not.toContain(CANARY);
    expect(JSON.stringify(plan.outputs)).not.toContain(CANARY);
  });

  test("credentials: one app role per service with access, a migration role for report-api", async () => {
    expect([...plan.result.credentials.keys()].sort()).toEqual(["gauge-report", "report-api"]);
    expect([...plan.result.migrationCredentials.keys()]).toEqual(["report-api"]);
    const api = plan.result.credentials.get("report-api")!;
    expect({ ...api, password: undefined, ready: undefined, caCertificate: undefined }).toEqual({
      database: "reporting",
      dbname: "reporting",
      username: "svc_report_api",
      password: undefined,
      access: "readwrite",
      host: "reporting-pooler-rw.postgres-reporting.svc",
      port: 5432,
      sslMode: "verify-full",
      caCertificate: undefined,
      namespace: "postgres-reporting",
      poolerPodLabels: { "cnpg.io/poolerName": "reporting-pooler-rw" },
      ready: undefined,
    });
    // A read service gets the ro pooler: host and the pod labels its egress policy selects.
    expect(plan.result.credentials.get("gauge-report")).toMatchObject({
      access: "read",
      host: "reporting-pooler-ro.postgres-reporting.svc",
      poolerPodLabels: { "cnpg.io/poolerName": "reporting-pooler-ro" },
    });
    expect(plan.result.migrationCredentials.get("report-api")).toMatchObject({
      access: "readwrite",
      host: "reporting-pooler-rw.postgres-reporting.svc",
      poolerPodLabels: { "cnpg.io/poolerName": "reporting-pooler-rw" },
    });
    expect(plan.result.migrationCredentials.get("report-api")!.username).toBe(
      "svc_report_api_migrate",
    );
    for (const c of [
      ...plan.result.credentials.values(),
      ...plan.result.migrationCredentials.values(),
    ]) {
      expect(await pulumi.isSecret(c.password)).toBe(true);
    }
    expect(plan.result.databases?.get("reporting")?.ready.length).toBe(3);
    const creds = plan.outputs.credentials as Record<string, { password: unknown }>;
    expect(creds["report-api"].password).toBe("[secret]");
  });

  test("cnpg-system denies ingress but to the operator's webhook and, from the operator, the plugin", () => {
    const deny = named(plan, "cnpg-reports-policies-default-deny-ingress");
    expect(deny.inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    const webhook = named(plan, "cnpg-reports-policies-allow-webhook");
    expect(webhook.inputs.spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: 9443 }] }],
    });
    const plugin = named(plan, "cnpg-reports-policies-allow-barman-cloud");
    expect(plugin.inputs.spec).toMatchObject({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "plugin-barman-cloud" } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
            },
          ],
          ports: [{ protocol: "TCP", port: 9090 }],
        },
      ],
    });
    // The deny comes after the allows; the charts start under both.
    expect(deny.dependencies).toEqual(expect.arrayContaining([webhook.urn, plugin.urn]));
    expect(named(plan, "cnpg-reports-operator").dependencies).toContain(deny.urn);
  });

  test("network policies: stable names, the cluster's provider, valid, default-deny after the allows", () => {
    const policies = plan.resources.filter(
      (r) =>
        r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
        r.name.startsWith("postgres-reporting-"),
    );
    const allows = [
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
    ];
    expect(policies.map((r) => r.name).sort()).toEqual(
      ["default-deny", ...allows].map((p) => `postgres-reporting-netpol-${p}`).sort(),
    );
    for (const r of policies) {
      expect(r.provider).toBe(PROVIDER_URN);
      expect(r.inputs.metadata).toMatchObject({
        name: r.name.replace("postgres-reporting-netpol-", ""),
        namespace: "postgres-reporting",
      });
      expect(validateObject(r.inputs)).toEqual([]);
      expect(r.dependencies).toContain(named(plan, "postgres-reporting-ns").urn);
    }
    const deny = named(plan, "postgres-reporting-netpol-default-deny");
    expect(deny.inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const cluster = named(plan, "postgres-reporting-cluster").dependencies;
    for (const p of ["default-deny", ...allows]) {
      const urn = named(plan, `postgres-reporting-netpol-${p}`).urn;
      if (p !== "default-deny") expect(deny.dependencies).toContain(urn);
      expect(cluster).toContain(urn);
    }
    // Avilla's site config: the object store by name on port 8080, the API on the control plane.
    const egressOf = (p: string) =>
      (named(plan, `postgres-reporting-netpol-${p}`).inputs.spec as { egress: unknown[] }).egress;
    expect(egressOf("allow-object-store")).toEqual([
      // plant:openstack.objectStore.addresses of the avilla stack file, not the plant LAN.
      { to: [{ ipBlock: { cidr: "10.1.0.5/32" } }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
    expect(egressOf("allow-api-server")).toEqual([
      {
        to: [{ ipBlock: { cidr: "10.1.1.10/32" } }],
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
      },
    ]);
  });

  test("a credential is ready once its Secret, the Cluster, its pooler and the login path exist", async () => {
    const urnOf = (r: pulumi.Resource) =>
      new Promise<string>((resolve) => r.urn.apply((u) => resolve(u)));
    const readyNames = async (c: DatabaseCredential) => {
      const urns = await Promise.all(c.ready.map(urnOf));
      return urns.map((u) => plan.resources.find((r) => r.urn === u)?.name);
    };
    const via = (type: "rw" | "ro") => [
      "postgres-reporting-cluster",
      `postgres-reporting-pooler-${type}`,
      `postgres-reporting-netpol-allow-clients-to-pooler-${type}`,
      "postgres-reporting-netpol-allow-instances-from-poolers",
      "postgres-reporting-netpol-allow-poolers-to-instances",
    ];
    expect(await readyNames(plan.result.credentials.get("report-api")!)).toEqual([
      "postgres-reporting-role-report-api",
      ...via("rw"),
    ]);
    expect(await readyNames(plan.result.migrationCredentials.get("report-api")!)).toEqual([
      "postgres-reporting-role-report-api-migrate",
      ...via("rw"),
    ]);
    expect(await readyNames(plan.result.credentials.get("gauge-report")!)).toEqual([
      "postgres-reporting-role-gauge-report",
      ...via("ro"),
    ]);
  });

  test("outputs: endpoints, port and database name, no password", () => {
    expect(plan.outputs.outputs).toEqual({
      reporting: {
        cluster: "reports",
        database: "reporting",
        port: 5432,
        poolerReadWrite: "reporting-pooler-rw.postgres-reporting.svc",
        poolerReadOnly: "reporting-pooler-ro.postgres-reporting.svc",
        directReadWrite: "reporting-rw.postgres-reporting.svc",
        directReadOnly: "reporting-ro.postgres-reporting.svc",
        backupServerName: "reporting",
      },
    });
  });

  test("TLS: the program's server CA (ECDSA, what CloudNativePG can sign with) in the Cluster's Secret", () => {
    const key = named(plan, "postgres-reporting-server-ca-key");
    expect(key.inputs).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    const cert = named(plan, "postgres-reporting-server-ca-cert");
    expect(cert.inputs).toMatchObject({
      isCaCertificate: true,
      allowedUses: ["cert_signing", "crl_signing"],
      validityPeriodHours: 87600,
      setSubjectKeyId: true,
    });
    const secret = named(plan, "postgres-reporting-server-ca-secret");
    expect(secret.inputs.metadata).toMatchObject({
      name: "reporting-server-ca",
      namespace: "postgres-reporting",
    });
    // ca.key is in it: the whole stringData is secret.
    expect(secret.inputs.stringData).toBe("[secret]");
    const cluster = named(plan, "postgres-reporting-cluster");
    expect(cluster.dependencies).toContain(secret.urn);
    const spec = cluster.inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(spec.certificates.serverCASecret).toBe("reporting-server-ca");
    expect(spec.postgresql.pg_hba).toEqual([
      "hostssl all all all scram-sha-256",
      "host all all all reject",
    ]);
  });

  test("TLS: every credential carries verify-full and the server CA's certificate (public)", async () => {
    const caPem = await new Promise<string>((done) =>
      plan.result.credentials.get("report-api")!.caCertificate.apply(done),
    );
    expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    for (const c of [
      ...plan.result.credentials.values(),
      ...plan.result.migrationCredentials.values(),
    ]) {
      expect(c.sslMode).toBe("verify-full");
      expect(await pulumi.isSecret(c.caCertificate)).toBe(false);
      expect(await new Promise<string>((done) => c.caCertificate.apply(done))).toBe(caPem);
    }
  });

  test("pools: sized from the services' HPA maxima, TLS to clients and to the instances", () => {
    const params = (type: string) =>
      (
        named(plan, `postgres-reporting-pooler-${type}`).inputs.spec as {
          pgbouncer: { parameters: Record<string, string>; pg_hba: string[] };
        }
      ).pgbouncer;
    // report-api: (8 + 1 surge) pods × 5 = 45 and its migration 5; gauge-report (4 + 1 + 1) × 5.
    expect(params("rw").parameters).toEqual({
      default_pool_size: "45",
      max_db_connections: "50",
      max_client_conn: "100",
      client_tls_sslmode: "require",
      server_tls_sslmode: "verify-full",
    });
    expect(params("ro").parameters).toMatchObject({
      default_pool_size: "30",
      max_db_connections: "30",
    });
    expect(params("rw").pg_hba.every((r) => r.startsWith("hostssl") || r.endsWith(" reject"))).toBe(
      true,
    );
  });

  test("schedules: the operator's clock is the site's zone, and the ScheduledBackup says so", () => {
    const values = named(plan, "cnpg-reports-operator").inputs.values as Record<string, unknown>;
    expect(values.additionalEnv).toEqual([{ name: "TZ", value: "America/Indiana/Indianapolis" }]);
    const backup = named(plan, "postgres-reporting-scheduled-backup");
    expect(backup.inputs.metadata).toMatchObject({
      annotations: { "plant.busche-cnc.com/schedule-time-zone": "America/Indiana/Indianapolis" },
    });
    expect((backup.inputs.spec as { schedule: string }).schedule).toBe("0 0 3 * * *");
  });

  test("no endpointCA unless the object store is configured with one", () => {
    const store = named(plan, "postgres-reporting-objectstore").inputs.spec as {
      configuration: Record<string, unknown>;
    };
    expect(store.configuration).not.toHaveProperty("endpointCA");
    expect(plan.resources.some((r) => r.name === "postgres-reporting-object-store-ca")).toBe(false);
  });
});

describe("declareDatabases with restore enabled", () => {
  test("the Cluster bootstraps by recovery and archives to a new server name", async () => {
    const site = avillaSite();
    const db = { ...site.databases[0], restore: { enabled: true, sourceServerName: "reporting" } };
    const plan = await run({ ...site, databases: [db] });
    const spec = named(plan, "postgres-reporting-cluster").inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(spec.bootstrap)).toEqual(["recovery"]);
    expect(spec.bootstrap.recovery.source).toBe("origin");
    expect(spec.externalClusters[0].plugin.parameters.serverName).toBe("reporting");
    expect(spec.plugins[0].parameters.serverName).toBe("reporting-g2");
    expect(
      (plan.outputs.outputs as Record<string, { backupServerName: string }>).reporting
        .backupServerName,
    ).toBe("reporting-g2");
  });
});

describe("declareDatabases with an object store signed by a private CA", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nplant-objects-ca\n-----END CERTIFICATE-----\n";

  test("PEM in config: a Secret in the database namespace, and the ObjectStore's endpointCA names it", async () => {
    const site = avillaSite();
    const withCa = {
      ...site,
      openstack: {
        ...site.openstack,
        objectStore: { ...site.openstack.objectStore, endpointCA: { pem } },
      },
    };
    const plan = await run(withCa);
    const secret = named(plan, "postgres-reporting-object-store-ca");
    expect(secret.inputs).toMatchObject({
      metadata: { name: "reporting-object-store-ca", namespace: "postgres-reporting" },
      type: "Opaque",
      // The SDK marks every Secret's data secret, even a public CA bundle.
      stringData: "[secret]",
    });
    const store = named(plan, "postgres-reporting-objectstore");
    expect((store.inputs.spec as { configuration: unknown }).configuration).toMatchObject({
      endpointCA: { name: "reporting-object-store-ca", key: "ca.crt" },
    });
    expect(store.dependencies).toContain(secret.urn);
    expect(crdErrors(store.inputs as { apiVersion: string; kind: string })).toEqual([]);
  });

  test("a Secret the plant made: referenced as given, nothing created", async () => {
    const site = avillaSite();
    const ref = { secret: { name: "plant-objects-ca", key: "bundle.pem" } };
    const plan = await run({
      ...site,
      openstack: {
        ...site.openstack,
        objectStore: { ...site.openstack.objectStore, endpointCA: ref },
      },
    });
    const store = named(plan, "postgres-reporting-objectstore");
    expect((store.inputs.spec as { configuration: unknown }).configuration).toMatchObject({
      endpointCA: { name: "plant-objects-ca", key: "bundle.pem" },
    });
    expect(plan.resources.some((r) => r.name === "postgres-reporting-object-store-ca")).toBe(false);
  });
});

describe("declareDatabases refuses before declaring anything", () => {
  test("no object store: SiteConfigError and no resource", async () => {
    await pulumi.runtime.setMocks(new PlanMocks(), "plant", "avilla", false);
    const resources = installRecorder();
    const provider = new k8s.Provider("k8s-reports", { kubeconfig: "x" });
    const cluster = {
      ...clusterFacts("reports", ["r620-1", "r620-2", "r620-3"]),
      provider,
    } as unknown as PlantCluster;
    expect(() => declareDatabases(avillaSite(), [cluster], new Map(), undefined)).toThrow(
      SiteConfigError,
    );
    await waitForRegistrations();
    expect(resources.map((r) => r.type)).toEqual(["pulumi:providers:kubernetes"]);
  });
});
