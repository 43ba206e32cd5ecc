// Declares only the OpenStack area under the offline-plan mocks (tools/plan) and records what
// it registers, so these tests do not depend on the other areas' progress.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseSite, readStackFile, SiteConfig } from "../../config/site";
import { declareOpenStack, OpenStackFoundation } from "../../components/openstack";
import { planPlacement } from "../../components/openstack/placement";
import { maskWire } from "../../tools/plan/mask";
import { PlanMocks } from "../../tools/plan/mocks";
import { installRecorder, PlannedResource, waitForRegistrations } from "../../tools/plan/recorder";

export const ROOT = path.join(__dirname, "../..");

export function rawStack(stack: string): Record<string, unknown> {
  return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

export function siteOf(stack: string, raw: Record<string, unknown> = rawStack(stack)): SiteConfig {
  return parseSite(stack, raw);
}

export interface OpenStackPlan {
  readonly site: SiteConfig;
  readonly resources: PlannedResource[];
  readonly foundation: OpenStackFoundation;
  /** The foundation's outputs and object store, serialized; secrets as "[secret]". */
  readonly wire: Record<string, unknown>;
}

let queue: Promise<unknown> = Promise.resolve();

/** Plans are serialized: the mock runtime is process-global. */
export function planOpenStack(
  stack: string,
  raw?: Record<string, unknown>,
): Promise<OpenStackPlan> {
  const next = queue.then(() => planOnce(stack, raw));
  queue = next.catch(() => undefined);
  return next;
}

async function planOnce(stack: string, raw?: Record<string, unknown>): Promise<OpenStackPlan> {
  const site = siteOf(stack, raw);
  await pulumi.runtime.setMocks(new PlanMocks(), "plant", stack, false);
  const resources = installRecorder();
  const foundation = declareOpenStack(site, planPlacement(site));
  if (!foundation) throw new Error("declareOpenStack returned nothing");
  const wire = await pulumi.runtime.serializeProperties("openstack", {
    outputs: foundation.outputs,
    objectStore: foundation.objectStore,
    slots: foundation.vms.map((v) => ({
      name: v.name,
      portId: v.port.id,
      flavorId: v.flavorId,
      serverGroupId: v.serverGroupId,
      availabilityZone: v.availabilityZone,
    })),
  });
  await waitForRegistrations();
  return { site, resources, foundation, wire: maskWire(wire) as Record<string, unknown> };
}

export function ofType(plan: OpenStackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function byName(plan: OpenStackPlan, name: string): PlannedResource {
  const found = plan.resources.find((r) => r.name === name);
  if (!found)
    throw new Error(
      `no resource named ${name}; have ${plan.resources.map((r) => r.name).join(", ")}`,
    );
  return found;
}

/** The mock id of a resource (tools/plan/mock-types.ts mockId). */
export function idOf(r: PlannedResource): string {
  return `${r.type.split(":").pop()?.toLowerCase()}-${r.name}`;
}
