// The local-path provisioner meets every workload policy on its own merits (no upstream
// opt-out): security context, resources, probes, PDB, default-deny and egress policies.
import { spawnSync } from "child_process";
import * as net from "net";
import { parse } from "yaml";
import {
  localPathObjects,
  LOCAL_PATH_NAMESPACE,
} from "../../components/kubernetes/local-path-manifests";
import {
  API_CONNECTION_PROBE,
  PROVISIONER_UID,
} from "../../components/kubernetes/local-path-security";
import { apiServerAddresses } from "../../components/kubernetes/rke2-config";
import { checkAll } from "../../policy/rules/catalogue";
import { PlainResource } from "../../policy/rules/types";
import { isOwnWorkload, UPSTREAM_ANNOTATION } from "../../policy/rules/workloads";
import { selectorMatches } from "../../policy/rules/selectors";
import { validateObject } from "../support/upstream-schemas";
import { sitePlan } from "../support/plans";
import { shellcheckProblem, toolAvailable } from "./validators";

/* eslint-disable @typescript-eslint/no-explicit-any -- plain manifests */
const API = ["10.43.0.1", "10.1.0.10", "10.1.1.10"];
const o = localPathObjects("local-path", API);
const deployment = o.deployment as any;
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

const TYPES: Record<string, string> = {
  Namespace: "kubernetes:core/v1:Namespace",
  ServiceAccount: "kubernetes:core/v1:ServiceAccount",
  ClusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  ClusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  Deployment: "kubernetes:apps/v1:Deployment",
  StorageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};

/** The objects as the policy pack sees them (one cluster, one provider). */
function asPlain(objects: Record<string, unknown>[]): PlainResource[] {
  return objects.map((obj: any) => ({
    type: TYPES[obj.kind],
    name: obj.metadata.name,
    urn: `urn:pulumi:avilla::plant::plant:kubernetes:LocalPathProvisioner$${TYPES[obj.kind]}::${obj.metadata.name}`,
    props: obj,
    provider: "k8s-reports",
  }));
}

describe("local-path provisioner hardening", () => {
  test("every object, the helper pod included, passes strict upstream-schema validation", () => {
    const helper = parse((o.configMap.data as Record<string, string>)["helperPod.yaml"]);
    const all = { ...o, helper } as Record<string, unknown>;
    expect(Object.entries(all).map(([k, v]) => [k, validateObject(v)])).toEqual(
      Object.keys(all).map((k) => [k, []]),
    );
  });

  test("the provisioner runs as a non-root UID, read-only, no privilege, no capabilities", () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: PROVISIONER_UID,
      runAsGroup: PROVISIONER_UID,
      fsGroup: PROVISIONER_UID,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.volumes.some((v: any) => v.hostPath)).toBe(false);
    // It reads its config (and reloads it) from the ConfigMap: mounted read-only.
    expect(container.volumeMounts).toContainEqual({
      name: "config-volume",
      mountPath: "/etc/config/",
      readOnly: true,
    });
  });

  test("requests CPU and memory and caps memory", () => {
    expect(container.resources).toEqual({
      requests: { cpu: "10m", memory: "32Mi" },
      limits: { memory: "128Mi" },
    });
  });

  test("one replica, replaced not surged (upstream runs without leader election)", () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
  });

  test("startup, readiness and liveness probes all run the API-connection check", () => {
    for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      expect(container[p].exec.command).toEqual(["/bin/sh", "-c", API_CONNECTION_PROBE]);
    }
    // Liveness gives the API three minutes before a restart.
    expect(container.livenessProbe.periodSeconds * container.livenessProbe.failureThreshold).toBe(
      180,
    );
  });

  test("a PDB with maxUnavailable 1 selects the provisioner, not the helper pods", () => {
    const pdb = o.podDisruptionBudget as any;
    expect(pdb.metadata).toMatchObject({
      name: "local-path-provisioner",
      namespace: LOCAL_PATH_NAMESPACE,
    });
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(selectorMatches(pdb.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    const helper = parse((o.configMap.data as Record<string, string>)["helperPod.yaml"]);
    expect(selectorMatches(pdb.spec.selector, helper.metadata.labels ?? {})).toBe(false);
  });

  test("default deny in both directions for every pod of the namespace", () => {
    expect(o.defaultDenyPolicy).toMatchObject({
      metadata: { name: "default-deny", namespace: LOCAL_PATH_NAMESPACE },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    const spec = (o.defaultDenyPolicy as any).spec;
    expect(spec.ingress).toBeUndefined();
    expect(spec.egress).toBeUndefined();
  });

  test("the provisioner may only reach the API (443, 6443) at the given addresses and DNS", () => {
    const np = o.egressPolicy as any;
    expect(np.metadata.namespace).toBe(LOCAL_PATH_NAMESPACE);
    expect(np.spec.podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "local-path-provisioner" },
    });
    expect(np.spec.policyTypes).toEqual(["Egress"]);
    expect(np.spec.ingress).toBeUndefined();
    expect(np.spec.egress).toEqual([
      {
        to: [
          { ipBlock: { cidr: "10.1.0.10/32" } },
          { ipBlock: { cidr: "10.1.1.10/32" } },
          { ipBlock: { cidr: "10.43.0.1/32" } },
        ],
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
      },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: {
              matchExpressions: [
                { key: "k8s-app", operator: "In", values: ["kube-dns", "coredns"] },
              ],
            },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
    // Without addresses the API ports are open to any destination, never everything.
    const open = (localPathObjects("local-path").egressPolicy as any).spec.egress[0];
    expect(open).toEqual({
      ports: [
        { protocol: "TCP", port: 443 },
        { protocol: "TCP", port: 6443 },
      ],
    });
  });

  test("helper pods: no API token, no privilege escalation, only the capabilities rm -rf needs", () => {
    const helper = parse((o.configMap.data as Record<string, string>)["helperPod.yaml"]);
    expect(helper.spec.automountServiceAccountToken).toBe(false);
    expect(helper.spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"], add: ["DAC_OVERRIDE", "FOWNER"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    // They mount host paths as root: the namespace must allow it.
    expect((o.namespace as any).metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "privileged",
    );
  });

  test("meets every policy of the pack without the upstream-workload opt-out", () => {
    const plain = asPlain(Object.values(o) as Record<string, unknown>[]);
    const dep = plain.find((r) => r.type === TYPES.Deployment)!;
    expect(JSON.stringify(dep.props)).not.toContain(UPSTREAM_ANNOTATION);
    expect(isOwnWorkload(dep)).toBe(true);
    expect(checkAll(plain)).toEqual([]);
  });

  test("the policy check is not vacuous: the upstream manifest's posture fails it", () => {
    const bare = JSON.parse(JSON.stringify(o)) as any;
    delete bare.deployment.spec.template.spec.containers[0].securityContext;
    delete bare.deployment.spec.template.spec.containers[0].livenessProbe;
    const plain = asPlain([bare.deployment, bare.podDisruptionBudget]);
    expect([...new Set(checkAll(plain).map((v) => v.rule))]).toEqual([
      "pod-security-restricted",
      "deployment-probes",
      "default-deny-network-policy",
    ]);
  });
});

describe("the API-connection probe script", () => {
  const run = (host: string, port: number) =>
    spawnSync("sh", ["-c", API_CONNECTION_PROBE], {
      env: {
        PATH: process.env.PATH,
        KUBERNETES_SERVICE_HOST: host,
        KUBERNETES_SERVICE_PORT: `${port}`,
      },
      encoding: "utf8",
    }).status;

  test("passes with an established connection to the API address, fails without", async () => {
    const server = net.createServer((s) => s.on("error", () => undefined));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    expect(run("127.0.0.1", port)).toBe(1);
    const client = net.connect(port, "127.0.0.1");
    await new Promise<void>((r) => client.on("connect", () => r()));
    try {
      expect(run("127.0.0.1", port)).toBe(0);
      // Another address or port of the same shape does not count.
      expect(run("127.0.0.2", port)).toBe(1);
      expect(run("127.0.0.1", port === 65535 ? 1 : port + 1)).toBe(1);
    } finally {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test("is clean under shellcheck (POSIX sh: the image's busybox)", () => {
    if (toolAvailable("shellcheck")) {
      expect(shellcheckProblem(`#!/bin/sh\n${API_CONNECTION_PROBE}`)).toBeUndefined();
    }
  });
});

describe("apiServerAddresses", () => {
  test.each([
    [
      "10.43.0.0/16",
      "10.1.0.10",
      ["10.1.1.11", "10.1.1.10"],
      ["10.1.0.10", "10.1.1.10", "10.1.1.11", "10.43.0.1"],
    ],
    ["10.96.0.0/12", "10.2.0.10", ["10.2.0.10"], ["10.2.0.10", "10.96.0.1"]],
  ])("service CIDR %s, VIP %s, servers %j", (cidr, vip, servers, expected) => {
    expect(apiServerAddresses(cidr, vip, servers)).toEqual(expected);
  });
});

describe.each(["avilla", "albion"])("local-path provisioner in the %s plan", (stack) => {
  test("declares its PDB and policies on the RKE2 cluster and breaks no policy", async () => {
    const plan = await sitePlan(stack);
    const ours = plan.resources.filter(
      (r) =>
        (r.inputs.metadata as { namespace?: string } | undefined)?.namespace ===
        LOCAL_PATH_NAMESPACE,
    );
    expect(ours.map((r) => `${r.type.split(":").pop()}/${r.name}`).sort()).toEqual([
      "ConfigMap/reports-local-path-config",
      "Deployment/reports-local-path-deployment",
      "NetworkPolicy/reports-local-path-default-deny",
      "NetworkPolicy/reports-local-path-egress",
      "PodDisruptionBudget/reports-local-path-pdb",
      "ServiceAccount/reports-local-path-sa",
    ]);
    for (const r of ours) expect(r.provider).toMatch(/k8s-reports/);
    const plain = plan.resources.map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: r.inputs,
      protect: r.protect,
      ...(r.provider ? { provider: r.provider } : {}),
    }));
    const urns = new Set(ours.map((r) => r.urn));
    const found = checkAll(plain).filter(
      (v) => (v.urn && urns.has(v.urn)) || v.message.includes(LOCAL_PATH_NAMESPACE),
    );
    expect(found).toEqual([]);
  });
});
