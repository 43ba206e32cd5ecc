import { ServiceConfig } from "../../config/schema";
import {
  CredentialInfo,
  GatewayInfo,
  serviceConfigProblems,
  ServiceWiringError,
  wireServices,
  WiringInputs,
} from "../../components/reporting/wiring";
import { DATA_PLANE_LABELS, GATEWAY_NAMESPACE, loadSite, POOLER_LABELS } from "./harness";

const site = loadSite("avilla");
const gateway: GatewayInfo = {
  namespace: GATEWAY_NAMESPACE,
  name: "reports",
  httpsListeners: { "reports1.busche-cnc.com": "https-reports1.busche-cnc.com" },
  dataPlaneNamespaceLabels: DATA_PLANE_LABELS,
};
const target = {
  namespace: GATEWAY_NAMESPACE,
  name: "reports",
  dataPlaneNamespaceLabels: DATA_PLANE_LABELS,
};
function role(
  username: string,
  access: "read" | "readwrite",
  poolerPodLabels = POOLER_LABELS,
): CredentialInfo {
  return {
    database: "reporting",
    dbname: "reporting",
    username,
    access,
    host: "reporting-pooler-rw.postgres-reporting.svc",
    port: 5432,
    sslMode: "verify-full",
    namespace: "postgres-reporting",
    poolerPodLabels,
  };
}
function inputs(change: Partial<WiringInputs> = {}): WiringInputs {
  return {
    domain: site.site.domain,
    timeZone: site.site.timeZone,
    services: site.services,
    clusters: new Set(site.clusters.map((c) => c.name)),
    gateways: new Map([["reports", [gateway]]]),
    credentials: new Map([
      ["report-api", role("svc_report_api", "readwrite")],
      [
        "gauge-report",
        role("svc_gauge_report", "read", { "cnpg.io/poolerName": "reporting-pooler-ro" }),
      ],
    ]),
    migrationCredentials: new Map([["report-api", role("svc_report_api_migrate", "readwrite")]]),
    ...change,
  };
}
function problemsOf(i: WiringInputs): readonly string[] {
  try {
    wireServices(i);
  } catch (e) {
    if (e instanceof ServiceWiringError) return e.problems;
    throw e;
  }
  return [];
}
const withService = (patch: Partial<ServiceConfig>, index = 0): ServiceConfig[] =>
  site.services.map((s, i) => (i === index ? { ...s, ...patch } : s));

describe("wireServices on the avilla stack", () => {
  const wired = wireServices(inputs());

  test("wires the three services, each in its own namespace named after it", () => {
    expect(wired.map((w) => [w.plan.name, w.plan.namespace])).toEqual([
      ["report-web", "report-web"],
      ["report-api", "report-api"],
      ["gauge-report", "gauge-report"],
    ]);
  });

  test("routes: one per host name, attached to that host's HTTPS listener", () => {
    expect(wired.map((w) => w.plan.routes)).toEqual([
      [
        {
          name: "report-web-reports1",
          fqdn: "reports1.busche-cnc.com",
          gateway: target,
          sectionName: "https-reports1.busche-cnc.com",
          pathPrefixes: ["/"],
        },
      ],
      [
        {
          name: "report-api-reports1",
          fqdn: "reports1.busche-cnc.com",
          gateway: target,
          sectionName: "https-reports1.busche-cnc.com",
          pathPrefixes: ["/graphql"],
        },
      ],
      [
        {
          name: "gauge-report-reports1",
          fqdn: "reports1.busche-cnc.com",
          gateway: target,
          sectionName: "https-reports1.busche-cnc.com",
          pathPrefixes: ["/gauges"],
        },
      ],
    ]);
    expect(wired.map((w) => w.urls)).toEqual([
      ["https://reports1.busche-cnc.com/"],
      ["https://reports1.busche-cnc.com/graphql"],
      ["https://reports1.busche-cnc.com/gauges"],
    ]);
  });

  test("database roles follow the access level; only report-api has a migrating role", () => {
    expect(
      wired.map((w) => [w.plan.database?.username, w.plan.migrationDatabase?.username]),
    ).toEqual([
      [undefined, undefined],
      ["svc_report_api", "svc_report_api_migrate"],
      ["svc_gauge_report", undefined],
    ]);
    expect(wired[2].plan.database?.poolerPodLabels).toEqual({
      "cnpg.io/poolerName": "reporting-pooler-ro",
    });
  });

  test("the plan carries no password field", () => {
    expect(JSON.stringify(wired.map((w) => w.plan))).not.toMatch(/password/i);
  });
});

describe("wireServices reports every gap before any resource exists", () => {
  test.each<[string, Partial<WiringInputs>, string[]]>([
    [
      "no Gateway on the cluster",
      { gateways: new Map() },
      [
        "[plant:services[0].routes] cluster 'reports' has no Gateway (ingress) to attach routes to",
        "[plant:services[1].routes] cluster 'reports' has no Gateway (ingress) to attach routes to",
        "[plant:services[2].routes] cluster 'reports' has no Gateway (ingress) to attach routes to",
      ],
    ],
    [
      "no HTTPS listener for a host name",
      {
        gateways: new Map([["reports", [{ ...gateway, httpsListeners: {} }]]]),
        services: site.services.slice(0, 1),
      },
      [
        "[plant:services[0].routes[0].hostname] reports1.busche-cnc.com has no HTTPS listener on Gateway plant-gateways/reports",
      ],
    ],
    [
      "a missing app role",
      { credentials: new Map([["report-api", role("svc_report_api", "readwrite")]]) },
      [
        "[plant:services[2].database] no read role was created for gauge-report in database 'reporting'",
      ],
    ],
    [
      "a role with the wrong access",
      {
        credentials: new Map([
          ["report-api", role("svc_report_api", "readwrite")],
          ["gauge-report", role("svc_gauge_report", "readwrite")],
        ]),
      },
      [
        "[plant:services[2].database.access] is 'read' but the role svc_gauge_report has 'readwrite' access",
      ],
    ],
    [
      "a missing migrating role",
      { migrationCredentials: new Map() },
      [
        "[plant:services[1].migration] no migrating role was created for report-api in database 'reporting'",
      ],
    ],
    [
      "an unknown cluster",
      {
        clusters: new Set(["optiplex"]),
        services: site.services.slice(0, 1),
        gateways: new Map([["reports", [gateway]]]),
      },
      ["[plant:services[0].cluster] names unknown cluster 'reports'"],
    ],
    [
      "a service named like the Gateway namespace",
      { services: withService({ name: GATEWAY_NAMESPACE }).slice(0, 1) },
      [
        `[plant:services[0].name] '${GATEWAY_NAMESPACE}' would be the service's namespace, which is the Gateway namespace of cluster reports`,
      ],
    ],
    [
      "a service named like a database namespace",
      { services: withService({ name: "postgres-reporting" }).slice(0, 1) },
      [
        "[plant:services[0].name] 'postgres-reporting' would be the service's namespace, which is the namespace of database reporting",
      ],
    ],
    [
      "a kube- service name",
      { services: withService({ name: "kube-reports" }).slice(0, 1) },
      [
        "[plant:services[0].name] 'kube-reports' would be the service's namespace, which is a system namespace",
      ],
    ],
    [
      "two secrets on the same file, and an env var the program sets",
      {
        services: withService({
          secrets: [
            { file: "token", configKey: "a" },
            { file: "token", configKey: "b" },
          ],
          env: { DB_CREDENTIALS_DIR: "/elsewhere" },
        }).slice(0, 1),
      },
      [
        "[plant:services[0].secrets[1].file] 'token' is already used by another secret",
        "[plant:services[0].env.DB_CREDENTIALS_DIR] is set by the program (where secret files are mounted)",
      ],
    ],
    [
      "libpq TLS settings in env (they would turn off or redirect server verification)",
      {
        services: withService({ env: { PGSSLMODE: "disable", PGSSLROOTCERT: "/tmp/x" } }).slice(
          0,
          1,
        ),
      },
      [
        "[plant:services[0].env.PGSSLMODE] is set by the program (libpq's TLS mode for the database: verify-full)",
        "[plant:services[0].env.PGSSLROOTCERT] is set by the program (the database's server CA for libpq)",
      ],
    ],
  ])("%s", (_what, change, expected) => {
    expect(problemsOf(inputs(change))).toEqual(expected);
  });

  test("two host names with the same first label are refused (route names would clash)", () => {
    const gw = {
      ...gateway,
      httpsListeners: { ...gateway.httpsListeners, "reports1.other.example": "https-other" },
    };
    const services = withService({
      routes: [
        { hostname: "reports1", pathPrefix: "/" },
        { hostname: "reports1.other.example", pathPrefix: "/" },
      ],
    }).slice(0, 1);
    expect(problemsOf(inputs({ services, gateways: new Map([["reports", [gw]]]) }))).toEqual([
      "[plant:services[0].routes] two host names start with the same label: route name report-web-reports1 is ambiguous",
    ]);
  });

  test("two path prefixes on one host name make one route with both prefixes", () => {
    const services = withService({
      routes: [
        { hostname: "reports1", pathPrefix: "/a" },
        { hostname: "reports1", pathPrefix: "/b" },
      ],
    }).slice(0, 1);
    const [w] = wireServices(inputs({ services }));
    expect(w.plan.routes).toHaveLength(1);
    expect(w.plan.routes[0].pathPrefixes).toEqual(["/a", "/b"]);
    expect(w.urls).toEqual([
      "https://reports1.busche-cnc.com/a",
      "https://reports1.busche-cnc.com/b",
    ]);
  });
});

test("serviceConfigProblems needs only the config (the program can run it with the other config checks)", () => {
  expect(serviceConfigProblems(site.services)).toEqual([]);
  expect(serviceConfigProblems(withService({ name: "default" }).slice(0, 1))).toEqual([
    "[plant:services[0].name] 'default' would be the service's namespace, which is a system namespace",
  ]);
});

describe("a cluster with two static addresses, one Gateway each", () => {
  const extGateway: GatewayInfo = {
    namespace: GATEWAY_NAMESPACE,
    name: "reports-ext",
    httpsListeners: {
      "reports-ext.busche-cnc.com": "https-reports-ext",
      "gauges.busche-cnc.com": "https-gauges",
    },
    dataPlaneNamespaceLabels: DATA_PLANE_LABELS,
  };
  const extTarget = { ...target, name: "reports-ext" };
  const services = [
    withService({
      routes: [
        { hostname: "reports1", pathPrefix: "/" },
        { hostname: "reports-ext", pathPrefix: "/" },
      ],
    })[0],
    withService({ routes: [{ hostname: "gauges", pathPrefix: "/gauges" }] }, 2)[2],
  ];
  const twoGateways = new Map([["reports", [gateway, extGateway]]]);

  test("each route attaches to the Gateway whose HTTPS listeners include its host name", () => {
    const [web, gauges] = wireServices(inputs({ services, gateways: twoGateways }));
    expect(web.plan.routes).toEqual([
      {
        name: "report-web-reports1",
        fqdn: "reports1.busche-cnc.com",
        gateway: target,
        sectionName: "https-reports1.busche-cnc.com",
        pathPrefixes: ["/"],
      },
      {
        name: "report-web-reports-ext",
        fqdn: "reports-ext.busche-cnc.com",
        gateway: extTarget,
        sectionName: "https-reports-ext",
        pathPrefixes: ["/"],
      },
    ]);
    expect(gauges.plan.routes).toEqual([
      {
        name: "gauge-report-gauges",
        fqdn: "gauges.busche-cnc.com",
        gateway: extTarget,
        sectionName: "https-gauges",
        pathPrefixes: ["/gauges"],
      },
    ]);
    expect(web.urls).toEqual([
      "https://reports1.busche-cnc.com/",
      "https://reports-ext.busche-cnc.com/",
    ]);
  });

  test("the Gateway order does not change which Gateway a route attaches to", () => {
    const reversed = new Map([["reports", [extGateway, gateway]]]);
    const routes = (g: WiringInputs["gateways"]) =>
      wireServices(inputs({ services, gateways: g })).map((w) => w.plan.routes);
    expect(routes(reversed)).toEqual(routes(twoGateways));
  });

  test("a host name on none of them names every Gateway looked at", () => {
    const onlyFirst = new Map([["reports", [gateway]]]);
    expect(problemsOf(inputs({ services, gateways: onlyFirst }))).toEqual([
      "[plant:services[0].routes[1].hostname] reports-ext.busche-cnc.com has no HTTPS listener on Gateway plant-gateways/reports",
      "[plant:services[1].routes[0].hostname] gauges.busche-cnc.com has no HTTPS listener on Gateway plant-gateways/reports",
    ]);
    const services2 = withService({ routes: [{ hostname: "elsewhere", pathPrefix: "/" }] }).slice(
      0,
      1,
    );
    expect(problemsOf(inputs({ services: services2, gateways: twoGateways }))).toEqual([
      "[plant:services[0].routes[0].hostname] elsewhere.busche-cnc.com has no HTTPS listener on any of the Gateways plant-gateways/reports, plant-gateways/reports-ext",
    ]);
  });

  test("every Gateway's namespace is reserved", () => {
    const other = new Map([["reports", [gateway, { ...extGateway, namespace: "edge-gateways" }]]]);
    expect(
      problemsOf(
        inputs({ services: withService({ name: "edge-gateways" }).slice(0, 1), gateways: other }),
      ),
    ).toEqual([
      "[plant:services[0].name] 'edge-gateways' would be the service's namespace, which is the Gateway namespace of cluster reports",
    ]);
  });
});
