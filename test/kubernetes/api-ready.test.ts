// The readiness gate against a real local HTTPS server with a throwaway CA (made by openssl).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { gateProvider, GateInputs, waitForReadyz } from "../../components/kubernetes/api-ready";

const haveOpenssl = spawnSync("sh", ["-c", "command -v openssl"]).status === 0;
const maybe = haveOpenssl ? describe : describe.skip;
if (!haveOpenssl) console.warn("SKIPPED: openssl not found; the readiness gate is not exercised");

maybe("ApiServerReady gate", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plant-gate-"));
  const file = (n: string) => path.join(dir, n);
  let status = 200;
  let server: https.Server;
  let inputs: GateInputs;

  beforeAll(async () => {
    const ossl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    ossl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=test-server-ca",
    );
    ossl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "srv.key",
      "-out",
      "srv.csr",
      "-subj",
      "/CN=127.0.0.1",
    );
    fs.writeFileSync(file("ext"), "subjectAltName=IP:127.0.0.1\n");
    ossl(
      "x509",
      "-req",
      "-in",
      "srv.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "srv.crt",
      "-days",
      "1",
      "-extfile",
      "ext",
    );
    ossl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "client.key",
      "-out",
      "client.crt",
      "-days",
      "1",
      "-subj",
      "/CN=plant-admin/O=system:masters",
    );
    server = https.createServer(
      { key: fs.readFileSync(file("srv.key")), cert: fs.readFileSync(file("srv.crt")) },
      (req, res) => {
        res.statusCode = req.url === "/readyz" ? status : 404;
        res.end(status === 200 ? "ok" : "not ready");
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    inputs = {
      server: `https://127.0.0.1:${port}`,
      caCertPem: fs.readFileSync(file("ca.crt"), "utf8"),
      clientCertPem: fs.readFileSync(file("client.crt"), "utf8"),
      clientKeyPem: fs.readFileSync(file("client.key"), "utf8"),
      instanceIds: ["vm-1", "vm-2", "vm-3"],
      timeoutSeconds: 0,
    };
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("passes once /readyz answers 200 through the pinned CA", async () => {
    status = 200;
    await expect(waitForReadyz(inputs)).resolves.toBeUndefined();
    await expect(gateProvider.create(inputs)).resolves.toMatchObject({ id: inputs.server });
  });

  test("fails after its timeout while /readyz is not 200", async () => {
    status = 503;
    await expect(waitForReadyz(inputs)).rejects.toThrow(
      `${inputs.server}/readyz did not answer 200 in 0s`,
    );
  });

  test("retries until its deadline, not a whole retry interval past it", async () => {
    status = 503;
    const started = Date.now();
    await expect(waitForReadyz({ ...inputs, timeoutSeconds: 1 })).rejects.toThrow(
      "did not answer 200 in 1s",
    );
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThan(5);
  });

  test("never trusts a server certificate from another CA", async () => {
    status = 200;
    const otherCa = inputs.clientCertPem; // self-signed, not the server's CA
    await expect(waitForReadyz({ ...inputs, caCertPem: otherCa })).rejects.toThrow(
      "did not answer 200",
    );
  });

  test("waits again only when a server VM or the endpoint changes", async () => {
    const diff = gateProvider.diff!;
    expect((await diff("id", inputs, { ...inputs })).changes).toBe(false);
    expect((await diff("id", inputs, { ...inputs, clientCertPem: "renewed" })).changes).toBe(false);
    expect(
      (await diff("id", inputs, { ...inputs, instanceIds: ["vm-1", "vm-2", "vm-4"] })).changes,
    ).toBe(true);
  });
});
