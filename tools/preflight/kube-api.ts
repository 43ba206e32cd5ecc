// A read-only Kubernetes API client: GET only, over node's https (or http when the kubeconfig's
// server says so), with the kubeconfig's CA, client certificate or token. Objects are read as
// PartialObjectMetadata: labels, annotations, owners and field managers, never a Secret's data.
import * as http from "http";
import * as https from "https";
import { Connection, Credentials, runExecPlugin } from "./kubeconfig";
import { TLS_CODES } from "../site/tls-codes";

/** The cluster cannot be asked at all (network, TLS, credentials): one line, no stack trace. */
export class ClusterUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClusterUnreachableError";
  }
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

const METADATA_ACCEPT =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
export const METADATA_LIST_ACCEPT =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

function describeNetworkError(server: string, e: NodeJS.ErrnoException): string {
  const code = e.code ?? "";
  if (TLS_CODES.has(code))
    return `TLS: ${server} presented a certificate the kubeconfig's certificate authority does not trust (${code}: ${e.message})`;
  if (code === "ECONNREFUSED") return `cannot connect to ${server}: connection refused`;
  if (code === "ETIMEDOUT" || code === "PREFLIGHT_TIMEOUT")
    return `cannot connect to ${server}: timed out`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve the host of ${server}`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return `cannot reach ${server}: no route to host`;
  if (/alert|certificate|handshake/i.test(e.message))
    return `TLS handshake with ${server} failed (${e.message}); the server may require a client certificate the kubeconfig does not hold`;
  return `cannot talk to ${server}: ${code ? `${code}: ` : ""}${e.message}`;
}

export class KubeApi {
  private readonly base: URL;

  private constructor(
    private readonly conn: Connection,
    private readonly credentials: Credentials,
    private readonly agent: http.Agent,
    private readonly timeoutMs: number,
  ) {
    this.base = new URL(conn.server);
  }

  /** A client for the connection; runs its exec plugin first when it has one. */
  static async connect(conn: Connection, timeoutMs: number): Promise<KubeApi> {
    const credentials = conn.exec ? await runExecPlugin(conn.exec, timeoutMs) : conn.credentials;
    const agent =
      new URL(conn.server).protocol === "https:"
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 8,
            ...(conn.ca ? { ca: conn.ca } : {}),
            rejectUnauthorized: !conn.insecure,
            ...(conn.tlsServerName ? { servername: conn.tlsServerName } : {}),
            ...(credentials.kind === "client-certificate"
              ? { cert: credentials.cert, key: credentials.key }
              : {}),
          })
        : new http.Agent({ keepAlive: true, maxSockets: 8 });
    return new KubeApi(conn, credentials, agent, timeoutMs);
  }

  close(): void {
    this.agent.destroy();
  }

  private headers(accept: string): Record<string, string> {
    const h: Record<string, string> = { Accept: accept, "User-Agent": "plant-preflight" };
    const c = this.credentials;
    if (c.kind === "token") h.Authorization = `Bearer ${c.token}`;
    if (c.kind === "basic")
      h.Authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
    return h;
  }

  /** GET `path`; network and TLS failures throw ClusterUnreachableError, HTTP statuses return. */
  get(path: string, accept = METADATA_ACCEPT): Promise<ApiAnswer> {
    const url = new URL(this.base.pathname.replace(/\/$/, "") + path, this.base);
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: "GET",
          agent: this.agent,
          headers: this.headers(accept),
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (e) =>
            reject(new ClusterUnreachableError(describeNetworkError(this.conn.server, e))),
          );
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = text;
            try {
              body = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON (a proxy's error page): keep the text.
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("timeout", () => {
        const e: NodeJS.ErrnoException = new Error(`no answer within ${this.timeoutMs / 1000} s`);
        e.code = "PREFLIGHT_TIMEOUT";
        req.destroy(e);
      });
      req.on("error", (e: NodeJS.ErrnoException) =>
        reject(new ClusterUnreachableError(describeNetworkError(this.conn.server, e))),
      );
      req.end();
    });
  }
}

/** The message of a Kubernetes Status body, or the HTTP status. */
export function statusMessage(answer: ApiAnswer): string {
  const body = answer.body as { message?: unknown } | undefined;
  const message = typeof body?.message === "string" ? body.message : undefined;
  return `${answer.status}${message ? `: ${message}` : ""}`;
}
