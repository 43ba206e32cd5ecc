// A fake Kubernetes API server on 127.0.0.1 for tests: HTTPS with a CA made in the test, client
// certificates checked against it, bearer tokens checked against a list, and recorded answers
// served by path (every other path answers 404 NotFound, as the real API does for an absent
// object). Every request is kept, so tests can assert the client only read. A test may give
// `route`, asked first for every request (computed answers); writes (PATCH, POST, DELETE) it
// leaves go to `onWrite`, which sees the body and may change the recorded answers (they are read
// on every request), and answer 405 without it. `portForward` serves pod port-forwards.
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as net from "net";
import * as path from "path";
import { WebSocketServer } from "ws";
import { stringify } from "yaml";
import { TestPki } from "./x509";

export interface RecordedAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly accept: string;
  /** `client-certificate <CN>`, `token`, or `none`. */
  readonly auth: string;
  /** Writes only: the Content-Type. */
  readonly contentType?: string;
  /** The body of a request that had one, parsed as JSON (the text when it is not JSON). */
  readonly body?: unknown;
}

/** A request as a `route` function sees it. */
export interface FakeRequest {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body?: unknown;
}

/** A write the fake received (authorized); answer it, or undefined for 405. */
export type WriteHandler = (request: {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: unknown;
}) => RecordedAnswer | undefined;

export interface FakeKubeApi {
  readonly url: string;
  readonly requests: readonly SeenRequest[];
  close(): Promise<void>;
}

export interface FakeKubeApiOptions {
  readonly pki: TestPki;
  /** Path (with query) → body answered with 200, or `{ status, body }`. */
  readonly answers: Record<string, unknown>;
  /** Bearer tokens the server accepts; client certificates signed by the CA are always accepted. */
  readonly tokens?: readonly string[];
  /**
   * Answers computed per request (any method), asked before `answers` and `onWrite`: for lists
   * filtered by label selector and for objects that change as a test goes on. Undefined falls
   * through.
   */
  readonly route?: (req: FakeRequest) => RecordedAnswer | undefined;
  /** Writes `route` left unanswered; undefined answers 405. */
  readonly onWrite?: WriteHandler;
  /**
   * Pod port-forwards (`/api/v1/namespaces/<ns>/pods/<pod>/portforward?ports=<port>`, WebSocket,
   * channel protocol v4): the 127.0.0.1 port a forward to that pod reaches now, or undefined (404).
   */
  readonly portForward?: (namespace: string, pod: string, port: number) => number | undefined;
}

const FIXTURES = path.resolve(__dirname, "../fixtures/preflight");

/** The recorded answers of a fixture file in test/fixtures/preflight (a fresh copy). */
export function recordedAnswers(file: string): Record<string, unknown> {
  const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as {
    answers: Record<string, unknown>;
  };
  return doc.answers;
}

export function status(code: number, reason: string, message: string): RecordedAnswer {
  return {
    status: code,
    body: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    },
  };
}

function isRecorded(v: unknown): v is RecordedAnswer {
  return (
    typeof v === "object" &&
    v !== null &&
    "status" in v &&
    "body" in v &&
    Object.keys(v).length === 2
  );
}

export function startFakeKubeApi(options: FakeKubeApiOptions): Promise<FakeKubeApi> {
  const requests: SeenRequest[] = [];
  const server = https.createServer(
    {
      cert: options.pki.server.certPem,
      key: options.pki.server.keyPem,
      ca: options.pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON: keep the text.
          body = text;
        }
        const answer = respond(req, body);
        res.writeHead(answer.status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(answer.body));
      });
    },
  );
  function respond(req: import("http").IncomingMessage, body: unknown): RecordedAnswer {
    const socket = req.socket as import("tls").TLSSocket;
    const peer = socket.getPeerCertificate();
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const auth =
      socket.authorized && peer?.subject
        ? `client-certificate ${peer.subject.CN}`
        : bearer !== undefined
          ? "token"
          : "none";
    const method = req.method ?? "";
    const write = method !== "GET";
    const contentType = req.headers["content-type"] ?? "";
    requests.push({
      method,
      path: req.url ?? "",
      accept: req.headers.accept ?? "",
      auth,
      ...(write ? { contentType } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const authorized =
      socket.authorized || (bearer !== undefined && (options.tokens ?? []).includes(bearer));
    if (!authorized) return status(401, "Unauthorized", "Unauthorized");
    const url = new URL(req.url ?? "/", "https://fake");
    const routed = options.route?.({
      method,
      path: url.pathname,
      query: url.searchParams,
      ...(body !== undefined ? { body } : {}),
    });
    if (routed !== undefined) return routed;
    if (write)
      return (
        options.onWrite?.({ method, path: req.url ?? "", contentType, body }) ??
        status(405, "MethodNotAllowed", "the fake API only answers GET")
      );
    const recorded = options.answers[req.url ?? ""];
    return recorded === undefined
      ? status(404, "NotFound", `the server could not find the requested resource (${req.url})`)
      : isRecorded(recorded)
        ? recorded
        : { status: 200, body: recorded };
  }
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => "v4.channel.k8s.io" });
  server.on("upgrade", (req, socket, head) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\?ports=(\d+)$/.exec(
      req.url ?? "",
    );
    const authorized = (req.socket as import("tls").TLSSocket).authorized;
    requests.push({
      method: "GET",
      path: req.url ?? "",
      accept: req.headers.accept ?? "",
      auth: authorized ? "client-certificate" : "none",
    });
    const to = m && authorized ? options.portForward?.(m[1], m[2], Number(m[3])) : undefined;
    if (!m || to === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Channel 0 carries data, channel 1 errors; each starts with the port (2 bytes, LE).
      const port = Buffer.alloc(2);
      port.writeUInt16LE(Number(m[3]));
      ws.send(Buffer.concat([Buffer.from([0]), port]));
      ws.send(Buffer.concat([Buffer.from([1]), port]));
      const tcp = net.connect(to, "127.0.0.1");
      tcp.on("data", (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
      tcp.on("error", () => ws.close());
      tcp.on("close", () => ws.close());
      ws.on("message", (d: Buffer) => {
        if (d[0] === 0) tcp.write(d.subarray(1));
      });
      ws.on("close", () => tcp.destroy());
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `https://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise((done) => {
            for (const ws of wss.clients) ws.terminate();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A kubeconfig for the fake server: client certificate, bearer token, or nothing. */
export function fakeKubeconfig(
  server: string,
  pki: TestPki,
  user: { clientCert?: string } | { token: string } | Record<string, never>,
  cluster = "test",
): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const creds =
    "clientCert" in user && user.clientCert
      ? (() => {
          const c = pki.client(user.clientCert);
          return { "client-certificate-data": b64(c.certPem), "client-key-data": b64(c.keyPem) };
        })()
      : "token" in user
        ? { token: user.token }
        : {};
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: cluster, cluster: { server, "certificate-authority-data": b64(pki.ca.certPem) } },
    ],
    users: [{ name: `${cluster}-user`, user: creds }],
    contexts: [{ name: cluster, context: { cluster, user: `${cluster}-user` } }],
    "current-context": cluster,
  });
}
