import { parse } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import {
  localPathObjects,
  LOCAL_PATH_IMAGE,
} from "../../components/kubernetes/local-path-manifests";
import { kubeVipManifestTemplate } from "../../components/kubernetes/rke2-config";
import { adminKubeconfig } from "../../components/kubernetes/kubeconfig";
import { imageProblem } from "../../config/schema";
import { clusterSettings, fakePem } from "./fixtures";

/* eslint-disable @typescript-eslint/no-explicit-any */
describe("local-path provisioner objects", () => {
  const o = localPathObjects("local-path");

  test("every object is a valid Kubernetes object of its kind", () => {
    expect(() => new Namespace(o.namespace as any).validate()).not.toThrow();
    expect(() => new ServiceAccount(o.serviceAccount as any).validate()).not.toThrow();
    expect(() => new ClusterRole(o.clusterRole as any).validate()).not.toThrow();
    expect(() => new ClusterRoleBinding(o.clusterRoleBinding as any).validate()).not.toThrow();
    expect(() => new ConfigMap(o.configMap as any).validate()).not.toThrow();
    expect(() => new Deployment(o.deployment as any).validate()).not.toThrow();
    expect(() => new StorageClass(o.storageClass as any).validate()).not.toThrow();
  });

  test("the validator does catch a broken Deployment", () => {
    const broken = { ...o.deployment, spec: { replicas: "one" } };
    expect(() => new Deployment(broken as any).validate()).toThrow();
  });

  test("the helper pod inside the ConfigMap is a valid Pod with a pinned image", () => {
    const helper = parse((o.configMap.data as Record<string, string>)["helperPod.yaml"]);
    expect(() => new Pod(helper).validate()).not.toThrow();
    expect(imageProblem(helper.spec.containers[0].image)).toBeUndefined();
    expect(imageProblem(LOCAL_PATH_IMAGE)).toBeUndefined();
  });

  test("StorageClass: named after the cluster's class, default, bound where the pod lands", () => {
    expect(localPathObjects("fast-local").storageClass).toMatchObject({
      metadata: {
        name: "fast-local",
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: "rancher.io/local-path",
      volumeBindingMode: "WaitForFirstConsumer",
    });
  });

  test("every namespaced object names its namespace explicitly", () => {
    for (const obj of [o.serviceAccount, o.configMap, o.deployment]) {
      expect((obj.metadata as { namespace?: string }).namespace).toBe("local-path-storage");
    }
  });
});

describe("kube-vip static pod", () => {
  const pod = parse(kubeVipManifestTemplate(clusterSettings));

  test("is a valid Pod with a pinned image, in ARP mode for the API VIP", () => {
    expect(() => new Pod(pod).validate()).not.toThrow();
    expect(imageProblem(pod.spec.containers[0].image)).toBeUndefined();
    const env = Object.fromEntries(
      pod.spec.containers[0].env
        .filter((e: any) => "value" in e)
        .map((e: any) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      address: "10.1.0.10",
      vip_arp: "true",
      cp_enable: "true",
      svc_enable: "false",
      port: "6443",
    });
    expect(pod.spec.hostNetwork).toBe(true);
  });
});

describe("admin kubeconfig", () => {
  test("points at the VIP and embeds the CA and client pair base64-encoded", () => {
    const kc = parse(
      adminKubeconfig({
        clusterName: "reports",
        server: "https://10.1.0.10:6443",
        caCertPem: fakePem("CERTIFICATE", "ca"),
        clientCertPem: fakePem("CERTIFICATE", "admin"),
        clientKeyPem: fakePem("EC PRIVATE KEY", "admin"),
      }),
    );
    expect(kc["current-context"]).toBe("reports");
    expect(kc.contexts[0].context).toEqual({ cluster: "reports", user: "reports-admin" });
    expect(kc.clusters[0].cluster.server).toBe("https://10.1.0.10:6443");
    expect(Buffer.from(kc.users[0].user["client-key-data"], "base64").toString()).toBe(
      fakePem("EC PRIVATE KEY", "admin"),
    );
  });
});
