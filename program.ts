// The whole site: parse config, plan, check the plan survives host failures (all before any
// resource exists), then declare each area in dependency order. index.ts and the offline plan
// both run this.
import * as pulumi from "@pulumi/pulumi";
import { loadSiteConfig, SiteConfig, SiteConfigError, SiteSecrets } from "./config";
import { declareOpenStack } from "./components/openstack";
import { identityEnvironmentProblems } from "./components/openstack/identity-plan";
import { declareClusters } from "./components/kubernetes";
import { declareClusterAddons } from "./components/ingress";
import { declareDatabases } from "./components/postgres";
import { declareServices } from "./components/reporting";
import { declareObservability } from "./components/observability";
import { FailureDomainResult } from "./planning/failure-domains";
import { checkSite } from "./planning/site-checks";
import { Placement } from "./components/openstack/placement";
import { ClusterOutput, OUTPUTS_VERSION, SiteOutputs } from "./outputs";

export interface ProgramOptions {
  /** Directory holding Pulumi.yaml and the stack files. */
  readonly projectDir: string;
  /** Offline plan: missing secrets become placeholders. */
  readonly offline?: boolean;
  /** The environment the providers will run in. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A site whose config, placement and failure domains have been checked; nothing declared yet. */
export interface PreparedSite {
  readonly config: SiteConfig;
  readonly secrets: SiteSecrets;
  readonly placement: Placement;
  readonly failureDomains: FailureDomainResult;
}

/** Every check that can refuse the site. Throws SiteConfigError; declares nothing. */
export function prepareSite(options: ProgramOptions): PreparedSite {
  const { config, secrets } = loadSiteConfig(options);
  // The provider plugins inherit this environment: OS_* credentials there would redirect the
  // platform project's provider (components/openstack/identity-plan.ts).
  const env = identityEnvironmentProblems(options.env ?? process.env, config.openstack.cloud);
  if (env.length > 0) throw new SiteConfigError(config.stack, env);
  return { config, secrets, ...checkSite(config) };
}

/** Validates everything, then declares the site. Throws before any resource exists on bad input. */
export function main(options: ProgramOptions): SiteOutputs {
  return declareSite(prepareSite(options));
}

export function declareSite(prepared: PreparedSite): SiteOutputs {
  const { config: site, secrets, placement } = prepared;
  const openstack = declareOpenStack(site, placement);
  const clusters = declareClusters(site, secrets, placement, openstack);
  const addons = new Map(clusters.map((c) => [c.name, declareClusterAddons(site, c, secrets)]));
  const databases = declareDatabases(site, clusters, addons, openstack?.objectStore);
  const services = declareServices(site, secrets, clusters, addons, databases);
  const observability = declareObservability(site, secrets, clusters, addons);

  const clusterOutputs: Record<string, ClusterOutput> = {};
  for (const c of clusters) {
    const ingress = addons.get(c.name)?.ingress;
    clusterOutputs[c.name] = {
      kind: c.kind,
      apiEndpoint: c.apiEndpoint,
      kubeconfig: pulumi.secret(c.kubeconfig),
      nodes: c.nodes.map((n) => ({ name: n.name, ip: n.ip, physicalHost: n.physicalHost })),
      ...(ingress
        ? { ingress: { addresses: ingress.addresses, caCertificate: ingress.caCertificate } }
        : {}),
    };
  }
  return {
    version: OUTPUTS_VERSION,
    site: {
      name: site.site.name,
      displayName: site.site.displayName,
      domain: site.site.domain,
      failuresTolerated: site.site.failuresTolerated,
      timeZone: site.site.timeZone,
    },
    ...(openstack ? { openstack: openstack.outputs } : {}),
    clusters: clusterOutputs,
    databases: databases.outputs,
    services: services.outputs,
    ...(services.graphqlEndpoint ? { graphqlEndpoint: services.graphqlEndpoint } : {}),
    observability,
  };
}
