// Whether a kind is namespaced, as the provider learns it (clients.IsNamespacedKind): from the
// CRDs in the same set of objects, else from the cluster's discovery. Offline, the cluster's
// discovery is the built-in kinds below plus every CRD the plan installs on that cluster and the
// pinned CRDs of ../shared. A kind none of them knows is an error, not a guess.
import * as fs from "fs";
import * as path from "path";
import { sharedDir } from "../helm/sources";

/** Built-in cluster-scoped kinds (Kubernetes 1.36), by `group/Kind` with "" for core. */
const CLUSTER_SCOPED = new Set([
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "/ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "scheduling.k8s.io/PriorityClass",
  "node.k8s.io/RuntimeClass",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/ResourceSlice",
  "storagemigration.k8s.io/StorageVersionMigration",
]);

/** Built-in namespaced kinds the charts and the program use. */
const NAMESPACED = new Set([
  "/ConfigMap",
  "/Secret",
  "/Service",
  "/ServiceAccount",
  "/Pod",
  "/PersistentVolumeClaim",
  "/Endpoints",
  "/LimitRange",
  "/ResourceQuota",
  "/Event",
  "/PodTemplate",
  "/ReplicationController",
  "apps/Deployment",
  "apps/DaemonSet",
  "apps/StatefulSet",
  "apps/ReplicaSet",
  "apps/ControllerRevision",
  "batch/Job",
  "batch/CronJob",
  "autoscaling/HorizontalPodAutoscaler",
  "policy/PodDisruptionBudget",
  "rbac.authorization.k8s.io/Role",
  "rbac.authorization.k8s.io/RoleBinding",
  "networking.k8s.io/NetworkPolicy",
  "networking.k8s.io/Ingress",
  "coordination.k8s.io/Lease",
  "discovery.k8s.io/EndpointSlice",
  "storage.k8s.io/CSIStorageCapacity",
  "resource.k8s.io/ResourceClaim",
  "resource.k8s.io/ResourceClaimTemplate",
]);

export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

interface Crd {
  spec?: { group?: string; scope?: string; names?: { kind?: string } };
  kind?: string;
}

/** `group/Kind` → namespaced, from CRD objects. */
export function crdScopes(objects: Iterable<unknown>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const o of objects) {
    const crd = o as Crd;
    if (crd?.kind !== "CustomResourceDefinition" || !crd.spec?.names?.kind) continue;
    out.set(`${crd.spec.group ?? ""}/${crd.spec.names.kind}`, crd.spec.scope !== "Cluster");
  }
  return out;
}

let shared: Map<string, boolean> | undefined;

/** The spec header of a CRD document (upstream files indent spec by two spaces). */
function crdHeader(doc: string): [string, boolean] | undefined {
  if (!/^kind: CustomResourceDefinition\s*$/m.test(doc)) return undefined;
  const group = /^ {2}group: ["']?([^"'\s]+)/m.exec(doc)?.[1];
  const scope = /^ {2}scope: ["']?([^"'\s]+)/m.exec(doc)?.[1];
  const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: ["']?([^"'\s]+)/m.exec(doc)?.[1];
  return group && scope && kind ? [`${group}/${kind}`, scope !== "Cluster"] : undefined;
}

/** Scopes of the pinned CRDs in ../shared/crds, read on first need from their headers only. */
function sharedCrdScopes(): Map<string, boolean> {
  if (shared) return shared;
  shared = new Map();
  const root = path.join(sharedDir(), "crds");
  if (!fs.existsSync(root)) return shared;
  for (const dir of fs.readdirSync(root).sort()) {
    for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".yaml"))) {
      for (const doc of fs.readFileSync(path.join(root, dir, file), "utf8").split(/^---\s*$/m)) {
        const header = crdHeader(doc);
        if (header) shared.set(...header);
      }
    }
  }
  return shared;
}

export class ScopeResolver {
  constructor(private readonly clusterCrds: ReadonlyMap<string, boolean>) {}

  /** True when namespaced; throws for a kind nothing here defines. */
  isNamespaced(apiVersion: string, kind: string, where: string): boolean {
    const key = `${groupOf(apiVersion)}/${kind}`;
    if (CLUSTER_SCOPED.has(key)) return false;
    if (NAMESPACED.has(key)) return true;
    const known = this.clusterCrds.get(key) ?? sharedCrdScopes().get(key);
    if (known !== undefined) return known;
    throw new Error(
      `${where}: cannot tell whether ${apiVersion} ${kind} is namespaced: no CRD for it in the plan ` +
        `or ../shared/crds, and it is not a built-in kind listed in tools/plan/kube-scope.ts`,
    );
  }
}
