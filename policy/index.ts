// The plant guardrails policy pack, run by the PR preview:
//   pulumi preview --policy-pack policy
// Each policy's logic is a pure function in rules/ (tested without the engine); policies.ts
// adapts them to the engine's arguments.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, { policies });
