// Which Kubernetes kinds are cluster-scoped, for the adoption entries (plant:clusters[].adopt):
// the import id of a cluster-scoped object is its name, of a namespaced one `<namespace>/<name>`.
// Built-in kinds from the Kubernetes API, plus the cluster-scoped kinds of the CRDs the pinned
// charts install (cert-manager ClusterIssuer, Gateway API GatewayClass, CloudNativePG
// ClusterImageCatalog). Every other kind is taken as namespaced.

export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterImageCatalog",
  "ClusterIssuer",
  "ClusterRole",
  "ClusterRoleBinding",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "GatewayClass",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/** The id pulumi-kubernetes gives an object (and the `import` option takes). */
export function kubernetesImportId(object: { name: string; namespace?: string }): string {
  return object.namespace ? `${object.namespace}/${object.name}` : object.name;
}
