// fast-check arbitraries for whole site files (the raw `plant:*` values of a Pulumi.<stack>.yaml):
// 3–9 R620s, every f the hosts allow, one to three clusters of both kinds, zero to six services,
// with and without databases. Values are realistic and mostly consistent, so many sites plan and
// the rest are refused for reasons a real engineer could hit (too few workers for the gateway,
// a quorum that does not survive f failures, not enough capacity…).
import fc from "fast-check";

/* eslint-disable @typescript-eslint/no-explicit-any -- raw site values, as YAML gives them */
export type RawSite = Record<string, any>;

/** The stack every generated site belongs to; its LAN and domain clash with neither real site. */
export const GENERATED_STACK = "gen";
const LAN = "10.77";
const DOMAIN = "gen.example";

/** Zones whose clock changes touch 01–02, none, or 02 (the schedules below run at 03 and 06). */
const ZONES = ["America/Indiana/Indianapolis", "UTC", "Europe/Berlin"];

const ip = (third: number, fourth: number): string => `${LAN}.${third}.${fourth}`;

interface ClusterChoice {
  readonly kind: "openstack" | "existing";
  readonly workers: number;
  readonly cpCount: "default" | "wider";
  readonly nodes: readonly { role: string; sharedHost: boolean }[];
  readonly ingress: boolean;
  readonly gatewayExtra: number;
  readonly customCidrs: boolean;
}

const clusterChoice = (hosts: number): fc.Arbitrary<ClusterChoice> =>
  fc.record({
    kind: fc.constantFrom("openstack" as const, "existing" as const),
    // Mostly one worker per R620 (what the real sites do), sometimes anything.
    workers: fc.oneof(
      { weight: 3, arbitrary: fc.constant(hosts) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: hosts + 1 }) },
    ),
    cpCount: fc.constantFrom("default" as const, "wider" as const),
    nodes: fc.array(
      fc.record({
        role: fc.constantFrom(
          "control-plane+worker",
          "control-plane+worker",
          "control-plane",
          "worker",
        ),
        sharedHost: fc.constantFrom(false, false, false, true),
      }),
      { minLength: 1, maxLength: 7 },
    ),
    ingress: fc.boolean(),
    gatewayExtra: fc.integer({ min: 0, max: 1 }),
    customCidrs: fc.boolean(),
  });

interface Choices {
  readonly hosts: number;
  readonly f: number;
  readonly clusters: readonly ClusterChoice[];
  readonly databases: readonly { cluster: number; extraInstance: boolean }[];
  readonly services: readonly {
    cluster: number;
    database: "none" | "read" | "readwrite";
    schedule: boolean;
    cpu: string;
  }[];
  readonly reserved: boolean;
  readonly routed: boolean;
  readonly ntpByName: boolean;
  readonly cores: number;
}

const choices: fc.Arbitrary<Choices> = fc.integer({ min: 3, max: 9 }).chain((hosts) =>
  fc.record({
    hosts: fc.constant(hosts),
    // Every f the hosts allow (2f+1 ≤ hosts; the schema caps f at 3).
    f: fc.integer({ min: 0, max: Math.min(3, Math.floor((hosts - 1) / 2)) }),
    clusters: fc.array(clusterChoice(hosts), { minLength: 1, maxLength: 3 }),
    databases: fc.array(fc.record({ cluster: fc.nat({ max: 2 }), extraInstance: fc.boolean() }), {
      maxLength: 2,
    }),
    services: fc.array(
      fc.record({
        cluster: fc.nat({ max: 2 }),
        database: fc.constantFrom("none" as const, "read" as const, "readwrite" as const),
        schedule: fc.boolean(),
        cpu: fc.constantFrom("100m", "250m", "1"),
      }),
      { maxLength: 6 },
    ),
    reserved: fc.boolean(),
    routed: fc.boolean(),
    ntpByName: fc.boolean(),
    cores: fc.constantFrom(20, 32, 40),
  }),
);

function cluster(c: ClusterChoice, j: number, ch: Choices): RawSite {
  const ingress = c.ingress
    ? {
        ingress: {
          addresses: [{ name: "web", ip: ip(0, 60 + j), hostnames: [`c${j}-reports`] }],
          gatewayReplicas: Math.max(2, ch.f + 1) + c.gatewayExtra,
        },
      }
    : {};
  if (c.kind === "existing") {
    return {
      name: `c${j}`,
      kind: "existing",
      apiEndpoint: `https://${ip(0, 100 + 10 * j)}:6443`,
      storageClass: "local-path",
      nodes: c.nodes.map((n, k) => ({
        name: `c${j}-n${k}`,
        ip: ip(0, 100 + 10 * j + k),
        physicalHost: n.sharedHost && k > 0 ? `pc-${j}-0` : `pc-${j}-${k}`,
        machine: "Dell OptiPlex 7080",
        role: n.role,
        cpu: 8,
        memoryGb: 32,
      })),
      ...ingress,
    };
  }
  return {
    name: `c${j}`,
    kind: "openstack",
    version: "v1.36.5+rke2r1",
    apiVip: ip(0, 40 + j),
    controlPlane: {
      ...(c.cpCount === "wider" && 2 * ch.f + 3 <= ch.hosts ? { count: 2 * ch.f + 3 } : {}),
      flavor: { vcpus: 4, ramGb: 8, diskGb: 60 },
      ipStart: ip(1, 60 * j + 1),
    },
    workers: {
      count: c.workers,
      flavor: { vcpus: 8, ramGb: 24, diskGb: 200 },
      ipStart: ip(1, 60 * j + 10),
    },
    ...(c.customCidrs
      ? { podCidr: `10.${100 + j}.0.0/16`, serviceCidr: `10.${110 + j}.0.0/20` }
      : {}),
    storageClass: "local-path",
    ...ingress,
  };
}

/** Builds the raw site file from the choices; names and addresses are deterministic. */
export function buildSite(ch: Choices): RawSite {
  const clusters = ch.clusters.map((c, j) => cluster(c, j, ch));
  const openstackClusters = clusters.filter((c) => c.kind === "openstack");
  const databases = openstackClusters.length
    ? ch.databases.map((d, j) => {
        const on = openstackClusters[d.cluster % openstackClusters.length];
        return {
          name: `db${j}`,
          cluster: on.name,
          database: "reporting",
          owner: `db${j}_owner`,
          instances: Math.max(3, 2 * ch.f + 1) + (d.extraInstance ? 1 : 0),
          image: "ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie",
          storage: { size: "20Gi" },
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
          // Room for a few services' pools; many services at a high f still exceed it (refused).
          parameters: { max_connections: "400" },
          backup: { schedule: "0 0 3 * * *", retention: "30d" },
          pooler: { instances: Math.max(2, ch.f + 1) },
        };
      })
    : [];
  const services = ch.services.map((s, k) => {
    const on = clusters[s.cluster % clusters.length];
    const db = databases.find((d) => d.cluster === on.name);
    const access = db ? s.database : "none";
    const min = Math.max(2, ch.f + 1);
    return {
      name: `svc${k}`,
      cluster: on.name,
      image: `registry.${DOMAIN}/reporting/svc${k}:1.0.${k}`,
      port: 8080,
      routes: on.ingress
        ? [{ hostname: on.ingress.addresses[0].hostnames[0], pathPrefix: k === 0 ? "/" : `/s${k}` }]
        : [],
      database: { name: db ? db.name : "none", access },
      resources: { requests: { cpu: s.cpu, memory: "256Mi" }, limits: { memory: "512Mi" } },
      replicas: { min, max: min + 2 },
      health: { startup: "/healthz", readiness: "/ready", liveness: "/livez" },
      ...(access === "readwrite"
        ? {
            migration: {
              image: `registry.${DOMAIN}/reporting/svc${k}-db:1.0.${k}`,
              command: ["/migrate"],
            },
          }
        : {}),
      ...(s.schedule ? { schedule: { cron: "0 6 * * *", command: ["/run"] } } : {}),
    };
  });
  return {
    site: {
      name: GENERATED_STACK,
      displayName: "Generated",
      domain: DOMAIN,
      failuresTolerated: ch.f,
      // Derived, not drawn, so the sampled sites stay what the seeds of the tests were chosen for.
      timeZone: ZONES[ch.hosts % ZONES.length],
    },
    network: {
      lanCidr: `${LAN}.0.0/22`,
      gateway: ip(0, 1),
      dnsServers: [ip(0, 2), ip(0, 3)],
      ntpServers: ch.ntpByName ? [`ntp.${DOMAIN}`] : [ip(0, 2)],
      dhcpRange: { start: ip(2, 0), end: ip(3, 250) },
      vmRange: { start: ip(1, 0), end: ip(1, 250) },
      adminCidrs: [`${LAN}.0.224/27`],
      ...(ch.reserved
        ? {
            reserved: [
              { ip: ip(0, 5), note: "PLC line 1" },
              { start: ip(0, 180), end: ip(0, 189), note: "CNC controllers, hall 2" },
            ],
          }
        : {}),
      ...(ch.routed ? { routed: [{ cidr: "172.20.0.0/16", note: "office LAN" }] } : {}),
      provider: { physicalNetwork: "physnet1", type: "flat", mtu: 1500 },
    },
    hosts: Array.from({ length: ch.hosts }, (_, i) => ({
      name: `r620-${i + 1}`,
      mgmtIp: ip(0, 11 + i),
      bmcIp: ip(0, 21 + i),
      cores: ch.cores,
      ramGb: 256,
      diskGb: 1800,
    })),
    openstack: {
      cloud: "gen",
      region: "RegionOne",
      projectName: "plant-reporting",
      image: { existingName: "ubuntu-24.04-server-cloudimg-amd64-20261101" },
      keypair: {
        name: "plant-ops",
        publicKey:
          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINeftz0IFdW/XOiKnw1h6SQjS+wP1p+z0Z3B60GoeuF1 ops@gen",
      },
      objectStore: {
        container: "gen-pg-backups",
        s3Endpoint: `https://objects.${DOMAIN}:8080`,
        addresses: [ip(0, 6)],
      },
    },
    clusters,
    databases,
    services,
  };
}

/** Whole generated site files. */
export const siteArbitrary: fc.Arbitrary<RawSite> = choices.map(buildSite);
