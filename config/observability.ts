// `plant:observability`: the monitoring stack of every cluster (kube-prometheus-stack), where its
// alerts go and how it reaches the R620s' BMCs. Formats here (schema); relations in
// observabilityProblems. Secrets are never values here, only the names of secret config keys.
import { z } from "zod";
import type { ParsedSite } from "./schema";

const dnsLabel = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
    "must be a lowercase DNS label (a-z, 0-9, '-', ≤ 40)",
  );
const storageSize = z.string().regex(/^[1-9][0-9]*(Mi|Gi|Ti)$/, "must be a size like 50Gi");
/** A secret config key name, as `pulumi config set --secret plant:<key>` takes it. */
const secretKey = z
  .string()
  .regex(/^[a-z][-a-z0-9]{0,62}$/, "must be a config key name (a-z, 0-9, '-')");
/** Prometheus durations (retention): a number and one unit. */
const retention = z.string().regex(/^[1-9][0-9]*(h|d|w|y)$/, "must be a duration like 15d or 4w");
const email = z.email();
/** `host:port` of an SMTP server, as Alertmanager's smarthost wants it. */
const smarthost = z
  .string()
  .regex(
    /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:[1-9][0-9]{0,4}$/,
    "must be host:port of the SMTP server (e.g. smtp.busche-cnc.com:587)",
  );

export const OBSERVABILITY_DEFAULTS = {
  prometheusRetention: "15d",
  prometheusStorage: "50Gi",
  alertmanagerReplicas: 2,
  alertmanagerStorage: "2Gi",
  bmcUsernameKey: "bmc-username",
  bmcPasswordKey: "bmc-password",
} as const;

export const observabilitySchema = z.strictObject({
  /**
   * The cluster that runs Grafana, the hardware and blackbox exporters and the site's alert
   * view; it must have an ingress. Default: the first cluster with an ingress that hosts a
   * database, else the first cluster with an ingress (with no ingress anywhere: the first
   * cluster with a database, else the first cluster, and Grafana is reached in-cluster only).
   */
  hub: dnsLabel.optional(),
  prometheus: z
    .strictObject({
      /** How long samples are kept. Default 15d. */
      retention: retention.default(OBSERVABILITY_DEFAULTS.prometheusRetention),
      /** Each replica's volume. Default 50Gi on the cluster's storage class. */
      storage: z
        .strictObject({
          size: storageSize.default(OBSERVABILITY_DEFAULTS.prometheusStorage),
          storageClass: z.string().min(1).optional(),
        })
        .default({ size: OBSERVABILITY_DEFAULTS.prometheusStorage }),
    })
    .default({
      retention: OBSERVABILITY_DEFAULTS.prometheusRetention,
      storage: { size: OBSERVABILITY_DEFAULTS.prometheusStorage },
    }),
  alertmanager: z
    .strictObject({
      /** Clustered replicas, each on its own physical host. Default 2, at least failuresTolerated + 1. */
      replicas: z
        .number()
        .int()
        .min(2, "must be at least 2 (Alertmanager runs clustered)")
        .optional(),
      storage: z
        .strictObject({ size: storageSize.default(OBSERVABILITY_DEFAULTS.alertmanagerStorage) })
        .default({ size: OBSERVABILITY_DEFAULTS.alertmanagerStorage }),
    })
    .default({ storage: { size: OBSERVABILITY_DEFAULTS.alertmanagerStorage } }),
  /** Where notifications go. Absent: alerts are only seen in Grafana (the plan warns). */
  alerts: z
    .strictObject({
      email: z
        .strictObject({
          smarthost,
          from: email,
          to: z.array(email).min(1),
          /** SMTP login; both or neither. */
          username: z.string().min(1).optional(),
          /** Secret config key with the SMTP password. */
          passwordKey: secretKey.optional(),
          /** STARTTLS required (Alertmanager's smtp_require_tls). Default true. */
          requireTls: z.boolean().default(true),
        })
        .optional(),
      /** Secret config key holding the webhook URL (it often carries a token). */
      webhook: z.strictObject({ urlKey: secretKey }).optional(),
    })
    .default({}),
  /** Redfish credentials of the R620 BMCs (iDRAC), as secret config keys; read-only users suffice. */
  bmc: z
    .strictObject({
      usernameKey: secretKey.default(OBSERVABILITY_DEFAULTS.bmcUsernameKey),
      passwordKey: secretKey.default(OBSERVABILITY_DEFAULTS.bmcPasswordKey),
    })
    .default({
      usernameKey: OBSERVABILITY_DEFAULTS.bmcUsernameKey,
      passwordKey: OBSERVABILITY_DEFAULTS.bmcPasswordKey,
    }),
});

export type ObservabilityConfig = z.infer<typeof observabilitySchema>;

/** Every default, for a site that does not set `plant:observability`. */
export const DEFAULT_OBSERVABILITY: ObservabilityConfig = observabilitySchema.parse({});

interface Problem {
  readonly key: string;
  readonly message: string;
}

const KEY = "plant:observability";
/** Every monitoring route lives under this path on a cluster's first host name. */
export const MONITORING_PATH = "/monitoring";

/**
 * The hub: configured, or the first cluster with an ingress (one with a database first). A site
 * without any ingress still monitors every cluster; its hub is then the first cluster with a
 * database (else the first cluster), and nothing of monitoring is routed.
 */
export function hubClusterName(
  site: Pick<ParsedSite, "clusters" | "databases" | "observability">,
): string | undefined {
  const configured = site.observability?.hub;
  if (configured !== undefined) return configured;
  const hasDb = (c: { name: string }) => site.databases.some((d) => d.cluster === c.name);
  const withIngress = site.clusters.filter((c) => c.ingress !== undefined);
  const candidates = withIngress.length > 0 ? withIngress : site.clusters;
  return (candidates.find(hasDb) ?? candidates[0])?.name;
}

function receiverProblems(o: ObservabilityConfig): Problem[] {
  const email = o.alerts.email;
  if (!email) return [];
  const key = `${KEY}.alerts.email`;
  if ((email.username === undefined) !== (email.passwordKey === undefined)) {
    return [
      {
        key: email.username === undefined ? `${key}.username` : `${key}.passwordKey`,
        message:
          "is needed with the other: SMTP login takes both username and passwordKey, or neither",
      },
    ];
  }
  return [];
}

function secretKeyProblems(site: ParsedSite, o: ObservabilityConfig): Problem[] {
  const keys: [string, string][] = [
    [`${KEY}.bmc.usernameKey`, o.bmc.usernameKey],
    [`${KEY}.bmc.passwordKey`, o.bmc.passwordKey],
    ...(o.alerts.email?.passwordKey
      ? [[`${KEY}.alerts.email.passwordKey`, o.alerts.email.passwordKey] as [string, string]]
      : []),
    ...(o.alerts.webhook
      ? [[`${KEY}.alerts.webhook.urlKey`, o.alerts.webhook.urlKey] as [string, string]]
      : []),
  ];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const [key, value] of keys) {
    const first = seen.get(value);
    if (first !== undefined)
      problems.push({ key, message: `'${value}' is also ${first}: each secret needs its own key` });
    else seen.set(value, key);
  }
  // A key other config already reads as a different secret would hand one credential to two uses.
  const others = new Map<string, string>();
  site.services.forEach((s, i) =>
    s.secrets.forEach((x, j) =>
      others.set(x.configKey, `plant:services[${i}].secrets[${j}].configKey`),
    ),
  );
  for (const [key, value] of keys) {
    const other = others.get(value);
    if (other !== undefined)
      problems.push({
        key,
        message: `'${value}' is already ${other}: each secret needs its own key`,
      });
  }
  return problems;
}

function hubProblems(site: ParsedSite, o: ObservabilityConfig): Problem[] {
  if (o.hub !== undefined) {
    const cluster = site.clusters.find((c) => c.name === o.hub);
    if (!cluster) return [{ key: `${KEY}.hub`, message: `names unknown cluster '${o.hub}'` }];
    if (!cluster.ingress)
      return [
        {
          key: `${KEY}.hub`,
          message: `cluster '${o.hub}' has no ingress: Grafana and the site's alert view are reached through the hub's Gateway`,
        },
      ];
  }
  return [];
}

/** Service routes must leave the monitoring path of each cluster's first host name alone. */
function pathProblems(site: ParsedSite): Problem[] {
  const problems: Problem[] = [];
  site.services.forEach((s, i) => {
    const cluster = site.clusters.find((c) => c.name === s.cluster);
    const first = cluster?.ingress?.addresses[0]?.hostnames[0];
    if (first === undefined) return;
    s.routes.forEach((r, ri) => {
      const p = r.pathPrefix.replace(/\/+$/, "");
      const clash = p === MONITORING_PATH || p.startsWith(`${MONITORING_PATH}/`);
      if (r.hostname === first && clash)
        problems.push({
          key: `plant:services[${i}].routes[${ri}].pathPrefix`,
          message: `${r.pathPrefix} on ${first} is where the cluster's monitoring is routed (${MONITORING_PATH}/); choose another path`,
        });
    });
  });
  return problems;
}

/** Relations of plant:observability with the rest of the site. */
export function observabilityProblems(site: ParsedSite): Problem[] {
  const o = site.observability ?? DEFAULT_OBSERVABILITY;
  const problems = [
    ...hubProblems(site, o),
    ...receiverProblems(o),
    ...secretKeyProblems(site, o),
    ...pathProblems(site),
  ];
  const f = site.site.failuresTolerated;
  if (o.alertmanager.replicas !== undefined && o.alertmanager.replicas < f + 1)
    problems.push({
      key: `${KEY}.alertmanager.replicas`,
      message: `is ${o.alertmanager.replicas}; surviving ${f} host failure(s) needs at least ${f + 1} on distinct hosts`,
    });
  return problems;
}

/** Prometheus replicas: two, or one more than the host failures the site tolerates. */
export function prometheusReplicas(failuresTolerated: number): number {
  return Math.max(2, failuresTolerated + 1);
}

/** Alertmanager replicas: as configured, else two or one more than the tolerated failures. */
export function alertmanagerReplicas(o: ObservabilityConfig, failuresTolerated: number): number {
  return (
    o.alertmanager.replicas ??
    Math.max(OBSERVABILITY_DEFAULTS.alertmanagerReplicas, failuresTolerated + 1)
  );
}

/** The secret config keys monitoring reads. */
export function observabilitySecretKeys(
  site: Pick<ParsedSite, "observability" | "hosts">,
): string[] {
  const o = site.observability ?? DEFAULT_OBSERVABILITY;
  return [
    ...(site.hosts.length > 0 ? [o.bmc.usernameKey, o.bmc.passwordKey] : []),
    ...(o.alerts.email?.passwordKey ? [o.alerts.email.passwordKey] : []),
    ...(o.alerts.webhook ? [o.alerts.webhook.urlKey] : []),
  ];
}
