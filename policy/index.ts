// The plant guardrails policy pack, run by the PR preview:
//   pulumi preview --policy-pack policy
// Each policy's logic is a pure function in rules/ (tested without the engine).
import {
  PolicyPack,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { RULES } from "./rules/catalogue";
import { PlainResource } from "./rules/types";

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

const policies = RULES.map((rule): ResourceValidationPolicy | StackValidationPolicy =>
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

new PolicyPack("plant-guardrails", { policies });
