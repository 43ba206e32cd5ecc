// The Cinder CSI driver's service accounts and cluster roles, ported from
// manifests/cinder-csi-plugin/cinder-csi-{controller,node}plugin-rbac.yaml of the pinned release
// (cinder-csi-spec.ts): the rules are upstream's, unchanged; the subjects live in our namespace.
// Left out: the external snapshotter and its role (nothing here takes VolumeSnapshots; backups
// are Barman's), so no account may write snapshot contents.
import { CINDER_CSI_LABELS, CINDER_CSI_NAMESPACE, CONTROLLER_SA, NODE_SA } from "./cinder-csi-spec";

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

const rule = (apiGroup: string, resources: string[], verbs: string[]): PolicyRule => ({
  apiGroups: [apiGroup],
  resources,
  verbs,
});

const LEASES = rule(
  "coordination.k8s.io",
  ["leases"],
  ["get", "watch", "list", "delete", "update", "create"],
);
const EVENTS = rule("", ["events"], ["list", "watch", "create", "update", "patch"]);

/** ClusterRole name → its rules and the account bound to it (`<role without -role>-binding`). */
export const CINDER_CSI_ROLES: Readonly<
  Record<string, { readonly account: string; readonly rules: readonly PolicyRule[] }>
> = {
  "csi-attacher-role": {
    account: CONTROLLER_SA,
    rules: [
      rule("", ["persistentvolumes"], ["get", "list", "watch", "patch"]),
      rule("storage.k8s.io", ["csinodes"], ["get", "list", "watch"]),
      rule("storage.k8s.io", ["volumeattachments"], ["get", "list", "watch", "patch"]),
      rule("storage.k8s.io", ["volumeattachments/status"], ["patch"]),
      LEASES,
    ],
  },
  "csi-provisioner-role": {
    account: CONTROLLER_SA,
    rules: [
      rule("", ["persistentvolumes"], ["get", "list", "watch", "create", "delete", "patch"]),
      rule("", ["persistentvolumeclaims"], ["get", "list", "watch", "update"]),
      rule("storage.k8s.io", ["storageclasses"], ["get", "list", "watch"]),
      rule("", ["nodes"], ["get", "list", "watch"]),
      rule("storage.k8s.io", ["csinodes"], ["get", "list", "watch"]),
      EVENTS,
      rule("snapshot.storage.k8s.io", ["volumesnapshots"], ["get", "list"]),
      rule("snapshot.storage.k8s.io", ["volumesnapshotcontents"], ["get", "list"]),
      rule("storage.k8s.io", ["volumeattachments"], ["get", "list", "watch"]),
      LEASES,
    ],
  },
  "csi-resizer-role": {
    account: CONTROLLER_SA,
    rules: [
      rule("", ["persistentvolumes"], ["get", "list", "watch", "patch"]),
      rule("", ["persistentvolumeclaims"], ["get", "list", "watch"]),
      rule("", ["pods"], ["get", "list", "watch"]),
      rule("", ["persistentvolumeclaims/status"], ["patch"]),
      EVENTS,
      LEASES,
    ],
  },
  "csi-nodeplugin-role": {
    account: NODE_SA,
    rules: [rule("", ["events"], ["get", "list", "watch", "create", "update", "patch"])],
  },
};

export function serviceAccount(name: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace: CINDER_CSI_NAMESPACE, labels: { ...CINDER_CSI_LABELS } },
  };
}

export function clusterRole(name: string): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels: { ...CINDER_CSI_LABELS } },
    rules: CINDER_CSI_ROLES[name].rules.map((r) => ({ ...r })),
  };
}

/** `csi-attacher-role` → `csi-attacher-binding`, upstream's naming. */
export function bindingName(role: string): string {
  return role.replace(/-role$/, "-binding");
}

export function clusterRoleBinding(role: string): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: bindingName(role), labels: { ...CINDER_CSI_LABELS } },
    subjects: [
      {
        kind: "ServiceAccount",
        name: CINDER_CSI_ROLES[role].account,
        namespace: CINDER_CSI_NAMESPACE,
      },
    ],
    roleRef: { kind: "ClusterRole", name: role, apiGroup: "rbac.authorization.k8s.io" },
  };
}
