// Database volumes on the RKE2 clusters: the Cinder CSI driver's objects (valid, hardened, pinned),
// its cloud configs and the StorageClass (spec), then the plans of both sites: the driver as the
// program's own objects, every database claim on the block class, off the VMs' disks, sized,
// growable and retained. How the objects differ from upstream: cinder-csi-upstream.test.ts.
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import {
  controllerDeployment,
  controllerDisruptionBudget,
} from "../../components/kubernetes/cinder-csi-controller";
import {
  csiDriver,
  nodeConfigMap,
  nodePluginDaemonSet,
} from "../../components/kubernetes/cinder-csi-node";
import {
  CINDER_CSI_ROLES,
  clusterRole,
  clusterRoleBinding,
  serviceAccount,
} from "../../components/kubernetes/cinder-csi-rbac";
import {
  blockStorageClass,
  CINDER_CSI_UPSTREAM,
  cloudConfig,
  CONTROLLER_SA,
  NODE_SA,
  nodeConfig,
} from "../../components/kubernetes/cinder-csi-spec";
import { imagePinProblem } from "../../policy/rules/images";
import { namespacePodSecurityViolations } from "../../policy/rules/namespace-pod-security";
import { podSecurityViolations } from "../../policy/rules/pod-security";
import { probeViolations } from "../../policy/rules/probes";
import { resourceViolations } from "../../policy/rules/resources";
import { pdbViolations } from "../../policy/rules/stack";
import { containers, podSpec, UPSTREAM_ANNOTATION } from "../../policy/rules/workloads";
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { validateObject } from "../support/upstream-schemas";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped */

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DAEMONSET = "kubernetes:apps/v1:DaemonSet";
const as = (type: string, props: any) => ({ type, urn: `urn:pulumi:s::p::${type}::x`, props });

const allObjects = (): any[] => [
  csiDriver(),
  controllerDeployment("reports"),
  controllerDisruptionBudget(),
  nodeConfigMap(),
  nodePluginDaemonSet(),
  serviceAccount(CONTROLLER_SA),
  serviceAccount(NODE_SA),
  ...Object.keys(CINDER_CSI_ROLES).flatMap((r) => [clusterRole(r), clusterRoleBinding(r)]),
  blockStorageClass("plant-block", "ssd-local"),
];

describe("Cinder CSI (spec)", () => {
  test("the StorageClass: default, Retain, expandable, bound where the pod lands, volume type", () => {
    const sc = blockStorageClass("plant-block", "ssd-local");
    expect(() => new StorageClass(sc as any).validate()).not.toThrow();
    expect(sc).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: "plant-block",
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: "cinder.csi.openstack.org",
      reclaimPolicy: "Retain",
      allowVolumeExpansion: true,
      volumeBindingMode: "WaitForFirstConsumer",
      parameters: { type: "ssd-local" },
    });
    expect(blockStorageClass("plant-block").parameters).toBeUndefined();
  });

  test("the controller's cloud.conf: application credential, Cinder zones are the R620s'", () => {
    expect(
      cloudConfig({
        authUrl: "https://keystone.avilla.busche-cnc.com:5000/v3",
        region: "RegionOne",
        applicationCredentialId: "0123abcd",
        applicationCredentialSecret: "s3cret",
      }),
    ).toBe(
      [
        "[Global]",
        "auth-url=https://keystone.avilla.busche-cnc.com:5000/v3",
        "region=RegionOne",
        "application-credential-id=0123abcd",
        "application-credential-secret=s3cret",
        "",
        "[BlockStorage]",
        "ignore-volume-az=false",
        "",
      ].join("\n"),
    );
    expect(() =>
      cloudConfig({
        authUrl: "https://k/v3",
        region: "RegionOne\n[Global]",
        applicationCredentialId: "x",
        applicationCredentialSecret: "y",
      }),
    ).toThrow("[blockStorage] cloud.conf region must be one non-empty line");
  });

  test("the node plugin's config holds no credential: metadata from the config drive only", () => {
    expect(nodeConfig()).toBe("[Metadata]\nsearch-order=configDrive\n");
    const cm = nodeConfigMap() as any;
    expect([cm.kind, cm.metadata.namespace, Object.keys(cm.data)]).toEqual([
      "ConfigMap",
      "cinder-csi",
      ["cloud.conf"],
    ]);
    const volumes = (nodePluginDaemonSet() as any).spec.template.spec.volumes;
    expect(volumes.filter((v: any) => v.secret)).toEqual([]);
    expect(volumes.find((v: any) => v.name === "node-config")).toEqual({
      name: "node-config",
      configMap: { name: "cinder-csi-node-config" },
    });
  });

  test("every object validates against kubernetes-models", () => {
    const problems = allObjects().flatMap((o) =>
      validateObject(o).map((p) => `${o.kind} ${o.metadata.name}: ${p}`),
    );
    expect(problems).toEqual([]);
    expect(allObjects()).toHaveLength(16);
    // The validator can fail on these objects.
    const broken = controllerDeployment("reports") as any;
    broken.spec.template.spec.containers[0].ports[0].containerPort = "8081";
    expect(validateObject(broken)).toEqual([
      "/spec/template/spec/containers/0/ports/0/containerPort must be integer",
    ]);
  });

  test("every image is pinned", () => {
    for (const [type, o] of [
      [DEPLOYMENT, controllerDeployment("reports")],
      [DAEMONSET, nodePluginDaemonSet()],
    ] as const) {
      for (const c of containers(podSpec(as(type, o))!))
        expect([c.where, imagePinProblem(String(c.spec.image))]).toEqual([c.where, undefined]);
    }
  });

  test("the controller meets every workload policy of the pack, with no opt-out", () => {
    const d = as(DEPLOYMENT, controllerDeployment("reports"));
    expect((d.props as any).metadata.annotations).toBeUndefined();
    expect(podSecurityViolations(d)).toEqual([]);
    expect(resourceViolations(d)).toEqual([]);
    expect(probeViolations(d)).toEqual([]);
    const pdb = as("kubernetes:policy/v1:PodDisruptionBudget", controllerDisruptionBudget());
    expect(pdbViolations([d, pdb])).toEqual([]);
    expect(pdbViolations([d])).toHaveLength(1);
    expect(containers(podSpec(d)!).map((c) => c.where)).toEqual([
      "container csi-attacher",
      "container csi-provisioner",
      "container csi-resizer",
      "container liveness-probe",
      "container cinder-csi-plugin",
    ]);
  });

  test("the node plugin: privileged only where it attaches and mounts, marked as upstream's", () => {
    const ds = as(DAEMONSET, nodePluginDaemonSet());
    expect((ds.props as any).metadata.annotations).toEqual({
      [UPSTREAM_ANNOTATION]: CINDER_CSI_UPSTREAM,
    });
    expect(CINDER_CSI_UPSTREAM).toBe(
      "kubernetes/cloud-provider-openstack v1.36.0 manifests/cinder-csi-plugin",
    );
    // Without the annotation the pack's restricted rule would refuse it, naming why.
    const plain = JSON.parse(JSON.stringify(ds));
    delete plain.props.metadata.annotations;
    expect(podSecurityViolations(plain).map((v) => v.message)).toEqual(
      expect.arrayContaining([
        'DaemonSet cinder-csi/csi-cinder-nodeplugin breaks Pod Security "restricted": sets hostNetwork',
        'DaemonSet cinder-csi/csi-cinder-nodeplugin breaks Pod Security "restricted": container cinder-csi-plugin: must not be privileged',
      ]),
    );
    // Every container is sized; only the plugin runs privileged.
    expect(resourceViolations(plain)).toEqual([]);
    const privileged = containers(podSpec(ds)!)
      .filter((c) => (c.spec.securityContext as any)?.privileged === true)
      .map((c) => c.where);
    expect(privileged).toEqual(["container cinder-csi-plugin"]);
    // Its namespace admits it at privileged, and would refuse it at baseline.
    const ns = (level: string) =>
      as("kubernetes:core/v1:Namespace", {
        metadata: { name: "cinder-csi", labels: { "pod-security.kubernetes.io/enforce": level } },
      });
    expect(namespacePodSecurityViolations([ns("privileged"), ds])).toEqual([]);
    expect(namespacePodSecurityViolations([ns("baseline"), ds])).toHaveLength(1);
  });

  test("the CSIDriver serves persistent volumes only (no inline volumes from any pod spec)", () => {
    expect((csiDriver() as any).spec).toEqual({
      attachRequired: true,
      podInfoOnMount: true,
      volumeLifecycleModes: ["Persistent"],
    });
  });
});

describe.each(["avilla", "albion"] as const)("database volumes in the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });

  test("the RKE2 cluster has the driver as the program's own objects, its configs and the block StorageClass", () => {
    const reports = plan.manifests.filter((m) => m.cluster === "reports");
    const inNs = reports
      .filter((m) => m.namespace === "cinder-csi")
      .map((m) => `${m.kind}/${m.name}`)
      .sort();
    expect(inNs).toEqual([
      "ConfigMap/cinder-csi-node-config",
      "DaemonSet/csi-cinder-nodeplugin",
      "Deployment/csi-cinder-controllerplugin",
      "NetworkPolicy/default-deny-ingress",
      "PodDisruptionBudget/csi-cinder-controllerplugin",
      "Secret/cinder-csi-cloud-config",
      "ServiceAccount/csi-cinder-controller-sa",
      "ServiceAccount/csi-cinder-node-sa",
    ]);
    expect(plan.resources.some((r) => r.urn.includes("CinderCsi$kubernetes:helm.sh"))).toBe(false);
    expect(reports.filter((m) => m.kind === "CSIDriver").map((m) => m.name)).toEqual([
      "cinder.csi.openstack.org",
    ]);
    const classes = reports.filter((m) => m.kind === "StorageClass").map((m) => m.object);
    expect(classes).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: "plant-block" }),
        provisioner: "cinder.csi.openstack.org",
        reclaimPolicy: "Retain",
        allowVolumeExpansion: true,
      }),
    ]);
    const secret = reports.find((m) => m.kind === "Secret" && m.namespace === "cinder-csi");
    expect(JSON.stringify(secret?.object)).not.toMatch(/application-credential-secret=/);
    const nodeConfigMapObject = reports.find(
      (m) => m.kind === "ConfigMap" && m.namespace === "cinder-csi",
    );
    expect(JSON.stringify(nodeConfigMapObject?.object)).not.toMatch(
      /application-credential|\[Global\]/,
    );
    expect(reports.some((m) => m.namespace === "local-path-storage")).toBe(false);
    const storageClass = plan.resources.find(
      (r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass",
    );
    expect([storageClass?.protect, storageClass?.retainOnDelete]).toEqual([true, true]);
    const controller = reports.find((m) => m.kind === "Deployment" && m.namespace === "cinder-csi");
    const plugin = (controller?.object as any).spec.template.spec.containers.find(
      (c: any) => c.name === "cinder-csi-plugin",
    );
    expect(plugin.env).toContainEqual({ name: "CLUSTER_NAME", value: "reports" });
  });

  test("the controller waits for its Secret, its RBAC and the namespace's policies", () => {
    const controller = plan.resources.find(
      (r) => r.type === DEPLOYMENT && (r.inputs.metadata as any)?.namespace === "cinder-csi",
    )!;
    const deps = controller.dependencies.map((u) => u.split("::").pop());
    expect(deps).toEqual(
      expect.arrayContaining([
        "reports-cinder-csi-cloud-config",
        "reports-cinder-csi-driver",
        "reports-cinder-csi-csi-attacher-binding",
        "reports-cinder-csi-csi-provisioner-binding",
        "reports-cinder-csi-csi-resizer-binding",
      ]),
    );
  });

  test("every database of an RKE2 cluster keeps data and WAL on the block class", () => {
    const clusters = plan.manifests.filter(
      (m) => m.kind === "Cluster" && String(m.object.apiVersion).startsWith("postgresql.cnpg.io"),
    );
    expect(clusters.length).toBeGreaterThan(0);
    for (const c of clusters.filter((m) => m.cluster === "reports")) {
      const spec = (c.object as any).spec;
      expect([c.name, spec.storage.storageClass, spec.walStorage?.storageClass]).toEqual([
        c.name,
        "plant-block",
        "plant-block",
      ]);
    }
  });

  test("the application credential is the platform user's, restricted, its secret a secret", () => {
    const creds = plan.resources.filter(
      (r) => r.type === "openstack:identity/applicationCredential:ApplicationCredential",
    );
    expect(
      creds.map((c) => [c.name, c.inputs.name, c.inputs.unrestricted, c.inputs.roles]),
    ).toEqual([
      ["openstack-block-storage-credential", "plant-reporting-cinder-csi", false, ["member"]],
    ]);
    expect(creds[0].inputs.secret).toBe("[secret]");
    expect(creds[0].provider).toMatch(/openstack-platform-scoped/);
  });

  test("the project's Cinder quota holds every database instance plus a spare", () => {
    const quota = plan.resources.find(
      (r) => r.type === "openstack:blockstorage/quoteSetV3:QuoteSetV3",
    );
    // 3 instances + 1 spare, each 100Gi data + 20Gi WAL.
    expect(quota?.inputs).toMatchObject({ gigabytes: 4 * 120, volumes: 4 * 2 });
  });
});
