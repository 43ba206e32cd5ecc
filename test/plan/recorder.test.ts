// The recorder and masking the offline plan relies on: what a resource waits on, its parent,
// protect, and that secrets never leave the runtime in plaintext.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { collectManifests } from "../../tools/plan/manifests";
import { maskWire } from "../../tools/plan/mask";
import { PlanMocks } from "../../tools/plan/mocks";
import {
  duplicateUrns,
  installRecorder,
  PlannedResource,
  waitForRegistrations,
} from "../../tools/plan/recorder";

class Probe extends pulumi.ComponentResource {
  readonly password: pulumi.Output<string>;
  constructor(name: string) {
    super("plant:test:Probe", name, {}, {});
    const pw = new random.RandomPassword(`${name}-pw`, { length: 24 }, { parent: this });
    const provider = new k8s.Provider(
      `k8s-reports`,
      { kubeconfig: pulumi.secret("apiVersion: v1") },
      { parent: this },
    );
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: "probe" } },
      { parent: this, provider },
    );
    new k8s.core.v1.Secret(
      `${name}-secret`,
      { metadata: { name: "db", namespace: "probe" }, stringData: { password: pw.result } },
      { parent: this, provider, protect: true, dependsOn: [ns] },
    );
    this.password = pw.result;
    this.registerOutputs({});
  }
}

async function record(): Promise<{
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}> {
  await pulumi.runtime.setMocks(new PlanMocks(), "plant", "avilla", false);
  const resources = installRecorder();
  const probe = new Probe("probe");
  const wire = await pulumi.runtime.serializeProperties("o", {
    password: probe.password,
    plain: "x",
  });
  await waitForRegistrations();
  return { resources, outputs: maskWire(wire) as Record<string, unknown> };
}

describe("plan recorder", () => {
  let plan: { resources: PlannedResource[]; outputs: Record<string, unknown> };
  beforeAll(async () => {
    plan = await record();
  });
  const byName = (name: string): PlannedResource => plan.resources.find((r) => r.name === name)!;

  test("records parents, protect and dependencies as URNs", () => {
    const secret = byName("probe-secret");
    expect(secret.parent).toBe("urn:pulumi:avilla::plant::plant:test:Probe::probe");
    expect(secret.protect).toBe(true);
    expect(secret.dependencies).toEqual([
      "urn:pulumi:avilla::plant::plant:test:Probe$kubernetes:core/v1:Namespace::probe-ns",
      "urn:pulumi:avilla::plant::plant:test:Probe$random:index/randomPassword:RandomPassword::probe-pw",
    ]);
    expect(secret.provider).toBe(
      "urn:pulumi:avilla::plant::plant:test:Probe$pulumi:providers:kubernetes::k8s-reports",
    );
    expect(byName("probe-ns").protect).toBe(false);
  });

  test("masks secret inputs and secret outputs", () => {
    expect(byName("probe-secret").inputs.stringData).toBe("[secret]");
    expect(byName("k8s-reports").inputs.kubeconfig).toBe("[secret]");
    expect(plan.outputs).toEqual({ password: "[secret]", plain: "x" });
    expect(JSON.stringify(plan.resources)).not.toContain("apiVersion: v1");
  });

  test("groups Kubernetes objects by the cluster of their provider", () => {
    const manifests = collectManifests(plan.resources);
    expect(manifests.map((m) => [m.cluster, m.namespace, m.kind, m.name])).toEqual([
      ["reports", "_cluster", "Namespace", "probe"],
      ["reports", "probe", "Secret", "db"],
    ]);
  });
});

describe("plan recorder: what the engine refuses", () => {
  test("a URN registered twice is found (the engine's 'Duplicate resource URN')", async () => {
    await pulumi.runtime.setMocks(new PlanMocks(), "plant", "avilla", false);
    const resources = installRecorder();
    new random.RandomPassword("twice", { length: 8 });
    new random.RandomPassword("twice", { length: 12 });
    new random.RandomPassword("once", { length: 8 });
    await waitForRegistrations();
    expect(resources.map((r) => r.name)).toEqual(["twice", "twice", "once"]);
    expect(duplicateUrns(resources)).toEqual([
      "urn:pulumi:avilla::plant::random:index/randomPassword:RandomPassword::twice",
    ]);
  });
});
