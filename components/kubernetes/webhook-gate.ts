// Proves a chart's admission webhook serves (CA bundle injected, certificate valid) before any
// object it guards is created: see webhook-gate-spec.ts for why the Job exists.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlantCluster } from "../types";
import { webhookGateObjects, WebhookGateSpecArgs } from "./webhook-gate-spec";

export interface WebhookGateArgs extends Omit<WebhookGateSpecArgs, "name"> {
  readonly cluster: PlantCluster;
  /** What serves the webhook (the chart) and the gate's namespace. */
  readonly dependsOn: readonly pulumi.Resource[];
}

export class WebhookGate extends pulumi.ComponentResource {
  /** The completed Job: objects the webhook guards depend on it. */
  public readonly ready: readonly pulumi.Resource[];

  /** `name` also names the in-cluster objects, so it must be a DNS label (e.g. `metallb-webhook`). */
  constructor(name: string, args: WebhookGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:kubernetes:WebhookGate", `${args.cluster.name}-${name}`, {}, opts);
    const o = webhookGateObjects({ ...args, name });
    const child = { parent: this, provider: args.cluster.provider };
    const prefix = `${args.cluster.name}-${name}`;
    const after = { ...child, dependsOn: [...args.dependsOn] };
    const sa = new k8s.core.v1.ServiceAccount(`${prefix}-sa`, o.serviceAccount, after);
    const role = new k8s.rbac.v1.Role(`${prefix}-role`, o.role, after);
    const binding = new k8s.rbac.v1.RoleBinding(`${prefix}-binding`, o.roleBinding, {
      ...child,
      dependsOn: [role, sa],
    });
    const probe = new k8s.core.v1.ConfigMap(`${prefix}-probe`, o.configMap, after);
    const job = new k8s.batch.v1.Job(`${prefix}-job`, o.job as unknown as k8s.batch.v1.JobArgs, {
      ...child,
      dependsOn: [...args.dependsOn, binding, probe],
      // The pod template is immutable: a new revision (chart upgrade) replaces the Job.
      deleteBeforeReplace: true,
    });
    this.ready = [job];
    this.registerOutputs({});
  }
}
