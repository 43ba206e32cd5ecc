/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep into untyped manifest JSON */
// The pure manifest builders: exact security-relevant fields, and validity of every object
// (core kinds with kubernetes-models, HTTPRoutes against the pinned Gateway API CRD).
import { migrationJobName, ServicePlan } from "../../components/reporting/model";
import { buildNetworkPolicies } from "../../components/reporting/network-policy";
import {
  buildHorizontalPodAutoscaler,
  buildHttpRoutes,
  buildPodDisruptionBudget,
  buildService,
} from "../../components/reporting/serving-spec";
import { probes } from "../../components/reporting/pod-policy";
import {
  buildCronJob,
  buildDeployment,
  buildMigrationJob,
} from "../../components/reporting/workload-spec";
import { PHYSICAL_HOST_LABEL } from "../../components/types";
import { validateObject } from "../support/upstream-schemas";

const db = {
  dbname: "reporting",
  username: "svc_report_api",
  host: "reporting-pooler-rw.postgres-reporting.svc",
  port: 5432,
  sslMode: "verify-full" as const,
  namespace: "postgres-reporting",
  poolerPodLabels: { "cnpg.io/poolerName": "reporting-pooler-rw" },
};
const reportsGateway = {
  namespace: "plant-gateways",
  name: "reports",
  dataPlaneNamespaceLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" },
};
const plan: ServicePlan = {
  name: "report-api",
  namespace: "report-api",
  image: "registry.busche-cnc.com/reporting/report-api:2026.11.2",
  port: 4000,
  env: { SITE: "avilla" },
  secretFiles: ["api-token"],
  database: db,
  migrationDatabase: { ...db, username: "svc_report_api_migrate" },
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
  replicas: { min: 2, max: 8, cpuTargetPercent: 65 },
  health: { startup: "/healthz", readiness: "/ready", liveness: "/livez" },
  migration: {
    image: "registry.busche-cnc.com/reporting/report-db-migrations:2026.11.2",
    command: ["/app/migrate", "up"],
  },
  schedule: { cron: "0 6 * * *", command: ["/app/report", "--daily"] },
  timeZone: "America/Indiana/Indianapolis",
  routes: [
    {
      name: "report-api-reports1",
      fqdn: "reports1.busche-cnc.com",
      gateway: reportsGateway,
      sectionName: "https-reports1.busche-cnc.com",
      pathPrefixes: ["/graphql"],
    },
  ],
};
const plainPlan: ServicePlan = {
  ...plan,
  secretFiles: [],
  database: undefined,
  migrationDatabase: undefined,
  migration: undefined,
  schedule: undefined,
  routes: [],
};

const withKind = (apiVersion: string, kind: string, body: object): Record<string, any> => ({
  apiVersion,
  kind,
  ...body,
});
const deployment = withKind(
  "apps/v1",
  "Deployment",
  buildDeployment(plan, { "checksum/config": "abc" }),
);
const job = withKind(
  "batch/v1",
  "Job",
  buildMigrationJob(plan, migrationJobName(plan.name, plan.migration!)),
);
const cronJob = withKind("batch/v1", "CronJob", buildCronJob(plan));

describe("every object is valid", () => {
  const core = [
    deployment,
    job,
    cronJob,
    withKind("apps/v1", "Deployment", buildDeployment(plainPlan, {})),
    withKind("v1", "Service", buildService(plan)),
    withKind("autoscaling/v2", "HorizontalPodAutoscaler", buildHorizontalPodAutoscaler(plan)),
    withKind("policy/v1", "PodDisruptionBudget", buildPodDisruptionBudget(plan)),
    ...buildNetworkPolicies(plan).map((p) => withKind("networking.k8s.io/v1", "NetworkPolicy", p)),
  ];
  test.each(core.map((o) => [`${o.kind} ${o.metadata.name}`, o]))(
    "%s (kubernetes-models)",
    (_n, obj) => {
      expect(validateObject(obj)).toEqual([]);
    },
  );

  test("HTTPRoute against gateway-api v1.6.1", () => {
    const routes = buildHttpRoutes(plan);
    expect(routes).toHaveLength(1);
    expect(validateObject(routes[0])).toEqual([]);
  });

  test("the validators do reject a broken object", () => {
    expect(
      validateObject({ ...deployment, spec: { ...deployment.spec, strategy: { type: 7 } } }).join(),
    ).toMatch(/strategy/);
    const [route] = buildHttpRoutes(plan);
    expect(validateObject({ ...route, spec: { ...route.spec, hostname: "typo" } }).join()).toMatch(
      /additional/,
    );
  });
});

describe("Deployment", () => {
  const spec = (deployment as any).spec;
  const pod = spec.template.spec;
  const [container] = pod.containers;

  test("zero-downtime rolling update and no replica count (the HPA owns it)", () => {
    expect(spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(spec.replicas).toBeUndefined();
  });

  test("restricted security context and pinned image", () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.image).toBe(plan.image);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test("requests and memory limit from config; no CPU limit unless configured", () => {
    expect(container.resources).toEqual({
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { memory: "1Gi" },
    });
    const capped = buildDeployment(
      { ...plan, resources: { ...plan.resources, limits: { memory: "1Gi", cpu: "2" } } },
      {},
    );
    expect((capped.spec.template as any).spec.containers[0].resources.limits).toEqual({
      memory: "1Gi",
      cpu: "2",
    });
  });

  test("secrets and database credentials are files; /tmp is an emptyDir", () => {
    expect(container.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "app-secrets", mountPath: "/var/run/secrets/app", readOnly: true },
      { name: "db", mountPath: "/var/run/secrets/db", readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
      { name: "app-secrets", secret: { secretName: "report-api-secrets", defaultMode: 0o440 } },
      { name: "db", secret: { secretName: "report-api-db", defaultMode: 0o440 } },
    ]);
    expect(container.env).toBeUndefined();
    expect(container.envFrom).toEqual([{ configMapRef: { name: "report-api-env" } }]);
  });

  test("spreads hard over physical hosts, ignoring hosts that are down (tainted) or unusable", () => {
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: PHYSICAL_HOST_LABEL,
        whenUnsatisfiable: "DoNotSchedule",
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Honor",
        labelSelector: { matchLabels: spec.selector.matchLabels },
        matchLabelKeys: ["pod-template-hash"],
      },
    ]);
    expect(
      pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    ).toBeUndefined();
    expect(
      pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]
        .podAffinityTerm.topologyKey,
    ).toBe(PHYSICAL_HOST_LABEL);
  });

  test("carries the pod annotations it is given (checksums)", () => {
    expect(spec.template.metadata.annotations).toEqual({ "checksum/config": "abc" });
  });
});

test.each([
  ["/healthz", "/ready", "/livez"],
  ["/health", "/health", "/health"],
])("probes differ even when every path is %s %s %s", (startup, readiness, liveness) => {
  const p = probes({ startup, readiness, liveness });
  const all = [p.startupProbe, p.readinessProbe, p.livenessProbe].map((x) => JSON.stringify(x));
  expect(new Set(all).size).toBe(3);
  expect((p.startupProbe as any).httpGet.path).toBe(startup);
});

describe("migration Job", () => {
  const spec = (job as any).spec;
  const pod = spec.template.spec;
  test("runs the migration image and command with the migrating role's files, once", () => {
    expect((job as any).metadata.name).toBe(migrationJobName("report-api", plan.migration!));
    expect(pod.containers[0]).toMatchObject({
      image: plan.migration!.image,
      command: ["/app/migrate", "up"],
    });
    expect(pod.volumes).toContainEqual({
      name: "db",
      secret: { secretName: "report-api-migration-db", defaultMode: 0o440 },
    });
    expect(pod.volumes.map((v: any) => v.name)).not.toContain("app-secrets");
    expect(pod.restartPolicy).toBe("Never");
    expect(spec.backoffLimit).toBe(2);
    // Kept after it finishes, so Pulumi finds it and does not run it again.
    expect(spec.ttlSecondsAfterFinished).toBeUndefined();
    // A failed Job is replaced (run again) on the next `pulumi up`, not waited on again.
    expect((job as any).metadata.annotations).toEqual({ "pulumi.com/replaceUnready": "true" });
    expect(pod.containers[0].env).toEqual([
      { name: "DB_CREDENTIALS_DIR", value: "/var/run/secrets/db" },
      // libpq's own settings: the migration tool verifies the database even if it ignores the files.
      { name: "PGSSLMODE", value: "verify-full" },
      { name: "PGSSLROOTCERT", value: "/var/run/secrets/db/ca.crt" },
    ]);
  });
  test("is refused without a migrating role", () => {
    expect(() => buildMigrationJob({ ...plan, migrationDatabase: undefined }, "x")).toThrow(
      "[services.report-api.migration]",
    );
  });
});

test("CronJob: never concurrent, the app role's files, same security", () => {
  const spec = (cronJob as any).spec;
  expect(spec).toMatchObject({ schedule: "0 6 * * *", concurrencyPolicy: "Forbid" });
  // 06:00 on the plant's clock (EST/EDT), not the controller's UTC (01:00 or 02:00 in Indiana).
  expect(spec.timeZone).toBe("America/Indiana/Indianapolis");
  const pod = spec.jobTemplate.spec.template.spec;
  expect(pod.containers[0]).toMatchObject({
    image: plan.image,
    command: ["/app/report", "--daily"],
  });
  expect(pod.volumes.map((v: any) => v.secret?.secretName)).toEqual([
    undefined,
    "report-api-secrets",
    "report-api-db",
  ]);
  expect(pod.securityContext.runAsNonRoot).toBe(true);
});

describe("serving", () => {
  test("HTTPRoute: the Gateway's HTTPS listener of the host, PathPrefix matches, the ClusterIP Service", () => {
    const [route] = buildHttpRoutes(plan);
    expect(route.spec).toEqual({
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          namespace: "plant-gateways",
          name: "reports",
          sectionName: "https-reports1.busche-cnc.com",
        },
      ],
      hostnames: ["reports1.busche-cnc.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/graphql" } }],
          backendRefs: [{ group: "", kind: "Service", name: "report-api", port: 4000 }],
        },
      ],
    });
    expect(buildService(plan).spec).toMatchObject({
      type: "ClusterIP",
      ports: [{ port: 4000, targetPort: "http" }],
    });
  });

  test("HPA min/max/CPU from config; PDB allows one eviction at min 2", () => {
    expect(buildHorizontalPodAutoscaler(plan).spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "report-api" },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 65 } },
        },
      ],
    });
    expect(buildPodDisruptionBudget(plan).spec).toEqual({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: (deployment as any).spec.selector.matchLabels },
    });
  });
});

describe("network policies", () => {
  const byName = (p: ServicePlan) =>
    Object.fromEntries(buildNetworkPolicies(p).map((x) => [x.metadata.name, x.spec]));

  test.each<[string, ServicePlan, string[]]>([
    [
      "everything",
      plan,
      [
        "default-deny",
        "allow-dns",
        "allow-from-gateway",
        "allow-to-postgres",
        "allow-migration-to-postgres",
      ],
    ],
    ["no route, no database", plainPlan, ["default-deny", "allow-dns"]],
    [
      "metrics declared",
      { ...plainPlan, metricsPort: 9090 },
      ["default-deny", "allow-dns", "allow-from-prometheus"],
    ],
    [
      "database, no migration",
      { ...plan, migration: undefined, migrationDatabase: undefined },
      ["default-deny", "allow-dns", "allow-from-gateway", "allow-to-postgres"],
    ],
  ])("%s", (_what, p, names) => {
    expect(Object.keys(byName(p))).toEqual(names);
  });

  test("default-deny selects every pod, both directions, no rule", () => {
    expect(byName(plan)["default-deny"]).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
  });

  test("gateway → service port only, from the data-plane namespace", () => {
    expect(byName(plan)["allow-from-gateway"]).toEqual({
      podSelector: { matchLabels: (deployment as any).spec.selector.matchLabels },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" },
              },
            },
          ],
          ports: [{ protocol: "TCP", port: 4000 }],
        },
      ],
    });
  });

  test("Prometheus → the server pods' metrics port only, from the monitoring namespace", () => {
    expect(byName({ ...plan, metricsPort: 9090 })["allow-from-prometheus"]).toEqual({
      podSelector: { matchLabels: (deployment as any).spec.selector.matchLabels },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
              podSelector: {
                matchLabels: {
                  "app.kubernetes.io/name": "prometheus",
                  "app.kubernetes.io/instance": "monitoring-prometheus",
                },
              },
            },
          ],
          ports: [{ protocol: "TCP", port: 9090 }],
        },
      ],
    });
  });

  test("pooler egress: the pooler's namespace and pods, its port; the migration has its own", () => {
    const pooler = {
      to: [
        {
          namespaceSelector: {
            matchLabels: { "kubernetes.io/metadata.name": "postgres-reporting" },
          },
          podSelector: { matchLabels: db.poolerPodLabels },
        },
      ],
      ports: [{ protocol: "TCP", port: 5432 }],
    };
    expect(byName(plan)["allow-to-postgres"].egress).toEqual([pooler]);
    expect(byName(plan)["allow-to-postgres"].podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "report-api" },
      matchExpressions: [
        { key: "app.kubernetes.io/component", operator: "In", values: ["server", "scheduled"] },
      ],
    });
    expect(byName(plan)["allow-migration-to-postgres"]).toEqual({
      podSelector: { matchLabels: (job as any).spec.template.metadata.labels },
      policyTypes: ["Egress"],
      egress: [pooler],
    });
  });

  test("DNS: kube-system CoreDNS on 53 UDP and TCP", () => {
    expect(byName(plan)["allow-dns"].egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: {
              matchExpressions: [
                { key: "k8s-app", operator: "In", values: ["kube-dns", "coredns"] },
              ],
            },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
  });
});

describe("routes on two Gateways of one cluster (two static addresses)", () => {
  const extGateway = { ...reportsGateway, name: "reports-ext" };
  const twoHosts: ServicePlan = {
    ...plan,
    routes: [
      plan.routes[0],
      {
        name: "report-api-reports-ext",
        fqdn: "reports-ext.busche-cnc.com",
        gateway: extGateway,
        sectionName: "https-reports-ext",
        pathPrefixes: ["/graphql"],
      },
    ],
  };
  const fromPeers = (p: ServicePlan) =>
    buildNetworkPolicies(p).find((x) => x.metadata.name === "allow-from-gateway")!.spec
      .ingress as any[];

  test("each HTTPRoute's parentRef is its own Gateway and listener; both validate", () => {
    const routes = buildHttpRoutes(twoHosts);
    expect(routes.map((r) => [r.metadata.name, r.spec.parentRefs, r.spec.hostnames])).toEqual([
      [
        "report-api-reports1",
        [
          {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            namespace: "plant-gateways",
            name: "reports",
            sectionName: "https-reports1.busche-cnc.com",
          },
        ],
        ["reports1.busche-cnc.com"],
      ],
      [
        "report-api-reports-ext",
        [
          {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            namespace: "plant-gateways",
            name: "reports-ext",
            sectionName: "https-reports-ext",
          },
        ],
        ["reports-ext.busche-cnc.com"],
      ],
    ]);
    expect(routes.flatMap((r) => validateObject(r))).toEqual([]);
  });

  test("Gateways whose Envoy runs in the same namespace give one peer, as with one Gateway", () => {
    expect(fromPeers(twoHosts)).toEqual(fromPeers(plan));
    expect(fromPeers(twoHosts)[0].from).toHaveLength(1);
  });

  test("Gateways with different data-plane namespaces: the service port is open to each", () => {
    const elsewhere = { "kubernetes.io/metadata.name": "envoy-edge" };
    const differing: ServicePlan = {
      ...twoHosts,
      routes: [
        twoHosts.routes[0],
        {
          ...twoHosts.routes[1],
          gateway: { ...extGateway, dataPlaneNamespaceLabels: elsewhere },
        },
      ],
    };
    expect(fromPeers(differing)).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: reportsGateway.dataPlaneNamespaceLabels } },
          { namespaceSelector: { matchLabels: elsewhere } },
        ],
        ports: [{ protocol: "TCP", port: 4000 }],
      },
    ]);
    const obj = withKind("networking.k8s.io/v1", "NetworkPolicy", {
      metadata: { name: "allow-from-gateway", namespace: "report-api" },
      spec: { podSelector: {}, ingress: fromPeers(differing) },
    });
    expect(validateObject(obj)).toEqual([]);
  });
});
