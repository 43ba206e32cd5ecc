// The Cinder CSI driver's objects against the upstream manifests they are ported from
// (kubernetes/cloud-provider-openstack v1.36.0 manifests/cinder-csi-plugin, copied unchanged into
// test/fixtures/upstream/): what the driver does — images, arguments, environment, sockets, host
// mounts, RBAC rules, the CSIDriver — may differ only as listed here, each with its reason. The
// hardening the program adds (security contexts, resources, probes, spread) is checked in
// cinder-csi.test.ts and by the policy pack.
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { controllerDeployment } from "../../components/kubernetes/cinder-csi-controller";
import { csiDriver, nodePluginDaemonSet } from "../../components/kubernetes/cinder-csi-node";
import {
  CINDER_CSI_ROLES,
  clusterRole,
  clusterRoleBinding,
  serviceAccount,
} from "../../components/kubernetes/cinder-csi-rbac";
import {
  CINDER_CSI_IMAGES,
  CINDER_CSI_RELEASE,
  CONTROLLER_SA,
  NODE_SA,
} from "../../components/kubernetes/cinder-csi-spec";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped */

const DIR = path.resolve(__dirname, "../fixtures/upstream/cloud-provider-openstack-v1.36.0");

function upstream(): any[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(DIR, f), "utf8"))
        .map((d) => d.toJS())
        .filter(Boolean),
    );
}

const byKind = (objects: any[], kind: string): Record<string, any> =>
  Object.fromEntries(objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o]));

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Every difference between two values, as `path: …` lines; lists of scalars compare as sets. */
function differences(up: any, ours: any, at = ""): string[] {
  if (JSON.stringify(up) === JSON.stringify(ours)) return [];
  if (Array.isArray(up) && Array.isArray(ours)) {
    if ([...up, ...ours].every((v) => !isMap(v) && !Array.isArray(v))) {
      const out = [
        ...up.filter((v) => !ours.includes(v)).map((v) => `${at}: - ${v}`),
        ...ours.filter((v) => !up.includes(v)).map((v) => `${at}: + ${v}`),
      ];
      return out.length > 0 ? out : [`${at}: reordered`];
    }
    if (up.length === ours.length)
      return up.flatMap((v, i) => differences(v, ours[i], `${at}[${i}]`));
  }
  if (isMap(up) && isMap(ours)) {
    const keys = [...Object.keys(up), ...Object.keys(ours).filter((k) => !(k in up))];
    return keys.flatMap((k) => {
      const where = at ? `${at}.${k}` : k;
      if (!(k in ours)) return [`${where}: removed`];
      if (!(k in up)) return [`${where}: added`];
      return differences(up[k], ours[k], where);
    });
  }
  return [`${at}: ${JSON.stringify(up)} → ${JSON.stringify(ours)}`];
}

/** What a workload does: its containers' images, arguments, environment and mounts, its volumes. */
function view(workload: any): any {
  const spec = workload.spec.template.spec;
  const container = (c: any) => ({
    image: c.image,
    args: c.args,
    env: c.env ?? [],
    volumeMounts: c.volumeMounts,
    ...(c.name === "cinder-csi-plugin"
      ? {
          ports: c.ports,
          livenessProbe: c.livenessProbe,
          ...(spec.hostNetwork ? { securityContext: c.securityContext } : {}),
        }
      : {}),
  });
  return {
    replicas: workload.spec.replicas,
    strategy: workload.spec.strategy,
    selector: workload.spec.selector,
    serviceAccount: spec.serviceAccountName ?? spec.serviceAccount,
    hostNetwork: spec.hostNetwork,
    tolerations: spec.tolerations,
    containers: Object.fromEntries(spec.containers.map((c: any) => [c.name, container(c)])),
    // `emptyDir:` with no value is an empty emptyDir.
    volumes: Object.fromEntries(
      spec.volumes.map(({ name, ...v }: any) => [name, "emptyDir" in v ? { emptyDir: {} } : v]),
    ),
  };
}

const UP = upstream();

describe(`Cinder CSI against ${CINDER_CSI_RELEASE.repository} ${CINDER_CSI_RELEASE.tag}`, () => {
  test("the copies are the release's manifests (every object read, none unknown)", () => {
    expect(UP.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "CSIDriver/cinder.csi.openstack.org",
      "ClusterRole/csi-attacher-role",
      "ClusterRole/csi-nodeplugin-role",
      "ClusterRole/csi-provisioner-role",
      "ClusterRole/csi-resizer-role",
      "ClusterRole/csi-snapshotter-role",
      "ClusterRoleBinding/csi-attacher-binding",
      "ClusterRoleBinding/csi-nodeplugin-binding",
      "ClusterRoleBinding/csi-provisioner-binding",
      "ClusterRoleBinding/csi-resizer-binding",
      "ClusterRoleBinding/csi-snapshotter-binding",
      "DaemonSet/csi-cinder-nodeplugin",
      "Deployment/csi-cinder-controllerplugin",
      "ServiceAccount/csi-cinder-controller-sa",
      "ServiceAccount/csi-cinder-node-sa",
    ]);
    // Upstream installs into kube-system; the program into its own namespace, cinder-csi.
    expect(
      new Set(UP.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : []))),
    ).toEqual(new Set(["kube-system"]));
  });

  test("images: the release's, unchanged", () => {
    const upImages = new Set(
      UP.filter((o) => o.spec?.template).flatMap((o) =>
        o.spec.template.spec.containers.map((c: any) => c.image),
      ),
    );
    const snapshotter = "registry.k8s.io/sig-storage/csi-snapshotter:v8.4.0";
    expect(new Set(Object.values(CINDER_CSI_IMAGES))).toEqual(
      new Set([...upImages].filter((i) => i !== snapshotter)),
    );
  });

  test("RBAC: upstream's rules and accounts, bound in our namespace; no snapshotter", () => {
    const roles = byKind(UP, "ClusterRole");
    const ours = Object.fromEntries(
      Object.keys(CINDER_CSI_ROLES).map((r) => [r, (clusterRole(r) as any).rules]),
    );
    expect(
      differences(Object.fromEntries(Object.entries(roles).map(([n, r]) => [n, r.rules])), ours),
    ).toEqual([
      // No VolumeSnapshots here (backups are Barman's): no rights over snapshot contents.
      "csi-snapshotter-role: removed",
    ]);
    const bindingView = (b: any) => ({
      roleRef: b.roleRef,
      subjects: b.subjects.map((s: any) => ({ ...s, namespace: "<driver namespace>" })),
    });
    const upBindings = Object.fromEntries(
      Object.entries(byKind(UP, "ClusterRoleBinding")).map(([n, b]) => [n, bindingView(b)]),
    );
    const ourBindings = Object.fromEntries(
      Object.keys(CINDER_CSI_ROLES).map((r) => {
        const b = clusterRoleBinding(r) as any;
        expect(b.subjects.map((s: any) => s.namespace)).toEqual(["cinder-csi"]);
        return [b.metadata.name, bindingView(b)];
      }),
    );
    expect(differences(upBindings, ourBindings)).toEqual(["csi-snapshotter-binding: removed"]);
    expect([CONTROLLER_SA, NODE_SA].map((sa) => (serviceAccount(sa) as any).metadata.name)).toEqual(
      Object.keys(byKind(UP, "ServiceAccount")).sort(),
    );
  });

  test("CSIDriver: persistent volumes only", () => {
    const up = byKind(UP, "CSIDriver")["cinder.csi.openstack.org"];
    expect(differences(up.spec, (csiDriver() as any).spec)).toEqual([
      // The driver removed inline ephemeral volumes upstream (PR #2602); advertising the mode
      // would let any pod spec ask for a Cinder volume inline.
      "volumeLifecycleModes: - Ephemeral",
    ]);
  });

  test("controller: upstream's containers and arguments, with the listed changes", () => {
    const up = byKind(UP, "Deployment")["csi-cinder-controllerplugin"];
    expect(differences(view(up), view(controllerDeployment("reports")))).toEqual([
      // A second replica takes over within seconds (leader election), spread over R620s.
      "replicas: 1 → 2",
      // Each sidecar serves /healthz/leader-election there: its startup, readiness and liveness.
      "containers.csi-attacher.args: + --http-endpoint=:8081",
      "containers.csi-provisioner.args: + --http-endpoint=:8082",
      // No VolumeSnapshots here.
      "containers.csi-snapshotter: removed",
      "containers.csi-resizer.args: + --http-endpoint=:8083",
      // Off in the chart: a claim's annotations would steer Cinder's scheduling hints.
      "containers.cinder-csi-plugin.args: - --pvc-annotations",
      // As the chart runs it: the controller serves no node service.
      "containers.cinder-csi-plugin.args: + --provide-node-service=false",
      // Volumes carry the cluster's name in Cinder (cinder.csi.openstack.org/cluster).
      'containers.cinder-csi-plugin.env[2].value: "kubernetes" → "reports"',
      // The program's Secret (application credential) instead of kube-system/cloud-config.
      'containers.cinder-csi-plugin.volumeMounts[1].name: "secret-cinderplugin" → "cloud-config"',
      "volumes.secret-cinderplugin: removed",
      "volumes.cloud-config: added",
    ]);
  });

  test("node plugin: upstream's containers, arguments and host mounts, with the listed changes", () => {
    const up = byKind(UP, "DaemonSet")["csi-cinder-nodeplugin"];
    expect(differences(view(up), view(nodePluginDaemonSet()))).toEqual([
      // A ConfigMap without credentials (the node service uses no OpenStack client).
      'containers.cinder-csi-plugin.volumeMounts[3].name: "secret-cinderplugin" → "node-config"',
      "volumes.secret-cinderplugin: removed",
      "volumes.node-config: added",
    ]);
  });

  test("the comparison sees a change (not vacuous)", () => {
    const ds = nodePluginDaemonSet() as any;
    ds.spec.template.spec.containers[2].args.push("--v=5");
    ds.spec.template.spec.volumes[2].hostPath.path = "/var/lib/kubelet2";
    const up = byKind(UP, "DaemonSet")["csi-cinder-nodeplugin"];
    expect(differences(view(up), view(ds))).toEqual(
      expect.arrayContaining([
        "containers.cinder-csi-plugin.args: + --v=5",
        'volumes.kubelet-dir.hostPath.path: "/var/lib/kubelet" → "/var/lib/kubelet2"',
      ]),
    );
  });
});
