// The observability area: alert expressions parse (the kept PromQL grammar) and use only metrics
// a scraped exporter exposes; scrape objects and rules validate against the pinned
// prometheus-operator CRDs; dashboards are well-formed; the config refuses bad monitoring keys;
// both sites' plans carry the stack, the objects, the routes and the outputs. Uses the shared
// site plans (test/support/plans.ts): no extra planning.
import * as fs from "fs";
import * as path from "path";
import { parser } from "@prometheus-io/lezer-promql";
import type { Dashboard } from "@grafana/schema";
import { parseSite, readStackFile, SiteConfigError } from "../../config/site";
import { hubClusterName } from "../../config/observability";
import { cronMaxGapSeconds } from "../../components/observability/cron";
import {
  EXPORTERS,
  exporterOf,
  RECORDED_METRICS,
} from "../../components/observability/metric-catalog";
import {
  alertmanagerConfig,
  HOST_DOWN_INHIBITS,
} from "../../components/observability/alertmanager-spec";
import { backupMaxAgeSeconds, isAlert, RuleGroup } from "../../components/observability/rules-spec";
import { htpasswdLine } from "../../components/observability/access-spec";
import { PROJECT_DIR } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { coalesceValues, SHARED_DIR, validateObject } from "../support/upstream-schemas";
import { parse as parseYaml } from "yaml";
import { stackValues } from "../../components/observability/stack-values";

/* eslint-disable @typescript-eslint/no-explicit-any -- plan records are untyped JSON */
type Json = any;

/** Metric names of a PromQL expression, or the syntax errors found. */
function metricsOf(expr: string): { metrics: string[]; errors: number } {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  let errors = 0;
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors++;
      if (node.name === "VectorSelector") {
        const id = node.node.getChild("Identifier");
        if (id) metrics.push(expr.slice(id.from, id.to));
      }
    },
  });
  return { metrics, errors };
}

const kindOf = (r: Json): string => String(r.type).split(":").pop() ?? "";

describe("PromQL parser", () => {
  test("finds syntax errors and metric names", () => {
    expect(metricsOf('sum by (a) (rate(foo{x="1"}[5m])) > 1')).toEqual({
      metrics: ["foo"],
      errors: 0,
    });
    expect(metricsOf("sum by (a (rate(foo[5m]))").errors).toBeGreaterThan(0);
    expect(metricsOf("rate(foo[5m]) >").errors).toBeGreaterThan(0);
  });
});

describe("cron gaps for the backup-age alert", () => {
  test.each([
    ["0 0 2 * * *", 86400],
    ["0 30 */6 * * *", 6 * 3600],
    ["0 0 3 * * 0", 7 * 86400],
    ["0 0 1 1 * *", 31 * 86400],
    ["0 0 1 * * MON-FRI", 3 * 86400],
    ["@daily", 86400],
    ["0 0 2 ? * *", 86400],
  ])("%s → %d s", (cron, gap) => {
    expect(cronMaxGapSeconds(cron)).toBe(gap);
  });
  test("slack: a quarter of the gap, at least an hour", () => {
    expect(backupMaxAgeSeconds("0 0 2 * * *")).toBe(86400 + 21600);
    expect(backupMaxAgeSeconds("0 0 * * * *")).toBe(3600 + 3600);
  });
  test("bad fields are refused", () => {
    expect(() => cronMaxGapSeconds("0 61 * * * *")).toThrow(
      "cron '0 61 * * * *' has an invalid minute field: '61' is outside 0-59",
    );
    expect(() => cronMaxGapSeconds("0 0 * * *")).toThrow("six-field cron expression");
  });
});

describe("Alertmanager routing", () => {
  const c = alertmanagerConfig({
    email: {
      smarthost: "smtp:587",
      from: "a@b.c",
      to: ["x@b.c"],
      requireTls: true,
      username: "u",
      password: "p",
    },
    webhookUrl: "https://hook",
  }) as Json;
  test("one receiver with e-mail and webhook; Watchdog goes nowhere", () => {
    expect(c.route.receiver).toBe("plant");
    expect(c.receivers[0].email_configs[0].to).toBe("x@b.c");
    expect(c.receivers[0].webhook_configs[0].url).toBe("https://hook");
    expect(c.global.smtp_auth_password).toBe("p");
    expect(c.route.routes[0]).toEqual({ receiver: "null", matchers: ['alertname = "Watchdog"'] });
  });
  test("a dead host inhibits its consequences on the same cluster", () => {
    expect(c.inhibit_rules[0]).toEqual({
      source_matchers: ['alertname = "PhysicalHostDown"'],
      target_matchers: ['host_consequence = "true"'],
      equal: ["cluster"],
    });
    expect(c.inhibit_rules[1].target_matchers[0]).toContain("KubeNodeNotReady");
    expect(HOST_DOWN_INHIBITS).toContain("EtcdOneLossFromQuorum");
  });
  test("no receiver: alerts go to the null receiver", () => {
    expect((alertmanagerConfig({}) as Json).route.receiver).toBe("null");
  });
});

test("htpasswd uses the {SHA} form Envoy Gateway accepts", () => {
  expect(htpasswdLine("password")).toBe("monitoring:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
});

describe("config plant:observability", () => {
  const raw = (): Record<string, any> =>
    JSON.parse(JSON.stringify(readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"))));
  const problems = (r: Record<string, unknown>): string[] => {
    try {
      parseSite("avilla", r);
      return [];
    } catch (e) {
      return (e as SiteConfigError).problems.map((p) => `[${p.key}] ${p.message}`);
    }
  };
  test("the site files pass", () => expect(problems(raw())).toEqual([]));
  test("unknown hub", () => {
    const r = raw();
    r.observability.hub = "nope";
    expect(problems(r)).toEqual(["[plant:observability.hub] names unknown cluster 'nope'"]);
  });
  test("SMTP login needs both halves", () => {
    const r = raw();
    delete r.observability.alerts.email.passwordKey;
    expect(problems(r)).toEqual([
      "[plant:observability.alerts.email.passwordKey] is needed with the other: SMTP login takes both username and passwordKey, or neither",
    ]);
  });
  test("BMC keys: format and no reuse", () => {
    const r = raw();
    r.observability.bmc.passwordKey = "Bad Key";
    expect(problems(r)[0]).toMatch(
      /^\[plant:observability\.bmc\.passwordKey\] 'Bad Key' must be a config key name/,
    );
    const s = raw();
    s.observability.bmc.passwordKey = "bmc-username";
    expect(problems(s)).toEqual([
      "[plant:observability.bmc.passwordKey] 'bmc-username' is also plant:observability.bmc.usernameKey: each secret needs its own key",
    ]);
  });
  test("alertmanager replicas below failuresTolerated + 1", () => {
    const r = raw();
    r.site.failuresTolerated = 2;
    r.observability.alertmanager.replicas = 2;
    r.hosts.push({
      name: "r620-4",
      mgmtIp: "10.1.0.14",
      bmcIp: "10.1.0.23",
      cores: 20,
      ramGb: 192,
      diskGb: 1800,
    });
    r.hosts.push({
      name: "r620-5",
      mgmtIp: "10.1.0.15",
      bmcIp: "10.1.0.24",
      cores: 20,
      ramGb: 192,
      diskGb: 1800,
    });
    expect(problems(r)).toContain(
      "[plant:observability.alertmanager.replicas] is 2; surviving 2 host failure(s) needs at least 3 on distinct hosts",
    );
  });
  test("a service route may not take the monitoring path", () => {
    const r = raw();
    r.services[0].routes[0].pathPrefix = "/monitoring/x";
    expect(problems(r)).toEqual([
      "[plant:services[0].routes[0].pathPrefix] /monitoring/x on reports1 is where the cluster's monitoring is routed (/monitoring/); choose another path",
    ]);
  });
  test("retention format", () => {
    const r = raw();
    r.observability.prometheus.retention = "15 days";
    expect(problems(r)).toEqual([
      "[plant:observability.prometheus.retention] '15 days' must be a duration like 15d or 4w",
    ]);
  });

  // One failing fixture per remaining key and rule: each refused for exactly its reason.
  test.each<[string, (r: Json) => void, string]>([
    [
      "hub: a DNS label",
      (r) => (r.observability.hub = "Reports"),
      "[plant:observability.hub] 'Reports' must be a lowercase DNS label (a-z, 0-9, '-', ≤ 40)",
    ],
    [
      "hub: a cluster with an ingress",
      (r) => {
        r.observability.hub = "optiplex";
        delete r.clusters[1].ingress;
      },
      "[plant:observability.hub] cluster 'optiplex' has no ingress: Grafana and the site's alert view are reached through the hub's Gateway",
    ],
    [
      "prometheus.storage.size",
      (r) => (r.observability.prometheus.storage.size = "50GB"),
      "[plant:observability.prometheus.storage.size] '50GB' must be a size like 50Gi",
    ],
    [
      "prometheus.storage.storageClass",
      (r) => (r.observability.prometheus.storage.storageClass = ""),
      "[plant:observability.prometheus.storage.storageClass] Too small: expected string to have >=1 characters",
    ],
    [
      "alertmanager.replicas: clustered",
      (r) => (r.observability.alertmanager.replicas = 1),
      "[plant:observability.alertmanager.replicas] '1' must be at least 2 (Alertmanager runs clustered)",
    ],
    [
      "alertmanager.storage.size",
      (r) => (r.observability.alertmanager.storage.size = "0Gi"),
      "[plant:observability.alertmanager.storage.size] '0Gi' must be a size like 50Gi",
    ],
    [
      "alerts.email.smarthost",
      (r) => (r.observability.alerts.email.smarthost = "smtp.busche-cnc.com"),
      "[plant:observability.alerts.email.smarthost] 'smtp.busche-cnc.com' must be host:port of the SMTP server (e.g. smtp.busche-cnc.com:587)",
    ],
    [
      "alerts.email.from",
      (r) => (r.observability.alerts.email.from = "plant-alerts"),
      "[plant:observability.alerts.email.from] 'plant-alerts' Invalid email address",
    ],
    [
      "alerts.email.to: at least one",
      (r) => (r.observability.alerts.email.to = []),
      "[plant:observability.alerts.email.to] Too small: expected array to have >=1 items",
    ],
    [
      "alerts.email.to: each an address",
      (r) => (r.observability.alerts.email.to = ["it@", "ok@busche-cnc.com"]),
      "[plant:observability.alerts.email.to[0]] 'it@' Invalid email address",
    ],
    [
      "alerts.email.username",
      (r) => (r.observability.alerts.email.username = ""),
      "[plant:observability.alerts.email.username] Too small: expected string to have >=1 characters",
    ],
    [
      "alerts.email.requireTls",
      (r) => (r.observability.alerts.email.requireTls = "yes"),
      "[plant:observability.alerts.email.requireTls] 'yes' Invalid input: expected boolean, received string",
    ],
    [
      "alerts.webhook.urlKey: a key name, not plant:<key>",
      (r) => (r.observability.alerts.webhook.urlKey = "plant:alert-webhook-url"),
      "[plant:observability.alerts.webhook.urlKey] 'plant:alert-webhook-url' must be a config key name (a-z, 0-9, '-')",
    ],
    [
      "alerts.webhook.urlKey: not another monitoring secret",
      (r) => (r.observability.alerts.webhook.urlKey = "smtp-password"),
      "[plant:observability.alerts.webhook.urlKey] 'smtp-password' is also plant:observability.alerts.email.passwordKey: each secret needs its own key",
    ],
    [
      "bmc.usernameKey: not a service's secret",
      (r) => (r.services[1].secrets = [{ file: "api-token", configKey: "bmc-username" }]),
      "[plant:observability.bmc.usernameKey] 'bmc-username' is already plant:services[1].secrets[0].configKey: each secret needs its own key",
    ],
    [
      "unknown key",
      (r) => (r.observability.grafana = { replicas: 2 }),
      '[plant:observability] Unrecognized key: "grafana"',
    ],
    [
      "services[].metrics.path",
      (r) => (r.services[1].metrics.path = "metrics"),
      "[plant:services[1].metrics.path] 'metrics' must be an HTTP path starting with /",
    ],
    [
      "services[].metrics.port",
      (r) => (r.services[1].metrics.port = 80),
      "[plant:services[1].metrics.port] '80' Too small: expected number to be >=1024",
    ],
    [
      "services[].metrics: unknown key",
      (r) => (r.services[1].metrics.scheme = "https"),
      '[plant:services[1].metrics] Unrecognized key: "scheme"',
    ],
  ])("%s", (_what, mutate, expected) => {
    const r = raw();
    mutate(r);
    expect(problems(r)).toEqual([expected]);
  });

  test("a site without any ingress is monitored: the database's cluster is the hub", () => {
    const r = raw();
    r.services = [];
    delete r.observability.hub;
    for (const c of r.clusters) delete c.ingress;
    expect(problems(r)).toEqual([]);
    expect(hubClusterName(r as Json)).toBe("reports");
    r.databases = [];
    expect(hubClusterName(r as Json)).toBe("reports"); // the first cluster
    r.clusters.reverse();
    expect(hubClusterName(r as Json)).toBe("optiplex");
  });

  test("the hub defaults to a cluster with an ingress, one with a database first", () => {
    const r = raw();
    expect(hubClusterName(r as Json)).toBe("reports");
    delete r.clusters[0].ingress;
    expect(hubClusterName(r as Json)).toBe("optiplex");
  });
});

describe.each(["avilla", "albion"])("observability in the plan of %s", (stack) => {
  let resources: Json[] = [];
  beforeAll(async () => {
    resources = (await sitePlan(stack)).resources as Json[];
  });
  const ofKind = (kind: string) => resources.filter((r) => kindOf(r) === kind);
  const rules = (): RuleGroup[] =>
    ofKind("PrometheusRule").flatMap((r) => (r.inputs.spec?.groups ?? []) as RuleGroup[]);

  test("every cluster runs the stack: 2 Prometheus, ≥ 2 Alertmanager, spread over physical hosts", () => {
    const proms = ofKind("Prometheus");
    expect(proms.length).toBe(2);
    for (const p of proms) {
      expect(p.inputs.spec.replicas).toBe(2);
      expect(p.inputs.spec.topologySpreadConstraints[0].topologyKey).toBe(
        "topology.kubernetes.io/zone",
      );
      expect(p.inputs.spec.retention).toBe("15d");
    }
    for (const a of ofKind("Alertmanager")) {
      expect(a.inputs.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(a.inputs.spec.configSecret).toBe("plant-alertmanager-config");
    }
    expect(
      ofKind("Certificate").some((c) => c.inputs.metadata.name === "monitoring-admission"),
    ).toBe(true);
  });

  test("every rule expression parses; every metric an alert or dashboard uses has an exporter", () => {
    const unknown: string[] = [];
    const broken: string[] = [];
    for (const g of rules()) {
      for (const rule of g.rules) {
        const { metrics, errors } = metricsOf(rule.expr);
        const name = isAlert(rule) ? rule.alert : rule.record;
        if (errors > 0) broken.push(`${g.name}/${name}: ${rule.expr}`);
        // The chart's own rules are checked for syntax; the program's also for their metrics.
        if (!g.name.startsWith("plant.")) continue;
        for (const m of metrics)
          if (!exporterOf(m) && !RECORDED_METRICS.includes(m)) unknown.push(`${name}: ${m}`);
      }
    }
    for (const cm of ofKind("ConfigMap").filter((r) =>
      r.inputs.metadata.name.startsWith("dashboard-plant"),
    )) {
      const d = JSON.parse(Object.values(cm.inputs.data as Record<string, string>)[0]) as Dashboard;
      for (const p of d.panels ?? [])
        for (const t of ((p as Json).targets ?? []) as { expr: string }[]) {
          const { metrics, errors } = metricsOf(t.expr);
          if (errors > 0) broken.push(`${d.uid}: ${t.expr}`);
          for (const m of metrics)
            if (!exporterOf(m) && !RECORDED_METRICS.includes(m)) unknown.push(`${d.uid}: ${m}`);
        }
    }
    expect(broken).toEqual([]);
    expect(unknown).toEqual([]);
    expect(rules().length).toBeGreaterThan(30);
  });

  test("the alerts of the promise are there, each with its runbook section in the docs", () => {
    const docs = fs.readFileSync(path.join(PROJECT_DIR, "docs/observability.md"), "utf8");
    const alerts = new Set(rules().flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert)));
    for (const a of [
      "PhysicalHostDown",
      "HostHardwareCritical",
      "HostDiskFailed",
      "HostPowerSupplyFailed",
      "EtcdOneLossFromQuorum",
      "PostgresSyncStandbysMissing",
      "PostgresReplicationLagHigh",
      "PostgresFailoverHappened",
      "PostgresWalArchivingFailing",
      "PostgresBackupTooOld",
      "PostgresVolumeNearlyFull",
      "StaticIpNotAssigned",
      "StaticIpNotAnswering",
      "CertificateExpiresSoon",
      "ServiceBelowMinReplicas",
      "ServiceCrashLooping",
      "ServiceErrorRateHigh",
    ])
      expect(alerts).toContain(a);
    const plantAlerts = rules()
      .filter((g) => g.name.startsWith("plant."))
      .flatMap((g) => g.rules.filter(isAlert));
    for (const a of plantAlerts) {
      expect(a.annotations.runbook_url).toBe(`docs/observability.md#${a.alert.toLowerCase()}`);
      expect(docs).toContain(`### ${a.alert}`);
    }
  });

  test("the program's monitoring objects validate against the pinned CRDs", () => {
    const ours = resources.filter(
      (r) =>
        r.type.startsWith("kubernetes:monitoring.coreos.com/") &&
        !String(r.parent ?? "").includes("Chart"),
    );
    expect(ours.length).toBeGreaterThan(10);
    const problems = ours.flatMap((r) => validateObject(r.inputs).map((p) => `${r.name}: ${p}`));
    expect(problems).toEqual([]);
    const routes = ofKind("HTTPRoute").filter((r) => r.inputs.metadata.namespace === "monitoring");
    const policies = ofKind("SecurityPolicy").filter(
      (r) => r.inputs.metadata.namespace === "monitoring",
    );
    expect([...routes, ...policies].flatMap((r) => validateObject(r.inputs))).toEqual([]);
    expect(routes.map((r) => r.inputs.spec.rules[0].matches[0].path.value).sort()).toEqual([
      "/monitoring/alertmanager",
      "/monitoring/alertmanager",
      "/monitoring/grafana",
      "/monitoring/prometheus",
      "/monitoring/prometheus",
    ]);
  });

  test("dashboards are well-formed Grafana dashboards", () => {
    const cms = ofKind("ConfigMap").filter(
      (r) => r.inputs.metadata.labels?.grafana_dashboard === "1",
    );
    const ours = cms.filter((r) => r.inputs.metadata.name.startsWith("dashboard-plant"));
    expect(ours.length).toBe(2 + 3);
    for (const cm of ours) {
      const d = JSON.parse(Object.values(cm.inputs.data as Record<string, string>)[0]) as Json;
      expect(d.uid.length).toBeLessThanOrEqual(40);
      expect(typeof d.schemaVersion).toBe("number");
      const ids = (d.panels as Json[]).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels as Json[]) {
        expect(["row", "stat", "table", "timeseries"]).toContain(p.type);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (const t of p.targets ?? [])
          expect(t.datasource).toEqual({ type: "prometheus", uid: "${datasource}" });
      }
    }
    // PostgreSQL: the dashboard the CloudNativePG chart ships.
    expect(cms.some((r) => r.inputs.metadata.name === "cnpg-grafana-dashboard")).toBe(true);
  });

  test("the hub probes every host name and reads every BMC; outputs carry the URLs", async () => {
    const plan = await sitePlan(stack);
    const probes = ofKind("Probe").map((r) => r.inputs.metadata.name);
    expect(probes.filter((n: string) => n.startsWith("idrac-")).length).toBe(
      plan.site.config.hosts.length,
    );
    expect(probes.filter((n: string) => n.startsWith("https-")).length).toBe(2);
    const obs = (plan.outputs as Json).observability;
    expect(obs.grafanaUrl).toMatch(
      /^https:\/\/reports[12]\.busche-cnc\.com\/monitoring\/grafana\/$/,
    );
    expect(obs.accessPassword).toBe("[secret]");
    expect(obs.grafanaAdminPassword).toBe("[secret]");
    const creds = resources.find((r) => r.inputs?.metadata?.name === "idrac-exporter-credentials");
    expect(creds.inputs.stringData).toBe("[secret]");
  });
});

/** Key paths of `values` that neither values.yaml nor a template (`.Values.<path>`) knows. */
function unknownKeys(
  values: Json,
  defaults: Json,
  known: (p: string) => boolean,
  at = "",
): string[] {
  if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
  if (defaults === null || typeof defaults !== "object" || Object.keys(defaults).length === 0)
    return [];
  return Object.entries(values).flatMap(([k, v]) => {
    const p = `${at}.${k}`;
    if (k in defaults) return unknownKeys(v, defaults[k], known, p);
    return known(p) ? [] : [p];
  });
}

function templateText(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(yaml|tpl)$/.test(e.name) && e.parentPath.includes("templates"))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "utf8"))
    .join("\n");
}

test("every key of the stack's values exists in kube-prometheus-stack's values.yaml", () => {
  const dir = path.join(SHARED_DIR, "charts/kube-prometheus-stack-88.5.3");
  const read = (f: string) => parseYaml(fs.readFileSync(path.join(dir, f), "utf8")) as Json;
  const defaults = read("values.yaml");
  const subcharts = ["grafana", "kube-state-metrics", "prometheus-node-exporter"];
  for (const sub of subcharts)
    defaults[sub] = coalesceValues(read(`charts/${sub}/values.yaml`), defaults[sub]);
  const templates = templateText(dir);
  // A key a template reads is known even when values.yaml only mentions it in a comment.
  const known = (p: string): boolean => {
    const sub = subcharts.find((c) => p.startsWith(`.${c}.`));
    const local = sub ? p.slice(sub.length + 1) : p;
    return templates.includes(`.Values${local}`) || p.startsWith(".grafana.grafana.ini.");
  };
  const values = stackValues({
    site: "avilla",
    cluster: "reports",
    hub: true,
    prometheusReplicas: 2,
    alertmanagerReplicas: 2,
    retention: "15d",
    prometheusStorage: { size: "50Gi", storageClass: "local-path" },
    alertmanagerStorage: { size: "2Gi", storageClass: "local-path" },
    certManager: true,
    endpoint: {
      fqdn: "reports1.busche-cnc.com",
      prometheusPath: "/monitoring/prometheus",
      alertmanagerPath: "/monitoring/alertmanager",
      grafanaPath: "/monitoring/grafana",
    },
  });
  expect(unknownKeys(values, defaults, known)).toEqual([]);
  const typo = { prometheus: { prometheusSpec: { replicaz: 2 } } };
  expect(unknownKeys(typo, defaults, known)).toEqual([".prometheus.prometheusSpec.replicaz"]);
});

test("the exporter tables name a source and a date", () => {
  for (const e of EXPORTERS) {
    expect(e.source.length).toBeGreaterThan(10);
    expect(e.checked).toMatch(/^\d{4}-\d{2}$/);
  }
});
