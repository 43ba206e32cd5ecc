// Database volumes on the RKE2 clusters: the Cinder CSI chart values, its cloud config and the
// StorageClass (spec), then the plans of both sites: every database claim on the block class, off
// the VMs' disks, sized, growable and retained.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import {
  blockStorageClass,
  CINDER_CSI_CHART,
  cinderCsiValues,
  CLOUD_CONFIG_SECRET,
  cloudConfig,
} from "../../components/kubernetes/cinder-csi-spec";
import { podSecurityViolations } from "../../policy/rules/pod-security";
import { PlanResult } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";
import { SHARED_DIR } from "../support/upstream-schemas";

/* eslint-disable @typescript-eslint/no-explicit-any -- chart values and manifests are untyped */

const TEMPLATES = [
  "secret.yaml",
  "controllerplugin-deployment.yaml",
  "nodeplugin-daemonset.yaml",
  "storageclass.yaml",
];

/**
 * A file of the pinned chart: from ../shared/charts when it holds the chart, else from the
 * upstream snapshot (kubernetes/cloud-provider-openstack at tag openstack-cinder-csi-2.36.0).
 */
function chartFile(file: string): string | undefined {
  const shared = path.join(
    SHARED_DIR,
    "charts",
    `openstack-cinder-csi-${CINDER_CSI_CHART.version}`,
  );
  if (fs.existsSync(path.join(shared, file)))
    return fs.readFileSync(path.join(shared, file), "utf8");
  const repo = path.resolve(SHARED_DIR, "../.mirror/kubernetes+cloud-provider-openstack/repo");
  const ref = `openstack-cinder-csi-${CINDER_CSI_CHART.version}:charts/cinder-csi-plugin/${file}`;
  const r = spawnSync("git", ["-C", repo, "show", ref], { encoding: "utf8" });
  return r.status === 0 ? r.stdout : undefined;
}

/** Dotted paths of every leaf key of `values` that upstream's values.yaml does not have. */
function unknownKeys(values: any, upstream: any, at = ""): string[] {
  if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => {
    const where = at ? `${at}.${k}` : k;
    if (upstream === null || typeof upstream !== "object" || !(k in upstream)) return [where];
    // Maps the chart leaves open ({} by default) take any keys.
    const u = upstream[k];
    if (u && typeof u === "object" && !Array.isArray(u) && Object.keys(u).length === 0) return [];
    return unknownKeys(v, u, where);
  });
}

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

  test("cloud.conf: application credential, Cinder zones are the R620s', metadata from the config drive", () => {
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
        "[Metadata]",
        "search-order=configDrive",
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

  test("values: the program's Secret, no chart StorageClass, no host CA mount, two controllers", () => {
    const v = cinderCsiValues("reports") as any;
    expect(v.secret).toEqual({
      enabled: true,
      create: false,
      hostMount: false,
      name: CLOUD_CONFIG_SECRET,
      filename: "cloud.conf",
    });
    expect(v.storageClass).toEqual({ enabled: false });
    expect(v.clusterID).toBe("reports");
    expect(v.csi.plugin.volumes).toEqual([]);
    expect(v.csi.plugin.volumeMounts).toEqual([
      { name: "cloud-config", mountPath: "/etc/config", readOnly: true },
    ]);
    expect(v.csi.plugin.controllerPlugin.replicas).toBe(2);
  });

  test("the controller pods' security contexts pass Pod Security restricted", () => {
    const c = (cinderCsiValues("reports") as any).csi.plugin.controllerPlugin;
    const pod = {
      securityContext: c.podSecurityContext,
      containers: ["csi-attacher", "csi-provisioner", "cinder-csi-plugin"].map((name) => ({
        name,
        securityContext: c.securityContext,
      })),
    };
    expect(
      podSecurityViolations({
        type: "kubernetes:apps/v1:Deployment",
        urn: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::controller",
        props: {
          metadata: { name: "controller", namespace: "cinder-csi" },
          spec: { template: { spec: pod } },
        },
      }),
    ).toEqual([]);
  });

  test("every value set is a key of the chart's values.yaml (no silently ignored typo)", () => {
    const text = chartFile("values.yaml");
    const templates = TEMPLATES.map((t) => chartFile(`templates/${t}`) ?? "").join("\n");
    if (!text || !templates.trim()) {
      console.warn(
        `SKIPPED: no ${CINDER_CSI_CHART.chart} ${CINDER_CSI_CHART.version} in ../shared/charts or the upstream snapshot`,
      );
      return;
    }
    const upstream = parse(text);
    // A key values.yaml shows only as a comment counts when a template reads it.
    const reads = (k: string) =>
      new RegExp(`\\.Values\\.${k.replace(/\./g, "\\.")}(?![A-Za-z0-9_])`).test(templates);
    const unread = (keys: string[]) => keys.filter((k) => !reads(k));
    expect(unread(unknownKeys(cinderCsiValues("reports"), upstream))).toEqual([]);
    expect(templates).toContain(".Values.secret.name");
    // The check can fail.
    expect(
      unread(unknownKeys({ csi: { plugin: { controllerPlugin: { replica: 2 } } } }, upstream)),
    ).toEqual(["csi.plugin.controllerPlugin.replica"]);
  });
});

describe.each(["avilla", "albion"] as const)("database volumes in the %s plan", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  });

  test("the RKE2 cluster has the Cinder CSI chart, its Secret and the block StorageClass, and no local-path", () => {
    const reports = plan.manifests.filter((m) => m.cluster === "reports");
    const chart = reports.find((m) => m.kind === "Chart" && m.namespace === "cinder-csi");
    expect(chart?.object).toMatchObject({ chart: "openstack-cinder-csi", version: "2.36.0" });
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
    expect(reports.some((m) => m.namespace === "local-path-storage")).toBe(false);
    const storageClass = plan.resources.find(
      (r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass",
    );
    expect([storageClass?.protect, storageClass?.retainOnDelete]).toEqual([true, true]);
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
