import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  byType,
  fakeFoundation,
  fakeSecrets,
  outputValue,
  recorded,
  site,
  useMocks,
} from "./mock-runtime";
import { declareClusters, ExistingCluster, Rke2Cluster } from "../../components/kubernetes";
import { Placement, PlannedVm } from "../../components/openstack/placement";
import { controlPlaneSize, SiteConfig } from "../../config/site";
import { ipAdd } from "../../config/ip";
import { PlantCluster } from "../../components/types";
import {
  ajvCloudConfigErrors,
  cloudInitSchemaProblems,
  scriptsIn,
  shellcheckProblem,
  toolAvailable,
} from "./validators";

useMocks();

/** Servers on r620-1..3 in order, workers round-robin: a plain placement for these tests. */
function placement(s: SiteConfig, cpHosts?: string[]): Placement {
  const vms: PlannedVm[] = [];
  for (const c of s.clusters) {
    if (c.kind !== "openstack") continue;
    for (let i = 0; i < controlPlaneSize(s, c); i++) {
      const host = cpHosts?.[i] ?? s.hosts[i % s.hosts.length].name;
      vms.push({
        name: `${c.name}-cp-${i + 1}`,
        cluster: c.name,
        role: "control-plane",
        index: i,
        host,
        ip: ipAdd(c.controlPlane.ipStart, i),
        flavor: c.controlPlane.flavor,
      });
    }
    for (let i = 0; i < c.workers.count; i++) {
      const host = s.hosts[(i + 1) % s.hosts.length].name;
      vms.push({
        name: `${c.name}-worker-${i + 1}`,
        cluster: c.name,
        role: "worker",
        index: i,
        host,
        ip: ipAdd(c.workers.ipStart, i),
        flavor: c.workers.flavor,
      });
    }
  }
  return { vms, hostLoad: [] };
}

const secrets = fakeSecrets({
  "kubeconfig-optiplex": "apiVersion: v1\nkind: Config\n# existing cluster\n",
});

async function settle(clusters: PlantCluster[]): Promise<void> {
  await outputValue(
    pulumi.all(clusters.flatMap((c) => [c.kubeconfig, ...c.ready.map((r) => r.urn)])),
  );
  for (const c of clusters)
    if (c instanceof Rke2Cluster) await outputValue(pulumi.all(c.instances.map((i) => i.id)));
}

describe("declareClusters on the Avilla stack", () => {
  const avilla = site("avilla");
  let clusters: PlantCluster[];
  beforeAll(async () => {
    recorded.length = 0;
    clusters = declareClusters(
      avilla,
      secrets,
      placement(avilla),
      fakeFoundation(placement(avilla)),
    );
    await settle(clusters);
  });

  test("one PlantCluster per config cluster, in config order, both kinds", () => {
    expect(clusters.map((c) => [c.name, c.kind])).toEqual([
      ["reports", "openstack"],
      ["optiplex", "existing"],
    ]);
    expect(clusters[0]).toBeInstanceOf(Rke2Cluster);
    expect(clusters[1]).toBeInstanceOf(ExistingCluster);
  });

  test("one k8s provider per cluster, named k8s-<cluster>", () => {
    expect(
      byType("pulumi:providers:kubernetes")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["k8s-optiplex", "k8s-reports"]);
    // A credential change (admin cert renewal, rotated kubeconfig) must not replace the providers.
    expect(
      byType("pulumi:providers:kubernetes")
        .map((r) => r.inputs.clusterIdentifier)
        .sort(),
    ).toEqual(["optiplex", "reports"]);
  });

  test("each k8s provider asks the engine to keep its kubeconfig output secret", () => {
    // Read from the registration request itself: the `credentials-secret` policy flags a
    // provider whose kubeconfig output is not in additionalSecretOutputs.
    const providers = byType("pulumi:providers:kubernetes");
    expect(providers.map((p) => [p.name, p.additionalSecretOutputs]).sort()).toEqual([
      ["k8s-optiplex", ["kubeconfig"]],
      ["k8s-reports", ["kubeconfig"]],
    ]);
    // The capture is not vacuous: the Nova instances send their own list.
    expect(byType("openstack:compute/instance:Instance")[0].additionalSecretOutputs).toEqual(
      expect.arrayContaining(["userData", "adminPass"]),
    );
  });

  test("one Nova instance per slot, on its port, zone, server group and flavor", () => {
    const vms = byType("openstack:compute/instance:Instance");
    expect(vms.map((v) => v.name)).toEqual([
      "reports-cp-1",
      "reports-cp-2",
      "reports-cp-3",
      "reports-worker-1",
      "reports-worker-2",
      "reports-worker-3",
    ]);
    const cp1 = vms[0].inputs;
    expect(cp1).toMatchObject({
      name: "reports-cp-1",
      availabilityZone: "r620-1",
      networks: [{ port: "port-fake-port-reports-cp-1" }],
      schedulerHints: [{ group: "servergroup-reports-control-plane" }],
      flavorId: "flavor-4c8g",
      imageId: "image-ubuntu-24.04",
      keyPair: "plant-ops",
      stopBeforeDestroy: true,
      metadata: {
        cluster: "reports",
        role: "control-plane",
        "physical-host": "r620-1",
        ip: "10.1.1.10",
      },
    });
    // On the wire the user data is a secret (it carries CA keys and tokens).
    const wire = cp1.userData as Record<string, unknown>;
    expect(wire[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
    expect(String(wire.value)).toMatch(/^#cloud-config\n/);
    for (const v of vms) expect(v.provider).toMatch(/fake-openstack/);
  });

  test("the kubeconfig reaches each k8s provider, and the gate its client key, as secrets", () => {
    for (const p of byType("pulumi:providers:kubernetes")) {
      expect((p.inputs.kubeconfig as Record<string, unknown>)[pulumi.runtime.specialSigKey]).toBe(
        pulumi.runtime.specialSecretSig,
      );
    }
    const gate = byType("pulumi-nodejs:dynamic:Resource")[0];
    expect(
      (gate.inputs.clientKeyPem as Record<string, unknown>)[pulumi.runtime.specialSigKey],
    ).toBe(pulumi.runtime.specialSecretSig);
  });

  test("servers on distinct R620s; nodes carry host, roles and flavor capacity", () => {
    const rke2 = clusters[0];
    const servers = rke2.nodes.filter((n) => n.roles.includes("control-plane"));
    expect(new Set(servers.map((n) => n.physicalHost)).size).toBe(3);
    expect(rke2.nodes[0]).toEqual({
      name: "reports-cp-1",
      ip: "10.1.1.10",
      physicalHost: "r620-1",
      roles: ["control-plane"],
      cpu: 4,
      memoryGb: 8,
    });
    expect(rke2.nodes[3]).toMatchObject({
      name: "reports-worker-1",
      roles: ["worker"],
      cpu: 8,
      memoryGb: 32,
    });
  });

  test("kubeconfig, user data and tokens are secrets", async () => {
    const rke2 = clusters[0] as Rke2Cluster;
    expect(await pulumi.isSecret(rke2.kubeconfig)).toBe(true);
    expect(await pulumi.isSecret(clusters[1].kubeconfig)).toBe(true);
    for (const u of Object.values(rke2.userData)) expect(await pulumi.isSecret(u)).toBe(true);
    const tokens = byType("random:index/randomPassword:RandomPassword");
    expect(tokens.map((t) => [t.name, t.inputs.length, t.inputs.special])).toEqual([
      ["reports-server-token", 48, false],
      ["reports-agent-token", 48, false],
    ]);
  });

  test("the admin kubeconfig targets the VIP with the program's server CA and admin cert", async () => {
    const kc = parse(await outputValue(clusters[0].kubeconfig)) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
    };
    expect(kc.clusters[0].cluster.server).toBe("https://10.1.0.10:6443");
    const ca = Buffer.from(
      kc.clusters[0].cluster["certificate-authority-data"],
      "base64",
    ).toString();
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(Buffer.from(kc.users[0].user["client-key-data"], "base64").toString()).toMatch(
      /PRIVATE KEY/,
    );
    expect(await outputValue(clusters[0].apiEndpoint)).toBe("https://10.1.0.10:6443");
  });

  test("five CAs, an RSA service-account key, and a system:masters admin cert from the client CA", () => {
    const cas = byType("tls:index/selfSignedCert:SelfSignedCert");
    expect(cas.map((c) => (c.inputs.subject as { commonName: string }).commonName).sort()).toEqual([
      "etcd-peer-ca",
      "etcd-server-ca",
      "rke2-client-ca",
      "rke2-request-header-ca",
      "rke2-server-ca",
    ]);
    for (const c of cas)
      expect(c.inputs).toMatchObject({ isCaCertificate: true, validityPeriodHours: 87600 });
    expect(
      byType("tls:index/privateKey:PrivateKey").find(
        (k) => k.name === "reports-pki-service-account-key",
      )?.inputs,
    ).toMatchObject({ algorithm: "RSA", rsaBits: 2048 });
    expect(byType("tls:index/certRequest:CertRequest")[0].inputs.subject).toEqual({
      commonName: "plant-admin",
      organization: "system:masters",
    });
    expect(byType("tls:index/locallySignedCert:LocallySignedCert")[0].inputs.allowedUses).toContain(
      "client_auth",
    );
  });

  test("existing nodes get the physical-host labels by one NodePatch each, named by node", () => {
    const patches = byType("kubernetes:core/v1:NodePatch");
    expect(patches.map((p) => p.name)).toEqual([
      "optiplex-node-opti-1",
      "optiplex-node-opti-2",
      "optiplex-node-opti-3",
    ]);
    expect(patches[1].inputs.metadata).toMatchObject({
      name: "opti-2",
      labels: {
        "topology.kubernetes.io/zone": "optiplex-2",
        "plant.busche-cnc.com/physical-host": "optiplex-2",
      },
    });
    for (const p of patches) expect(p.provider).toMatch(/k8s-optiplex/);
    expect(clusters[1].ready).toHaveLength(3);
  });

  test("the RKE2 cluster installs Cinder CSI and its block StorageClass through its own provider", () => {
    const sc = byType("kubernetes:storage.k8s.io/v1:StorageClass");
    expect(sc.map((s) => (s.inputs.metadata as { name: string }).name)).toEqual(["plant-block"]);
    expect(sc[0].provider).toMatch(/k8s-reports/);
    expect(sc[0].inputs).toMatchObject({
      provisioner: "cinder.csi.openstack.org",
      reclaimPolicy: "Retain",
      allowVolumeExpansion: true,
      volumeBindingMode: "WaitForFirstConsumer",
    });
    // The driver is the program's own objects (no chart to fetch), all on the cluster's provider.
    expect(byType("kubernetes:helm.sh/v4:Chart")).toEqual([]);
    const driver = [
      ...byType("kubernetes:storage.k8s.io/v1:CSIDriver"),
      ...byType("kubernetes:apps/v1:Deployment"),
      ...byType("kubernetes:apps/v1:DaemonSet"),
      ...byType("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
    ];
    expect(driver.map((r) => r.name)).toEqual([
      "reports-cinder-csi-driver",
      "reports-cinder-csi-controller",
      "reports-cinder-csi-node",
      "reports-cinder-csi-policies-default-deny-ingress",
    ]);
    for (const r of driver) expect(r.provider).toMatch(/k8s-reports/);
  });

  test("the driver's cloud.conf carries the application credential, as a secret", async () => {
    const secret = byType("kubernetes:core/v1:Secret").find(
      (r) => r.name === "reports-cinder-csi-cloud-config",
    );
    // A secret value inside makes the whole stringData travel as a secret.
    const data = secret?.inputs.stringData as Record<string, unknown>;
    expect(data[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
    expect(String((data.value as Record<string, string>)["cloud.conf"])).toContain(
      "application-credential-secret=FakeApplicationCredentialSecret0123456789",
    );
  });

  test("a readiness gate waits for the API of the servers before the provider is used", () => {
    const gates = byType("pulumi-nodejs:dynamic:Resource");
    expect(gates.map((g) => g.name)).toEqual(["reports-api-ready"]);
    expect(gates[0].inputs.server).toBe("https://10.1.0.10:6443");
    expect(gates[0].inputs.instanceIds).toHaveLength(3);
  });
});

describe.each(["avilla", "albion"] as const)("user data of every VM of %s", (stack) => {
  const declare = async () => {
    const s = site(stack);
    const clusters = declareClusters(s, secrets, placement(s), fakeFoundation(placement(s)));
    await settle(clusters);
    const rke2 = clusters.find((c): c is Rke2Cluster => c instanceof Rke2Cluster);
    if (!rke2) throw new Error("no RKE2 cluster");
    const names = Object.keys(rke2.userData);
    const docs = await outputValue(pulumi.all(names.map((n) => rke2.userData[n])));
    return Object.fromEntries(names.map((n, i) => [n, docs[i]]));
  };

  test("passes cloud-init schema (real tool and ajv) and shellcheck", async () => {
    const docs = await declare();
    expect(Object.keys(docs).length).toBe(stack === "avilla" ? 6 : 7);
    const names = Object.keys(docs);
    if (toolAvailable("cloud-init")) {
      const problems = await cloudInitSchemaProblems(names.map((n) => docs[n]));
      expect(names.map((n, i) => [n, problems[i]])).toEqual(names.map((n) => [n, undefined]));
    }
    for (const [name, doc] of Object.entries(docs)) {
      expect([name, ajvCloudConfigErrors(doc)]).toEqual([name, []]);
    }
    if (toolAvailable("shellcheck")) {
      // Each distinct script once: most VMs carry the same bootstrap script.
      const scripts = new Set(
        Object.values(docs).flatMap((d) => scriptsIn(d).map((sc) => sc.content)),
      );
      expect(scripts.size).toBeGreaterThan(0);
      for (const script of scripts) expect(shellcheckProblem(script)).toBeUndefined();
    }
  });
});

describe("cluster initialisation is one explicit, one-time decision (plant:clusters[].bootstrapped)", () => {
  const userData = async (bootstrapped?: boolean) => {
    const base = site("avilla");
    const s: SiteConfig =
      bootstrapped === undefined
        ? base
        : {
            ...base,
            clusters: base.clusters.map((c) =>
              c.kind === "openstack" ? { ...c, bootstrapped } : c,
            ),
          };
    const clusters = declareClusters(s, secrets, placement(s), fakeFoundation(placement(s)));
    await settle(clusters);
    const rke2 = clusters.find((c): c is Rke2Cluster => c instanceof Rke2Cluster);
    if (!rke2) throw new Error("no RKE2 cluster");
    const names = Object.keys(rke2.userData);
    const docs = await outputValue(pulumi.all(names.map((n) => rke2.userData[n])));
    return names.map((name, i) => {
      const files = (parse(docs[i]) as { write_files: { path: string; content: string }[] })
        .write_files;
      const config = parse(
        files.find((f) => f.path === "/etc/rancher/rke2/config.yaml")?.content ?? "",
      ) as Record<string, unknown>;
      return { name, server: config.server, caKeys: docs[i].includes("PRIVATE KEY") };
    });
  };

  test("a new cluster (the default): only reports-cp-1 creates it, and only it carries CA keys", async () => {
    expect(site("avilla").clusters[0]).toMatchObject({ kind: "openstack", bootstrapped: false });
    const vip = "https://10.1.0.10:9345";
    expect(await userData()).toEqual([
      { name: "reports-cp-1", server: undefined, caKeys: true },
      { name: "reports-cp-2", server: vip, caKeys: false },
      { name: "reports-cp-3", server: vip, caKeys: false },
      { name: "reports-worker-1", server: vip, caKeys: false },
      { name: "reports-worker-2", server: vip, caKeys: false },
      { name: "reports-worker-3", server: vip, caKeys: false },
    ]);
  });

  test("once bootstrapped, a rebuilt reports-cp-1 joins like every other server and carries no CA key", async () => {
    const docs = await userData(true);
    expect(docs.map((d) => [d.name, d.server, d.caKeys])).toEqual(
      docs.map((d) => [d.name, "https://10.1.0.10:9345", false]),
    );
  });
});

describe("declareClusters refuses what it cannot build", () => {
  test("servers sharing an R620", () => {
    const avilla = site("avilla");
    const p = placement(avilla, ["r620-1", "r620-1", "r620-3"]);
    expect(() => declareClusters(avilla, secrets, p, fakeFoundation(p))).toThrow(
      "servers reports-cp-1, reports-cp-2 share r620-1: etcd quorum needs distinct hosts",
    );
  });

  test("an OpenStack cluster without the OpenStack foundation", () => {
    const avilla = site("avilla");
    expect(() => declareClusters(avilla, secrets, placement(avilla), undefined)).toThrow(
      "[plant:clusters[0]] cluster reports is kind 'openstack' but no OpenStack foundation was declared",
    );
  });
});
