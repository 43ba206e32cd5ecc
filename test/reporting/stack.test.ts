/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep into untyped manifest JSON */
// The real program (program.ts main) on each stack file, through the offline plan runner: the
// three services with everything the issue asks for, wired to what the ingress and PostgreSQL
// areas actually declare (Gateway listeners, Pooler pods), all valid, guardrails on every
// reporting workload.
import { PlannedManifest, PlanResult, runPlan } from "../../tools/plan/run";
import { coreError, crdErrors } from "./manifest-validation";
import { workloadProblems } from "./workload-checks";

const SERVICES = ["report-web", "report-api", "gauge-report"];
const CRD_KINDS = new Set(["HTTPRoute", "BackendTrafficPolicy", "SecurityPolicy"]);
const o = (m: PlannedManifest) => m.object as Record<string, any>;

const plans = new Map<string, PlanResult>();
beforeAll(async () => {
  for (const stack of ["avilla", "albion"]) plans.set(stack, await runPlan({ stack }));
}, 60_000);

const ours = (plan: PlanResult) =>
  plan.manifests.filter(
    (m) => SERVICES.includes(m.namespace) || (m.kind === "Namespace" && SERVICES.includes(m.name)),
  );

describe.each([
  ["avilla", "reports1.busche-cnc.com"],
  ["albion", "reports2.busche-cnc.com"],
])("%s", (stack, host) => {
  const plan = () => plans.get(stack)!;
  const find = (kind: string, namespace: string, name: string) => {
    const found = plan().manifests.find(
      (m) => m.kind === kind && m.namespace === namespace && m.name === name,
    );
    if (!found) throw new Error(`no ${kind} ${namespace}/${name} in the ${stack} plan`);
    return found;
  };

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
      NetworkPolicy: 12,
      Job: 1,
      CronJob: 1,
    });
    expect(new Set(ours(plan()).map((m) => m.cluster))).toEqual(new Set(["reports"]));
  });

  test("every object validates", () => {
    const errors = ours(plan()).flatMap((m) => {
      if (CRD_KINDS.has(m.kind))
        return crdErrors(o(m) as never).map((e) => `${m.kind} ${m.name}: ${e}`);
      const checked = m.kind === "Secret" ? { ...o(m), stringData: {} } : o(m);
      const error = coreError(checked);
      return error ? [`${m.kind} ${m.name}: ${error}`] : [];
    });
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
      const route = o(find("HTTPRoute", service, `${service}-${host.split(".")[0]}`));
      const [parent] = route.spec.parentRefs;
      const gateway = o(find("Gateway", parent.namespace, parent.name));
      const listener = gateway.spec.listeners.find((l: any) => l.name === parent.sectionName);
      expect(listener).toMatchObject({ protocol: "HTTPS", hostname: host });
      expect(listener.allowedRoutes.namespaces.from).toBe("All");
      expect(route.spec.hostnames).toEqual([host]);
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
