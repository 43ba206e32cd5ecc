import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { parse } from "yaml";
import { parseSite, readStackFile } from "../../config/site";
import { registriesYaml, Rke2Mirrors, rke2Mirrors } from "../../components/kubernetes/rke2-mirrors";
import { PROJECT_DIR } from "../../tools/plan/run";
import { rke2ConfigYaml, secureToken } from "../../components/kubernetes/rke2-config";
import {
  rke2UserData,
  Rke2UserDataInput,
  shellValue,
} from "../../components/kubernetes/rke2-userdata";
import { clusterSettings, fakeCas, fakeTokens } from "./fixtures";
import {
  ajvCloudConfigErrors,
  cloudInitSchemaProblem,
  cloudInitSchemaProblems,
  scriptsIn,
  shellcheckProblem,
  toolAvailable,
} from "./validators";

/** Server `index`; the first server creates the cluster unless `rebuilt` (cluster bootstrapped). */
const server = (index: number, host: string, rebuilt = false): Rke2UserDataInput => {
  const clusterInit = index === 0 && !rebuilt;
  return {
    node: {
      name: `reports-cp-${index + 1}`,
      ip: `10.1.1.${10 + index}`,
      role: "control-plane",
      physicalHost: host,
      clusterInit,
    },
    cluster: clusterSettings,
    tokens: fakeTokens,
    cas: clusterInit ? fakeCas : undefined,
    ntpServers: ["10.1.0.2"],
  };
};
const worker: Rke2UserDataInput = {
  node: {
    name: "reports-worker-1",
    ip: "10.1.1.20",
    role: "worker",
    physicalHost: "r620-2",
    clusterInit: false,
  },
  cluster: clusterSettings,
  tokens: fakeTokens,
  ntpServers: [],
};
const serverWithoutWorkers: Rke2UserDataInput = {
  ...server(1, "r620-2"),
  cluster: { ...clusterSettings, taintControlPlane: false },
};

const documents: [string, Rke2UserDataInput][] = [
  ["initialising server", server(0, "r620-1")],
  ["first server rebuilt once the cluster exists", server(0, "r620-1", true)],
  ["joining server", server(1, "r620-2")],
  ["worker", worker],
  ["server of a cluster without workers", serverWithoutWorkers],
];

/**
 * Runs the cluster-init block of a first-boot script (everything before the CIS step) with a
 * stub `curl` that answers only for `answering` addresses and a no-op `sleep`; returns the
 * config file afterwards, the probed URLs and the log.
 */
function runInitBlock(document: string, answering: readonly string[]) {
  const script = scriptsIn(document)[0].content;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-init-"));
  try {
    const config = path.join(dir, "config.yaml");
    const calls = path.join(dir, "calls");
    fs.writeFileSync(config, "token: x\n");
    fs.writeFileSync(calls, "");
    fs.writeFileSync(
      path.join(dir, "curl"),
      '#!/bin/sh\nfor a in "$@"; do url="$a"; done\necho "$url" >>"$CALLS"\n' +
        'for ok in $ANSWERING; do case "$url" in "https://$ok:9345/"*) exit 0;; esac; done\nexit 7\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const block = script
      .slice(0, script.indexOf("# CIS profile"))
      .replace(/^CONFIG=.*$/m, `CONFIG='${config}'`);
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", block], {
      encoding: "utf8",
      env: { PATH: `${dir}:${process.env.PATH}`, ANSWERING: answering.join(" "), CALLS: calls },
    });
    expect(r.status).toBe(0);
    return {
      config: fs.readFileSync(config, "utf8"),
      probed: [...new Set(fs.readFileSync(calls, "utf8").trim().split("\n").filter(Boolean))],
      log: r.stderr,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rke2Config(document: string): Record<string, unknown> {
  const doc = parse(document) as { write_files: { path: string; content: string }[] };
  const file = doc.write_files.find((f) => f.path === "/etc/rancher/rke2/config.yaml");
  return parse(file?.content ?? "") as Record<string, unknown>;
}

describe("RKE2 user data", () => {
  test("every document passes the real `cloud-init schema`", async () => {
    if (!toolAvailable("cloud-init")) return;
    const problems = await cloudInitSchemaProblems(
      documents.map(([, input]) => rke2UserData(input)),
    );
    expect(documents.map(([label], i) => [label, problems[i]])).toEqual(
      documents.map(([label]) => [label, undefined]),
    );
  });

  test.each(documents)("%s passes the cloud-init 26.2 JSON schema (ajv)", (_label, input) => {
    expect(ajvCloudConfigErrors(rke2UserData(input))).toEqual([]);
  });

  test.each(documents)("%s: every shell script passes shellcheck", (_label, input) => {
    if (!toolAvailable("shellcheck")) return;
    const scripts = scriptsIn(rke2UserData(input));
    expect(scripts.map((s) => s.path)).toEqual(["/usr/local/sbin/plant-rke2-bootstrap"]);
    for (const s of scripts) expect(shellcheckProblem(s.content)).toBeUndefined();
  });

  test("the validators do reject a broken document", async () => {
    const broken = "#cloud-config\nruncmd: 5\nwrite_files: [{ path: 1, bogus: true }]\n";
    expect(ajvCloudConfigErrors(broken).length).toBeGreaterThan(0);
    if (toolAvailable("cloud-init")) {
      expect(cloudInitSchemaProblem(broken)).toMatch(/runcmd/);
      const batch = await cloudInitSchemaProblems([rke2UserData(documents[0][1]), broken]);
      expect(batch[0]).toBeUndefined();
      expect(batch[1]).toMatch(/runcmd/);
    }
    if (toolAvailable("shellcheck"))
      expect(shellcheckProblem("#!/bin/sh\necho $1\n")).toMatch(/SC2086/);
  });

  test("initialising server document (snapshot, fake key material)", () => {
    expect(rke2UserData(server(0, "r620-1"))).toMatchSnapshot();
  });

  test("is byte-identical for the same inputs, whatever the NTP server order", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(["10.1.0.2", "10.1.0.3", "ntp.example.com"], { minLength: 1 }),
        (ntp) => {
          const a = rke2UserData({ ...server(0, "r620-1"), ntpServers: ntp });
          const b = rke2UserData({ ...server(0, "r620-1"), ntpServers: [...ntp].reverse() });
          expect(a).toBe(b);
        },
      ),
    );
  });

  test("servers: labels, VIP in tls-san, bundled ingress and ServiceLB off, iptables kube-proxy", () => {
    const cfg = rke2Config(rke2UserData(server(1, "r620-2")));
    expect(cfg["node-label"]).toEqual([
      "plant.busche-cnc.com/physical-host=r620-2",
      "topology.kubernetes.io/zone=r620-2",
    ]);
    expect(cfg["tls-san"]).toEqual(["10.1.0.10"]);
    expect(cfg["ingress-controller"]).toBe("none");
    expect(cfg.disable).toEqual(["rke2-ingress-nginx", "rke2-traefik"]);
    expect(cfg["enable-servicelb"]).toBe(false);
    expect(cfg["kube-proxy-arg"]).toEqual(["proxy-mode=iptables"]);
    expect(cfg.server).toBe("https://10.1.0.10:9345");
    expect(cfg["node-taint"]).toEqual(["node-role.kubernetes.io/control-plane:NoSchedule"]);
  });

  test("only the initialising server has no `server:`; its script probes the VIP and every other server", () => {
    const doc = rke2UserData(server(0, "r620-1"));
    expect(rke2Config(doc).server).toBeUndefined();
    const script = scriptsIn(doc)[0].content;
    expect(script).toContain("CLUSTER_INIT='true'");
    expect(script).toContain("PROBE_ADDRESSES=('10.1.0.10' '10.1.1.11' '10.1.1.12')");
  });

  test("the first server rebuilt once the cluster is bootstrapped joins through the VIP and carries no CA key", () => {
    const doc = rke2UserData(server(0, "r620-1", true));
    expect(rke2Config(doc).server).toBe("https://10.1.0.10:9345");
    expect(rke2Config(doc).token).toBe(
      secureToken(fakeTokens.serverCaPem, "server", fakeTokens.server),
    );
    const script = scriptsIn(doc)[0].content;
    expect(script).toContain("CLUSTER_INIT='false'");
    expect(script).toContain("PROBE_ADDRESSES=()");
    expect(doc).not.toContain("PRIVATE KEY");
    // Byte for byte what any other joining server gets, but for its own name, address and host.
    const other = rke2UserData(server(1, "r620-2"));
    const generic = (d: string, n: number) =>
      d
        .replaceAll(`reports-cp-${n + 1}`, "NODE")
        .replaceAll(`10.1.1.${10 + n}`, "IP")
        .replaceAll(`r620-${n + 1}`, "HOST");
    expect(generic(doc, 0)).toBe(generic(other, 1));
  });

  test("run: the initialising server joins whichever server answers, VIP first, and initialises only when none does", () => {
    const doc = rke2UserData(server(0, "r620-1"));
    // The fork of the review: the VIP blips while cp-3 still runs the cluster.
    expect(runInitBlock(doc, ["10.1.1.12"]).config).toBe(
      "token: x\nserver: https://10.1.1.12:9345\n",
    );
    expect(runInitBlock(doc, ["10.1.1.11", "10.1.0.10"]).config).toBe(
      "token: x\nserver: https://10.1.0.10:9345\n",
    );
    const alone = runInitBlock(doc, []);
    expect(alone.config).toBe("token: x\n");
    expect(alone.probed).toEqual([
      "https://10.1.0.10:9345/cacerts",
      "https://10.1.1.11:9345/cacerts",
      "https://10.1.1.12:9345/cacerts",
    ]);
    expect(alone.log).toContain("initialising cluster 10.1.0.10");
    // A joining server (the rebuilt first server included) never runs the probe at all.
    const rebuilt = runInitBlock(rke2UserData(server(0, "r620-1", true)), ["10.1.0.10"]);
    expect(rebuilt).toEqual({ config: "token: x\n", probed: [], log: "" });
  });

  test("joining servers carry no CA key: they read the CAs from the datastore", () => {
    for (const input of [server(1, "r620-2"), server(2, "r620-3"), server(0, "r620-1", true)]) {
      const doc = rke2UserData(input);
      expect(doc).not.toContain("PRIVATE KEY");
      const paths = (parse(doc) as { write_files: { path: string }[] }).write_files.map(
        (f) => f.path,
      );
      expect(paths.filter((p) => p.startsWith("/var/lib/rancher/rke2/server/tls/"))).toEqual([]);
    }
  });

  test("CIS profile on every node, Canal pinned on servers", () => {
    for (const [label, input] of documents) {
      const doc = rke2UserData(input);
      const cfg = rke2Config(doc);
      expect([label, cfg.profile]).toEqual([label, "cis"]);
      expect([label, cfg.cni]).toEqual([
        label,
        input.node.role === "worker" ? undefined : ["canal"],
      ]);
      const files = (
        parse(doc) as { write_files: { path: string; content: string; permissions: string }[] }
      ).write_files;
      const sysctl = files.find((f) => f.path === "/etc/sysctl.d/60-rke2-cis.conf");
      expect(sysctl?.permissions).toBe("0644");
      expect(sysctl?.content).toBe(
        [
          "kernel.keys.root_maxbytes=25000000",
          "kernel.keys.root_maxkeys=1000000",
          "kernel.panic=10",
          "kernel.panic_on_oops=1",
          "vm.overcommit_memory=1",
          "vm.panic_on_oom=0",
          "",
        ].join("\n"),
      );
      const script = scriptsIn(doc)[0].content;
      // Applied before RKE2 starts: the kubelet checks them at start (protect-kernel-defaults).
      expect(script.indexOf('sysctl -p "$CIS_SYSCTL_CONF"')).toBeGreaterThan(0);
      expect(script.indexOf('sysctl -p "$CIS_SYSCTL_CONF"')).toBeLessThan(
        script.indexOf("systemctl start"),
      );
      expect(script).toContain('useradd -r -c "etcd user" -s /sbin/nologin -M etcd -U');
    }
  });

  test("servers are not tainted when the cluster has no workers", () => {
    expect(rke2Config(rke2UserData(serverWithoutWorkers))["node-taint"]).toBeUndefined();
  });

  test("a worker gets the agent token only, and no CA key", () => {
    const doc = rke2UserData(worker);
    expect(doc).not.toContain("PRIVATE KEY");
    expect(doc).not.toContain(fakeTokens.server);
    expect(rke2Config(doc).token).toBe(
      secureToken(fakeTokens.serverCaPem, "node", fakeTokens.agent),
    );
    const paths = (parse(doc) as { write_files: { path: string }[] }).write_files.map(
      (f) => f.path,
    );
    expect(paths).toEqual([
      "/etc/rancher/rke2/config.yaml",
      "/etc/sysctl.d/60-rke2-cis.conf",
      "/usr/local/sbin/plant-rke2-bootstrap",
    ]);
  });

  test("the initialising server gets every CA RKE2 expects, keys 0600", () => {
    const doc = parse(rke2UserData(server(0, "r620-1"))) as {
      write_files: { path: string; permissions: string }[];
    };
    const tls = doc.write_files.filter((f) =>
      f.path.startsWith("/var/lib/rancher/rke2/server/tls/"),
    );
    expect(tls.map((f) => f.path.replace("/var/lib/rancher/rke2/server/tls/", "")).sort()).toEqual([
      "client-ca.crt",
      "client-ca.key",
      "etcd/peer-ca.crt",
      "etcd/peer-ca.key",
      "etcd/server-ca.crt",
      "etcd/server-ca.key",
      "request-header-ca.crt",
      "request-header-ca.key",
      "server-ca.crt",
      "server-ca.key",
      "service.key",
    ]);
    for (const f of tls.filter((x) => x.path.endsWith(".key"))) expect(f.permissions).toBe("0600");
  });

  test("secure tokens pin the server CA by its sha256", () => {
    const hash = createHash("sha256").update(fakeCas.serverCa.certPem).digest("hex");
    expect(secureToken(fakeCas.serverCa.certPem, "server", "abc123")).toBe(
      `K10${hash}::server:abc123`,
    );
    expect(() => secureToken(fakeCas.serverCa.certPem, "server", "a:b")).toThrow(
      "[token] must be alphanumeric",
    );
  });

  test("refuses CA keys on a worker or a joining server, and an initialising server without CAs", () => {
    expect(() => rke2UserData({ ...worker, cas: fakeCas })).toThrow(
      "must not receive the cluster CA keys",
    );
    expect(() => rke2UserData({ ...server(1, "r620-2"), cas: fakeCas })).toThrow(
      "server reports-cp-2 joins the cluster: it must not receive the CA keys",
    );
    expect(() => rke2UserData({ ...server(0, "r620-1"), cas: undefined })).toThrow(
      "server reports-cp-1 creates the cluster: it needs the CAs",
    );
    expect(() => rke2UserData({ ...worker, node: { ...worker.node, clusterInit: true } })).toThrow(
      "worker reports-worker-1 cannot create a cluster",
    );
  });

  test("refuses values that would break out of a shell assignment", () => {
    expect(shellValue("v1.36.5+rke2r1")).toBe("'v1.36.5+rke2r1'");
    expect(() => shellValue("x'; rm -rf / #")).toThrow("refusing");
  });

  test("worker and server configs agree on the cluster-wide keys RKE2 requires to match", () => {
    const s = parse(
      rke2ConfigYaml(server(1, "r620-2").node, clusterSettings, fakeTokens),
    ) as Record<string, unknown>;
    expect(s["cluster-cidr"]).toBe("10.42.0.0/16");
    expect(s["service-cidr"]).toBe("10.43.0.0/16");
  });
});

describe("RKE2 user data with plant mirrors", () => {
  const site = readStackFile(path.join(PROJECT_DIR, "test/fixtures/mirrors/Pulumi.avilla.yaml"));
  const config = parseSite("avilla", site).mirrors;
  const mirrors = rke2Mirrors(config);
  if (!config || !mirrors) throw new Error("the mirrors fixture has no node mirrors");
  const withMirrors = (input: Rke2UserDataInput, m: Rke2Mirrors = mirrors) => ({
    ...input,
    mirrors: m,
  });
  const mirrored: [string, Rke2UserDataInput][] = [
    ["bootstrap server", withMirrors(server(0, "r620-1"))],
    ["worker", withMirrors(worker)],
    ["worker, registries only", withMirrors(worker, { ...mirrors, artifactsUrl: undefined })],
    [
      "worker, RKE2 files only",
      withMirrors(worker, { artifactsUrl: mirrors.artifactsUrl, images: false, registries: [] }),
    ],
  ];
  const files = (doc: string) =>
    (parse(doc) as { write_files: { path: string; content: string; permissions: string }[] })
      .write_files;
  const script = (doc: string, p: string) => files(doc).find((f) => f.path === p)?.content ?? "";

  test("every mirrored document passes the real `cloud-init schema`", async () => {
    if (!toolAvailable("cloud-init")) return;
    const problems = await cloudInitSchemaProblems(mirrored.map(([, i]) => rke2UserData(i)));
    expect(mirrored.map(([label], i) => [label, problems[i]])).toEqual(
      mirrored.map(([label]) => [label, undefined]),
    );
  });

  test.each(mirrored)("%s passes the cloud-init 26.2 JSON schema (ajv)", (_label, input) => {
    expect(ajvCloudConfigErrors(rke2UserData(input))).toEqual([]);
  });

  test.each(mirrored)("%s: every shell script passes shellcheck", (_label, input) => {
    if (!toolAvailable("shellcheck")) return;
    for (const s of scriptsIn(rke2UserData(input)))
      expect([s.path, shellcheckProblem(s.content)]).toEqual([s.path, undefined]);
  });

  test("worker with every mirror (snapshot)", () => {
    expect(rke2UserData(withMirrors(worker))).toMatchSnapshot();
  });

  test("nothing is fetched from the internet: RKE2 from the mirror with INSTALL_RKE2_ARTIFACT_PATH", () => {
    const doc = rke2UserData(withMirrors(server(0, "r620-1")));
    expect(doc).not.toMatch(/github|get\.rke2\.io/);
    const boot = script(doc, "/usr/local/sbin/plant-rke2-bootstrap");
    expect(boot).toContain("FETCH='/usr/local/sbin/plant-rke2-fetch'");
    expect(boot).toContain('INSTALL_RKE2_ARTIFACT_PATH="$artifacts"');
    expect(boot).toContain('sh "${artifacts}/install.sh"');
    expect(boot).not.toContain("INSTALLER_URL");
    const fetch = script(doc, "/usr/local/sbin/plant-rke2-fetch");
    expect(fetch).toContain(
      "ARTIFACTS='https://mirror.avilla.busche-cnc.com/rke2/v1.36.5%2Brke2r1'",
    );
    expect(fetch).toContain(
      "for file in install.sh sha256sum-amd64.txt rke2.linux-amd64.tar.gz rke2-images.linux-amd64.tar.zst; do",
    );
  });

  test("registries.yaml, the CA file and the system trust", () => {
    const doc = rke2UserData(withMirrors(worker));
    const byPath = new Map(files(doc).map((f) => [f.path, f]));
    expect(parse(byPath.get("/etc/rancher/rke2/registries.yaml")?.content ?? "")).toEqual(
      parse(registriesYaml(mirrors)),
    );
    expect(byPath.get("/etc/rancher/rke2/registries.yaml")?.permissions).toBe("0600");
    expect(byPath.get("/etc/rancher/rke2/mirror-ca.pem")).toMatchObject({
      content: config.caCertificate,
      permissions: "0644",
    });
    expect((parse(doc) as { ca_certs: unknown }).ca_certs).toEqual({
      trusted: [config.caCertificate],
    });
  });

  test("registries only: RKE2 still from GitHub, images through the mirrors", () => {
    const doc = rke2UserData(mirrored[2][1]);
    expect(script(doc, "/usr/local/sbin/plant-rke2-bootstrap")).toBe(
      script(rke2UserData(worker), "/usr/local/sbin/plant-rke2-bootstrap"),
    );
    expect(files(doc).map((f) => f.path)).toEqual([
      "/etc/rancher/rke2/config.yaml",
      "/etc/rancher/rke2/mirror-ca.pem",
      "/etc/rancher/rke2/registries.yaml",
      "/etc/sysctl.d/60-rke2-cis.conf",
      "/usr/local/sbin/plant-rke2-bootstrap",
    ]);
  });

  test("RKE2 files only, without the image tarball: no registries.yaml, no CA", () => {
    const doc = rke2UserData(mirrored[3][1]);
    expect(files(doc).map((f) => f.path)).toEqual([
      "/etc/rancher/rke2/config.yaml",
      "/etc/sysctl.d/60-rke2-cis.conf",
      "/usr/local/sbin/plant-rke2-bootstrap",
      "/usr/local/sbin/plant-rke2-fetch",
    ]);
    expect(script(doc, "/usr/local/sbin/plant-rke2-fetch")).toContain(
      "for file in install.sh sha256sum-amd64.txt rke2.linux-amd64.tar.gz; do",
    );
    expect(doc).not.toContain("ca_certs");
  });

  test("absent, or chart mirrors only: the document is byte-identical to one without mirrors", () => {
    expect(rke2Mirrors(undefined)).toBeUndefined();
    expect(rke2Mirrors({ ...config, rke2: undefined, registries: [] })).toBeUndefined();
    for (const [, input] of documents) {
      expect(rke2UserData({ ...input, mirrors: undefined })).toBe(rke2UserData(input));
    }
  });
});
