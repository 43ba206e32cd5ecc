// The site's one place to look, on the hub cluster: Grafana's dashboards and its datasources for
// the other clusters, the HTTPS probes' blackbox exporter and the R620s' Redfish exporter.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import type { Dashboard } from "@grafana/schema";
import { PlantCluster } from "../types";
import { remoteDatasourcesYaml, RemoteCluster } from "./access-spec";
import {
  blackboxConfig,
  blackboxObjects,
  idracConfig,
  idracObjects,
  K8sObjectBody,
} from "./exporters-spec";
import { MONITORING_NAMESPACE, OBJECTS } from "./model";

export interface SiteConsoleArgs {
  readonly cluster: PlantCluster;
  readonly dashboards: readonly Dashboard[];
  readonly remotes: readonly RemoteCluster[];
  /** Password of the access user on the other clusters' routes (secret). */
  readonly accessPassword: pulumi.Output<string>;
  /** PEM of the site CA ("" when an ACME issuer signs the gateways). */
  readonly caCertificate: pulumi.Output<string>;
  /** Host names to probe (their static IPs come with the Probes). */
  readonly probedFqdns: readonly string[];
  /** The R620s' BMC credentials (secrets); absent: no hosts to read. */
  readonly bmc?: {
    readonly username: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
  };
  /** The hub's ClusterMonitoring (CRDs, Grafana's sidecars). */
  readonly monitoringReady: readonly pulumi.Resource[];
  /** Replicas of each exporter, on distinct physical hosts (as Prometheus'). */
  readonly exporterReplicas: number;
}

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

export class SiteConsole extends pulumi.ComponentResource {
  constructor(name: string, args: SiteConsoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:observability:SiteConsole", name, {}, opts);
    const child = {
      parent: this,
      provider: args.cluster.provider,
      dependsOn: [...args.monitoringReady],
    };
    const meta = (n: string, labels: Record<string, string> = {}) => ({
      name: n,
      namespace: MONITORING_NAMESPACE,
      labels,
    });
    for (const d of args.dashboards) {
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${d.uid}`,
        {
          metadata: meta(`dashboard-${d.uid}`, { grafana_dashboard: "1" }),
          data: { [`${d.uid}.json`]: JSON.stringify(d) },
        },
        child,
      );
    }
    if (args.remotes.length > 0) {
      new k8s.core.v1.Secret(
        `${name}-remote-datasources`,
        {
          metadata: meta(OBJECTS.remoteDatasources, { grafana_datasource: "1" }),
          stringData: {
            "remote-datasources.yaml": pulumi
              .all([args.accessPassword, args.caCertificate])
              .apply(([pw, ca]) => remoteDatasourcesYaml(args.remotes, pw, ca)),
          },
        },
        child,
      );
    }
    if (args.probedFqdns.length > 0) this.blackbox(name, args, child, meta);
    if (args.bmc) this.idrac(name, args.bmc, args.exporterReplicas, child, meta);
    this.registerOutputs({});
  }

  private blackbox(
    name: string,
    args: SiteConsoleArgs,
    child: pulumi.CustomResourceOptions,
    meta: (n: string) => { name: string; namespace: string },
  ): void {
    const siteCa = new k8s.core.v1.ConfigMap(
      `${name}-site-ca`,
      { metadata: meta(OBJECTS.siteCa), data: { "ca.crt": args.caCertificate } },
      child,
    );
    // With an ACME issuer there is no site CA: the probes trust the system roots.
    const config = pulumi
      .output(args.caCertificate)
      .apply((ca) => blackboxConfig(args.probedFqdns, ca !== ""));
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-blackbox-config`,
      { metadata: meta(OBJECTS.blackbox), data: { "blackbox.yml": config } },
      child,
    );
    // The CA is known before deployment only with the site CA; the shape follows the config.
    const text = blackboxConfig(args.probedFqdns, true);
    for (const o of blackboxObjects(hash(text), true, args.exporterReplicas))
      this.declare(name, o, child, [configMap, siteCa]);
  }

  private idrac(
    name: string,
    bmc: NonNullable<SiteConsoleArgs["bmc"]>,
    replicas: number,
    child: pulumi.CustomResourceOptions,
    meta: (n: string) => { name: string; namespace: string },
  ): void {
    const text = idracConfig();
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-idrac-config`,
      { metadata: meta(OBJECTS.idrac), data: { "idrac.yml": text } },
      child,
    );
    const credentials = new k8s.core.v1.Secret(
      `${name}-idrac-credentials`,
      {
        metadata: meta(OBJECTS.idracCredentials),
        stringData: {
          username: pulumi.secret(bmc.username),
          password: pulumi.secret(bmc.password),
        },
      },
      child,
    );
    for (const o of idracObjects(hash(text), replicas))
      this.declare(name, o, child, [configMap, credentials]);
  }

  private declare(
    name: string,
    o: K8sObjectBody,
    child: pulumi.CustomResourceOptions,
    after: readonly pulumi.Resource[],
  ): void {
    const opts = {
      ...child,
      dependsOn: [...((child.dependsOn as pulumi.Resource[]) ?? []), ...after],
    };
    const id = `${name}-${o.kind.toLowerCase()}-${o.metadata.name}`;
    if (o.kind === "Deployment")
      new k8s.apps.v1.Deployment(id, o as unknown as k8s.apps.v1.DeploymentArgs, opts);
    else if (o.kind === "Service")
      new k8s.core.v1.Service(id, o as unknown as k8s.core.v1.ServiceArgs, opts);
    else if (o.kind === "PodDisruptionBudget")
      new k8s.policy.v1.PodDisruptionBudget(
        id,
        o as unknown as k8s.policy.v1.PodDisruptionBudgetArgs,
        opts,
      );
    else throw new pulumi.ResourceError(`${id}: no constructor for kind ${o.kind}`, this);
  }
}
