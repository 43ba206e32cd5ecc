// A fake Kubernetes API server on 127.0.0.1 for tests: HTTPS with a CA made in the test, client
// certificates checked against it, bearer tokens checked against a list, and recorded answers
// served by path (every other path answers 404 NotFound, as the real API does for an absent
// object). Every request is kept, so tests can assert the client only read.
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
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
  /** The JSON body of a write (POST, PUT, PATCH), parsed. */
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
   * Answers computed per request (any method), asked before `answers`: for lists filtered by
   * label selector and for objects that change as a test goes on. Undefined falls through.
   */
  readonly route?: (req: FakeRequest) => RecordedAnswer | undefined;
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
      req.on("end", () => answer(req, res, Buffer.concat(chunks).toString("utf8")));
    },
  );
  const answer = (
    req: import("http").IncomingMessage,
    res: import("http").ServerResponse,
    text: string,
  ) => {
    const socket = req.socket as import("tls").TLSSocket;
    const peer = socket.getPeerCertificate();
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const auth =
      socket.authorized && peer?.subject
        ? `client-certificate ${peer.subject.CN}`
        : bearer !== undefined
          ? "token"
          : "none";
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      accept: req.headers.accept ?? "",
      auth,
      ...(body !== undefined ? { body } : {}),
    });
    let answer: RecordedAnswer | undefined;
    const authorized =
      socket.authorized || (bearer !== undefined && (options.tokens ?? []).includes(bearer));
    const url = new URL(req.url ?? "/", "https://fake");
    if (!authorized) answer = status(401, "Unauthorized", "Unauthorized");
    else
      answer = options.route?.({
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        ...(body !== undefined ? { body } : {}),
      });
    if (answer === undefined && req.method !== "GET")
      answer = status(405, "MethodNotAllowed", "the fake API only answers GET");
    if (answer === undefined) {
      const recorded = options.answers[req.url ?? ""];
      answer =
        recorded === undefined
          ? status(404, "NotFound", `the server could not find the requested resource (${req.url})`)
          : isRecorded(recorded)
            ? recorded
            : { status: 200, body: recorded };
    }
    res.writeHead(answer.status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(answer.body));
  };
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `https://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise((done) => {
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
