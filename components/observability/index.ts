// Entry point of the observability area: one ClusterMonitoring per cluster (every cluster of the
// site is monitored and alerts on its own) and, on the hub, the SiteConsole — Grafana with a
// datasource per cluster, the dashboards, the HTTPS probes and the R620 hardware exporter.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { fqdn } from "../../config/addresses";
import { ipAdd } from "../../config/ip";
import {
  alertmanagerReplicas,
  DEFAULT_OBSERVABILITY,
  prometheusReplicas,
} from "../../config/observability";
import { SiteConfig, SiteSecrets } from "../../config";
import { ObservabilityOutput } from "../../outputs";
import { adoptionOptions } from "../adoption";
import { ClusterAddons, gatewayFor } from "../ingress";
import { databaseNames } from "../postgres/names";
import { routeName } from "../reporting/model";
import { PlantCluster } from "../types";
import { htpasswdLine, RemoteCluster } from "./access-spec";
import { alertmanagerYaml } from "./alertmanager-spec";
import { ClusterMonitoring } from "./cluster-monitoring";
import { gatewayDashboard, serviceDashboard, siteOverview } from "./dashboards";
import { hubOf, monitoringEndpoint, urlOf } from "./model";
import { ruleGroups, RuleFacts } from "./rules-spec";
import { SiteConsole } from "./site-console";
import {
  addonMonitors,
  bmcProbes,
  databaseMonitors,
  httpsProbes,
  kubeVipScrape,
  MonitorObject,
  serviceMonitors,
} from "./scrape-spec";

/** What one cluster scrapes and alerts on (pure; the plan's tests read it too). */
export function clusterMonitoringPlan(
  site: SiteConfig,
  clusterName: string,
  hub: boolean,
  hasCertManager: boolean,
): { monitors: MonitorObject[]; facts: RuleFacts } {
  const config = site.clusters.find((c) => c.name === clusterName)!;
  const dbs = site.databases.filter((d) => d.cluster === clusterName);
  const services = site.services.filter((s) => s.cluster === clusterName);
  const addresses = (config.ingress?.addresses ?? []).map((a) => ({
    cluster: clusterName,
    name: a.name,
    ip: a.ip,
    fqdns: a.hostnames.map((h) => fqdn(h, site.site.domain)),
  }));
  const siteAddresses = site.clusters.flatMap((c) =>
    (c.ingress?.addresses ?? []).map((a) => ({
      cluster: c.name,
      name: a.name,
      ip: a.ip,
      fqdns: a.hostnames.map((h) => fqdn(h, site.site.domain)),
    })),
  );
  const controlPlaneIps =
    config.kind === "openstack"
      ? Array.from(
          { length: config.controlPlane.count ?? 2 * site.site.failuresTolerated + 1 },
          (_, i) => ipAdd(config.controlPlane.ipStart, i),
        )
      : [];
  const monitors = [
    ...addonMonitors({
      certManager: hasCertManager,
      ingress: config.ingress !== undefined,
      cnpg: dbs.length > 0,
    }),
    ...databaseMonitors(
      dbs.map((d) => {
        const n = databaseNames(d);
        return { name: d.name, namespace: n.namespace, poolers: [n.poolerRw, n.poolerRo] };
      }),
    ),
    ...serviceMonitors(
      services.flatMap((s) =>
        s.metrics
          ? [
              {
                name: s.name,
                namespace: s.name,
                path: s.metrics.path,
                ...(s.metrics.port ? { port: s.metrics.port } : {}),
              },
            ]
          : [],
      ),
    ),
    ...kubeVipScrape(controlPlaneIps),
    ...(hub ? bmcProbes(site.hosts) : []),
    ...(hub ? httpsProbes(siteAddresses) : []),
  ];
  const facts: RuleFacts = {
    cluster: { cluster: clusterName, kind: config.kind },
    bmcHosts: hub ? site.hosts.map((h) => ({ name: h.name })) : [],
    databases: dbs.map((d) => ({
      name: d.name,
      namespace: databaseNames(d).namespace,
      backupSchedule: d.backup.schedule,
    })),
    addresses,
    probes: hub && siteAddresses.length > 0,
    services: services.map((s) => ({
      name: s.name,
      namespace: s.name,
      deployment: s.name,
      minReplicas: s.replicas.min,
      routes: s.routes.map((r) => routeName(s.name, fqdn(r.hostname, site.site.domain))),
    })),
  };
  return { monitors, facts };
}

export function declareObservability(
  site: SiteConfig,
  secrets: SiteSecrets,
  clusters: readonly PlantCluster[],
  addons: ReadonlyMap<string, ClusterAddons>,
): ObservabilityOutput {
  const o = site.observability ?? DEFAULT_OBSERVABILITY;
  const hubName = hubOf(site);
  const siteName = site.site.name;
  const password = (n: string) =>
    new random.RandomPassword(`${siteName}-${n}`, { length: 32, special: false }).result;
  const access = password("monitoring-access");
  const grafanaAdmin = password("grafana-admin");
  const htpasswd = access.apply(htpasswdLine);
  const email = o.alerts.email;
  const amYaml = pulumi
    .all([
      email?.passwordKey ? secrets.get(email.passwordKey) : pulumi.output(undefined),
      o.alerts.webhook ? secrets.get(o.alerts.webhook.urlKey) : pulumi.output(undefined),
    ])
    .apply(([smtpPassword, webhookUrl]) =>
      alertmanagerYaml({
        ...(email
          ? {
              email: {
                smarthost: email.smarthost,
                from: email.from,
                to: email.to,
                requireTls: email.requireTls,
                ...(email.username !== undefined ? { username: email.username } : {}),
                ...(smtpPassword !== undefined ? { password: smtpPassword } : {}),
              },
            }
          : {}),
        ...(webhookUrl !== undefined ? { webhookUrl } : {}),
      }),
    );
  if (!email && !o.alerts.webhook) {
    void pulumi.log.warn(
      `plant:observability.alerts names no receiver: alerts of site ${siteName} are only seen in Grafana`,
    );
  }

  const remotes: RemoteCluster[] = [];
  let hubMonitoring: ClusterMonitoring | undefined;
  for (const cluster of clusters) {
    const config = site.clusters.find((c) => c.name === cluster.name)!;
    const clusterAddons = addons.get(cluster.name);
    const hub = cluster.name === hubName;
    const endpoint = monitoringEndpoint(config, site.site.domain);
    const gateway =
      endpoint && clusterAddons ? gatewayFor(clusterAddons, endpoint.fqdn) : undefined;
    const certManagerReady = clusterAddons?.certManagerReady ?? [];
    const plan = clusterMonitoringPlan(site, cluster.name, hub, certManagerReady.length > 0);
    const monitoring = new ClusterMonitoring(
      `${cluster.name}-monitoring`,
      {
        cluster,
        values: {
          site: siteName,
          cluster: cluster.name,
          hub,
          prometheusReplicas: prometheusReplicas(site.site.failuresTolerated),
          alertmanagerReplicas: alertmanagerReplicas(o, site.site.failuresTolerated),
          retention: o.prometheus.retention,
          prometheusStorage: {
            size: o.prometheus.storage.size,
            storageClass: o.prometheus.storage.storageClass ?? cluster.storageClass,
          },
          alertmanagerStorage: {
            size: o.alertmanager.storage.size,
            storageClass: cluster.storageClass,
          },
        },
        certManagerReady,
        alertmanagerYaml: amYaml,
        monitors: plan.monitors,
        ruleGroups: ruleGroups(plan.facts),
        ...(endpoint && gateway ? { exposure: { endpoint, gateway }, htpasswd } : {}),
        ...(hub ? { grafanaAdminPassword: grafanaAdmin } : {}),
      },
      adoptionOptions(site, cluster.name),
    );
    if (hub) hubMonitoring = monitoring;
    else if (endpoint && gateway) remotes.push({ name: cluster.name, endpoint });
  }

  const hubCluster = clusters.find((c) => c.name === hubName)!;
  const hubConfig = site.clusters.find((c) => c.name === hubName)!;
  const hubEndpoint = monitoringEndpoint(hubConfig, site.site.domain);
  if (!hubEndpoint) {
    void pulumi.log.warn(
      `no cluster of site ${siteName} has an ingress: Grafana and Alertmanager on ${hubName} are reached in-cluster only (kubectl port-forward)`,
    );
  }
  const bmc =
    site.hosts.length > 0
      ? { username: secrets.get(o.bmc.usernameKey), password: secrets.get(o.bmc.passwordKey) }
      : undefined;
  new SiteConsole(
    `${siteName}-site-console`,
    {
      cluster: hubCluster,
      dashboards: [
        siteOverview([
          ...site.hosts.map((h) => ({ name: h.name, bmc: true })),
          ...[
            ...new Set(
              site.clusters.flatMap((c) =>
                c.kind === "existing" ? c.nodes.map((n) => n.physicalHost) : [],
              ),
            ),
          ].map((name) => ({ name, bmc: false })),
        ]),
        gatewayDashboard(),
        ...site.services.map((s) =>
          serviceDashboard({ name: s.name, namespace: s.name, deployment: s.name }),
        ),
      ],
      remotes,
      accessPassword: access,
      caCertificate: addons.get(hubName)?.ingress?.caCertificate ?? pulumi.output(""),
      probedFqdns: site.clusters.flatMap((c) =>
        (c.ingress?.addresses ?? []).flatMap((a) =>
          a.hostnames.map((h) => fqdn(h, site.site.domain)),
        ),
      ),
      ...(bmc ? { bmc } : {}),
      monitoringReady: hubMonitoring?.ready ?? [],
      exporterReplicas: prometheusReplicas(site.site.failuresTolerated),
    },
    adoptionOptions(site, hubName),
  );
  return {
    hub: hubName,
    ...(hubEndpoint
      ? {
          grafanaUrl: urlOf(hubEndpoint, hubEndpoint.grafanaPath),
          alertmanagerUrl: urlOf(hubEndpoint, hubEndpoint.alertmanagerPath),
        }
      : {}),
    clusters: Object.fromEntries(
      site.clusters.map((c) => {
        const e = monitoringEndpoint(c, site.site.domain);
        return [
          c.name,
          e
            ? {
                prometheusUrl: urlOf(e, e.prometheusPath),
                alertmanagerUrl: urlOf(e, e.alertmanagerPath),
              }
            : {},
        ];
      }),
    ),
    accessUser: "monitoring",
    accessPassword: pulumi.secret(access),
    grafanaAdminPassword: pulumi.secret(grafanaAdmin),
  };
}
