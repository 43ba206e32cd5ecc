// The guardrail rules (rules/, pure functions) as @pulumi/policy policies: what index.ts hands
// to the PolicyPack. Kept apart so tests call each policy the way the engine does without
// constructing the pack, which starts the analyzer's gRPC server.
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { RULES } from "./rules/catalogue";
import { PlainResource } from "./rules/types";

export const PACK_NAME = "plant-guardrails";

function fromArgs(args: ResourceValidationArgs): PlainResource {
  return {
    type: args.type,
    name: args.name,
    urn: args.urn,
    props: args.props,
    protect: args.opts.protect,
    additionalSecretOutputs: args.opts.additionalSecretOutputs,
    ...(args.provider ? { provider: args.provider.urn } : {}),
  };
}

function fromStack(r: PolicyResource): PlainResource {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.props,
    protect: r.opts.protect,
    additionalSecretOutputs: r.opts.additionalSecretOutputs,
    ...(r.provider ? { provider: r.provider.urn } : {}),
  };
}

export const policies = RULES.map((rule): ResourceValidationPolicy | StackValidationPolicy =>
  rule.kind === "resource"
    ? {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
          for (const v of rule.check(fromArgs(args))) reportViolation(v.message);
        },
      }
    : {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
          for (const v of rule.check(args.resources.map(fromStack)))
            reportViolation(v.message, v.urn);
        },
      },
);
