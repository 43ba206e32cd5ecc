// The shape of one site's configuration. Formats are checked here; relations between
// values (overlaps, clashes, capacity) are checked in rules/*.ts.
import { z } from "zod";
import { cronProblem, CronConsumer } from "./cron";
import { isIpv4, isNetworkCidr } from "./ip";
import { drillSchema } from "./drill";
import { mirrorsSchema } from "./mirrors";
import { observabilitySchema } from "./observability";
import { cpuProblem, memoryProblem } from "./quantity";
import { timeZoneProblem } from "./time-zone";

const dnsLabel = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
    "must be a lowercase DNS label (a-z, 0-9, '-', ≤ 40)",
  );
const ipv4 = z.string().refine(isIpv4, { message: "is not an IPv4 address" });
const cidr = z
  .string()
  .refine(isNetworkCidr, { message: "is not an IPv4 CIDR in network form (e.g. 10.1.0.0/22)" });
const range = z.strictObject({ start: ipv4, end: ipv4 });
/** A string refined by a `(value) => problem | undefined` check (config/quantity.ts, cron.ts). */
function checked(problemOf: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}
const cpuQuantity = checked(cpuProblem);
const memoryQuantity = checked(memoryProblem);
const storageSize = z.string().regex(/^[1-9][0-9]*(Mi|Gi|Ti)$/, "must be a size like 50Gi");

/** `repo:tag` or `repo@sha256:…`; never `latest` or untagged. */
export function imageProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.split("/").pop() ?? "";
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return "has no tag: pin it as repo:tag or repo@sha256:<digest>";
  const tag = lastSegment.slice(colon + 1);
  if (tag === "latest") return "uses the tag 'latest': pin a release tag or a digest";
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return `has an invalid tag '${tag}'`;
  return undefined;
}
export const image = z.string().superRefine((value, ctx) => {
  const problem = imageProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${value} ${problem}` });
});

/** A cron expression as its consumer parses it (config/cron.ts). */
const cron = (consumer: CronConsumer) => checked((value) => cronProblem(value, consumer));

/** An NTP server: an IPv4 address or a DNS host name (cloud-init writes it into chrony.conf). */
const ntpServer = z
  .string()
  .refine(
    (v) =>
      isIpv4(v) ||
      (v.length <= 253 &&
        !/^[0-9.]+$/.test(v) &&
        /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/.test(
          v,
        )),
    { message: "is not an IPv4 address or a DNS host name" },
  );

/**
 * An address or range on the plant LAN that belongs to a machine this program does not own (a
 * CNC controller, PLC, printer, the plant's own servers). Nothing the program announces or hands
 * out may take it. Give `ip`, or `start` and `end`; `note` says what it is.
 */
const reservedAddress = z.strictObject({
  ip: ipv4.optional(),
  start: ipv4.optional(),
  end: ipv4.optional(),
  note: z.string().trim().min(1, "must say what the address is (e.g. 'PLC line 3')"),
});

/** A network beyond the LAN that the plant routes to (offices, MES, the internet proxy). */
const routedNetwork = z.strictObject({
  cidr,
  note: z.string().trim().min(1, "must say what the network is (e.g. 'office LAN')"),
});

export const siteSchema = z.strictObject({
  name: dnsLabel,
  displayName: z.string().min(1),
  domain: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "is not a DNS domain"),
  /** Simultaneous physical-host failures the site must survive. Default 1. */
  failuresTolerated: z.number().int().min(0).max(3).default(1),
  /**
   * IANA time zone of the plant (e.g. America/Indiana/Indianapolis): every schedule (CronJobs,
   * base backups) runs in it. Required: a forgotten zone would silently mean UTC.
   */
  timeZone: z.string().superRefine((value, ctx) => {
    const problem = timeZoneProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
});

export const networkSchema = z.strictObject({
  lanCidr: cidr,
  gateway: ipv4,
  dnsServers: z.array(ipv4).min(1),
  ntpServers: z.array(ntpServer).default([]),
  /** The range the plant's DHCP server already hands out: never used by this program. */
  dhcpRange: range,
  /** The range Neutron may allocate to VMs (the subnet's allocation pool). */
  vmRange: range,
  /** Networks allowed to reach management APIs (Kubernetes API, SSH). */
  adminCidrs: z.array(cidr).min(1),
  /** Addresses of machines on the LAN this program does not own: never announced or handed out. */
  reserved: z.array(reservedAddress).default([]),
  /** Networks beyond the LAN the site routes to: no cluster network may overlap them. */
  routed: z.array(routedNetwork).default([]),
  provider: z.strictObject({
    physicalNetwork: z.string().min(1),
    type: z.enum(["flat", "vlan"]),
    segmentationId: z.number().int().min(1).max(4094).optional(),
    mtu: z.number().int().min(1280).max(9000).default(1500),
  }),
});

export const hostSchema = z.strictObject({
  /** The Nova hypervisor host name, also the availability zone name. */
  name: dnsLabel,
  model: z.string().default("Dell PowerEdge R620"),
  mgmtIp: ipv4,
  bmcIp: ipv4,
  cores: z.number().int().min(4),
  ramGb: z.number().int().min(16),
  diskGb: z.number().int().min(100),
});

const flavorSchema = z.strictObject({
  vcpus: z.number().int().min(1),
  ramGb: z.number().int().min(1),
  diskGb: z.number().int().min(10),
});

/** A Keystone role name as the cloud defines it (e.g. member, swiftoperator, _member_). */
const keystoneRole = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/,
    "is not a Keystone role name (letters, digits, '_', '-', '.'; at most 64)",
  );

/** Defaults of plant:openstack.identity; docs/openstack.md says why each. */
export const IDENTITY_DEFAULTS = {
  platformRoles: ["member"],
  objectStoreRoles: ["swiftoperator"],
} as const;

/**
 * The identities the program creates in the platform project (docs/openstack.md#identities):
 * the platform user every project-level resource is created as, and the backup user Barman's S3
 * credential belongs to.
 */
const identitySchema = z.strictObject({
  /**
   * Keystone URL the platform user authenticates against. Default: the public identity endpoint
   * of plant:openstack.region in the admin cloud's catalog.
   */
  authUrl: z.url().optional(),
  /** Roles the platform user gets on the project (Nova, Neutron, Glance rights). Default [member]. */
  platformRoles: z
    .array(keystoneRole)
    .min(1, "must name at least one role")
    .default([...IDENTITY_DEFAULTS.platformRoles]),
  /**
   * Roles that give access to the project's Swift account (the proxy's keystoneauth
   * `operator_roles`). Both users get them; the backup user gets nothing else. Default
   * [swiftoperator].
   */
  objectStoreRoles: z
    .array(keystoneRole)
    .min(1, "must name at least one role")
    .default([...IDENTITY_DEFAULTS.objectStoreRoles]),
});

export const openstackSchema = z.strictObject({
  /** Entry in clouds.yaml for the cloud-admin provider (never exported as OS_CLOUD). */
  cloud: z.string().min(1),
  region: z.string().min(1),
  projectName: dnsLabel,
  domain: z.string().default("default"),
  overcommit: z
    .strictObject({
      cpu: z.number().min(1).max(16).default(4),
      ram: z.number().min(1).max(1.5).default(1),
    })
    .default({ cpu: 4, ram: 1 }),
  /**
   * Capacity kept back on each R620 for the hypervisor and OpenStack services. `diskGb` (default
   * 100): the host's OS, logs and Glance's image cache, never planned for VM disks or volumes.
   */
  hostReserved: z
    .strictObject({
      cores: z.number().int().min(0),
      ramGb: z.number().int().min(0),
      diskGb: z.number().int().min(0).default(100),
    })
    .default({ cores: 2, ramGb: 16, diskGb: 100 }),
  image: z.union([
    z.strictObject({
      name: z.string().min(1),
      url: z.url(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 hex digest"),
      minDiskGb: z.number().int().min(1).default(10),
    }),
    z.strictObject({ existingName: z.string().min(1) }),
  ]),
  keypair: z.strictObject({
    name: z.string().min(1),
    publicKey: z
      .string()
      .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) \S+/, "is not an SSH public key"),
  }),
  /**
   * Pins VM → R620 (Nova host). The planner keeps pinned VMs where they are, so adding a host
   * never moves a running VM; unpinned VMs are placed by the planner.
   */
  placement: z.record(z.string(), dnsLabel).default({}),
  objectStore: z.strictObject({
    container: z.string().regex(/^[a-z0-9][-a-z0-9.]{2,62}$/, "is not a valid bucket name"),
    /** S3 API endpoint of Swift (s3api / RGW), reachable from the clusters. */
    s3Endpoint: z.url(),
    s3Region: z.string().default("us-east-1"),
    /**
     * The IPv4 addresses the s3Endpoint host name resolves to: the database pods may reach only
     * these. Required when the endpoint is a host name; not allowed when it is an IP.
     */
    addresses: z.array(ipv4).min(1).optional(),
    /**
     * The CA that signs the object store's TLS certificate, when no public CA does (Barman's
     * `endpointCA`): PEM text, or a Secret the plant creates in each database namespace.
     */
    endpointCA: z
      .union([
        z.strictObject({ pem: z.string().min(1) }),
        z.strictObject({
          secret: z.strictObject({
            name: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "is not a Kubernetes Secret name"),
            key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, "is not a Secret data key"),
          }),
        }),
      ])
      .optional(),
  }),
  /**
   * Cinder, where database volumes live (one volume per PersistentVolumeClaim, created by the
   * Cinder CSI driver in the availability zone of the R620 its pod runs on).
   */
  blockStorage: z
    .strictObject({
      /** Cinder volume type of database volumes. Default: the cloud's default type. */
      volumeType: z.string().min(1).optional(),
    })
    .default({}),
  identity: identitySchema.default({
    platformRoles: [...IDENTITY_DEFAULTS.platformRoles],
    objectStoreRoles: [...IDENTITY_DEFAULTS.objectStoreRoles],
  }),
});

const nodeFlavorSchema = z.strictObject({
  flavor: flavorSchema,
  /** First fixed IP; member i gets ipStart + i (stable when members are added). */
  ipStart: ipv4,
});

const gatewayAuth = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("basic"),
    /** Secret config key holding an htpasswd file (`pulumi config set --secret`). */
    htpasswdKey: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal("jwt"),
    issuer: z.url(),
    jwksUri: z.url(),
    audiences: z.array(z.string()).default([]),
  }),
]);

export const ingressSchema = z.strictObject({
  /** One MetalLB pool per purpose; each address is a static IP apart from every host IP. */
  addresses: z
    .array(
      z.strictObject({
        name: dnsLabel,
        ip: ipv4,
        /** Host names (labels under the site domain, or FQDNs) that resolve to this IP. */
        hostnames: z.array(z.string().min(1)).min(1),
      }),
    )
    .min(1),
  tls: z
    .discriminatedUnion("issuer", [
      z.strictObject({ issuer: z.literal("site-ca") }),
      z.strictObject({
        issuer: z.literal("acme"),
        server: z.url(),
        email: z.email(),
      }),
    ])
    .default({ issuer: "site-ca" }),
  gatewayReplicas: z.number().int().min(2).default(2),
});

/**
 * An object that already exists in the cluster and that the program takes over (Pulumi `import`)
 * instead of creating: hand-installed add-ons, CRDs a distribution ships. See docs/preflight.md.
 */
export const adoptEntrySchema = z.strictObject({
  /** Kubernetes kind, e.g. Namespace, CustomResourceDefinition. */
  kind: z
    .string()
    .regex(
      /^[A-Z][A-Za-z0-9]*$/,
      "must be a Kubernetes kind like Namespace or CustomResourceDefinition",
    ),
  name: z
    .string()
    .max(253)
    .regex(
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
      "must be a Kubernetes object name (lowercase a-z, 0-9, '-', '.')",
    ),
  /** Only for namespaced kinds. */
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a namespace name (a DNS label)")
    .optional(),
  /** Why the object is taken over (who installed it), for the reviewer and the next engineer. */
  reason: z.string().regex(/\S/, "must say why the object is taken over"),
});

const openstackClusterSchema = z.strictObject({
  name: dnsLabel,
  kind: z.literal("openstack"),
  distribution: z.literal("rke2").default("rke2"),
  /** RKE2 release, pinned to Kubernetes 1.36 (e.g. v1.36.2+rke2r1). */
  version: z
    .string()
    .regex(/^v1\.36\.\d+\+rke2r\d+$/, "must be an RKE2 v1.36.x release like v1.36.2+rke2r1"),
  /** Floating API address on the plant LAN, outside the VM range. */
  apiVip: ipv4,
  /**
   * Set to true once the cluster exists (after its first `pulumi up`). Until then the first
   * server's user data creates the cluster; from then on every server, a rebuilt first server
   * included, joins. Default false. See docs/kubernetes.md, "Bootstrap sequence".
   */
  bootstrapped: z.boolean().default(false),
  controlPlane: nodeFlavorSchema.extend({
    /** Defaults to 2f+1 for the site's tolerated failures. */
    count: z.number().int().min(1).optional(),
  }),
  workers: nodeFlavorSchema.extend({ count: z.number().int().min(0) }),
  podCidr: cidr.default("10.42.0.0/16"),
  serviceCidr: cidr.default("10.43.0.0/16"),
  /**
   * Name of the cluster's default StorageClass: Cinder block volumes (Cinder CSI), one per
   * claim, with enforced size, online growth and `Retain`. Default `plant-block`.
   */
  storageClass: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "is not a StorageClass name")
    .default("plant-block"),
  ingress: ingressSchema.optional(),
  /** Existing objects to take over instead of creating (docs/preflight.md). */
  adopt: z.array(adoptEntrySchema).default([]),
});

const existingClusterSchema = z.strictObject({
  name: dnsLabel,
  kind: z.literal("existing"),
  description: z.string().default(""),
  apiEndpoint: z.url(),
  /** Secret config key with the kubeconfig; default `kubeconfig-<name>`. */
  kubeconfigKey: z.string().optional(),
  storageClass: z.string().min(1),
  nodes: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        ip: ipv4,
        /** The physical machine the node runs on (an Optiplex, or the Nutanix/vSphere host). */
        physicalHost: dnsLabel,
        machine: z.string().min(1),
        role: z
          .enum(["control-plane", "worker", "control-plane+worker"])
          .default("control-plane+worker"),
        cpu: z.number().min(1),
        memoryGb: z.number().min(1),
      }),
    )
    .min(1),
  ingress: ingressSchema.optional(),
  /** Existing objects to take over instead of creating (docs/preflight.md). */
  adopt: z.array(adoptEntrySchema).default([]),
});

export const clusterSchema = z.discriminatedUnion("kind", [
  openstackClusterSchema,
  existingClusterSchema,
]);

const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
  limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity }),
});

export const databaseSchema = z.strictObject({
  name: dnsLabel,
  cluster: dnsLabel,
  database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "is not a PostgreSQL identifier"),
  owner: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "is not a PostgreSQL identifier"),
  instances: z.number().int().min(1).default(3),
  image: image,
  storage: z.strictObject({ size: storageSize, storageClass: z.string().optional() }),
  walStorage: z.strictObject({ size: storageSize }).optional(),
  resources: resourcesSchema,
  parameters: z.record(z.string(), z.string()).default({}),
  backup: z.strictObject({
    schedule: cron("scheduled-backup"),
    retention: z.string().regex(/^[1-9][0-9]*[dwm]$/, "must be like 30d, 4w or 6m"),
    path: z.string().optional(),
  }),
  restore: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The serverName of the lost cluster in the object store. */
      sourceServerName: z.string().optional(),
      targetTime: z.string().optional(),
    })
    .default({ enabled: false }),
  pooler: z
    .strictObject({ instances: z.number().int().min(2).default(2) })
    .default({ instances: 2 }),
  /** Consistency checks `npm run drill:restore` runs in a restored copy (config/drill.ts). */
  drill: drillSchema.default({ checks: [] }),
});

const probePath = z.string().regex(/^\/\S*$/, "must be an HTTP path starting with /");

export const serviceSchema = z.strictObject({
  name: dnsLabel,
  cluster: dnsLabel,
  description: z.string().default(""),
  image: image,
  port: z.number().int().min(1024).max(65535),
  routes: z
    .array(
      z.strictObject({
        hostname: z.string().min(1),
        pathPrefix: z.string().regex(/^\//).default("/"),
      }),
    )
    .default([]),
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).default({}),
  /** Secret config keys mounted as files under /var/run/secrets/app/<file>. */
  secrets: z
    .array(
      z.strictObject({
        file: z.string().regex(/^[a-z0-9][-a-z0-9_.]*$/),
        configKey: z.string().min(1),
      }),
    )
    .default([]),
  database: z
    .strictObject({
      name: dnsLabel,
      access: z.enum(["none", "read", "readwrite"]),
      /**
       * Connections each pod keeps open to the database (its pool size). Sizes the PgBouncer
       * pools (components/postgres/pool-sizing.ts). Default 5; only with access read/readwrite.
       */
      connectionsPerPod: z.number().int().min(1).max(100).optional(),
    })
    .default({ name: "none", access: "none" }),
  resources: resourcesSchema,
  replicas: z.strictObject({
    min: z.number().int().min(2),
    max: z.number().int().min(2),
    cpuTargetPercent: z.number().int().min(10).max(100).default(70),
  }),
  health: z.strictObject({ startup: probePath, readiness: probePath, liveness: probePath }),
  migration: z.strictObject({ image: image, command: z.array(z.string()).min(1) }).optional(),
  /** A report that also runs on a schedule (CronJob), five-field cron. */
  schedule: z
    .strictObject({ cron: cron("cronjob"), command: z.array(z.string()).min(1) })
    .optional(),
  /**
   * The service serves Prometheus metrics: scraped from every server pod (a PodMonitor) and
   * shown on its dashboard. `port` defaults to the service port.
   */
  metrics: z
    .strictObject({
      path: probePath.default("/metrics"),
      port: z.number().int().min(1024).max(65535).optional(),
    })
    .optional(),
  gateway: z
    .strictObject({
      rateLimit: z
        .strictObject({
          requests: z.number().int().min(1),
          unit: z.enum(["Second", "Minute", "Hour"]),
        })
        .optional(),
      maxRequestBytes: z.number().int().min(1024).optional(),
      auth: gatewayAuth.optional(),
    })
    .default({}),
});

export const rawSiteSchema = z.strictObject({
  site: siteSchema,
  network: networkSchema,
  hosts: z.array(hostSchema),
  openstack: openstackSchema,
  clusters: z.array(clusterSchema).min(1),
  databases: z.array(databaseSchema).default([]),
  services: z.array(serviceSchema).default([]),
  /** Plant mirrors for sites without internet egress; absent: everything comes from upstream. */
  mirrors: mirrorsSchema.optional(),
  /** Monitoring of every cluster (config/observability.ts); absent: every default. */
  observability: observabilitySchema.optional(),
});

export type SiteSettings = z.infer<typeof siteSchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
export type ReservedAddress = z.infer<typeof reservedAddress>;
export type HostConfig = z.infer<typeof hostSchema>;
export type OpenStackConfig = z.infer<typeof openstackSchema>;
export type ObjectStoreConfig = OpenStackConfig["objectStore"];
export type IdentityConfig = z.infer<typeof identitySchema>;
export type IngressConfig = z.infer<typeof ingressSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type AdoptEntry = z.infer<typeof adoptEntrySchema>;
export type OpenStackClusterConfig = z.infer<typeof openstackClusterSchema>;
export type ExistingClusterConfig = z.infer<typeof existingClusterSchema>;
export type DatabaseConfig = z.infer<typeof databaseSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type ParsedSite = z.infer<typeof rawSiteSchema>;
export type { MirrorsConfig } from "./mirrors";
export type { ObservabilityConfig } from "./observability";

/** The config keys (namespace `plant`) that make up a site, in the order they are read. */
export const SITE_KEYS = [
  "site",
  "network",
  "hosts",
  "openstack",
  "clusters",
  "databases",
  "services",
  "mirrors",
  "observability",
] as const;
