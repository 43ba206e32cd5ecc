// The Kubernetes area in the offline plan of each site's own stack file.
import { sitePlan } from "../support/plans";
import { runPlan, PlanResult } from "../../tools/plan/run";
import { unwrapSecrets } from "../../tools/plan/mask";

const INSTANCE = "openstack:compute/instance:Instance";

describe.each(["avilla", "albion"])("plan of %s", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });
  const ofType = (type: string) => plan.resources.filter((r) => r.type === type);

  test("shows an RKE2 cluster and an existing cluster, each with its k8s provider", () => {
    expect(ofType("plant:kubernetes:Rke2Cluster").map((r) => r.name)).toEqual(["reports"]);
    expect(ofType("plant:kubernetes:ExistingCluster").map((r) => r.name)).toEqual(["optiplex"]);
    expect(
      ofType("pulumi:providers:kubernetes")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["k8s-optiplex", "k8s-reports"]);
  });

  test("the control plane sits on three distinct R620s, pinned by availability zone", () => {
    const servers = ofType(INSTANCE).filter(
      (r) => (r.inputs.metadata as { role: string }).role === "control-plane",
    );
    expect(servers).toHaveLength(3);
    const zones = servers.map((r) => r.inputs.availabilityZone as string);
    expect(new Set(zones).size).toBe(3);
    for (const z of zones) expect(z).toMatch(/^r620-\d$/);
  });

  test("every VM boots with a config drive (the plant subnet has no Neutron DHCP)", () => {
    expect(ofType(INSTANCE).length).toBeGreaterThanOrEqual(6);
    for (const vm of ofType(INSTANCE)) expect(vm.inputs.configDrive).toBe(true);
  });

  test("a new version or image never replaces VMs by itself: nodes rotate one by one", () => {
    for (const vm of ofType(INSTANCE)) expect(vm.ignoreChanges).toEqual(["userData", "imageId"]);
  });

  test("user data, tokens, CA keys and kubeconfigs are secrets in inputs and outputs", () => {
    for (const vm of ofType(INSTANCE)) expect(vm.inputs.userData).toBe("[secret]");
    for (const p of ofType("pulumi:providers:kubernetes"))
      expect(p.inputs.kubeconfig).toBe("[secret]");
    const clusters = plan.outputs.clusters as Record<string, { kubeconfig: unknown }>;
    expect(clusters.reports.kubeconfig).toBe("[secret]");
    expect(clusters.optiplex.kubeconfig).toBe("[secret]");
    const gate = plan.resources.find(
      (r) => r.type === "pulumi-nodejs:dynamic:Resource" && r.name === "reports-api-ready",
    );
    expect(gate?.inputs.clientKeyPem).toBe("[secret]");
    const text = JSON.stringify([plan.resources, plan.outputs, plan.manifests]);
    expect(text).not.toMatch(
      /-----BEGIN [A-Z ]*PRIVATE KEY|K10[0-9a-f]{64}::|offline-placeholder-for-kubeconfig/,
    );
  });

  test("the k8s provider of the new cluster waits for the API gate, which waits for the VMs", () => {
    const provider = ofType("pulumi:providers:kubernetes").find((r) => r.name === "k8s-reports");
    const gate = plan.resources.find((r) => r.name === "reports-api-ready");
    expect(provider?.dependencies).toContain(gate?.urn);
    for (const vm of ofType(INSTANCE)) expect(gate?.dependencies).toContain(vm.urn);
  });

  test("existing nodes are labelled with their physical host", () => {
    const patches = ofType("kubernetes:core/v1:NodePatch");
    expect(patches.length).toBeGreaterThanOrEqual(3);
    for (const p of patches) {
      const labels = (p.inputs.metadata as { labels: Record<string, string> }).labels;
      expect(labels["topology.kubernetes.io/zone"]).toBe(
        labels["plant.busche-cnc.com/physical-host"],
      );
      expect(p.provider).toMatch(/k8s-optiplex$/);
    }
  });
});

test("re-planning gives byte-identical user data", async () => {
  const capture = async () => {
    const docs: Record<string, string> = {};
    await runPlan({
      stack: "avilla",
      stateOverride: (type, name, state) => {
        if (type === INSTANCE) docs[name] = unwrapSecrets(state.userData) as string;
        return state;
      },
    });
    return docs;
  };
  const first = await capture();
  expect(Object.keys(first)).toHaveLength(6);
  for (const doc of Object.values(first)) expect(doc).toMatch(/^#cloud-config\n/);
  expect(await capture()).toEqual(first);
}, 60000);
