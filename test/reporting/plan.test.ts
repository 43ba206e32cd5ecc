/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep into untyped manifest JSON */
// The ReportingService components under the offline plan's mocks, with fake inputs from the
// ingress and PostgreSQL areas: what is declared, that it is valid, the guardrails of every
// workload, migration gating, and that no secret leaves a secret Output.
import * as k8s from "@pulumi/kubernetes";
import { migrationJobName, ServicePlan } from "../../components/reporting/model";
import { ReportingService } from "../../components/reporting/service";
import { PHYSICAL_HOST_LABEL } from "../../components/types";
import { PlannedManifest } from "../../tools/plan/manifests";
import { canary, loadSite, planReporting, ReportingPlan, SERVER_CA_PEM } from "./harness";
import { validateObject } from "../support/upstream-schemas";
import { checkAllWorkloads, plaintextLeaks } from "./workload-checks";

/** avilla plus a fourth service on the Optiplex cluster using every remaining feature. */
function extendedSite(edit?: (extra: Record<string, any>) => void) {
  return loadSite("avilla", (raw) => {
    const extra: Record<string, any> = {
      name: "shift-export",
      cluster: "optiplex",
      image: "registry.busche-cnc.com/reporting/shift-export@sha256:" + "a".repeat(64),
      port: 9000,
      routes: [
        { hostname: "reports-alb", pathPrefix: "/export" },
        { hostname: "reports-alb", pathPrefix: "/api/export" },
      ],
      secrets: [{ file: "erp-token", configKey: "shift-export-erp-token" }],
      resources: {
        requests: { cpu: "50m", memory: "128Mi" },
        limits: { cpu: "1", memory: "256Mi" },
      },
      replicas: { min: 3, max: 5 },
      health: { startup: "/health", readiness: "/health", liveness: "/health" },
      schedule: { cron: "*/15 * * * *", command: ["/app/export", "--once"] },
      gateway: {
        auth: { type: "basic", htpasswdKey: "shift-export-htpasswd" },
        rateLimit: { requests: 10, unit: "Minute" },
      },
    };
    edit?.(extra);
    raw.services = [...raw.services, extra];
  });
}

const byKind = (plan: ReportingPlan, kind: string) => plan.manifests.filter((m) => m.kind === kind);
const one = (plan: ReportingPlan, kind: string, name: string): PlannedManifest => {
  const found = plan.manifests.filter((m) => m.kind === kind && m.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
};
const resourceOf = (plan: ReportingPlan, m: PlannedManifest) =>
  plan.resources.find((r) => r.urn === m.urn)!;
const o = (m: PlannedManifest) => m.object as Record<string, any>;

let avilla: ReportingPlan;
let albion: ReportingPlan;
let extended: ReportingPlan;
beforeAll(async () => {
  avilla = await planReporting(loadSite("avilla"));
  albion = await planReporting(loadSite("albion"));
  extended = await planReporting(extendedSite());
});

describe("what each site declares", () => {
  test.each(["avilla", "albion"])(
    "%s: the three services, each complete, in its own namespace",
    (stack) => {
      const plan = stack === "avilla" ? avilla : albion;
      const kinds = (ns: string) =>
        plan.manifests
          .filter((m) => m.namespace === ns || (m.kind === "Namespace" && m.name === ns))
          .map((m) => m.kind)
          .sort();
      const common = [
        "ConfigMap",
        "Deployment",
        "HTTPRoute",
        "HorizontalPodAutoscaler",
        "Namespace",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
        "BackendTrafficPolicy",
      ];
      const np = (n: number) => Array(n).fill("NetworkPolicy");
      expect(kinds("report-web")).toEqual([...common, ...np(3)].sort());
      // report-api declares metrics (plant:services[].metrics): Prometheus may scrape it.
      expect(kinds("report-api")).toEqual([...common, ...np(6), "Job", "Secret", "Secret"].sort());
      expect(kinds("gauge-report")).toEqual([...common, ...np(4), "CronJob", "Secret"].sort());
      expect(
        plan.resources
          .filter((r) => r.type === "plant:reporting:ReportingService")
          .map((r) => r.name),
      ).toEqual(["report-web", "report-api", "gauge-report"]);
    },
  );

  test("every Kubernetes object uses its cluster's provider, has an explicit name and namespace, and is a child of its component", () => {
    for (const plan of [avilla, extended]) {
      const components = new Map(
        plan.resources
          .filter((r) => r.type === "plant:reporting:ReportingService")
          .map((r) => [r.urn, r.name]),
      );
      for (const m of plan.manifests) {
        const r = resourceOf(plan, m);
        const service = components.get(r.parent ?? "");
        expect(service).toBeDefined();
        expect(m.cluster).toBe(service === "shift-export" ? "optiplex" : "reports");
        expect(r.name.startsWith(`${service}-`)).toBe(true);
        expect(typeof o(m).metadata?.name).toBe("string");
        if (m.kind !== "Namespace") expect(m.namespace).toBe(service);
      }
    }
  });

  test("namespaces enforce Pod Security restricted", () => {
    for (const ns of byKind(extended, "Namespace")) {
      expect(o(ns).metadata.labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "v1.36",
      });
    }
    expect(byKind(extended, "Namespace")).toHaveLength(4);
  });

  test("a namespace carries the Gateways' route label exactly when it holds HTTPRoutes", () => {
    const routed = new Set(byKind(extended, "HTTPRoute").map((r) => `${r.cluster}/${r.namespace}`));
    expect(routed.size).toBeGreaterThan(0);
    for (const ns of byKind(extended, "Namespace")) {
      const label = o(ns).metadata.labels["plant.busche-cnc.com/gateway-routes"];
      expect([ns.name, label]).toEqual([
        ns.name,
        routed.has(`${ns.cluster}/${ns.name}`) ? "true" : undefined,
      ]);
    }
  });

  test("adding a service renames nothing", () => {
    const after = new Set(extended.resources.map((r) => r.urn));
    expect(avilla.resources.map((r) => r.urn).filter((u) => !after.has(u))).toEqual([]);
  });

  test("outputs: every service's URLs and the GraphQL endpoint", () => {
    expect(avilla.result.outputs).toEqual({
      "report-web": { cluster: "reports", urls: ["https://reports1.busche-cnc.com/"] },
      "report-api": { cluster: "reports", urls: ["https://reports1.busche-cnc.com/graphql"] },
      "gauge-report": { cluster: "reports", urls: ["https://reports1.busche-cnc.com/gauges"] },
    });
    expect(avilla.result.graphqlEndpoint).toBe("https://reports1.busche-cnc.com/graphql");
    expect(albion.result.graphqlEndpoint).toBe("https://reports2.busche-cnc.com/graphql");
    expect(extended.result.outputs["shift-export"]).toEqual({
      cluster: "optiplex",
      urls: [
        "https://reports-alb.busche-cnc.com/export",
        "https://reports-alb.busche-cnc.com/api/export",
      ],
    });
  });
});

describe("validity", () => {
  test.each(["avilla", "albion", "extended"])(
    "%s: every object validates (kubernetes-models / pinned CRDs)",
    (which) => {
      const plan = { avilla, albion, extended }[which]!;
      // Secret data is masked in the plan; its shape is checked in the secrets tests below.
      const errors = plan.manifests.flatMap((m) =>
        validateObject(o(m)).map((e) => `${m.kind} ${m.namespace}/${m.name}: ${e}`),
      );
      expect(errors).toEqual([]);
    },
  );
});

describe("guardrails on every workload", () => {
  test.each(["avilla", "albion", "extended"])(
    "%s: pinned image, restricted, resources, probes, PDB, host spreading, default-deny, no secret env",
    (which) => {
      const plan = { avilla, albion, extended }[which]!;
      expect(
        plan.manifests.filter((m) => ["Deployment", "Job", "CronJob"].includes(m.kind)).length,
      ).toBeGreaterThanOrEqual(5);
      expect(checkAllWorkloads(plan.manifests, plan.secretValues)).toEqual([]);
    },
  );

  test("every workload spreads on the physical host label", () => {
    for (const m of extended.manifests.filter((x) =>
      ["Deployment", "Job", "CronJob"].includes(x.kind),
    )) {
      const template =
        m.kind === "CronJob" ? o(m).spec.jobTemplate.spec.template : o(m).spec.template;
      expect(template.spec.topologySpreadConstraints[0].topologyKey).toBe(PHYSICAL_HOST_LABEL);
    }
  });
});

describe("migration gating", () => {
  const image = "registry.busche-cnc.com/reporting/report-db-migrations:2026.11.2";
  const job = () =>
    one(avilla, "Job", migrationJobName("report-api", { image, command: ["/app/migrate", "up"] }));

  test("the Job is named by the image hash and runs the migration with the migrating role", () => {
    const spec = o(job()).spec.template.spec;
    expect(spec.containers[0].image).toBe(image);
    expect(spec.volumes).toContainEqual({
      name: "db",
      secret: { secretName: "report-api-migration-db", defaultMode: 0o440 },
    });
    expect(o(job()).spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(o(job()).metadata.annotations["pulumi.com/replaceUnready"]).toBe("true");
  });

  test("the Deployment of the service depends on the Job, so it rolls only after the Job succeeds", () => {
    const jobUrn = job().urn;
    expect(resourceOf(avilla, one(avilla, "Deployment", "report-api")).dependencies).toContain(
      jobUrn,
    );
    // Services without a migration do not wait for it.
    expect(resourceOf(avilla, one(avilla, "Deployment", "report-web")).dependencies).not.toContain(
      jobUrn,
    );
  });

  test("the Job waits for its network policy and its credentials", () => {
    const deps = resourceOf(avilla, job()).dependencies;
    const urnOf = (kind: string, name: string) => one(avilla, kind, name).urn;
    expect(deps).toEqual(
      expect.arrayContaining([
        urnOf("Secret", "report-api-migration-db"),
        urnOf("NetworkPolicy", "allow-migration-to-postgres"),
      ]),
    );
    expect(deps).not.toContain(urnOf("Secret", "report-api-db"));
  });

  test("a new migration image gives a new Job name under the same Pulumi resource, still gating the Deployment", async () => {
    const bumped = await planReporting(
      loadSite("avilla", (raw) => {
        raw.services[1].migration.image = image.replace("2026.11.2", "2026.12.0");
      }),
    );
    const [before] = byKind(avilla, "Job");
    const [after] = byKind(bumped, "Job");
    expect(after.name).not.toBe(before.name);
    expect(after.name).toBe(
      migrationJobName("report-api", {
        image: image.replace("2026.11.2", "2026.12.0"),
        command: ["/app/migrate", "up"],
      }),
    );
    expect(after.urn).toBe(before.urn);
    expect(resourceOf(bumped, one(bumped, "Deployment", "report-api")).dependencies).toContain(
      after.urn,
    );
  });
});

describe("migration gating waits for the database roles", () => {
  // The harness hands each credential one ready resource, `role-<username>`.
  const depsOf = (kind: string, name: string) =>
    resourceOf(avilla, one(avilla, kind, name)).dependencies;
  const ready = (what: string) => avilla.readyUrns.get(what)!;

  test("the migration Job depends on the migrating role's ready resources", () => {
    const [job] = byKind(avilla, "Job");
    expect(resourceOf(avilla, job).dependencies).toContain(ready("role-svc_report_api_migrate"));
    // It logs in as the migrating role only.
    expect(resourceOf(avilla, job).dependencies).not.toContain(ready("role-svc_report_api"));
  });

  test("the Deployment and CronJob of a service with database access depend on its app role's", () => {
    expect(depsOf("Deployment", "report-api")).toContain(ready("role-svc_report_api"));
    expect(depsOf("Deployment", "gauge-report")).toContain(ready("role-svc_gauge_report"));
    expect(depsOf("CronJob", "gauge-report-cron")).toContain(ready("role-svc_gauge_report"));
    // A service without database access waits for no role.
    const roles = [...avilla.readyUrns].filter(([k]) => k.startsWith("role-")).map(([, u]) => u);
    expect(roles).toHaveLength(3);
    expect(depsOf("Deployment", "report-web").filter((d) => roles.includes(d))).toEqual([]);
  });
});

describe("secrets", () => {
  test.each(["avilla", "extended"])(
    "%s: no secret value appears in any recorded input",
    (which) => {
      const plan = { avilla, extended }[which]!;
      expect(plan.secretValues.length).toBeGreaterThanOrEqual(3);
      expect(plaintextLeaks(plan.resources, plan.secretValues)).toEqual([]);
    },
  );

  test("every Secret's data is a secret Output; the provider receives the right role's connection files", () => {
    for (const s of byKind(extended, "Secret")) {
      expect(o(s).stringData).toBe("[secret]");
      expect(o(s).type).toBe("Opaque");
    }
    expect(
      byKind(extended, "Secret")
        .map((s) => s.name)
        .sort(),
    ).toEqual(
      [
        "gauge-report-db",
        "report-api-db",
        "report-api-migration-db",
        "shift-export-htpasswd",
        "shift-export-secrets",
      ].sort(),
    );
    // What the provider receives: the right role in each Secret, as files.
    const received = (name: string) => extended.providerInputs.get(name)?.stringData;
    expect(received("report-api-db")).toEqual({
      host: "reporting-pooler-rw.postgres-reporting.svc",
      port: "5432",
      dbname: "reporting",
      username: "svc_report_api",
      password: canary.app("report-api"),
      // TLS with the server's certificate and host name verified against the database's CA.
      sslmode: "verify-full",
      sslrootcert: "/var/run/secrets/db/ca.crt",
      "ca.crt": SERVER_CA_PEM,
    });
    expect(received("report-api-migration-db")).toMatchObject({
      username: "svc_report_api_migrate",
      password: canary.migration("report-api"),
      sslmode: "verify-full",
      "ca.crt": SERVER_CA_PEM,
    });
    expect(received("gauge-report-db")).toMatchObject({
      username: "svc_gauge_report",
      password: canary.app("gauge-report"),
    });
    expect(received("shift-export-secrets")).toEqual({
      "erp-token": canary.config("shift-export-erp-token"),
    });
    expect(received("shift-export-htpasswd")).toEqual({
      ".htpasswd": canary.config("shift-export-htpasswd"),
    });
  });

  test("config secrets are files under /var/run/secrets/app, never env", () => {
    const pod = o(one(extended, "Deployment", "shift-export")).spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "app-secrets",
      secret: { secretName: "shift-export-secrets", defaultMode: 0o440 },
    });
    expect(pod.containers[0].env).toBeUndefined();
    expect(o(one(extended, "ConfigMap", "shift-export-env")).data).toEqual({
      APP_SECRETS_DIR: "/var/run/secrets/app",
    });
  });

  test("checksum/secrets is a plain 16-hex digest and changes when a password rotates", async () => {
    const annotation = (p: ReportingPlan) =>
      o(one(p, "Deployment", "report-api")).spec.template.metadata.annotations["checksum/secrets"];
    expect(annotation(avilla)).toMatch(/^[0-9a-f]{16}$/);
    const rotated = await planReporting(loadSite("avilla"), { passwordSuffix: "-rotated" });
    expect(annotation(rotated)).toMatch(/^[0-9a-f]{16}$/);
    expect(annotation(rotated)).not.toBe(annotation(avilla));
    // No secret at all → no secrets checksum.
    expect(
      o(one(avilla, "Deployment", "report-web")).spec.template.metadata.annotations[
        "checksum/secrets"
      ],
    ).toBeUndefined();
  });

  test("a ConfigMap change changes checksum/config (pods roll)", async () => {
    const changed = await planReporting(
      loadSite("avilla", (raw) => {
        raw.services[0].env.SITE = "avilla-2";
      }),
    );
    const sum = (p: ReportingPlan, name: string) =>
      o(one(p, "Deployment", name)).spec.template.metadata.annotations["checksum/config"];
    expect(sum(changed, "report-web")).not.toBe(sum(avilla, "report-web"));
    expect(sum(changed, "report-api")).toBe(sum(avilla, "report-api"));
  });
});

describe("gateway features", () => {
  test("basic auth: an htpasswd Secret and a SecurityPolicy on each route, after the route", () => {
    const [policy] = byKind(extended, "SecurityPolicy");
    expect(o(policy).spec).toEqual({
      targetRefs: [
        { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "shift-export-reports-alb" },
      ],
      basicAuth: { users: { group: "", kind: "Secret", name: "shift-export-htpasswd" } },
    });
    const deps = resourceOf(extended, policy).dependencies;
    expect(deps).toContain(one(extended, "HTTPRoute", "shift-export-reports-alb").urn);
    expect(deps).toContain(one(extended, "Secret", "shift-export-htpasswd").urn);
    expect(extended.secretValues).toContain(canary.config("shift-export-htpasswd"));
  });

  test("rate limit and request size become a BackendTrafficPolicy on the route", () => {
    expect(o(one(avilla, "BackendTrafficPolicy", "report-api-reports1-traffic")).spec).toEqual({
      targetRefs: [
        { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "report-api-reports1" },
      ],
      rateLimit: {
        local: {
          rules: [
            {
              clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
              limit: { requests: 200, unit: "Second" },
            },
          ],
        },
      },
      requestBuffer: { limit: "1048576" },
    });
  });

  test("report-web's 50 requests/s are per client address, not for the whole plant", () => {
    // One bucket per source address (Distinct); a rule without a selector would count every
    // client together in the one Envoy that takes the static IP's traffic.
    const policy = o(one(avilla, "BackendTrafficPolicy", "report-web-reports1-traffic"));
    expect(policy.spec.rateLimit.local.rules).toEqual([
      {
        clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
        limit: { requests: 50, unit: "Second" },
      },
    ]);
    expect(validateObject(policy)).toEqual([]);
  });

  test("the route on the Optiplex cluster serves both prefixes on its one host name", () => {
    const route = o(one(extended, "HTTPRoute", "shift-export-reports-alb"));
    expect(route.spec.hostnames).toEqual(["reports-alb.busche-cnc.com"]);
    expect(route.spec.rules[0].matches.map((x: any) => x.path.value)).toEqual([
      "/export",
      "/api/export",
    ]);
    expect(route.spec.parentRefs[0]).toMatchObject({
      name: "reports-alb",
      sectionName: "https-reports-alb.busche-cnc.com",
    });
  });
});

describe("a cluster with two static addresses and services routed on both", () => {
  /** avilla with a second address on cluster reports, serving reports-ext and gauges. */
  const twoAddresses = () =>
    loadSite("avilla", (raw) => {
      raw.clusters[0].ingress.addresses.push({
        name: "reports-ext",
        ip: "10.1.0.9",
        hostnames: ["reports-ext", "gauges"],
      });
      raw.services[0].routes.push({ hostname: "reports-ext", pathPrefix: "/" });
      raw.services[2].routes.push({ hostname: "gauges", pathPrefix: "/" });
    });
  let multi: ReportingPlan;
  beforeAll(async () => {
    multi = await planReporting(twoAddresses());
  });
  const parentOf = (name: string) => o(one(multi, "HTTPRoute", name)).spec.parentRefs;
  const gatewayReady = (address: string) => multi.readyUrns.get(`gateway-reports-${address}`)!;
  const depsOf = (kind: string, name: string) =>
    resourceOf(multi, one(multi, kind, name)).dependencies;

  test("each route's parentRef is the Gateway and listener of its host name's address", () => {
    const parent = (name: string, sectionName: string) => [
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        namespace: "plant-gateways",
        name,
        sectionName,
      },
    ];
    expect(parentOf("report-web-reports1")).toEqual(
      parent("reports", "https-reports1.busche-cnc.com"),
    );
    expect(parentOf("report-web-reports-ext")).toEqual(
      parent("reports-ext", "https-reports-ext.busche-cnc.com"),
    );
    expect(parentOf("gauge-report-reports1")).toEqual(
      parent("reports", "https-reports1.busche-cnc.com"),
    );
    expect(parentOf("gauge-report-gauges")).toEqual(
      parent("reports-ext", "https-gauges.busche-cnc.com"),
    );
    expect(byKind(multi, "HTTPRoute").flatMap((m) => validateObject(o(m)))).toEqual([]);
    expect(multi.result.outputs["report-web"].urls).toEqual([
      "https://reports1.busche-cnc.com/",
      "https://reports-ext.busche-cnc.com/",
    ]);
  });

  test("each route and its policies wait for their own Gateway", () => {
    expect(depsOf("HTTPRoute", "report-web-reports-ext")).toContain(gatewayReady("reports-ext"));
    expect(depsOf("HTTPRoute", "report-web-reports-ext")).not.toContain(gatewayReady("reports"));
    expect(depsOf("HTTPRoute", "report-web-reports1")).toContain(gatewayReady("reports"));
    expect(depsOf("HTTPRoute", "report-web-reports1")).not.toContain(gatewayReady("reports-ext"));
    expect(depsOf("BackendTrafficPolicy", "gauge-report-gauges-traffic")).toContain(
      gatewayReady("reports-ext"),
    );
  });

  test("the service port stays open to the one Envoy data-plane namespace", () => {
    for (const ns of ["report-web", "gauge-report"]) {
      const policy = multi.manifests.find(
        (m) => m.namespace === ns && m.name === "allow-from-gateway",
      )!;
      expect(o(policy).spec.ingress[0].from).toEqual([
        {
          namespaceSelector: {
            matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" },
          },
        },
      ]);
    }
  });

  test("the second address renames nothing and leaves the first address's routes as they were", () => {
    const after = new Map(multi.resources.map((r) => [r.urn, r]));
    expect(avilla.resources.map((r) => r.urn).filter((u) => !after.has(u))).toEqual([]);
    for (const m of byKind(avilla, "HTTPRoute")) {
      const same = after.get(m.urn)!;
      expect(same.inputs).toEqual(resourceOf(avilla, m).inputs);
    }
  });

  test("without `ingress.gateways` (only the first Gateway handed over) the second host is refused", async () => {
    await expect(planReporting(twoAddresses(), { firstGatewayOnly: true })).rejects.toThrow(
      "[plant:services[0].routes[1].hostname] reports-ext.busche-cnc.com has no HTTPS listener on Gateway plant-gateways/reports",
    );
  });
});

test("a service that needs a database role it was not given stops the plan before any resource", async () => {
  await expect(
    planReporting(loadSite("avilla"), { withoutRole: ["gauge-report"] }),
  ).rejects.toThrow("[plant:services[2].database] no read role was created for gauge-report");
});

describe("the component refuses missing secret values (a wiring bug) before declaring children", () => {
  const plan = {
    name: "x",
    namespace: "x",
    image: "registry.example/x:1.0.0",
    port: 8080,
    env: {},
    secretFiles: ["token"],
    resources: { requests: { cpu: "10m", memory: "10Mi" }, limits: { memory: "20Mi" } },
    replicas: { min: 2, max: 2, cpuTargetPercent: 70 },
    health: { startup: "/s", readiness: "/r", liveness: "/l" },
    timeZone: "UTC",
    routes: [],
  };
  const db = {
    dbname: "d",
    username: "svc_x",
    host: "h",
    port: 5432,
    sslMode: "verify-full",
    namespace: "p",
    poolerPodLabels: {},
  };
  test.each<[string, Record<string, unknown>, string]>([
    ["a secret file", {}, "[services.x.secrets] no value for 'token'"],
    [
      "the app role's password",
      { secretFiles: [], database: db },
      "[services.x.database] no password for role svc_x",
    ],
  ])("%s", (_what, change, message) => {
    const provider = new k8s.Provider("k8s-x", { kubeconfig: "fake" });
    expect(
      () => new ReportingService("x", { plan: { ...plan, ...change } as ServicePlan, provider }),
    ).toThrow(message);
  });

  test("the app role's server CA (no credential without the CA to verify the server)", () => {
    const provider = new k8s.Provider("k8s-y", { kubeconfig: "fake" });
    const withDb = { ...plan, secretFiles: [], database: db } as ServicePlan;
    expect(
      () => new ReportingService("y", { plan: withDb, provider, databasePassword: "p" }),
    ).toThrow("[services.x.database] no server CA for role svc_x");
  });
});
