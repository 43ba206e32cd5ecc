// The OpenStack calls of the host-loss drill: a Keystone v3 token from a clouds.yaml entry, then
// Nova's server list, server show and the stop/start (pause/unpause) actions. Plain HTTPS through
// Node's TLS (the cloud's CA from clouds.yaml `cacert` or OS_CACERT). Why not an SDK: OpenStack
// maintains SDKs for Python (openstacksdk) and Go (gophercloud), none for Node; the npm packages
// are third-party multi-cloud wrappers (pkgcloud, openstack-wrapper) that would bring a large
// dependency for four documented JSON calls, which are tested here against recorded answers.
import * as fs from "fs";
import * as https from "https";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DrillError } from "./stack";

export interface CloudAuth {
  readonly cloud: string;
  readonly authUrl: string;
  readonly regionName?: string;
  readonly identity:
    | {
        readonly kind: "password";
        readonly username: string;
        readonly password: string;
        readonly userDomainName: string;
        readonly projectName: string;
        readonly projectDomainName: string;
      }
    | { readonly kind: "application_credential"; readonly id: string; readonly secret: string };
  readonly ca?: Buffer;
  readonly insecure: boolean;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.length > 0 ? v : undefined;

/** Where openstacksdk looks for clouds.yaml, in its order. */
export function cloudsYamlPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...(env.OS_CLIENT_CONFIG_FILE ? [env.OS_CLIENT_CONFIG_FILE] : []),
    path.resolve("clouds.yaml"),
    path.join(os.homedir(), ".config/openstack/clouds.yaml"),
    "/etc/openstack/clouds.yaml",
  ];
}

/** The named cloud of the first clouds.yaml found (password or application credential). */
export function readCloud(
  cloud: string,
  files = cloudsYamlPaths(),
  env: NodeJS.ProcessEnv = process.env,
): CloudAuth {
  const file = files.find((f) => fs.existsSync(f));
  if (!file)
    throw new DrillError(
      `no clouds.yaml found (looked in ${files.join(", ")}) for cloud '${cloud}'`,
    );
  const entry = obj(obj(obj(parseYaml(fs.readFileSync(file, "utf8"))).clouds)[cloud]);
  const auth = obj(entry.auth);
  const authUrl = str(auth.auth_url);
  if (!authUrl)
    throw new DrillError(`${file}: cloud '${cloud}' is missing or has no auth.auth_url`);
  const type = str(entry.auth_type) ?? "password";
  let identity: CloudAuth["identity"];
  if (type === "v3applicationcredential") {
    const id = str(auth.application_credential_id);
    const secret = str(auth.application_credential_secret);
    if (!id || !secret)
      throw new DrillError(
        `${file}: cloud '${cloud}' needs auth.application_credential_id and _secret`,
      );
    identity = { kind: "application_credential", id, secret };
  } else if (type === "password" || type === "v3password") {
    const username = str(auth.username);
    const password = str(auth.password) ?? str(env.OS_PASSWORD);
    const projectName = str(auth.project_name);
    if (!username || !password || !projectName)
      throw new DrillError(
        `${file}: cloud '${cloud}' needs auth.username, auth.password (or OS_PASSWORD) and auth.project_name`,
      );
    const domain = str(auth.domain_name) ?? "Default";
    identity = {
      kind: "password",
      username,
      password,
      projectName,
      userDomainName: str(auth.user_domain_name) ?? domain,
      projectDomainName: str(auth.project_domain_name) ?? domain,
    };
  } else throw new DrillError(`${file}: cloud '${cloud}' uses auth_type ${type}, not supported`);
  const cacert = str(entry.cacert) ?? str(env.OS_CACERT);
  const region = str(entry.region_name) ?? str(env.OS_REGION_NAME);
  return {
    cloud,
    authUrl,
    ...(region ? { regionName: region } : {}),
    identity,
    ...(cacert ? { ca: fs.readFileSync(cacert) } : {}),
    insecure: entry.verify === false || env.OS_INSECURE === "true",
  };
}

export interface ServerState {
  readonly id: string;
  readonly name: string;
  /** ACTIVE, SHUTOFF, ERROR… */
  readonly status: string;
  /** The hypervisor host (admin only: OS-EXT-SRV-ATTR:host). */
  readonly host?: string;
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: unknown,
  tls: { ca?: Buffer; insecure: boolean },
  timeoutMs: number,
): Promise<Answer> {
  const u = new URL(url);
  const client = u.protocol === "https:" ? https : http;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = client.request(
      u,
      {
        method,
        timeout: timeoutMs,
        headers: {
          Accept: "application/json",
          ...(payload ? { "Content-Type": "application/json" } : {}),
          ...headers,
        },
        ...(u.protocol === "https:"
          ? { ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: !tls.insecure }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // An error page: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs / 1000} s`)),
    );
    req.on("error", reject);
    req.end(payload);
  });
}

function failure(what: string, a: Answer): Error {
  const b = obj(a.body);
  const inner = Object.values(b).map(obj)[0] ?? {};
  const message = str(inner.message) ?? str(obj(b.error).message) ?? "";
  return new Error(`${what}: HTTP ${a.status}${message ? ` ${message}` : ""}`);
}

export type NovaAction = "os-stop" | "os-start" | "pause" | "unpause";

export class Nova {
  private constructor(
    private readonly endpoint: string,
    private readonly token: string,
    private readonly tls: { ca?: Buffer; insecure: boolean },
    private readonly timeoutMs: number,
  ) {}

  /** Keystone v3 token and the compute endpoint from its catalog (public interface, region). */
  static async login(auth: CloudAuth, timeoutMs: number): Promise<Nova> {
    const base = auth.authUrl.replace(/\/+$/, "");
    const url = `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
    const id = auth.identity;
    const body =
      id.kind === "password"
        ? {
            auth: {
              identity: {
                methods: ["password"],
                password: {
                  user: {
                    name: id.username,
                    domain: { name: id.userDomainName },
                    password: id.password,
                  },
                },
              },
              scope: { project: { name: id.projectName, domain: { name: id.projectDomainName } } },
            },
          }
        : {
            auth: {
              identity: {
                methods: ["application_credential"],
                application_credential: { id: id.id, secret: id.secret },
              },
            },
          };
    const tls = { ...(auth.ca ? { ca: auth.ca } : {}), insecure: auth.insecure };
    const a = await request(url, "POST", {}, body, tls, timeoutMs);
    if (a.status !== 201) throw failure(`Keystone ${url}`, a);
    const token = a.headers["x-subject-token"];
    if (typeof token !== "string") throw new Error(`Keystone ${url}: no X-Subject-Token`);
    const catalog = obj(obj(a.body).token).catalog;
    const compute = (Array.isArray(catalog) ? catalog.map(obj) : []).find(
      (s) => s.type === "compute",
    );
    const endpoints = Array.isArray(compute?.endpoints) ? compute.endpoints.map(obj) : [];
    const endpoint = endpoints.find(
      (e) =>
        e.interface === "public" &&
        (auth.regionName === undefined ||
          e.region === auth.regionName ||
          e.region_id === auth.regionName),
    );
    const endpointUrl = str(endpoint?.url);
    if (!endpointUrl)
      throw new Error(
        `the Keystone catalog of cloud '${auth.cloud}' has no public compute endpoint${auth.regionName ? ` in region ${auth.regionName}` : ""}`,
      );
    return new Nova(endpointUrl.replace(/\/+$/, ""), token, tls, timeoutMs);
  }

  private call(method: string, p: string, body?: unknown): Promise<Answer> {
    return request(
      `${this.endpoint}${p}`,
      method,
      { "X-Auth-Token": this.token },
      body,
      this.tls,
      this.timeoutMs,
    );
  }

  /** The server of that exact name in any project (admin), or undefined. */
  async findServer(name: string): Promise<ServerState | undefined> {
    const q = `/servers/detail?all_tenants=1&name=${encodeURIComponent(`^${name}$`)}`;
    const a = await this.call("GET", q);
    if (a.status !== 200) throw failure(`Nova GET ${q}`, a);
    const servers = obj(a.body).servers;
    const found = (Array.isArray(servers) ? servers.map(serverState) : []).filter(
      (s) => s.name === name,
    );
    if (found.length > 1)
      throw new Error(
        `Nova has ${found.length} servers named ${name}; cannot tell which is the VM`,
      );
    return found[0];
  }

  async server(id: string): Promise<ServerState> {
    const a = await this.call("GET", `/servers/${id}`);
    if (a.status !== 200) throw failure(`Nova GET /servers/${id}`, a);
    return serverState(obj(a.body).server);
  }

  /**
   * os-stop / os-start, or pause / unpause. Nova's stop asks the guest to shut down (ACPI) before
   * powering off, so the guest's services stop cleanly; pause freezes the VM at once, closer to a
   * sudden power loss as the network sees it.
   */
  async action(id: string, action: NovaAction): Promise<void> {
    const a = await this.call("POST", `/servers/${id}/action`, { [action]: null });
    if (a.status !== 202) throw failure(`Nova ${action} ${id}`, a);
  }
}

function serverState(v: unknown): ServerState {
  const s = obj(v);
  const host = str(s["OS-EXT-SRV-ATTR:host"]);
  return {
    id: str(s.id) ?? "",
    name: str(s.name) ?? "",
    status: str(s.status) ?? "",
    ...(host ? { host } : {}),
  };
}
