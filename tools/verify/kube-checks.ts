// Judging what the clusters report, as plain data: node labels, where the pods of each HA
// workload run now, and the LoadBalancer Services' addresses. Pure; the reads are in kube-read.ts.
import { CheckResult } from "../site/report";
import { LoadBalancerExpectation, PHYSICAL_HOST_LABEL, WorkloadExpectation } from "./expected";

export const KUBE_RUNBOOK = {
  nodes: "docs/verify.md#node-labels",
  spread: "docs/verify.md#pods-on-distinct-physical-hosts",
  staticIp: "docs/verify.md#static-ips",
} as const;

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ready: boolean;
  readonly unschedulable: boolean;
}

export interface PodInfo {
  readonly name: string;
  readonly nodeName?: string;
  readonly ready: boolean;
  /** Being deleted (deletionTimestamp set): not counted. */
  readonly terminating: boolean;
}

export interface ServiceInfo {
  readonly name: string;
  readonly type: string;
  readonly ingressIps: readonly string[];
}

/** Every node carries the physical-host label, with the value the stack outputs say. */
export function nodeLabelCheck(
  cluster: string,
  nodes: readonly NodeInfo[],
  expected: readonly { name: string; physicalHost: string }[],
): CheckResult {
  const base = {
    area: "nodes",
    subject: `cluster ${cluster}: ${PHYSICAL_HOST_LABEL}`,
    runbook: KUBE_RUNBOOK.nodes,
  };
  const problems: string[] = [];
  const want = new Map(expected.map((n) => [n.name, n.physicalHost]));
  for (const n of nodes) {
    const label = n.labels[PHYSICAL_HOST_LABEL];
    if (label === undefined) problems.push(`node ${n.name} has no label`);
    else if (want.has(n.name) && want.get(n.name) !== label)
      problems.push(`node ${n.name} says ${label}, the stack says ${want.get(n.name)}`);
  }
  const seen = new Set(nodes.map((n) => n.name));
  for (const n of expected)
    if (!seen.has(n.name))
      problems.push(`node ${n.name} (on ${n.physicalHost}) is not in the cluster`);
  const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
  if (problems.length > 0)
    return {
      ...base,
      status: "fail",
      object: `Nodes of cluster ${cluster}`,
      detail: problems.join("; "),
    };
  const hosts = new Set(nodes.map((n) => n.labels[PHYSICAL_HOST_LABEL]));
  return {
    ...base,
    status: "ok",
    detail: `${nodes.length} nodes on ${hosts.size} physical hosts${notReady.length > 0 ? `; not ready: ${notReady.join(", ")}` : ""}`,
  };
}

/** Physical hosts that have at least one ready, schedulable node. */
export function usableHosts(nodes: readonly NodeInfo[]): Set<string> {
  return new Set(
    nodes
      .filter((n) => n.ready && !n.unschedulable && n.labels[PHYSICAL_HOST_LABEL] !== undefined)
      .map((n) => n.labels[PHYSICAL_HOST_LABEL]),
  );
}

/**
 * The ready pods of an HA workload: at least `replicas` of them, on at least
 * min(replicas, usable hosts) distinct physical hosts — now, not only by the scheduling rules.
 */
export function spreadCheck(
  w: WorkloadExpectation,
  pods: readonly PodInfo[],
  nodes: readonly NodeInfo[],
): CheckResult {
  const selector = Object.entries(w.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const base = {
    area: "spread",
    subject: `cluster ${w.cluster}: ${w.subject}`,
    object: `${w.kind} pods in namespace ${w.namespace} (${selector})`,
    runbook: KUBE_RUNBOOK.spread,
  };
  const hostOf = new Map(nodes.map((n) => [n.name, n.labels[PHYSICAL_HOST_LABEL]]));
  const ready = pods.filter((p) => p.ready && !p.terminating);
  const byHost = new Map<string, string[]>();
  for (const p of ready) {
    const host =
      (p.nodeName && hostOf.get(p.nodeName)) ?? `unknown host (node ${p.nodeName ?? "-"})`;
    byHost.set(host, [...(byHost.get(host) ?? []), p.name]);
  }
  const placement = [...byHost.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, names]) => `${host}: ${names.length}`)
    .join(", ");
  if (ready.length < w.replicas)
    return {
      ...base,
      status: "fail",
      detail: `${ready.length} of ${w.replicas} pods ready${placement ? ` (${placement})` : ""}`,
    };
  const want = Math.min(w.replicas, usableHosts(nodes).size);
  if (byHost.size < want) {
    const crowded = [...byHost.entries()].find(([, names]) => names.length > 1);
    return {
      ...base,
      status: "fail",
      detail: `${ready.length} ready pods on ${byHost.size} physical host${byHost.size === 1 ? "" : "s"}, need ${want}${crowded ? `: ${crowded[1].join(", ")} share ${crowded[0]}` : ""}`,
    };
  }
  return {
    ...base,
    status: "ok",
    detail: `${ready.length} ready on ${byHost.size} hosts (${placement})`,
  };
}

/** The gateway's LoadBalancer Service holds the static IP. */
export function loadBalancerCheck(
  lb: LoadBalancerExpectation,
  services: readonly ServiceInfo[],
): CheckResult {
  const base = {
    area: "static-ip",
    subject: `cluster ${lb.cluster}: ${lb.address} ${lb.ip}`,
    runbook: KUBE_RUNBOOK.staticIp,
  };
  const lbs = services.filter((s) => s.type === "LoadBalancer");
  if (lbs.length === 0)
    return {
      ...base,
      status: "fail",
      object: `Gateway plant-gateways/${lb.address}`,
      detail: `no LoadBalancer Service for the gateway in ${lb.namespace}`,
    };
  const holder = lbs.find((s) => s.ingressIps.includes(lb.ip));
  if (holder)
    return { ...base, status: "ok", detail: `Service ${lb.namespace}/${holder.name} holds it` };
  const s = lbs[0];
  return {
    ...base,
    status: "fail",
    object: `Service ${lb.namespace}/${s.name}`,
    detail:
      s.ingressIps.length === 0
        ? "the Service has no address yet (pending: MetalLB pool or annotation)"
        : `the Service holds ${s.ingressIps.join(", ")}, not ${lb.ip}`,
  };
}
