/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep into untyped manifest JSON */
// The real program (program.ts main) on each stack file, through the offline plan runner: the
// three services with everything the issue asks for, wired to what the ingress and PostgreSQL
// areas actually declare (Gateways and their listeners, Pooler pods, database roles), all
// valid, guardrails on every reporting workload.
import * as path from "path";
import { readStackFile } from "../../config/site";
import { PlannedManifest, PlanResult, PROJECT_DIR, runPlan } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { validateObject } from "../support/upstream-schemas";
import { workloadProblems } from "./workload-checks";

const SERVICES = ["report-web", "report-api", "gauge-report"];
const o = (m: PlannedManifest) => m.object as Record<string, any>;

const plans = new Map<string, PlanResult>();
beforeAll(async () => {
  for (const stack of ["avilla", "albion"]) plans.set(stack, await sitePlan(stack));
}, 60_000);

/** The manifest of `kind` namespace/name in a plan (exactly one). */
function findIn(plan: PlanResult, kind: string, namespace: string, name: string) {
  const found = plan.manifests.filter(
    (m) => m.kind === kind && m.namespace === namespace && m.name === name,
  );
  if (found.length !== 1)
    throw new Error(`${found.length} ${kind} ${namespace}/${name} in the plan`);
  return found[0];
}
const dependenciesOf = (plan: PlanResult, m: PlannedManifest) =>
  plan.resources.find((r) => r.urn === m.urn)!.dependencies;

/** The route's parent Gateway and its listener, as declared by the ingress area. */
function listenerOf(plan: PlanResult, route: PlannedManifest) {
  const [parent] = o(route).spec.parentRefs;
  const gateway = findIn(plan, "Gateway", parent.namespace, parent.name);
  const listener = o(gateway).spec.listeners.find((l: any) => l.name === parent.sectionName);
  return { gateway, listener };
}

const ours = (plan: PlanResult) =>
  plan.manifests.filter(
    (m) => SERVICES.includes(m.namespace) || (m.kind === "Namespace" && SERVICES.includes(m.name)),
  );

describe.each([
  ["avilla", "reports1.busche-cnc.com"],
  ["albion", "reports2.busche-cnc.com"],
])("%s", (stack, host) => {
  const plan = () => plans.get(stack)!;
  const find = (kind: string, namespace: string, name: string) =>
    findIn(plan(), kind, namespace, name);

  test("declares the three services on cluster reports", () => {
    const counts: Record<string, number> = {};
    for (const m of ours(plan())) counts[m.kind] = (counts[m.kind] ?? 0) + 1;
    expect(counts).toEqual({
      Namespace: 3,
      ServiceAccount: 3,
      ConfigMap: 3,
      Secret: 3,
      Deployment: 3,
      Service: 3,
      HTTPRoute: 3,
      BackendTrafficPolicy: 3,
      HorizontalPodAutoscaler: 3,
      PodDisruptionBudget: 3,
      // 3 + 6 + 4: report-api's includes allow-from-prometheus (it declares metrics).
      NetworkPolicy: 13,
      Job: 1,
      CronJob: 1,
    });
    expect(new Set(ours(plan()).map((m) => m.cluster))).toEqual(new Set(["reports"]));
  });

  test("every object validates", () => {
    const errors = ours(plan()).flatMap((m) =>
      validateObject(o(m)).map((e) => `${m.kind} ${m.namespace}/${m.name}: ${e}`),
    );
    expect(errors).toEqual([]);
  });

  test("guardrails hold for every reporting workload", () => {
    const workloads = ours(plan()).filter((m) => ["Deployment", "Job", "CronJob"].includes(m.kind));
    expect(workloads).toHaveLength(5);
    expect(workloads.flatMap((m) => workloadProblems(m, plan().manifests))).toEqual([]);
  });

  test("outputs: URLs and the GraphQL endpoint", () => {
    expect(plan().outputs.services).toEqual({
      "report-web": { cluster: "reports", urls: [`https://${host}/`] },
      "report-api": { cluster: "reports", urls: [`https://${host}/graphql`] },
      "gauge-report": { cluster: "reports", urls: [`https://${host}/gauges`] },
    });
    expect(plan().outputs.graphqlEndpoint).toBe(`https://${host}/graphql`);
  });

  test("each route attaches to an HTTPS listener of a declared Gateway that serves its host and admits it", () => {
    for (const service of SERVICES) {
      const route = find("HTTPRoute", service, `${service}-${host.split(".")[0]}`);
      const { gateway, listener } = listenerOf(plan(), route);
      expect(listener).toMatchObject({ protocol: "HTTPS", hostname: host });
      // Admitted by label, not from every namespace: the route's namespace carries it.
      expect(listener.allowedRoutes.namespaces).toEqual({
        from: "Selector",
        selector: { matchLabels: { "plant.busche-cnc.com/gateway-routes": "true" } },
      });
      const ns = plan().manifests.filter(
        (m) => m.kind === "Namespace" && m.name === route.namespace && m.cluster === route.cluster,
      );
      expect(ns).toHaveLength(1);
      expect(o(ns[0]).metadata.labels).toMatchObject(
        listener.allowedRoutes.namespaces.selector.matchLabels,
      );
      expect(o(route).spec.hostnames).toEqual([host]);
      expect(dependenciesOf(plan(), route)).toContain(gateway.urn);
    }
  });

  test("database egress goes to a Pooler the PostgreSQL area declares, on the credential's role", () => {
    for (const service of ["report-api", "gauge-report"]) {
      const policy = o(find("NetworkPolicy", service, "allow-to-postgres"));
      const [peer] = policy.spec.egress[0].to;
      const namespace = peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"];
      const poolers = plan().manifests.filter(
        (m) => m.kind === "Pooler" && m.namespace === namespace,
      );
      const selected = poolers.filter((p) =>
        Object.entries(peer.podSelector.matchLabels).every(
          ([k, v]) => o(p).spec.template.metadata.labels[k] === v,
        ),
      );
      expect(selected).toHaveLength(1);
    }
  });

  test("the report-api Deployment depends on its migration Job; Secrets stay secret", () => {
    const [job] = ours(plan()).filter((m) => m.kind === "Job");
    expect(job.name).toMatch(/^report-api-migrate-[0-9a-f]{10}$/);
    const deployment = find("Deployment", "report-api", "report-api");
    expect(plan().resources.find((r) => r.urn === deployment.urn)!.dependencies).toContain(job.urn);
    for (const s of ours(plan()).filter((m) => m.kind === "Secret"))
      expect(o(s).stringData).toBe("[secret]");
  });
});

describe("avilla with a second static address on cluster reports (one Gateway per address)", () => {
  let multi: PlanResult;
  beforeAll(async () => {
    const raw = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml")) as Record<string, any>;
    raw.clusters[0].ingress.addresses.push({
      name: "reports-ext",
      ip: "10.1.0.9",
      hostnames: ["reports-ext"],
    });
    raw.services[0].routes.push({ hostname: "reports-ext", pathPrefix: "/" });
    raw.services[2].routes.push({ hostname: "reports-ext", pathPrefix: "/gauges" });
    multi = await runPlan({ stack: "avilla", rawConfig: raw });
  }, 60_000);

  test.each([
    ["report-web", "report-web-reports1", "reports1.busche-cnc.com"],
    ["report-web", "report-web-reports-ext", "reports-ext.busche-cnc.com"],
    ["gauge-report", "gauge-report-reports1", "reports1.busche-cnc.com"],
    ["gauge-report", "gauge-report-reports-ext", "reports-ext.busche-cnc.com"],
  ])("%s route %s attaches to the declared Gateway listening on %s, after it", (ns, name, host) => {
    const route = findIn(multi, "HTTPRoute", ns, name);
    const { gateway, listener } = listenerOf(multi, route);
    expect(listener).toMatchObject({ protocol: "HTTPS", hostname: host });
    expect(o(route).spec.hostnames).toEqual([host]);
    expect(dependenciesOf(multi, route)).toContain(gateway.urn);
    expect(validateObject(o(route))).toEqual([]);
  });

  test("the two addresses' routes are on two different Gateways", () => {
    const parent = (name: string) =>
      o(findIn(multi, "HTTPRoute", "report-web", name)).spec.parentRefs[0].name;
    expect(parent("report-web-reports1")).not.toBe(parent("report-web-reports-ext"));
  });

  test("allow-from-gateway admits the namespace where every Gateway's Envoy data plane runs", () => {
    const allowed = o(
      findIn(multi, "NetworkPolicy", "report-web", "allow-from-gateway"),
    ).spec.ingress[0].from.map((p: any) => p.namespaceSelector.matchLabels);
    const gateways = multi.manifests.filter((m) => m.kind === "Gateway" && m.cluster === "reports");
    expect(gateways).toHaveLength(2);
    // Envoy Gateway runs every Gateway's Envoy pods in its controller's namespace unless its
    // config asks for GatewayNamespace mode (then they would run beside each Gateway).
    const chart = multi.manifests.find(
      (m) => m.kind === "Chart" && m.cluster === "reports" && o(m).chart.endsWith("/gateway-helm"),
    )!;
    const deploy = o(chart).values.config?.envoyGateway?.provider?.kubernetes?.deploy?.type;
    expect(deploy ?? "ControllerNamespace").toBe("ControllerNamespace");
    expect(allowed).toEqual([{ "kubernetes.io/metadata.name": chart.namespace }]);
  });

  test("renames nothing of the stack file's plan", () => {
    const after = new Set(multi.resources.map((r) => r.urn));
    expect(
      plans
        .get("avilla")!
        .resources.filter((r) => !after.has(r.urn))
        .map((r) => r.urn),
    ).toEqual([]);
  });
});

describe.each(["avilla", "albion"])("%s: workloads wait for their database roles", (stack) => {
  const plan = () => plans.get(stack)!;
  /**
   * The CNPG Cluster and Pooler a workload's pooler egress policy points at: both are among
   * the ready resources the PostgreSQL area hands over with the credential.
   */
  function databaseOf(namespace: string, policyName: string) {
    const [peer] = o(findIn(plan(), "NetworkPolicy", namespace, policyName)).spec.egress[0].to;
    const dbNamespace = peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"];
    const inDb = plan().manifests.filter((m) => m.namespace === dbNamespace);
    const [cluster] = inDb.filter((m) => m.kind === "Cluster");
    const [pooler] = inDb.filter(
      (m) =>
        m.kind === "Pooler" &&
        Object.entries(peer.podSelector.matchLabels).every(
          ([k, v]) => o(m).spec.template.metadata.labels[k] === v,
        ),
    );
    expect([cluster?.kind, pooler?.kind]).toEqual(["Cluster", "Pooler"]);
    return [cluster.urn, pooler.urn];
  }

  test("the migration Job depends on its role's database Cluster and pooler", () => {
    const [job] = ours(plan()).filter((m) => m.kind === "Job");
    expect(dependenciesOf(plan(), job)).toEqual(
      expect.arrayContaining(databaseOf("report-api", "allow-migration-to-postgres")),
    );
  });

  test.each([
    ["Deployment", "report-api", "report-api"],
    ["Deployment", "gauge-report", "gauge-report"],
    ["CronJob", "gauge-report", "gauge-report-cron"],
  ])("%s %s/%s depends on its role's database Cluster and pooler", (kind, ns, name) => {
    expect(dependenciesOf(plan(), findIn(plan(), kind, ns, name))).toEqual(
      expect.arrayContaining(databaseOf(ns, "allow-to-postgres")),
    );
  });

  test("report-web (no database access) does not wait for a database", () => {
    const [cluster] = databaseOf("report-api", "allow-to-postgres");
    expect(
      dependenciesOf(plan(), findIn(plan(), "Deployment", "report-web", "report-web")),
    ).not.toContain(cluster);
  });
});
