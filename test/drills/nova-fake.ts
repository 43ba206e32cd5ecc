// A fake Keystone v3 + Nova on 127.0.0.1 (HTTPS with the test CA): a password token with a catalog
// naming this server's compute endpoint, the servers of test/fixtures/drills/nova-servers.json,
// and os-stop / os-start / pause / unpause changing their status after the test's hook has run.
// Servers named in `stuck` accept the action and never change status (a VM that does not stop).
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { TestPki } from "../support/x509";

type Server = Record<string, unknown> & { id: string; name: string; status: string };

export interface NovaFake {
  readonly url: string;
  readonly servers: Map<string, Server>;
  readonly actions: { server: string; action: string }[];
  readonly logins: unknown[];
  close(): Promise<void>;
}

export const TOKEN = "gAAAAAB-drill-token";

export function novaServers(): Server[] {
  const file = path.resolve(__dirname, "../fixtures/drills/nova-servers.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { servers: Server[] }).servers;
}

export function startNovaFake(
  pki: TestPki,
  hooks: {
    onAction?: (server: string, action: string) => Promise<void> | void;
    stuck?: readonly string[];
  } = {},
): Promise<NovaFake> {
  const servers = new Map(novaServers().map((s) => [s.id, s]));
  const actions: NovaFake["actions"] = [];
  const logins: unknown[] = [];
  let base = "";
  const next: Record<string, string> = {
    "os-stop": "SHUTOFF",
    "os-start": "ACTIVE",
    pause: "PAUSED",
    unpause: "ACTIVE",
  };
  const server = https.createServer(
    { cert: pki.server.certPem, key: pki.server.keyPem },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
        const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { "Content-Type": "application/json", ...headers });
          res.end(payload === undefined ? "" : JSON.stringify(payload));
        };
        const url = new URL(req.url ?? "/", base);
        if (req.method === "POST" && url.pathname === "/identity/v3/auth/tokens") {
          logins.push(body);
          const catalog = [
            {
              type: "identity",
              endpoints: [{ interface: "public", region: "RegionOne", url: `${base}/identity` }],
            },
            {
              type: "compute",
              endpoints: [
                { interface: "internal", region: "RegionOne", url: "https://10.1.0.11:8774/v2.1" },
                { interface: "public", region: "RegionOne", url: `${base}/compute/v2.1` },
              ],
            },
          ];
          return send(201, { token: { catalog } }, { "X-Subject-Token": TOKEN });
        }
        if (req.headers["x-auth-token"] !== TOKEN)
          return send(401, {
            error: { code: 401, message: "The request you have made requires authentication." },
          });
        const m = /^\/compute\/v2\.1\/servers\/([^/]+)(\/action)?$/.exec(url.pathname);
        if (req.method === "GET" && url.pathname === "/compute/v2.1/servers/detail") {
          const re = new RegExp(url.searchParams.get("name") ?? "");
          if (url.searchParams.get("all_tenants") !== "1") return send(200, { servers: [] });
          return send(200, { servers: [...servers.values()].filter((s) => re.test(s.name)) });
        }
        if (m && req.method === "GET") {
          const s = servers.get(m[1]);
          return s
            ? send(200, { server: s })
            : send(404, { itemNotFound: { code: 404, message: "Instance could not be found" } });
        }
        if (m && m[2] && req.method === "POST") {
          const s = servers.get(m[1]);
          if (!s)
            return send(404, {
              itemNotFound: { code: 404, message: "Instance could not be found" },
            });
          const action = Object.keys(body ?? {})[0] ?? "";
          actions.push({ server: s.name, action });
          if (!(action in next))
            return send(400, { badRequest: { code: 400, message: `unknown action ${action}` } });
          send(202, undefined);
          if (hooks.stuck?.includes(s.name)) return undefined;
          void Promise.resolve(hooks.onAction?.(s.name, action)).then(() => {
            s.status = next[action];
          });
          return undefined;
        }
        return send(404, {
          itemNotFound: { code: 404, message: `no route ${req.method} ${url.pathname}` },
        });
      });
    },
  );
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        url: base,
        servers,
        actions,
        logins,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A clouds.yaml for the fake, trusting the test CA; returns its path. */
export function cloudsYaml(dir: string, nova: NovaFake, pki: TestPki): string {
  const ca = path.join(dir, "ca.pem");
  fs.writeFileSync(ca, pki.ca.certPem);
  const file = path.join(dir, "clouds.yaml");
  fs.writeFileSync(
    file,
    [
      "clouds:",
      "  avilla:",
      "    auth:",
      `      auth_url: ${nova.url}/identity`,
      "      username: admin",
      "      password: drill-secret",
      "      project_name: admin",
      "      user_domain_name: Default",
      "      project_domain_name: Default",
      "    region_name: RegionOne",
      `    cacert: ${ca}`,
      "",
    ].join("\n"),
  );
  return file;
}
