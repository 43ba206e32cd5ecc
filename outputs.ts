// The stack outputs: a public contract other teams read through stack references.
// Bump OUTPUTS_VERSION on any breaking change (a removed or renamed key).
import * as pulumi from "@pulumi/pulumi";

export const OUTPUTS_VERSION = 1;

export interface VmOutput {
  readonly name: string;
  readonly cluster: string;
  readonly role: string;
  /** The R620 (Nova host / availability zone) the VM runs on. */
  readonly host: string;
  readonly ip: string;
}

export interface IngressAddressOutput {
  readonly name: string;
  readonly ip: string;
  readonly hostnames: readonly string[];
  readonly baseUrls: readonly string[];
}

export interface ClusterOutput {
  readonly kind: "openstack" | "existing";
  readonly apiEndpoint: pulumi.Output<string>;
  /** Admin kubeconfig (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  readonly nodes: readonly { name: string; ip: string; physicalHost: string }[];
  readonly ingress?: {
    readonly addresses: readonly IngressAddressOutput[];
    /** PEM of the CA that signs the gateway certificates (site CA), for clients to trust. */
    readonly caCertificate: pulumi.Output<string>;
  };
}

export interface DatabaseOutput {
  readonly cluster: string;
  readonly database: string;
  readonly port: number;
  /** In-cluster endpoints. */
  readonly poolerReadWrite: string;
  readonly directReadWrite: string;
  readonly directReadOnly: string;
  /** PgBouncer in front of the standbys (read-only). */
  readonly poolerReadOnly?: string;
  /** Server name the cluster archives to in the object store (the next restore's sourceServerName). */
  readonly backupServerName?: string;
}

export interface ServiceOutput {
  readonly cluster: string;
  readonly urls: readonly string[];
}

export interface OpenStackOutput {
  readonly projectId: pulumi.Output<string>;
  readonly networkId: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  readonly vms: readonly VmOutput[];
  readonly objectStore: { readonly endpoint: string; readonly bucket: pulumi.Output<string> };
}

/** Where a site's monitoring is reached (docs/observability.md). */
export interface ObservabilityOutput {
  /** The cluster running Grafana and the site's exporters. */
  readonly hub: string;
  /** Absent when no cluster of the site has an ingress (Grafana is then in-cluster only). */
  readonly grafanaUrl?: string;
  /** The hub's Alertmanager UI (basic auth: accessUser / accessPassword); absent like grafanaUrl. */
  readonly alertmanagerUrl?: string;
  /** Each cluster's Prometheus and Alertmanager, when it has a Gateway. */
  readonly clusters: Readonly<
    Record<string, { readonly prometheusUrl?: string; readonly alertmanagerUrl?: string }>
  >;
  readonly accessUser: string;
  /** Password of the Prometheus/Alertmanager routes (secret). */
  readonly accessPassword: pulumi.Output<string>;
  /** Grafana's `admin` password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
}

export interface SiteOutputs {
  readonly version: number;
  readonly site: {
    name: string;
    displayName: string;
    domain: string;
    failuresTolerated: number;
    /** IANA time zone every schedule of the site runs in. */
    timeZone: string;
  };
  readonly openstack?: OpenStackOutput;
  readonly clusters: Readonly<Record<string, ClusterOutput>>;
  readonly databases: Readonly<Record<string, DatabaseOutput>>;
  readonly services: Readonly<Record<string, ServiceOutput>>;
  /** The GraphQL report API endpoint, if a service named report-api is routed. */
  readonly graphqlEndpoint?: string;
  /** Added in version 1 without breaking it (a new key). */
  readonly observability?: ObservabilityOutput;
}
