// The engine glue in policy/policies.ts: each policy called the way the engine calls it
// (policy/index.ts only hands these to the PolicyPack, whose constructor starts the analyzer's
// gRPC server).
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { PACK_NAME, policies } from "../../policy/policies";
import { defaultDeny, pdb, workload } from "./policy-fixtures";

const opts = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

describe("policy/policies.ts", () => {
  const byName = new Map(policies.map((p) => [p.name, p]));

  it("registers every policy as mandatory, in the plant-guardrails pack", () => {
    expect(PACK_NAME).toBe("plant-guardrails");
    expect(policies).toHaveLength(11);
    expect(policies.every((p) => p.enforcementLevel === "mandatory")).toBe(true);
    expect(byName.size).toBe(policies.length);
  });

  it("reports resource violations through the engine callback", async () => {
    const policy = byName.get("pinned-images") as ResourceValidationPolicy;
    const bad = workload("kubernetes:apps/v1:Deployment");
    (
      bad.props.spec as { template: { spec: { containers: { image: string }[] } } }
    ).template.spec.containers[0].image = "nginx";
    const report = jest.fn();
    const args = {
      type: bad.type,
      props: bad.props,
      urn: bad.urn ?? "",
      name: "report-web",
      opts,
      stackTags: new Map(),
    } as unknown as ResourceValidationArgs;
    const validate = policy.validateResource;
    if (typeof validate !== "function") throw new Error("expected one validation function");
    await validate(args, report);
    expect(report).toHaveBeenCalledWith(
      "Deployment reporting/report-web container app: image nginx has no tag: pin repo:tag or repo@sha256:<digest>",
    );
  });

  it("passes protect and the provider URN to stack policies", async () => {
    const toPolicy = (r: ReturnType<typeof workload>, protect = false): PolicyResource =>
      ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
        opts: { ...opts, protect },
        provider: {
          urn: r.provider,
          type: "pulumi:providers:kubernetes",
          name: "k8s-reports",
          props: {},
        },
        dependencies: [],
        propertyDependencies: {},
      }) as unknown as PolicyResource;
    const report = jest.fn();
    const pdbPolicy = byName.get("pdb-per-deployment") as StackValidationPolicy;
    const d = workload("kubernetes:apps/v1:Deployment");
    await pdbPolicy.validateStack(
      {
        resources: [toPolicy(d), toPolicy(pdb()), toPolicy(defaultDeny())],
      } as unknown as StackValidationArgs,
      report,
    );
    expect(report).not.toHaveBeenCalled();
    await pdbPolicy.validateStack(
      { resources: [toPolicy(d)] } as unknown as StackValidationArgs,
      report,
    );
    expect(report).toHaveBeenCalledWith(
      "Deployment reporting/report-web has no PodDisruptionBudget selecting its pods",
      d.urn,
    );
  });
});
