// Contracts between components: what one area hands to the next. Plain data where the value
// is known at plan time, Outputs where it is computed, secrets always as secret Outputs.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartMirror } from "./mirrors";

/** Node label naming the physical machine (R620, Optiplex, Nutanix/vSphere host). Every spreading rule keys on it. */
export const PHYSICAL_HOST_LABEL = "topology.kubernetes.io/zone";
/** Plant-specific copy of the same fact, for people reading `kubectl get nodes -L`. */
export const PLANT_HOST_LABEL = "plant.busche-cnc.com/physical-host";

export type NodeRole = "control-plane" | "worker";

/**
 * Extra pods a service's rolling update may run beside replicas.max (the Deployment's maxSurge).
 * The database's pool sizes count them (components/postgres/pool-sizing.ts).
 */
export const SERVICE_MAX_SURGE = 1;

/** One Kubernetes node, known at plan time. */
export interface ClusterNode {
  readonly name: string;
  readonly ip: string;
  /** The physical machine it runs on; the value of PHYSICAL_HOST_LABEL. */
  readonly physicalHost: string;
  readonly roles: readonly NodeRole[];
  /** Allocatable capacity used by the failure-domain analysis. */
  readonly cpu: number;
  readonly memoryGb: number;
}

/** Every cluster, new or existing, as the rest of the program sees it. */
export interface PlantCluster {
  readonly name: string;
  readonly kind: "openstack" | "existing";
  readonly provider: k8s.Provider;
  /** https://<address>:6443 */
  readonly apiEndpoint: pulumi.Output<string>;
  /** Admin kubeconfig, always a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly nodes: readonly ClusterNode[];
  /** Default storage class for persistent volumes. */
  readonly storageClass: string;
  /** Resources that must exist before workloads are scheduled (node labels, storage). */
  readonly ready: readonly pulumi.Resource[];
  /**
   * Where this cluster's charts and remote manifests are fetched from instead of upstream
   * (plant:mirrors.charts), for `helmChart` / `manifestUrl` (components/mirrors.ts). Default none.
   */
  readonly chartMirrors?: readonly ChartMirror[];
}

/** The site's S3-compatible object store (Swift s3api), for backups. */
export interface ObjectStoreEndpoint {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: pulumi.Output<string>;
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
}

/**
 * How a cluster's Cinder CSI driver reaches Cinder and Nova: an application credential of the
 * platform user, restricted to the platform project (the secret is a secret Output).
 */
export interface BlockStorageEndpoint {
  /** Keystone v3 URL. */
  readonly authUrl: pulumi.Output<string>;
  readonly region: string;
  readonly applicationCredentialId: pulumi.Output<string>;
  readonly applicationCredentialSecret: pulumi.Output<string>;
  /** Cinder volume type of database volumes; undefined: the cloud's default type. */
  readonly volumeType?: string;
}

export type DatabaseAccess = "read" | "readwrite";

/** A PostgreSQL login role handed to one service. */
export interface DatabaseCredential {
  /** Config name of the database (plant:databases[].name). */
  readonly database: string;
  /** PostgreSQL database name. */
  readonly dbname: string;
  readonly username: string;
  readonly password: pulumi.Output<string>;
  readonly access: DatabaseAccess;
  /** In-cluster host of the pooler matching the access: rw for readwrite, ro for read (e.g. reporting-pooler-ro.postgres-reporting.svc). */
  readonly host: string;
  readonly port: number;
  /** libpq sslmode the client must use: TLS with the server's certificate and name verified. */
  readonly sslMode: "verify-full";
  /** PEM of the CA that signs the database's server certificates (public; the client trusts it). */
  readonly caCertificate: pulumi.Output<string>;
  /** Namespace of the database, for network policies. */
  readonly namespace: string;
  /** Pod labels selecting the pooler, for network policies. */
  readonly poolerPodLabels: Readonly<Record<string, string>>;
  /**
   * Kubernetes objects that must exist before a client can log in with this credential: the
   * role's Secret, the CNPG Cluster (it creates managed roles), the pooler and the network
   * policies on the path client → pooler → instances. For `dependsOn`.
   */
  readonly ready: readonly pulumi.Resource[];
}

/** The Gateway services attach routes to. */
export interface GatewayRef {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** FQDN → HTTPS listener section name. */
  readonly httpsListeners: Readonly<Record<string, string>>;
  /** Labels of the namespace the Envoy data plane runs in, for network policies. */
  readonly dataPlaneNamespaceLabels: Readonly<Record<string, string>>;
  /** Resources routes must wait for (CRDs, Gateway). */
  readonly ready: readonly pulumi.Resource[];
}
