// Parsing and checking a site's configuration, as plain data: no Pulumi import, so pure planning
// code and its tests can use it. config.ts adds reading the values from Pulumi.
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { controlPlaneCount, fqdn } from "./addresses";
import { ConfigProblem, crossSiteProblems, SiblingSite, siteProblems } from "./rules";
import { observabilitySecretKeys } from "./observability";
import { ParsedSite, rawSiteSchema } from "./schema";

export * from "./schema";
export { controlPlaneCount, fqdn } from "./addresses";

export const CONFIG_NAMESPACE = "plant";

/** A site's configuration, parsed and checked. */
export type SiteConfig = ParsedSite & {
  /** The Pulumi stack name (equal to site.name). */
  readonly stack: string;
};

/**
 * Bad configuration. Marked as Pulumi's RunError (the SDK tests this member), so `pulumi up` prints
 * the message without a stack trace.
 */
export class SiteConfigError extends Error {
  readonly __pulumiRunError = true;
  constructor(
    /** The Pulumi stack (not `stack`, which Error uses for the trace). */
    readonly stackName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Stack '${stackName}' has invalid configuration:\n` +
        problems.map((p) => `  - [${p.key}] ${p.message}`).join("\n"),
    );
    this.name = "SiteConfigError";
  }
}

function keyPath(segments: readonly PropertyKey[]): string {
  const [top, ...rest] = segments;
  let out = `${CONFIG_NAMESPACE}:${String(top ?? "")}`;
  for (const s of rest) out += typeof s === "number" ? `[${s}]` : `.${String(s)}`;
  return out;
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === "invalid_type" && issue.input === undefined)
      return { key: keyPath(issue.path), message: "is required" };
    // Show the offending value so the engineer sees what was read.
    const shown =
      typeof issue.input === "string" || typeof issue.input === "number" ? `'${issue.input}' ` : "";
    const message =
      shown && !issue.message.startsWith(String(issue.input))
        ? `${shown}${issue.message}`
        : issue.message;
    return { key: keyPath(issue.path), message };
  });
}

/** Parses raw config values (key → value) of one stack. Pure: no Pulumi calls. */
export function parseSite(
  stack: string,
  raw: Record<string, unknown>,
  siblings: readonly SiblingSite[] = [],
): SiteConfig {
  const parsed = rawSiteSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new SiteConfigError(stack, zodProblems(parsed.error));
  const site = parsed.data;
  const problems = [...siteProblems(site), ...crossSiteProblems(site, siblings)];
  if (site.site.name !== stack) {
    problems.unshift({
      key: "plant:site.name",
      message: `is '${site.site.name}' but the stack is '${stack}'`,
    });
  }
  if (problems.length > 0) throw new SiteConfigError(stack, problems);
  return { ...site, stack };
}

// Stack files already parsed, by content: every plan reads its siblings' files again (and the
// tests and the bench read the same few files hundreds of times).
const parsedStackFiles = new Map<string, Record<string, unknown>>();

/** Reads a Pulumi.<stack>.yaml file into raw site values (only `plant:` keys, no secrets). */
export function readStackFile(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, "utf8");
  let raw = parsedStackFiles.get(text);
  if (!raw) {
    raw = stackFileValues(text);
    parsedStackFiles.set(text, raw);
  }
  // A copy each time: callers may change what they get.
  return structuredClone(raw);
}

function stackFileValues(text: string): Record<string, unknown> {
  const doc = (parseYaml(text) ?? {}) as { config?: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    // `pulumi config set --secret` stores `{ secure: … }` in the same file: not site data.
    if (key.startsWith(`${CONFIG_NAMESPACE}:`) && !isSecureValue(value)) {
      raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
    }
  }
  return raw;
}

function isSecureValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

function siblingFiles(dir: string, ownStack: string): RegExpExecArray[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== ownStack)
    .sort((a, b) => a[1].localeCompare(b[1]));
}

/**
 * The other sites' stack files next to Pulumi.yaml, each parsed once: those that parse, for the
 * cross-site checks, and a problem for each that does not — skipping it would silently turn the
 * checks off, so the site is refused instead, naming the file.
 */
export function readSiblings(
  dir: string,
  ownStack: string,
): { sites: SiblingSite[]; problems: ConfigProblem[] } {
  const sites: SiblingSite[] = [];
  const problems: ConfigProblem[] = [];
  for (const m of siblingFiles(dir, ownStack)) {
    const parsed = rawSiteSchema.safeParse(readStackFile(path.join(dir, m[0])), {
      reportInput: true,
    });
    if (parsed.success) {
      sites.push({ stack: m[1], site: parsed.data });
      continue;
    }
    const first = zodProblems(parsed.error)[0];
    problems.push({
      key: m[0],
      message: `cannot be read for the cross-site checks (${first ? `[${first.key}] ${first.message}` : "invalid"}); fix that stack's file first`,
    });
  }
  return { sites, problems };
}

export function readSiblingSites(dir: string, ownStack: string): SiblingSite[] {
  return readSiblings(dir, ownStack).sites;
}

export function unreadableSiblingProblems(dir: string, ownStack: string): ConfigProblem[] {
  return readSiblings(dir, ownStack).problems;
}

/** Every secret config key a site needs. */
export function requiredSecretKeys(site: SiteConfig): string[] {
  const keys = site.clusters.flatMap((c) => (c.kind === "existing" ? [kubeconfigKey(c)] : []));
  for (const s of site.services) {
    keys.push(...s.secrets.map((x) => x.configKey));
    if (s.gateway.auth?.type === "basic") keys.push(s.gateway.auth.htpasswdKey);
  }
  keys.push(...observabilitySecretKeys(site));
  return [...new Set(keys)];
}

export function kubeconfigKey(cluster: { name: string; kubeconfigKey?: string }): string {
  return cluster.kubeconfigKey ?? `kubeconfig-${cluster.name}`;
}

/** The FQDNs an ingress address answers to. */
export function addressFqdns(site: SiteConfig, hostnames: readonly string[]): string[] {
  return hostnames.map((h) => fqdn(h, site.site.domain));
}

/** Control-plane size of an OpenStack-hosted cluster after defaults (2f+1). */
export function controlPlaneSize(
  site: SiteConfig,
  cluster: { controlPlane: { count?: number } },
): number {
  return controlPlaneCount(cluster, site.site.failuresTolerated);
}
