// The checks a browser would make, through Node's own DNS, TLS and HTTP clients: each host name
// resolves to its static IP; TLS through that IP chains to the site CA (or, for ACME, the system's
// roots), covers the name and is not near expiry; the HTTP listener redirects to HTTPS; each route
// answers; the GraphQL endpoint answers a trivial query.
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { CheckResult } from "../site/report";
import { HostExpectation, RouteExpectation } from "./expected";

export interface NetOptions {
  /** `--resolve host=ip`: answers instead of DNS (before DNS is pointed at the static IPs). */
  readonly resolve: ReadonlyMap<string, string>;
  /** The system resolver (dns.promises.lookup with all: true); tests give a table. */
  readonly lookup: (host: string) => Promise<string[]>;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly timeoutMs: number;
  readonly now: Date;
  /** A certificate with fewer days left is a warning. */
  readonly warnDays: number;
}

export const RUNBOOK = {
  dns: "docs/verify.md#dns",
  tls: "docs/verify.md#tls",
  redirect: "docs/verify.md#routes",
  route: "docs/verify.md#routes",
  graphql: "docs/verify.md#graphql",
} as const;

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ETIMEDOUT: "timed out",
  VERIFY_TIMEOUT: "timed out",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
};

/** unreachable (with why) for network errors, fail otherwise. */
function errorResult(
  base: Omit<CheckResult, "status" | "detail">,
  where: string,
  e: NodeJS.ErrnoException,
): CheckResult {
  const why = NETWORK_CODES[e.code ?? ""];
  if (why) return { ...base, status: "unreachable", detail: `${where}: ${why}` };
  return {
    ...base,
    status: "fail",
    detail: `${where}: ${e.code ? `${e.code}: ` : ""}${e.message}`,
  };
}

/** Does the name resolve to the static IP? Returns the IP to connect through as well. */
export async function checkDns(
  h: HostExpectation,
  opts: NetOptions,
): Promise<{ result: CheckResult; connectIp: string }> {
  const base = {
    area: "dns",
    subject: h.fqdn,
    object: `static address ${h.address} of cluster ${h.cluster}`,
    runbook: RUNBOOK.dns,
  };
  const override = opts.resolve.get(h.fqdn);
  let answers: string[];
  let how: string;
  if (override !== undefined) {
    answers = [override];
    how = "--resolve";
  } else {
    how = "DNS";
    try {
      answers = await opts.lookup(h.fqdn);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      return {
        result: {
          ...base,
          status: "fail",
          detail: `does not resolve (${code}); point it at ${h.ip}, or check before that with --resolve ${h.fqdn}=${h.ip}`,
        },
        connectIp: h.ip,
      };
    }
  }
  const connectIp = override ?? h.ip;
  if (answers.includes(h.ip))
    return {
      result: { ...base, status: "ok", detail: `${how}: ${answers.join(", ")}` },
      connectIp,
    };
  return {
    result: {
      ...base,
      status: "fail",
      detail: `${how} answers ${answers.join(", ")}, not the static IP ${h.ip}`,
    },
    connectIp,
  };
}

function daysLeft(validTo: string, now: Date): number {
  return Math.floor((new Date(validTo).getTime() - now.getTime()) / 86400_000);
}

function trustOf(h: HostExpectation): { ca?: string; what: string } {
  return h.issuer === "site-ca" && h.caPem
    ? { ca: h.caPem, what: "the site CA" }
    : { what: "the system's trusted roots (ACME)" };
}

/** TLS through `ip`: chain, name, days to expiry. */
export function checkTls(h: HostExpectation, ip: string, opts: NetOptions): Promise<CheckResult> {
  const trust = trustOf(h);
  const base = {
    area: "tls",
    subject: h.fqdn,
    object: `certificate ${h.fqdn} (Secret plant-gateways/${h.fqdn}-tls, cluster ${h.cluster})`,
    runbook: RUNBOOK.tls,
  };
  const where = `${ip}:${opts.httpsPort}`;
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: ip,
      port: opts.httpsPort,
      servername: h.fqdn,
      ...(trust.ca ? { ca: trust.ca } : {}),
      // Judged below, so the report can say what is wrong instead of only that it failed.
      rejectUnauthorized: false,
      timeout: opts.timeoutMs,
    });
    socket.once("timeout", () => {
      const e: NodeJS.ErrnoException = new Error("timed out");
      e.code = "VERIFY_TIMEOUT";
      socket.destroy(e);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(errorResult(base, where, e)));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const authError = socket.authorizationError as unknown as Error | string | null;
      socket.end();
      if (!cert || !cert.valid_to) {
        resolve({ ...base, status: "fail", detail: `${where} presented no certificate` });
        return;
      }
      const days = daysLeft(cert.valid_to, opts.now);
      const issuer = cert.issuer?.CN ? ` (issuer ${cert.issuer.CN})` : "";
      const authCode = authError ? String((authError as { code?: string }).code ?? authError) : "";
      // A certificate for other names is judged below, with the names it does cover.
      if (authError && authCode !== "ERR_TLS_CERT_ALTNAME_INVALID") {
        const detail =
          authCode === "CERT_HAS_EXPIRED"
            ? `expired ${-days} days ago${issuer}`
            : `does not chain to ${trust.what} (${authCode})${issuer}`;
        resolve({ ...base, status: "fail", detail });
        return;
      }
      const nameError = tls.checkServerIdentity(h.fqdn, cert);
      if (nameError) {
        resolve({
          ...base,
          status: "fail",
          detail: `does not cover ${h.fqdn} (names: ${cert.subjectaltname ?? "none"})${issuer}`,
        });
        return;
      }
      const detail = `chains to ${trust.what}, covers the name, ${days} days left${issuer}`;
      resolve({ ...base, status: days < opts.warnDays ? "warn" : "ok", detail });
    });
  });
}

interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
  readonly ms: number;
}

function request(
  url: URL,
  ip: string,
  opts: NetOptions,
  ca: string | undefined,
  method = "GET",
  body?: string,
): Promise<Answer> {
  const started = Date.now();
  const isHttps = url.protocol === "https:";
  const options: https.RequestOptions = {
    host: ip,
    port: isHttps ? opts.httpsPort : opts.httpPort,
    path: `${url.pathname}${url.search}`,
    method,
    headers: {
      Host: url.host,
      "User-Agent": "plant-verify",
      ...(body !== undefined
        ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }
        : {}),
    },
    timeout: opts.timeoutMs,
    ...(isHttps ? { servername: url.hostname, ...(ca ? { ca } : {}) } : {}),
    agent: false,
  };
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => {
        if (chunks.length < 64) chunks.push(c);
      });
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(typeof res.headers.location === "string" ? { location: res.headers.location } : {}),
          body: Buffer.concat(chunks).toString("utf8"),
          ms: Date.now() - started,
        }),
      );
    });
    req.on("timeout", () => {
      const e: NodeJS.ErrnoException = new Error("timed out");
      e.code = "VERIFY_TIMEOUT";
      req.destroy(e);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The HTTP listener of a static address sends every request to HTTPS. */
export async function checkRedirect(
  h: HostExpectation,
  ip: string,
  opts: NetOptions,
): Promise<CheckResult> {
  const base = {
    area: "redirect",
    subject: `http://${h.fqdn}/`,
    object: `HTTPRoute plant-gateways/${h.address}-https-redirect (cluster ${h.cluster})`,
    runbook: RUNBOOK.redirect,
  };
  try {
    const a = await request(new URL(`http://${h.fqdn}/`), ip, opts, undefined);
    const ok = a.status >= 300 && a.status < 400 && a.location?.startsWith(`https://${h.fqdn}`);
    return {
      ...base,
      status: ok ? "ok" : "fail",
      detail: ok
        ? `${a.status} → ${a.location}`
        : `answered ${a.status}${a.location ? ` → ${a.location}` : ""}, not a redirect to https://${h.fqdn}`,
    };
  } catch (e) {
    return errorResult(base, `${ip}:${opts.httpPort}`, e as NodeJS.ErrnoException);
  }
}

/**
 * A route answers when the gateway routes it to a ready backend: any status below 500 except 404
 * (no route for the host and path) and 421 (no listener for the name) counts. 401/403 count:
 * the route has an authentication filter, and it answered.
 */
export async function checkRoute(
  r: RouteExpectation,
  host: HostExpectation,
  ip: string,
  opts: NetOptions,
): Promise<CheckResult> {
  const url = new URL(`https://${r.fqdn}${r.pathPrefix}`);
  const base = {
    area: "route",
    subject: url.toString(),
    object: `HTTPRoute and Deployment of service ${r.service} (namespace ${r.service})`,
    runbook: RUNBOOK.route,
  };
  try {
    const a = await request(url, ip, opts, trustOf(host).ca);
    if (a.status >= 500)
      return {
        ...base,
        status: "fail",
        detail: `answered ${a.status} in ${a.ms} ms: the gateway has no ready backend for it`,
      };
    if (a.status === 404 || a.status === 421)
      return {
        ...base,
        status: "fail",
        detail: `answered ${a.status}: the gateway has no route for this host and path`,
      };
    return { ...base, status: "ok", detail: `${a.status} in ${a.ms} ms` };
  } catch (e) {
    return errorResult(base, `${ip}:${opts.httpsPort}`, e as NodeJS.ErrnoException);
  }
}

/** POST `{ __typename }` to the GraphQL endpoint; a GraphQL server answers `data.__typename`. */
export async function checkGraphql(
  endpoint: string,
  host: HostExpectation,
  ip: string,
  opts: NetOptions,
): Promise<CheckResult> {
  const base = {
    area: "graphql",
    subject: endpoint,
    object: "service report-api (namespace report-api)",
    runbook: RUNBOOK.graphql,
  };
  try {
    const a = await request(
      new URL(endpoint),
      ip,
      opts,
      trustOf(host).ca,
      "POST",
      JSON.stringify({ query: "{ __typename }" }),
    );
    let typename: unknown;
    try {
      typename = (JSON.parse(a.body) as { data?: { __typename?: unknown } }).data?.__typename;
    } catch {
      typename = undefined;
    }
    if (a.status === 200 && typeof typename === "string")
      return { ...base, status: "ok", detail: `__typename ${typename} in ${a.ms} ms` };
    return {
      ...base,
      status: "fail",
      detail: `answered ${a.status} without data.__typename (${a.body.slice(0, 80).replace(/\s+/g, " ")})`,
    };
  } catch (e) {
    return errorResult(base, `${ip}:${opts.httpsPort}`, e as NodeJS.ErrnoException);
  }
}
