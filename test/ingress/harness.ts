// Runs declareClusterAddons under Pulumi's mock runtime with fake clusters and records every
// registration (type, name, parent, dependencies, provider, inputs with secrets masked).
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseSite, readStackFile, SiteConfig, SiteSecrets } from "../../config";
import { ClusterAddons, declareClusterAddons } from "../../components/ingress";
import { ClusterNode, PlantCluster } from "../../components/types";
import { mockState } from "../../tools/plan/mock-state/base";
import { mockId } from "../../tools/plan/mock-types";
import { installRecorder, PlannedResource } from "../../tools/plan/recorder";

export const ROOT = path.resolve(__dirname, "../..");

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures poke into raw YAML */
export type Raw = any;

export function rawStack(stack: "avilla" | "albion"): Raw {
  return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

export function site(stack: "avilla" | "albion", mutate?: (raw: Raw) => void): SiteConfig {
  const raw = rawStack(stack);
  mutate?.(raw);
  return parseSite(stack, raw);
}

class Mocks implements pulumi.runtime.Mocks {
  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    const compute = mockState[args.type];
    return {
      id: args.custom === false ? undefined : mockId(args.type, args.name),
      state: { ...args.inputs, ...(compute ? compute(args.name, args.inputs) : {}) },
    };
  }
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    throw new Error(`unexpected call ${args.token}`);
  }
}

const secrets: SiteSecrets = { get: (key) => pulumi.secret(`test-${key}`), placeholders: [] };

function nodesOf(site: SiteConfig, name: string): ClusterNode[] {
  const c = site.clusters.find((x) => x.name === name);
  if (c?.kind === "existing") {
    return c.nodes.map((n) => ({
      name: n.name,
      ip: n.ip,
      physicalHost: n.physicalHost,
      roles: n.role === "worker" ? ["worker"] : ["control-plane", "worker"],
      cpu: n.cpu,
      memoryGb: n.memoryGb,
    }));
  }
  return site.hosts.map((h, i) => ({
    name: `${name}-worker-${i}`,
    ip: `10.1.1.${20 + i}`,
    physicalHost: h.name,
    roles: ["worker"],
    cpu: 8,
    memoryGb: 32,
  }));
}

function fakeCluster(site: SiteConfig, name: string): PlantCluster {
  const provider = new k8s.Provider(`k8s-${name}`, { kubeconfig: "fake" });
  const labels = new k8s.core.v1.ConfigMap(
    `${name}-nodes-ready`,
    { metadata: { name: "nodes-ready", namespace: "kube-system" } },
    { provider },
  );
  const kind = site.clusters.find((c) => c.name === name)?.kind ?? "existing";
  return {
    name,
    kind,
    provider,
    apiEndpoint: pulumi.output(`https://${name}.example:6443`),
    kubeconfig: pulumi.secret("fake-kubeconfig"),
    nodes: nodesOf(site, name),
    storageClass: "local-path",
    ready: [labels],
  };
}

/** A recorded registration whose inputs tests read freely. */
export type Recorded = Omit<PlannedResource, "inputs"> & { readonly inputs: Raw };

export interface Declared {
  readonly resources: Recorded[];
  readonly addons: Map<string, ClusterAddons>;
}

function waitForRegistrations(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  return settings.waitForRPCs();
}

let last: PlannedResource[] = [];

/** What the last `declare` registered, also when it threw. */
export function lastRecorded(): readonly Recorded[] {
  return last;
}

/** Declares the add-ons of every cluster of `s` (in config order), as program.ts does. */
export async function declare(s: SiteConfig): Promise<Declared> {
  await pulumi.runtime.setMocks(new Mocks(), "plant", s.stack, false);
  const resources = installRecorder();
  last = resources;
  const clusters = s.clusters.map((c) => fakeCluster(s, c.name));
  const addons = new Map(clusters.map((c) => [c.name, declareClusterAddons(s, c, secrets)]));
  await waitForRegistrations();
  return { resources, addons };
}

/** The resolved value of an Output, and whether it is secret. */
export async function resolve<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const value = await new Promise<T>((r) => o.apply((v) => r(v)));
  return { value, secret: await pulumi.isSecret(o) };
}

export function byType(resources: readonly Recorded[], type: string): Recorded[] {
  return resources.filter((r) => r.type === type);
}

/** Custom resources of a kind on one cluster (by the provider named k8s-<cluster>). */
export function customs(
  resources: readonly Recorded[],
  kind: string,
  cluster?: string,
): Recorded[] {
  return resources.filter(
    (r) =>
      r.type.startsWith("kubernetes:") &&
      r.inputs.kind === kind &&
      (cluster === undefined || (r.provider ?? "").endsWith(`::k8s-${cluster}`)),
  );
}

export function one(list: readonly Recorded[], what: string): Recorded {
  if (list.length !== 1) throw new Error(`expected one ${what}, found ${list.length}`);
  return list[0];
}
