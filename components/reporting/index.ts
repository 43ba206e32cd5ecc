// The reporting services of a site (report web, GraphQL report API, gauge report and any
// other configured service): wire each to its cluster, Gateways and database roles, then
// declare one ReportingService component per service.
import { SiteConfig, SiteSecrets } from "../../config";
import { ServiceOutput } from "../../outputs";
import { ClusterAddons, gatewayFor } from "../ingress";
import { DatabasesResult } from "../postgres";
import { adoptionOptions } from "../adoption";
import { PlantCluster } from "../types";
import { ReportingService } from "./service";
import { GatewayInfo, wireServices } from "./wiring";

/** The service whose first URL is published as the GraphQL endpoint. */
export const GRAPHQL_SERVICE = "report-api";

export interface ServicesResult {
  readonly outputs: Record<string, ServiceOutput>;
  readonly graphqlEndpoint?: string;
  /** The declared components, by service name. */
  readonly components?: ReadonlyMap<string, ReportingService>;
}

export function declareServices(
  site: SiteConfig,
  secrets: SiteSecrets,
  clusters: readonly PlantCluster[],
  addons: ReadonlyMap<string, ClusterAddons>,
  databases: DatabasesResult,
): ServicesResult {
  // Every Gateway of a cluster (one per static address): a route attaches to the one whose
  // HTTPS listeners include its host name.
  const gateways = new Map<string, readonly GatewayInfo[]>();
  for (const [cluster, a] of addons) {
    if (a.ingress) gateways.set(cluster, a.ingress.gateways ?? [a.ingress.gateway]);
  }
  // Throws before any resource exists when a service cannot be wired.
  const wired = wireServices({
    domain: site.site.domain,
    timeZone: site.site.timeZone,
    services: site.services,
    clusters: new Set(clusters.map((c) => c.name)),
    gateways,
    credentials: databases.credentials,
    migrationCredentials: databases.migrationCredentials,
  });

  const byName = new Map(clusters.map((c) => [c.name, c]));
  const outputs: Record<string, ServiceOutput> = {};
  const components = new Map<string, ReportingService>();
  for (const { config, plan, urls } of wired) {
    const cluster = byName.get(config.cluster)!;
    const auth = config.gateway.auth;
    const clusterAddons = addons.get(config.cluster);
    // Wiring found a Gateway for every route's host name; gatewayFor finds the same one.
    const gatewayReadyByHost = Object.fromEntries(
      plan.routes.map((r) => [
        r.fqdn,
        (clusterAddons && gatewayFor(clusterAddons, r.fqdn)?.ready) ?? [],
      ]),
    );
    const component = new ReportingService(
      config.name,
      {
        plan,
        provider: cluster.provider,
        secretFiles: Object.fromEntries(
          config.secrets.map((s) => [s.file, secrets.get(s.configKey)]),
        ),
        databasePassword: databases.credentials.get(config.name)?.password,
        databaseCaCertificate: databases.credentials.get(config.name)?.caCertificate,
        migrationPassword: databases.migrationCredentials.get(config.name)?.password,
        migrationCaCertificate: databases.migrationCredentials.get(config.name)?.caCertificate,
        databaseReady: databases.credentials.get(config.name)?.ready ?? [],
        migrationDatabaseReady: databases.migrationCredentials.get(config.name)?.ready ?? [],
        gatewayFeatures: config.gateway,
        ...(auth?.type === "basic" ? { htpasswd: secrets.get(auth.htpasswdKey) } : {}),
        clusterReady: cluster.ready,
        gatewayReadyByHost,
      },
      adoptionOptions(site, config.cluster),
    );
    components.set(config.name, component);
    outputs[config.name] = { cluster: config.cluster, urls };
  }
  const graphqlEndpoint = outputs[GRAPHQL_SERVICE]?.urls[0];
  return { outputs, ...(graphqlEndpoint ? { graphqlEndpoint } : {}), components };
}
