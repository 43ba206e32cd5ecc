// Reads a kubeconfig into what one HTTPS connection needs. Supported: the current context's
// cluster (`server`, `certificate-authority(-data)`, `insecure-skip-tls-verify`,
// `tls-server-name`) and user authenticated by a client certificate (`client-certificate(-data)` +
// `client-key(-data)`), a bearer token (`token`, `tokenFile`), basic auth (`username`/`password`)
// or an exec credential plugin (`exec`, client.authentication.k8s.io v1/v1beta1). Refused with a
// clear message: `auth-provider` (legacy GCP/Azure/OIDC plugins) and `proxy-url`.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly apiVersion: string;
}

export type Credentials =
  | { readonly kind: "client-certificate"; readonly cert: Buffer; readonly key: Buffer }
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "none" };

export interface Connection {
  readonly context: string;
  readonly server: string;
  /** PEM bundle of the cluster CA; undefined uses the system's trust store. */
  readonly ca?: Buffer;
  readonly insecure: boolean;
  readonly tlsServerName?: string;
  /** Static credentials, or an exec plugin to run for them. */
  readonly credentials: Credentials;
  readonly exec?: ExecConfig;
  /** How the kubeconfig authenticates, for the report (never the secret itself). */
  readonly authForm: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function named(list: unknown, name: string, what: string): Obj {
  const found = Array.isArray(list) ? list.find((e) => isObj(e) && e.name === name) : undefined;
  if (!isObj(found) || !isObj(found[what]))
    throw new KubeconfigError(`the kubeconfig has no ${what} named '${name}'`);
  return found[what] as Obj;
}

/** `<field>-data` (base64) or `<field>` (a file, relative to the kubeconfig's folder). */
function material(section: Obj, field: string, baseDir: string): Buffer | undefined {
  const data = section[`${field}-data`];
  if (typeof data === "string" && data.length > 0) return Buffer.from(data, "base64");
  const file = section[field];
  if (typeof file === "string" && file.length > 0) {
    const full = path.resolve(baseDir, file);
    try {
      return fs.readFileSync(full);
    } catch (e) {
      throw new KubeconfigError(
        `${field} file ${full} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
  return undefined;
}

function execConfig(exec: Obj): ExecConfig {
  if (typeof exec.command !== "string" || exec.command.length === 0)
    throw new KubeconfigError("the user's exec plugin has no command");
  const env: Record<string, string> = {};
  for (const e of Array.isArray(exec.env) ? exec.env : []) {
    if (isObj(e) && typeof e.name === "string") env[e.name] = String(e.value ?? "");
  }
  return {
    command: exec.command,
    args: Array.isArray(exec.args) ? exec.args.map(String) : [],
    env,
    apiVersion:
      typeof exec.apiVersion === "string" ? exec.apiVersion : "client.authentication.k8s.io/v1",
  };
}

function userCredentials(
  user: Obj,
  baseDir: string,
): { credentials: Credentials; exec?: ExecConfig; authForm: string } {
  if (isObj(user["auth-provider"])) {
    const name = String((user["auth-provider"] as Obj).name ?? "?");
    throw new KubeconfigError(
      `the user authenticates with auth-provider '${name}', which preflight does not support; use a kubeconfig with a client certificate, a token or an exec plugin`,
    );
  }
  const cert = material(user, "client-certificate", baseDir);
  const key = material(user, "client-key", baseDir);
  if (cert && key)
    return {
      credentials: { kind: "client-certificate", cert, key },
      authForm: "client certificate",
    };
  if (cert || key)
    throw new KubeconfigError(
      "the user has a client certificate without its key (or a key without its certificate)",
    );
  if (typeof user.token === "string" && user.token.length > 0)
    return { credentials: { kind: "token", token: user.token }, authForm: "bearer token" };
  if (typeof user.tokenFile === "string" && user.tokenFile.length > 0) {
    const file = path.resolve(baseDir, user.tokenFile);
    try {
      return {
        credentials: { kind: "token", token: fs.readFileSync(file, "utf8").trim() },
        authForm: "bearer token (tokenFile)",
      };
    } catch (e) {
      throw new KubeconfigError(
        `tokenFile ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`,
      );
    }
  }
  if (typeof user.username === "string" && typeof user.password === "string")
    return {
      credentials: { kind: "basic", username: user.username, password: user.password },
      authForm: "basic auth",
    };
  if (isObj(user.exec)) {
    const exec = execConfig(user.exec);
    return {
      credentials: { kind: "none" },
      exec,
      authForm: `exec plugin ${path.basename(exec.command)}`,
    };
  }
  return { credentials: { kind: "none" }, authForm: "no credentials" };
}

/** Parses a kubeconfig (its text) for its current context. `baseDir` resolves relative file paths. */
export function parseKubeconfig(text: string, baseDir: string): Connection {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new KubeconfigError(
      `the kubeconfig is not valid YAML (${(e as Error).message.split("\n")[0]})`,
    );
  }
  if (!isObj(doc)) throw new KubeconfigError("the kubeconfig is not a YAML mapping");
  const contexts = Array.isArray(doc.contexts) ? doc.contexts : [];
  let context = typeof doc["current-context"] === "string" ? doc["current-context"] : "";
  if (!context) {
    if (contexts.length !== 1 || !isObj(contexts[0]) || typeof contexts[0].name !== "string")
      throw new KubeconfigError("the kubeconfig has no current-context");
    context = contexts[0].name;
  }
  const ctx = named(contexts, context, "context");
  const cluster = named(doc.clusters, String(ctx.cluster ?? ""), "cluster");
  const user = ctx.user === undefined ? {} : named(doc.users, String(ctx.user), "user");
  if (typeof cluster.server !== "string" || !/^https?:\/\//.test(cluster.server))
    throw new KubeconfigError(`cluster '${String(ctx.cluster)}' has no https:// server address`);
  if (cluster["proxy-url"] !== undefined)
    throw new KubeconfigError(
      "the cluster is reached through proxy-url, which preflight does not support",
    );
  const ca = material(cluster, "certificate-authority", baseDir);
  const auth = userCredentials(user, baseDir);
  return {
    context,
    server: cluster.server.replace(/\/+$/, ""),
    ...(ca ? { ca } : {}),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    ...(typeof cluster["tls-server-name"] === "string"
      ? { tlsServerName: cluster["tls-server-name"] }
      : {}),
    ...auth,
  };
}

/** Runs the exec plugin and returns the credentials it prints (an ExecCredential). */
export function runExecPlugin(exec: ExecConfig, timeoutMs: number): Promise<Credentials> {
  const execInfo = JSON.stringify({
    apiVersion: exec.apiVersion,
    kind: "ExecCredential",
    spec: { interactive: false },
  });
  return new Promise((resolve, reject) => {
    execFile(
      exec.command,
      [...exec.args],
      {
        env: { ...process.env, ...exec.env, KUBERNETES_EXEC_INFO: execInfo },
        timeout: timeoutMs,
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const why =
            (error as NodeJS.ErrnoException).code === "ENOENT"
              ? "not found"
              : String(stderr).trim().split("\n")[0] || error.message;
          reject(new KubeconfigError(`exec plugin ${exec.command} failed: ${why}`));
          return;
        }
        let status: Obj | undefined;
        try {
          const parsed = JSON.parse(String(stdout)) as Obj;
          status = isObj(parsed.status) ? parsed.status : undefined;
        } catch {
          status = undefined;
        }
        if (status && typeof status.token === "string")
          resolve({ kind: "token", token: status.token });
        else if (
          status &&
          typeof status.clientCertificateData === "string" &&
          typeof status.clientKeyData === "string"
        )
          resolve({
            kind: "client-certificate",
            cert: Buffer.from(status.clientCertificateData),
            key: Buffer.from(status.clientKeyData),
          });
        else
          reject(
            new KubeconfigError(
              `exec plugin ${exec.command} printed no ExecCredential with a token or a client certificate`,
            ),
          );
      },
    );
  });
}
