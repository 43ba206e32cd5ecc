// The picture of a site as plain data: what site-graph.ts reads from a plan and site-dot.ts
// draws. Ids are `<Kind>:<cluster>/<namespace>/<name>` of the Kubernetes object they stand for.
import { NodeRole } from "../../components/types";

export interface HostNode {
  readonly name: string;
  readonly cluster: string;
  readonly roles: readonly NodeRole[];
  readonly ip: string;
  readonly cpu: number;
  readonly memoryGb: number;
}

export interface DbInstance {
  /** CloudNativePG's pod name, `<cluster>-<n>`. */
  readonly name: string;
  /** Id of its DatabaseBox. */
  readonly database: string;
  /** Instance 1 is the primary CloudNativePG bootstraps; the others stream from it. */
  readonly role: "primary" | "standby";
  /** The standby is in the synchronous quorum (every standby is, with method `any`). */
  readonly synchronous: boolean;
  /**
   * True when the anti-affinity leaves no choice of hosts (as many instances as hosts that take
   * them). Which instance lands on which of those hosts is always the scheduler's choice.
   */
  readonly hostFixed: boolean;
}

export interface HostColumn {
  readonly name: string;
  /** e.g. `Dell PowerEdge R620`, `Dell OptiPlex 7080`. */
  readonly model: string;
  readonly details: readonly string[];
  /** VMs on an R620 (placement), or the existing nodes on the machine, in cluster order. */
  readonly nodes: readonly HostNode[];
  readonly dbInstances: readonly DbInstance[];
}

export interface StaticIp {
  readonly ip: string;
  readonly cluster: string;
  /** MetalLB address pool. */
  readonly pool?: string;
  /** Ids of the Gateways whose Envoy Service requests this address. */
  readonly gateways: readonly string[];
}

export interface GatewayBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly hostnames: readonly string[];
  /** Envoy proxy replicas (EnvoyProxy). */
  readonly replicas?: number;
}

export interface RouteBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** Ids of the Gateways it attaches to. */
  readonly gateways: readonly string[];
  /** `host/path` per match, or a redirect description. */
  readonly matches: readonly string[];
  /** Ids of its backend Services. */
  readonly services: readonly string[];
}

export interface ServiceBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly number[];
  /** From the HorizontalPodAutoscaler of the same name, if any. */
  readonly replicas?: { readonly min: number; readonly max: number };
  /** Ids of the poolers its workloads may reach (its NetworkPolicies' egress). */
  readonly poolers: readonly string[];
}

export interface PoolerBox {
  readonly id: string;
  readonly name: string;
  /** `rw` reaches the primary, `ro` the standbys. */
  readonly type: string;
  readonly instances: number;
}

export interface DatabaseBox {
  readonly id: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly instances: number;
  /** `postgresql.synchronous` of the Cluster. */
  readonly synchronous?: { readonly method: string; readonly number: number };
  /** e.g. `required on topology.kubernetes.io/zone`. */
  readonly antiAffinity: string;
  readonly poolers: readonly PoolerBox[];
}

export interface SiteGraph {
  readonly title: string;
  readonly notes: readonly string[];
  /** Kubernetes clusters in config order (colours and legend). */
  readonly clusters: readonly { readonly name: string; readonly kind: string }[];
  readonly hosts: readonly HostColumn[];
  readonly staticIps: readonly StaticIp[];
  readonly gateways: readonly GatewayBox[];
  readonly routes: readonly RouteBox[];
  readonly services: readonly ServiceBox[];
  readonly databases: readonly DatabaseBox[];
}
