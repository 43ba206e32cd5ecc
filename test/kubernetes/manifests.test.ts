import { parse } from "yaml";
import { Pod } from "kubernetes-models/v1/Pod";
import { kubeVipManifestTemplate } from "../../components/kubernetes/rke2-config";
import { adminKubeconfig } from "../../components/kubernetes/kubeconfig";
import { imageProblem } from "../../config/schema";
import { clusterSettings, fakePem } from "./fixtures";

/* eslint-disable @typescript-eslint/no-explicit-any */
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
