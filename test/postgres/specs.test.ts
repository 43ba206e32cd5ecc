// Pure spec builders: every object validates against the pinned CRDs, and the HA, backup and
// restore settings are exactly what docs/postgres.md promises.
import {
  destinationPath,
  objectStoreSpec,
  scheduledBackupSpec,
} from "../../components/postgres/backup-spec";
import { bootstrapSpec, clusterSpec } from "../../components/postgres/cluster-spec";
import { databaseNames } from "../../components/postgres/names";
import {
  BARMAN_CHART,
  CNPG_CHART,
  operatorValues,
  pluginValues,
} from "../../components/postgres/operator-values";
import { poolerSpec } from "../../components/postgres/pooler-spec";
import { planPools } from "../../components/postgres/pool-sizing";
import { databaseEndpoints } from "../../components/postgres/names";
import {
  INSTANCE_PG_HBA,
  POOLER_PG_HBA,
  serviceDnsNames,
} from "../../components/postgres/tls-spec";
import { managedRoleSpec, planRoles } from "../../components/postgres/roles";
import { PHYSICAL_HOST_LABEL } from "../../components/types";
import { DatabaseConfig } from "../../config/schema";
import { chartValueErrors, crdErrors } from "./schemas";
import { database, service } from "./fixtures";

const services = [
  service("report-web", "none"),
  service("report-api", "readwrite", true),
  service("gauge-report", "read"),
];

const ZONE = "America/Indiana/Indianapolis";

function objects(db: DatabaseConfig, f = 1) {
  const names = databaseNames(db);
  const pools = planPools(db, services);
  const meta = (name: string) => ({ name, namespace: names.namespace });
  const roles = planRoles(db, services);
  return {
    cluster: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: meta(names.cluster),
      spec: clusterSpec({
        db,
        names,
        roles,
        failuresTolerated: f,
        defaultStorageClass: "local-path",
      }),
    } as { apiVersion: string; kind: string; spec: Record<string, any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
    objectStore: {
      apiVersion: "barmancloud.cnpg.io/v1",
      kind: "ObjectStore",
      metadata: meta(names.objectStore),
      spec: objectStoreSpec({
        db,
        names,
        endpointUrl: "https://objects.avilla.busche-cnc.com:8080",
        destinationPath: destinationPath("avilla-pg-backups", "postgres/reporting"),
      }),
    },
    objectStoreWithCa: {
      apiVersion: "barmancloud.cnpg.io/v1",
      kind: "ObjectStore",
      metadata: meta(names.objectStore),
      spec: objectStoreSpec({
        db,
        names,
        endpointUrl: "https://objects.avilla.busche-cnc.com:8080",
        destinationPath: destinationPath("avilla-pg-backups", "postgres/reporting"),
        endpointCA: { name: "reporting-object-store-ca", key: "ca.crt" },
      }),
    },
    scheduledBackup: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: meta(names.scheduledBackup),
      spec: scheduledBackupSpec(db, names),
    },
    poolerRw: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Pooler",
      metadata: meta(names.poolerRw),
      spec: poolerSpec(names, pools.rw),
    },
    poolerRo: {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Pooler",
      metadata: meta(names.poolerRo),
      spec: poolerSpec(names, pools.ro),
    },
  };
}

const variants: [string, DatabaseConfig][] = [
  ["initdb", database()],
  [
    "restore with PITR",
    database({
      restore: { enabled: true, sourceServerName: "reporting", targetTime: "2026-11-20T14:30:00Z" },
    }),
  ],
  ["restore to latest", database({ restore: { enabled: true, sourceServerName: "reporting-g2" } })],
  [
    "no WAL volume, cpu limit, 5 instances",
    database({
      walStorage: undefined,
      instances: 5,
      resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi" } },
    }),
  ],
];

describe.each(variants)(
  "%s: every custom resource validates against the pinned CRDs",
  (_label, db) => {
    test.each(Object.entries(objects(db)))("%s", (_kind, obj) => {
      expect(crdErrors(obj)).toEqual([]);
    });
  },
);

test("the CRD check catches a misspelt field", () => {
  const { cluster } = objects(database());
  expect(crdErrors({ ...cluster, spec: { ...cluster.spec, instance: 3 } })).not.toEqual([]);
  expect(
    crdErrors({
      ...cluster,
      spec: { ...cluster.spec, postgresql: { synchronous: { method: "all", number: 1 } } },
    }),
  ).not.toEqual([]);
});

describe("Cluster HA settings", () => {
  const { spec } = objects(database()).cluster;

  test("three instances, quorum-synchronous with required durability and failover quorum", () => {
    expect(spec.instances).toBe(3);
    expect(spec.postgresql.synchronous).toEqual({
      method: "any",
      number: 1,
      dataDurability: "required",
      failoverQuorum: true,
    });
  });

  test("instances are kept apart by REQUIRED anti-affinity on the physical host, not the VM", () => {
    expect(spec.affinity).toEqual({
      enablePodAntiAffinity: true,
      podAntiAffinityType: "required",
      topologyKey: PHYSICAL_HOST_LABEL,
    });
    expect(PHYSICAL_HOST_LABEL).not.toBe("kubernetes.io/hostname");
  });

  test("PDB on, pinned image, storage and WAL volume, no superuser access", () => {
    expect(spec.enablePDB).toBe(true);
    expect(spec.imageName).toBe("ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie");
    expect(spec.storage).toEqual({ size: "100Gi", storageClass: "local-path" });
    expect(spec.walStorage).toEqual({ size: "20Gi", storageClass: "local-path" });
    expect(spec.enableSuperuserAccess).toBe(false);
    expect(spec.resources).toEqual({
      requests: { cpu: "1", memory: "4Gi" },
      limits: { memory: "4Gi" },
    });
  });

  test("the database's storage class defaults to the cluster's", () => {
    const db = database({ storage: { size: "10Gi" } });
    const s = clusterSpec({
      db,
      names: databaseNames(db),
      roles: [],
      failuresTolerated: 1,
      defaultStorageClass: "ceph-rbd",
    });
    expect(s.storage).toEqual({ size: "10Gi", storageClass: "ceph-rbd" });
  });

  test("f=2 with 5 instances waits for 2 standbys", () => {
    expect(objects(database({ instances: 5 }), 2).cluster.spec.postgresql.synchronous.number).toBe(
      2,
    );
  });

  test("WAL is archived through the Barman Cloud plugin, never the deprecated in-tree barmanObjectStore", () => {
    expect(spec.plugins).toEqual([
      {
        name: "barman-cloud.cloudnative-pg.io",
        enabled: true,
        isWALArchiver: true,
        parameters: { barmanObjectName: "reporting-backups", serverName: "reporting" },
      },
    ]);
    expect(JSON.stringify(spec)).not.toContain("barmanObjectStore");
  });
});

describe("roles", () => {
  test("one least-privilege login role per service with access, plus a migration role", () => {
    const roles = planRoles(database(), services);
    expect(roles.map((r) => [r.service, r.kind, r.role, r.secret, r.access, r.inRoles])).toEqual([
      [
        "gauge-report",
        "app",
        "svc_gauge_report",
        "reporting-role-gauge-report",
        "read",
        ["pg_read_all_data"],
      ],
      [
        "report-api",
        "app",
        "svc_report_api",
        "reporting-role-report-api",
        "readwrite",
        ["pg_read_all_data", "pg_write_all_data"],
      ],
      [
        "report-api",
        "migration",
        "svc_report_api_migrate",
        "reporting-role-report-api-migrate",
        "readwrite",
        ["reporting_owner"],
      ],
    ]);
  });

  test("no role is superuser, creates databases or roles, replicates or bypasses RLS", () => {
    const { spec } = objects(database()).cluster;
    for (const role of spec.managed.roles) {
      expect(role).toMatchObject({
        login: true,
        superuser: false,
        createdb: false,
        createrole: false,
        replication: false,
        bypassrls: false,
        ensure: "present",
      });
      expect(role.passwordSecret.name).toMatch(/^reporting-role-/);
    }
  });

  test("adding a service renames no existing role", () => {
    const before = planRoles(database(), services);
    const after = planRoles(database(), [service("a-first", "read"), ...services]);
    for (const r of before) expect(after).toContainEqual(r);
  });

  test("managed role spec carries no password, only the Secret name", () => {
    const spec = managedRoleSpec(planRoles(database(), services)[0]);
    expect(Object.keys(spec)).not.toContain("password");
    expect(spec.passwordSecret).toEqual({ name: "reporting-role-gauge-report" });
  });
});

describe("restore switch", () => {
  test("off: initdb with database, owner and the owner's basic-auth Secret", () => {
    const db = database();
    expect(bootstrapSpec(db, databaseNames(db))).toEqual({
      initdb: {
        database: "reporting",
        owner: "reporting_owner",
        secret: { name: "reporting-owner" },
        dataChecksums: true,
      },
    });
    expect(objects(db).cluster.spec.externalClusters).toBeUndefined();
  });

  test("on: recovery from the object store, to a point in time, archiving to a NEW server name", () => {
    const db = database({
      restore: { enabled: true, sourceServerName: "reporting", targetTime: "2026-11-20T14:30:00Z" },
    });
    const { spec } = objects(db).cluster;
    expect(spec.bootstrap).toEqual({
      recovery: {
        source: "origin",
        database: "reporting",
        owner: "reporting_owner",
        secret: { name: "reporting-owner" },
        recoveryTarget: { targetTime: "2026-11-20T14:30:00Z" },
      },
    });
    expect(spec.externalClusters).toEqual([
      {
        name: "origin",
        plugin: {
          name: "barman-cloud.cloudnative-pg.io",
          parameters: { barmanObjectName: "reporting-backups", serverName: "reporting" },
        },
      },
    ]);
    expect(spec.plugins[0].parameters.serverName).toBe("reporting-g2");
  });

  test("after a restore, switching restore off keeps archiving to the new server", () => {
    const db = database({ restore: { enabled: false, sourceServerName: "reporting" } });
    const { spec } = objects(db).cluster;
    expect(Object.keys(spec.bootstrap)).toEqual(["initdb"]);
    expect(spec.plugins[0].parameters.serverName).toBe("reporting-g2");
  });
});

describe("backups", () => {
  const { objectStore, scheduledBackup } = objects(database());

  test("ObjectStore points at the site bucket with credentials from a Secret and the configured retention", () => {
    expect(objectStore.spec).toMatchObject({
      retentionPolicy: "30d",
      configuration: {
        destinationPath: "s3://avilla-pg-backups/postgres/reporting",
        endpointURL: "https://objects.avilla.busche-cnc.com:8080",
        s3Credentials: {
          accessKeyId: { name: "reporting-backup-s3", key: "ACCESS_KEY_ID" },
          secretAccessKey: { name: "reporting-backup-s3", key: "ACCESS_SECRET_KEY" },
          region: { name: "reporting-backup-s3", key: "REGION" },
        },
      },
    });
  });

  test("ScheduledBackup: six-field cron from config, plugin method; the first backup is the program's own", () => {
    expect(scheduledBackup.spec).toEqual({
      cluster: { name: "reporting" },
      schedule: "0 0 3 * * *",
      method: "plugin",
      pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
      immediate: false,
      backupOwnerReference: "self",
      target: "prefer-standby",
    });
  });
});

describe("poolers", () => {
  test("rw and ro PgBouncer with ≥ 2 instances spread over physical hosts, schedulable with a host down", () => {
    const { poolerRw, poolerRo } = objects(database({ pooler: { instances: 3 } }));
    expect(poolerRw.spec).toMatchObject({
      cluster: { name: "reporting" },
      type: "rw",
      instances: 3,
    });
    expect(poolerRo.spec).toMatchObject({ type: "ro", instances: 3 });
    const template = poolerRw.spec.template as { metadata: unknown; spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(template.metadata).toEqual({ labels: { "cnpg.io/poolerName": "reporting-pooler-rw" } });
    expect(template.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: PHYSICAL_HOST_LABEL,
        whenUnsatisfiable: "DoNotSchedule",
        nodeTaintsPolicy: "Honor",
        labelSelector: { matchLabels: { "cnpg.io/poolerName": "reporting-pooler-rw" } },
      },
    ]);
    // Preferred only: a hard anti-affinity would leave a pooler pending with a host down.
    expect(
      template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    ).toBeUndefined();
  });
});

describe("operator and plugin charts", () => {
  test("pinned versions", () => {
    expect(CNPG_CHART).toMatchObject({
      chart: "cloudnative-pg",
      version: "0.29.0",
      image: "1.30.0",
    });
    expect(BARMAN_CHART).toMatchObject({
      chart: "plugin-barman-cloud",
      version: "0.7.0",
      image: "v0.13.0",
    });
  });

  test("values validate against the charts' values.schema.json", () => {
    expect(chartValueErrors("cloudnative-pg-0.29.0", operatorValues(ZONE))).toEqual([]);
    expect(chartValueErrors("plugin-barman-cloud-0.7.0", pluginValues())).toEqual([]);
    expect(
      chartValueErrors("cloudnative-pg-0.29.0", { ...operatorValues(ZONE), replicas: 2 }),
    ).not.toEqual([]);
  });

  test("two replicas of each, spread over physical hosts", () => {
    for (const values of [operatorValues(ZONE), pluginValues()]) {
      expect(values.replicaCount).toBe(2);
      expect(values.topologySpreadConstraints).toEqual([
        expect.objectContaining({ topologyKey: PHYSICAL_HOST_LABEL, maxSkew: 1 }),
      ]);
    }
  });
});

describe("schedules in the site's time zone", () => {
  test("the operator runs in the site's zone: CloudNativePG reads every backup schedule on its clock", () => {
    // The ScheduledBackup CRD has no time-zone field; the operator evaluates the cron in its
    // local time (docs/postgres.md#backups). Without TZ that is UTC: 02:00 would be 21:00 in Indiana.
    expect(operatorValues(ZONE).additionalEnv).toEqual([{ name: "TZ", value: ZONE }]);
  });
});

describe("TLS on every database connection", () => {
  const { cluster, poolerRw, poolerRo } = objects(database());
  const names = databaseNames(database());

  test("instances: TLS or nothing (hostssl for everyone, reject for any other TCP connection)", () => {
    expect(cluster.spec.postgresql.pg_hba).toEqual([
      "hostssl all all all scram-sha-256",
      "host all all all reject",
    ]);
    expect(cluster.spec.postgresql.pg_hba).toEqual([...INSTANCE_PG_HBA]);
  });

  test("the server certificate comes from the program's CA and names the poolers' Services", () => {
    expect(cluster.spec.certificates).toEqual({
      serverCASecret: "reporting-server-ca",
      serverAltDNSNames: [
        ...serviceDnsNames("reporting-pooler-rw", "postgres-reporting"),
        ...serviceDnsNames("reporting-pooler-ro", "postgres-reporting"),
      ],
    });
    // verify-full checks the host the credential names against these SANs.
    const endpoints = databaseEndpoints(names);
    expect(cluster.spec.certificates.serverAltDNSNames).toEqual(
      expect.arrayContaining([endpoints.poolerReadWrite, endpoints.poolerReadOnly]),
    );
  });

  test.each([
    ["rw", poolerRw],
    ["ro", poolerRo],
  ])("%s pooler: clients must use TLS, PgBouncer verifies the instances fully", (_t, pooler) => {
    const pgbouncer = pooler.spec.pgbouncer as {
      parameters: Record<string, string>;
      pg_hba: string[];
    };
    expect(pgbouncer.parameters).toMatchObject({
      client_tls_sslmode: "require",
      server_tls_sslmode: "verify-full",
    });
    expect(pgbouncer.pg_hba).toEqual([...POOLER_PG_HBA]);
    for (const rule of pgbouncer.pg_hba.filter((r) => r.startsWith("host "))) {
      expect(rule).toMatch(/ reject$/);
    }
  });

  test("every PgBouncer parameter is one CloudNativePG 1.30 accepts (its webhook's allow-list)", () => {
    // internal/webhook/v1/pooler_webhook.go, AllowedPgbouncerGenericConfigurationParameters.
    const allowed = new Set([
      "client_tls_sslmode",
      "server_tls_sslmode",
      "default_pool_size",
      "max_db_connections",
      "max_client_conn",
    ]);
    for (const pooler of [poolerRw, poolerRo]) {
      const params = (pooler.spec.pgbouncer as { parameters: Record<string, string> }).parameters;
      for (const name of Object.keys(params)) expect(allowed).toContain(name);
    }
  });
});

describe("pool sizes on the rendered Poolers", () => {
  test("each pooler's pool covers its largest role at its HPA peak; the database limit covers all", () => {
    // report-api (readwrite, migration): replicas.max 3 + 1 surge = 4 pods × 5 = 20, migration 5.
    // gauge-report (read): 4 pods × 5 = 20. Session mode: a client holds a server connection.
    const { poolerRw, poolerRo } = objects(database());
    const params = (p: typeof poolerRw) =>
      (p.spec.pgbouncer as { parameters: Record<string, string> }).parameters;
    expect(params(poolerRw)).toMatchObject({
      default_pool_size: "20",
      max_db_connections: "25",
      max_client_conn: "100",
    });
    expect(params(poolerRo)).toMatchObject({ default_pool_size: "20", max_db_connections: "20" });
    const bigger = services.map((x) =>
      x.name === "report-api" ? { ...x, replicas: { ...x.replicas, max: 12 } } : x,
    );
    const rw = poolerSpec(databaseNames(database()), planPools(database(), bigger).rw);
    expect((rw.pgbouncer as { parameters: Record<string, string> }).parameters).toMatchObject({
      default_pool_size: "65",
      max_db_connections: "70",
      max_client_conn: "140",
    });
  });
});

describe("ObjectStore endpointCA", () => {
  test("absent unless configured; a Secret key reference when it is", () => {
    const { objectStore, objectStoreWithCa } = objects(database());
    expect(objectStore.spec.configuration).not.toHaveProperty("endpointCA");
    expect(objectStoreWithCa.spec.configuration).toMatchObject({
      endpointCA: { name: "reporting-object-store-ca", key: "ca.crt" },
    });
  });
});
