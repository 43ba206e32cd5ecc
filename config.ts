// The one place that reads configuration: it reads a site's keys (namespace `plant`) from
// Pulumi once, checks every rule (config/site.ts), and hands out a typed SiteConfig and its
// secrets, or throws before any resource exists.
import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem } from "./config/rules";
import { SITE_KEYS } from "./config/schema";
import {
  CONFIG_NAMESPACE,
  parseSite,
  readSiblings,
  requiredSecretKeys,
  SiteConfig,
  SiteConfigError,
} from "./config/site";

export * from "./config/site";

/** Secret config values, read with the secret getters; components receive them typed. */
export interface SiteSecrets {
  /** The secret value of a config key; throws for a key that was not declared as needed. */
  get(key: string): pulumi.Output<string>;
  /** Keys that were missing and replaced by an offline placeholder. */
  readonly placeholders: readonly string[];
}

export interface LoadOptions {
  /** Directory holding Pulumi.yaml and the sibling stack files. */
  readonly projectDir: string;
  /** Offline plan: a missing secret gets a placeholder instead of an error. */
  readonly offline?: boolean;
}

/** Reads and checks the current stack's configuration and secrets. Throws SiteConfigError. */
export function loadSiteConfig(options: LoadOptions): { config: SiteConfig; secrets: SiteSecrets } {
  const stack = pulumi.getStack();
  const cfg = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  const unreadable: ConfigProblem[] = [];
  for (const key of SITE_KEYS) {
    try {
      const value = cfg.getObject<unknown>(key);
      if (value !== undefined) raw[key] = value;
    } catch {
      unreadable.push({
        key: `${CONFIG_NAMESPACE}:${key}`,
        message: "is not valid YAML/JSON structured config",
      });
    }
  }
  if (unreadable.length > 0) throw new SiteConfigError(stack, unreadable);
  const siblings = readSiblings(options.projectDir, stack);
  const config = parseSite(stack, raw, siblings.sites);
  if (siblings.problems.length > 0) throw new SiteConfigError(stack, siblings.problems);
  return { config, secrets: readSecrets(stack, config, options.offline ?? false) };
}

function readSecrets(stack: string, site: SiteConfig, offline: boolean): SiteSecrets {
  const cfg = new pulumi.Config(CONFIG_NAMESPACE);
  const values = new Map<string, pulumi.Output<string>>();
  const missing: string[] = [];
  for (const key of requiredSecretKeys(site)) {
    const value = cfg.getSecret(key);
    if (value !== undefined) values.set(key, value);
    else if (offline) {
      missing.push(key);
      values.set(key, pulumi.secret(`offline-placeholder-for-${key}`));
    } else missing.push(key);
  }
  if (!offline && missing.length > 0) {
    throw new SiteConfigError(
      stack,
      missing.map((key) => ({
        key: `${CONFIG_NAMESPACE}:${key}`,
        message: `is not set: run \`pulumi config set --secret ${CONFIG_NAMESPACE}:${key} ...\` -s ${stack}`,
      })),
    );
  }
  return {
    placeholders: offline ? missing : [],
    get(key: string) {
      const value = values.get(key);
      if (!value)
        throw new Error(
          `secret ${CONFIG_NAMESPACE}:${key} was not declared as required by the site config`,
        );
      return value;
    },
  };
}
