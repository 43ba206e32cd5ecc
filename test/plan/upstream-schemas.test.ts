// Every Kubernetes object in the plan of both sites validates against the pinned upstream
// schemas: CRDs from ../shared/crds, core kinds with kubernetes-models, chart values against
// the charts' values.schema.json. Zero errors. The objects include what every chart renders.
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import {
  chartSchemaFor,
  knownCrd,
  validateChartValues,
  validateObject,
} from "../support/upstream-schemas";

const STACKS = ["avilla", "albion"] as const;

/** Charts whose values cannot be schema-checked here, and why. */
const UNCHECKED_CHARTS: Record<string, string> = {
  "cert-manager":
    "../shared holds cert-manager's CRDs, not its chart (values asserted key by key in test/ingress/specs)",
  "oci://docker.io/envoyproxy/gateway-helm":
    "upstream ships no values.schema.json (keys checked against values.yaml in test/ingress/specs)",
  "oci://docker.io/envoyproxy/gateway-crds-helm": "upstream ships no values.schema.json",
  "kube-prometheus-stack":
    "upstream ships no values.schema.json (keys checked against values.yaml in test/observability)",
};
const plans = new Map<string, PlanResult>();

beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await sitePlan(stack));
});

describe.each(STACKS)("upstream schemas, stack %s", (stack) => {
  test("every Kubernetes object validates", () => {
    const problems = plans
      .get(stack)!
      .manifests.filter((m) => m.kind !== "Chart" && !m.type.startsWith("kubernetes:yaml/"))
      .flatMap((m) =>
        validateObject(m.object).map(
          (p) => `${m.cluster}/${m.namespace}/${m.kind}/${m.name}: ${p}`,
        ),
      );
    expect(problems).toEqual([]);
  });

  test("the objects the charts render are among them", () => {
    const children = plans
      .get(stack)!
      .resources.filter((r) => r.parent?.includes("helm.sh/v4:Chart::"));
    expect(children.length).toBeGreaterThan(100);
  });

  test("every chart's values validate against its values.schema.json", () => {
    const charts = plans.get(stack)!.manifests.filter((m) => m.kind === "Chart");
    expect(charts.length).toBeGreaterThanOrEqual(5);
    const problems = charts.flatMap((m) => {
      const { chart, version, values } = m.object as {
        chart: string;
        version: string;
        values?: unknown;
      };
      if (!chartSchemaFor(chart, version)) {
        // A chart with no schema here must be named, with the reason, or the check would pass silently.
        return chart in UNCHECKED_CHARTS
          ? []
          : [`${m.cluster}/${m.name}: ${chart}@${version} has no values.schema.json in ../shared`];
      }
      return validateChartValues(chart, version, values).map((p) => `${m.cluster}/${m.name}: ${p}`);
    });
    expect(problems).toEqual([]);
  });
});

describe("the validators can fail", () => {
  test("a CRD object with a wrong field type is refused", () => {
    expect(knownCrd("metallb.io/v1beta1", "IPAddressPool")).toBe(true);
    const pool = {
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata: { name: "x", namespace: "metallb-system" },
      spec: { addresses: "10.1.0.8/32", autoAssign: "no" },
    };
    expect(validateObject(pool)).toEqual([
      "/spec/addresses must be array",
      "/spec/autoAssign must be boolean",
    ]);
  });

  test("a core object with a wrong field type is refused", () => {
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "x" },
      spec: { ports: [{ port: "http" }] },
    };
    expect(validateObject(svc)).toEqual(["/spec/ports/0/port must be integer"]);
  });

  test("an object of unknown kind is reported, not skipped", () => {
    expect(validateObject({ apiVersion: "example.com/v1", kind: "Thing" })).toEqual([
      "no schema for example.com/v1 Thing (not in ../shared/crds nor kubernetes-models)",
    ]);
  });

  test("a chart-rendered object broken against its schema is refused", () => {
    const child = (name: string, type: string) =>
      JSON.parse(
        JSON.stringify(
          plans.get("avilla")!.resources.find((r) => r.name === name && r.type === type)!.inputs,
        ),
      );
    const deployment = child(
      "reports-metallb-chart:metallb-system/metallb-controller",
      "kubernetes:apps/v1:Deployment",
    );
    expect(validateObject(deployment)).toEqual([]);
    deployment.spec.replicas = "two";
    expect(validateObject(deployment)).toEqual(["/spec/replicas must be integer"]);
    const cert = child(
      "cnpg-reports-barman-cloud:cnpg-system/barman-cloud-server",
      "kubernetes:cert-manager.io/v1:Certificate",
    );
    expect(validateObject(cert)).toEqual([]);
    cert.spec.dnsNames = "x";
    expect(validateObject(cert)).toEqual(["/spec/dnsNames must be array"]);
  });

  test("chart values outside the schema are refused", () => {
    expect(chartSchemaFor("metallb", "0.16.1")).toBeDefined();
    expect(
      validateChartValues("metallb", "0.16.1", { speaker: { frr: { enabled: "no" } } }).length,
    ).toBeGreaterThan(0);
  });
});
