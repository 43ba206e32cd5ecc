// The kubeconfig forms preflight supports (and the ones it refuses with a plain message), and the
// client against a fake API server on 127.0.0.1 for each way of authenticating.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { KubeApi } from "../../tools/preflight/kube-api";
import { KubeconfigError, parseKubeconfig } from "../../tools/preflight/kubeconfig";
import { FakeKubeApi, recordedAnswers, startFakeKubeApi } from "../support/fake-kube-api";
import { makeTestPki, TestPki } from "../support/x509";

let tmp: string;
let pki: TestPki;
let api: FakeKubeApi;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
  pki = makeTestPki();
  api = await startFakeKubeApi({
    pki,
    answers: recordedAnswers("rke2-fresh.json"),
    tokens: ["from-plugin", "from-file"],
  });
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString("base64");

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "c",
        cluster: { server: api.url, "certificate-authority-data": b64(pki.ca.certPem), ...cluster },
      },
    ],
    users: [{ name: "u", user }],
    contexts: [
      { name: "other", context: { cluster: "c", user: "u" } },
      { name: "main", context: { cluster: "c", user: "u" } },
    ],
    "current-context": "main",
  });
}

async function coreAnswer(text: string): Promise<number> {
  const client = await KubeApi.connect(parseKubeconfig(text, tmp), 5000);
  try {
    return (await client.get("/api/v1", "application/json")).status;
  } finally {
    client.close();
  }
}

describe("supported forms", () => {
  test("client certificate and key from files next to the kubeconfig", async () => {
    const c = pki.client("plant-admin");
    fs.writeFileSync(path.join(tmp, "admin.crt"), c.certPem);
    fs.writeFileSync(path.join(tmp, "admin.key"), c.keyPem);
    fs.writeFileSync(path.join(tmp, "ca.crt"), pki.ca.certPem);
    const text = kubeconfig(
      { "client-certificate": "admin.crt", "client-key": "admin.key" },
      { "certificate-authority-data": undefined, "certificate-authority": "ca.crt" },
    );
    const conn = parseKubeconfig(text, tmp);
    expect([conn.context, conn.server, conn.authForm, conn.insecure]).toEqual([
      "main",
      api.url,
      "client certificate",
      false,
    ]);
    expect(await coreAnswer(text)).toBe(200);
    expect(api.requests.at(-1)?.auth).toBe("client-certificate plant-admin");
  });

  test("bearer token from tokenFile", async () => {
    fs.writeFileSync(path.join(tmp, "token"), "from-file\n");
    const text = kubeconfig({ tokenFile: "token" });
    expect(parseKubeconfig(text, tmp).authForm).toBe("bearer token (tokenFile)");
    expect(await coreAnswer(text)).toBe(200);
  });

  test("an exec credential plugin, with its env and KUBERNETES_EXEC_INFO", async () => {
    const plugin = path.join(tmp, "plugin.js");
    fs.writeFileSync(
      plugin,
      `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
       if (info.kind !== "ExecCredential" || info.spec.interactive !== false) process.exit(3);
       console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: process.env.PLUGIN_TOKEN } }));`,
    );
    const text = kubeconfig({
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: process.execPath,
        args: [plugin],
        env: [{ name: "PLUGIN_TOKEN", value: "from-plugin" }],
        interactiveMode: "Never",
      },
    });
    expect(parseKubeconfig(text, tmp).authForm).toBe(
      `exec plugin ${path.basename(process.execPath)}`,
    );
    expect(await coreAnswer(text)).toBe(200);
  });

  test("an exec plugin that fails names its command", async () => {
    const text = kubeconfig({ exec: { command: path.join(tmp, "no-such-plugin"), args: [] } });
    await expect(coreAnswer(text)).rejects.toThrow(
      `exec plugin ${path.join(tmp, "no-such-plugin")} failed: not found`,
    );
  });

  test("basic auth, insecure-skip-tls-verify and tls-server-name are read", () => {
    const conn = parseKubeconfig(
      kubeconfig(
        { username: "admin", password: "pw" },
        { "insecure-skip-tls-verify": true, "tls-server-name": "kubernetes" },
      ),
      tmp,
    );
    expect(conn.credentials).toEqual({ kind: "basic", username: "admin", password: "pw" });
    expect([conn.insecure, conn.tlsServerName, conn.authForm]).toEqual([
      true,
      "kubernetes",
      "basic auth",
    ]);
  });

  test("a kubeconfig with a single context needs no current-context", () => {
    const doc = {
      clusters: [{ name: "c", cluster: { server: "https://10.1.0.41:6443" } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "only", context: { cluster: "c", user: "u" } }],
    };
    expect(parseKubeconfig(stringify(doc), tmp)).toMatchObject({
      context: "only",
      server: "https://10.1.0.41:6443",
      credentials: { kind: "token", token: "t" },
    });
  });
});

describe("refused, with a message", () => {
  test.each([
    [
      "auth-provider",
      kubeconfigText({ "auth-provider": { name: "oidc" } }),
      "the user authenticates with auth-provider 'oidc', which preflight does not support; use a kubeconfig with a client certificate, a token or an exec plugin",
    ],
    [
      "proxy-url",
      kubeconfigText({ token: "t" }, { "proxy-url": "http://proxy:3128" }),
      "the cluster is reached through proxy-url, which preflight does not support",
    ],
    [
      "certificate without key",
      kubeconfigText({ "client-certificate-data": b64("x") }),
      "the user has a client certificate without its key (or a key without its certificate)",
    ],
    [
      "no server",
      kubeconfigText({ token: "t" }, { server: "10.1.0.41:6443" }),
      "cluster 'c' has no https:// server address",
    ],
    [
      "unknown context",
      "current-context: gone\ncontexts: []\n",
      "the kubeconfig has no context named 'gone'",
    ],
    ["not YAML", "clusters: [", "the kubeconfig is not valid YAML"],
    [
      "missing CA file",
      kubeconfigText({ token: "t" }, { "certificate-authority": "/nonexistent/ca.crt" }),
      "certificate-authority file /nonexistent/ca.crt cannot be read (ENOENT)",
    ],
  ])("%s", (_name, text, message) => {
    expect(() => parseKubeconfig(text, "/")).toThrow(KubeconfigError);
    expect(() => parseKubeconfig(text, "/")).toThrow(message);
  });
});

function kubeconfigText(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
): string {
  return stringify({
    clusters: [{ name: "c", cluster: { server: "https://10.1.0.41:6443", ...cluster } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  });
}
