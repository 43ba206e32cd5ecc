// Kubernetes clients for the post-deploy commands, through the kept client
// (@kubernetes/client-node): a kubeconfig's text → API clients, and one line saying why a call
// failed (network, TLS, HTTP status) without a stack trace. Errors are read by shape, not by
// `instanceof`: the client may come from another realm (jest loads it through Node's own require).
import * as k8s from "@kubernetes/client-node";
import { TLS_CODES } from "./tls-codes";

export interface KubeClients {
  readonly config: k8s.KubeConfig;
  /** The API server address of the current context, for messages. */
  readonly server: string;
  readonly core: k8s.CoreV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly batch: k8s.BatchV1Api;
}

/** A kubeconfig that cannot be used (unparsable, no current context, no server). */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

/** Clients for the current context of a kubeconfig given as text (a stack output or a file). */
export function kubeClients(kubeconfigText: string): KubeClients {
  const config = new k8s.KubeConfig();
  try {
    config.loadFromString(kubeconfigText);
  } catch (e) {
    throw new KubeconfigError(`the kubeconfig cannot be read (${messageOf(e).split("\n")[0]})`);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) throw new KubeconfigError("the kubeconfig has no current cluster server");
  return {
    config,
    server: cluster.server,
    core: config.makeApiClient(k8s.CoreV1Api),
    custom: config.makeApiClient(k8s.CustomObjectsApi),
    batch: config.makeApiClient(k8s.BatchV1Api),
  };
}

export function messageOf(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String(e.message);
  return String(e);
}

/** The HTTP status of an API answer that was an error, or undefined for network failures. */
export function httpStatusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

export const isNotFound = (e: unknown): boolean => httpStatusOf(e) === 404;
export const isConflict = (e: unknown): boolean => httpStatusOf(e) === 409;

/** One line: why a call to the API server `server` failed. */
export function kubeErrorReason(e: unknown, server: string): string {
  const status = httpStatusOf(e);
  if (status !== undefined) {
    const body = (e as { body?: unknown }).body;
    let message: string | undefined;
    try {
      const parsed = typeof body === "string" ? (JSON.parse(body) as unknown) : body;
      const m = (parsed as { message?: unknown } | undefined)?.message;
      if (typeof m === "string") message = m;
    } catch {
      // Not a Kubernetes Status body.
    }
    const hint =
      status === 401
        ? " (the kubeconfig's credentials were refused)"
        : status === 403
          ? " (the kubeconfig's user may not do this)"
          : "";
    return `${server} answered ${status}${message ? `: ${message}` : ""}${hint}`;
  }
  const code = String((e as { code?: unknown } | null)?.code ?? "");
  if (TLS_CODES.has(code))
    return `TLS: ${server} presented a certificate the kubeconfig's certificate authority does not trust (${code})`;
  if (code === "ECONNREFUSED") return `cannot connect to ${server}: connection refused`;
  if (code === "ETIMEDOUT" || code === "SITE_TIMEOUT")
    return `cannot connect to ${server}: timed out`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve the host of ${server}`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return `cannot reach ${server}: no route to host`;
  return `cannot talk to ${server}: ${messageOf(e).split("\n")[0]}`;
}

/** `promise`, or a rejection with code SITE_TIMEOUT after `ms` (the call itself is abandoned). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e: NodeJS.ErrnoException = new Error(`${what}: no answer within ${ms / 1000} s`);
      e.code = "SITE_TIMEOUT";
      reject(e);
    }, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
