// Every Kubernetes object in the plan of both sites validates against the pinned upstream
// schemas: CRDs from ../shared/crds, core kinds with kubernetes-models, the kinds listed in
// FIXTURE_KINDS against CRDs pinned in test/fixtures/upstream, chart values against the charts'
// values.schema.json. Zero errors. The objects include what every chart renders.
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import {
  chartSchemaFor,
  knownCrd,
  knownFixtureCrd,
  validateChartValues,
  validateFixtureObject,
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
/**
 * Kinds whose CRD ../shared does not hold, validated against a copy pinned in
 * test/fixtures/upstream instead (its README names the source), and why.
 */
const FIXTURE_KINDS: Record<string, string> = {
  "crd.projectcalico.org/v1:Tier":
    "Canal (RKE2) installs Calico's CRDs, ../shared has none: test/fixtures/upstream/calico-v3.32.1 (canal.yaml at v3.32.1)",
  "crd.projectcalico.org/v1:GlobalNetworkPolicy":
    "Canal (RKE2) installs Calico's CRDs, ../shared has none: test/fixtures/upstream/calico-v3.32.1 (canal.yaml at v3.32.1)",
};
const kindKey = (o: { apiVersion?: unknown; kind?: unknown }): string =>
  `${String(o.apiVersion)}:${String(o.kind)}`;
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
        (kindKey(m.object) in FIXTURE_KINDS
          ? validateFixtureObject(m.object)
          : validateObject(m.object)
        ).map((p) => `${m.cluster}/${m.namespace}/${m.kind}/${m.name}: ${p}`),
      );
    expect(problems).toEqual([]);
  });

  test("every kind validated against a fixture is in the plan, pinned there and not in ../shared", () => {
    const planned = new Set(plans.get(stack)!.manifests.map((m) => kindKey(m.object)));
    for (const key of Object.keys(FIXTURE_KINDS)) {
      const [apiVersion, kind] = key.split(":");
      expect([
        key,
        planned.has(key),
        knownFixtureCrd(apiVersion, kind),
        knownCrd(apiVersion, kind),
      ]).toEqual([key, true, true, false]);
    }
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
    // The fixture CRDs are never used unasked, and unknown there is reported too.
    const tier = { apiVersion: "crd.projectcalico.org/v1", kind: "Tier", metadata: { name: "t" } };
    expect(validateObject(tier)).toEqual([
      "no schema for crd.projectcalico.org/v1 Tier (not in ../shared/crds nor kubernetes-models)",
    ]);
    expect(validateFixtureObject({ apiVersion: "example.com/v1", kind: "Thing" })).toEqual([
      "no schema for example.com/v1 Thing in test/fixtures/upstream",
    ]);
  });

  test("a Calico object breaking the pinned CRD is refused", () => {
    const policy = {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "GlobalNetworkPolicy",
      metadata: { name: "x" },
      spec: { tier: "t", types: ["Egress"], egress: [{ action: "Drop", ipVersion: 5 }] },
    };
    expect(validateFixtureObject(policy)).toEqual([
      "/spec/egress/0/action must be equal to one of the allowed values",
      "/spec/egress/0/ipVersion must be equal to one of the allowed values",
    ]);
    const tier = {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "Tier",
      metadata: { name: "t" },
      spec: { order: 100, defaultAction: "Pass", ordre: 1 },
    };
    expect(validateFixtureObject(tier)).toEqual([
      "/spec must NOT have additional properties 'ordre'",
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
