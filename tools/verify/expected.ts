// What `verify` expects to find, from the stack's config and its outputs: the host names and
// their static IPs, the routes, the HA workloads (namespace, pod labels, replicas), the
// LoadBalancer Services and the databases. Names come from the areas' own naming modules, so a
// rename there moves verify with it. Pure.
import { SiteConfig } from "../../config/site";
import { envoyPodLabels, NAMESPACES } from "../../components/ingress/model";
import { databaseNames } from "../../components/postgres/names";
import { synchronousNumber } from "../../components/postgres/quorum";
import { podLabels } from "../../components/reporting/model";
import { StackOutputs } from "../site/outputs";

/**
 * The node label naming the physical host (components/types.ts PHYSICAL_HOST_LABEL; not imported
 * from there, which loads the Pulumi SDK; test/verify/expected.test.ts keeps the two equal).
 */
export const PHYSICAL_HOST_LABEL = "topology.kubernetes.io/zone";

export interface HostExpectation {
  readonly cluster: string;
  readonly address: string;
  readonly fqdn: string;
  /** The static IP the name must resolve to. */
  readonly ip: string;
  readonly issuer: "site-ca" | "acme";
  /** PEM of the site CA (issuer site-ca). */
  readonly caPem?: string;
}

export interface RouteExpectation {
  readonly service: string;
  readonly fqdn: string;
  readonly pathPrefix: string;
}

export interface WorkloadExpectation {
  readonly cluster: string;
  /** e.g. `gateway reports`, `service report-web`, `database reporting instances`. */
  readonly subject: string;
  readonly kind: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Pods that must be ready, each on its own physical host as far as hosts allow. */
  readonly replicas: number;
}

export interface LoadBalancerExpectation {
  readonly cluster: string;
  readonly address: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip: string;
}

export interface DatabaseExpectation {
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  /** CNPG Cluster name. */
  readonly clusterName: string;
  readonly objectStore: string;
  readonly scheduledBackup: string;
  readonly backupServerName: string;
  readonly instances: number;
  readonly synchronous: number;
  /** Six-field cron of the base backups (config; the live ScheduledBackup wins when readable). */
  readonly schedule: string;
  /** The zone the schedule fires in: plant:site.timeZone, where the CNPG operator runs. */
  readonly timeZone: string;
}

export interface Expectations {
  readonly hosts: readonly HostExpectation[];
  readonly routes: readonly RouteExpectation[];
  readonly graphqlEndpoint?: string;
  readonly workloads: readonly WorkloadExpectation[];
  readonly loadBalancers: readonly LoadBalancerExpectation[];
  readonly databases: readonly DatabaseExpectation[];
}

/** `pod-label-selector` text for the API: `a=b,c=d`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export function expectations(site: SiteConfig, outputs: StackOutputs): Expectations {
  const hosts: HostExpectation[] = [];
  const workloads: WorkloadExpectation[] = [];
  const loadBalancers: LoadBalancerExpectation[] = [];
  for (const c of site.clusters) {
    const out = outputs.clusters[c.name];
    if (!c.ingress || !out?.ingress) continue;
    const issuer = c.ingress.tls.issuer;
    for (const a of out.ingress.addresses) {
      for (const fqdn of a.hostnames)
        hosts.push({
          cluster: c.name,
          address: a.name,
          fqdn,
          ip: a.ip,
          issuer,
          ...(issuer === "site-ca" ? { caPem: out.ingress.caCertificate } : {}),
        });
      const labels = envoyPodLabels(a.name);
      workloads.push({
        cluster: c.name,
        subject: `gateway ${a.name}`,
        kind: "Envoy proxy",
        namespace: NAMESPACES.envoyGateway,
        labels,
        replicas: c.ingress.gatewayReplicas,
      });
      loadBalancers.push({
        cluster: c.name,
        address: a.name,
        namespace: NAMESPACES.envoyGateway,
        // The Service Envoy Gateway makes for the Gateway carries the owning-gateway labels.
        labels: Object.fromEntries(
          Object.entries(labels).filter(([k]) => k.startsWith("gateway.envoyproxy.io/")),
        ),
        ip: a.ip,
      });
    }
  }
  const fqdnOf = (h: string) => (h.includes(".") ? h : `${h}.${site.site.domain}`);
  const routes: RouteExpectation[] = site.services.flatMap((s) =>
    s.routes.map((r) => ({ service: s.name, fqdn: fqdnOf(r.hostname), pathPrefix: r.pathPrefix })),
  );
  for (const s of site.services)
    workloads.push({
      cluster: s.cluster,
      subject: `service ${s.name}`,
      kind: "Deployment",
      namespace: s.name,
      labels: podLabels(s.name, "server"),
      replicas: s.replicas.min,
    });
  const databases: DatabaseExpectation[] = [];
  for (const db of site.databases) {
    const names = databaseNames(db);
    workloads.push({
      cluster: db.cluster,
      subject: `database ${db.name} instances`,
      kind: "CNPG instance",
      namespace: names.namespace,
      labels: { "cnpg.io/cluster": names.cluster, "cnpg.io/podRole": "instance" },
      replicas: db.instances,
    });
    for (const pooler of [names.poolerRw, names.poolerRo])
      workloads.push({
        cluster: db.cluster,
        subject: `pooler ${pooler}`,
        kind: "PgBouncer",
        namespace: names.namespace,
        labels: { "cnpg.io/poolerName": pooler },
        replicas: db.pooler.instances,
      });
    databases.push({
      name: db.name,
      cluster: db.cluster,
      namespace: names.namespace,
      clusterName: names.cluster,
      objectStore: names.objectStore,
      scheduledBackup: names.scheduledBackup,
      backupServerName: outputs.databases[db.name]?.backupServerName ?? db.name,
      instances: db.instances,
      synchronous: synchronousNumber(db.instances, site.site.failuresTolerated),
      schedule: db.backup.schedule,
      timeZone: site.site.timeZone,
    });
  }
  return {
    hosts,
    routes,
    ...(outputs.graphqlEndpoint ? { graphqlEndpoint: outputs.graphqlEndpoint } : {}),
    workloads,
    loadBalancers,
    databases,
  };
}
