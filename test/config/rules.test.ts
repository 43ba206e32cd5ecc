// One failing fixture per validation rule: each mutates the Avilla stack file and asserts the
// refusal names the config key and says what is wrong.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  parseSite,
  rawSiteSchema,
  readSiblingSites,
  readStackFile,
  SiteConfigError,
  unreadableSiblingProblems,
} from "../../config/site";
import { cronHours, CronConsumer } from "../../config/cron";
import {
  clockChanges,
  scheduleShiftProblem,
  shiftedHours,
  timeZoneProblem,
} from "../../config/time-zone";

const ROOT = path.resolve(__dirname, "../..");
/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures poke into raw YAML */
type Raw = any;

function avilla(): Raw {
  return readStackFile(path.join(ROOT, "Pulumi.avilla.yaml"));
}

function problemsOf(
  raw: Raw,
  stack = "avilla",
  siblings = readSiblingSites(ROOT, stack),
): string[] {
  try {
    parseSite(stack, raw, siblings);
  } catch (e) {
    if (e instanceof SiteConfigError) return e.problems.map((p) => `[${p.key}] ${p.message}`);
    throw e;
  }
  return [];
}

const cases: [string, (raw: Raw) => void, string][] = [
  // Formats
  [
    "malformed IP",
    (r) => (r.hosts[0].mgmtIp = "10.1.0.300"),
    "[plant:hosts[0].mgmtIp] '10.1.0.300' is not an IPv4 address",
  ],
  [
    "non-IP gateway",
    (r) => (r.network.gateway = "router"),
    "[plant:network.gateway] 'router' is not an IPv4 address",
  ],
  [
    "malformed CIDR",
    (r) => (r.network.lanCidr = "10.1.0.0/33"),
    "[plant:network.lanCidr] '10.1.0.0/33' is not an IPv4 CIDR in network form",
  ],
  [
    "CIDR with host bits",
    (r) => (r.network.adminCidrs[0] = "10.1.0.230/27"),
    "[plant:network.adminCidrs[0]] '10.1.0.230/27' is not an IPv4 CIDR in network form",
  ],
  [
    "image tagged latest",
    (r) => (r.services[0].image = "registry.busche-cnc.com/reporting/report-web:latest"),
    "[plant:services[0].image] registry.busche-cnc.com/reporting/report-web:latest uses the tag 'latest'",
  ],
  [
    "image without tag",
    (r) => (r.services[2].image = "registry.busche-cnc.com/reporting/gauge-report"),
    "[plant:services[2].image] registry.busche-cnc.com/reporting/gauge-report has no tag",
  ],
  [
    "migration image latest",
    (r) => (r.services[1].migration.image = "migrations:latest"),
    "[plant:services[1].migration.image] migrations:latest uses the tag 'latest'",
  ],
  [
    "postgres image untagged",
    (r) => (r.databases[0].image = "ghcr.io/cloudnative-pg/postgresql"),
    "[plant:databases[0].image] ghcr.io/cloudnative-pg/postgresql has no tag",
  ],
  [
    "five-field backup cron",
    (r) => (r.databases[0].backup.schedule = "0 2 * * *"),
    "[plant:databases[0].backup.schedule] '0 2 * * *' must be a six-field cron expression",
  ],
  [
    "retention format",
    (r) => (r.databases[0].backup.retention = "30 days"),
    "[plant:databases[0].backup.retention] '30 days' must be like 30d, 4w or 6m",
  ],
  [
    "storage size format",
    (r) => (r.databases[0].storage.size = "100GB"),
    "[plant:databases[0].storage.size] '100GB' must be a size like 50Gi",
  ],
  ["unknown key", (r) => (r.network.dhcp = "yes"), '[plant:network] Unrecognized key: "dhcp"'],
  ["missing key", (r) => delete r.openstack, "[plant:openstack] is required"],
  [
    "RKE2 version not 1.36",
    (r) => (r.clusters[0].version = "v1.35.4+rke2r1"),
    "[plant:clusters[0].version] 'v1.35.4+rke2r1' must be an RKE2 v1.36.x release",
  ],
  // Hosts and failures
  [
    "fewer than 3 R620s",
    (r) => r.hosts.splice(1),
    "[plant:hosts] lists 1 R620(s); at least 3 are needed",
  ],
  [
    "fewer hosts than 2f+1",
    (r) => (r.site.failuresTolerated = 2),
    "[plant:site.failuresTolerated] is 2, which needs at least 5 hosts (2f+1) for quorum; plant:hosts lists 3",
  ],
  [
    "stack name mismatch",
    (r) => (r.site.name = "albion2"),
    "[plant:site.name] is 'albion2' but the stack is 'avilla'",
  ],
  // Names
  [
    "duplicate host name",
    (r) => (r.hosts[2].name = "r620-1"),
    "[plant:hosts[2].name] host name 'r620-1' is used more than once (also at plant:hosts[0])",
  ],
  [
    "duplicate cluster name",
    (r) => (r.clusters[1].name = "reports"),
    "[plant:clusters[1].name] cluster name 'reports' is used more than once",
  ],
  [
    "duplicate service name",
    (r) => (r.services[2].name = "report-web"),
    "[plant:services[2].name] service name 'report-web' is used more than once",
  ],
  [
    "duplicate database name",
    (r) => r.databases.push({ ...r.databases[0] }),
    "[plant:databases[1].name] database name 'reporting' is used more than once",
  ],
  [
    "duplicate node name",
    (r) => (r.clusters[1].nodes[1].name = "opti-1"),
    "[plant:clusters[1].nodes[1].name] node name 'opti-1' is used more than once",
  ],
  [
    "duplicate ingress address name",
    (r) =>
      r.clusters[0].ingress.addresses.push({
        name: "reports",
        ip: "10.1.0.9",
        hostnames: ["reports9"],
      }),
    "[plant:clusters[0].ingress.addresses[1].name] ingress address name 'reports' is used more than once",
  ],
  // Network ranges
  [
    "range reversed",
    (r) => (r.network.dhcpRange = { start: "10.1.3.250", end: "10.1.2.0" }),
    "[plant:network.dhcpRange] starts (10.1.3.250) after it ends (10.1.2.0)",
  ],
  [
    "range outside LAN",
    (r) => (r.network.vmRange.end = "10.1.4.10"),
    "[plant:network.vmRange] 10.1.1.0-10.1.4.10 is not inside the plant LAN 10.1.0.0/22",
  ],
  [
    "overlapping ranges",
    (r) => (r.network.vmRange.end = "10.1.2.10"),
    "[plant:network.vmRange] 10.1.1.0-10.1.2.10 overlaps the DHCP range 10.1.2.0-10.1.3.250",
  ],
  [
    "gateway outside LAN",
    (r) => (r.network.gateway = "10.9.0.1"),
    "[plant:network.gateway] 10.9.0.1 is not inside the plant LAN 10.1.0.0/22",
  ],
  [
    "vlan without id",
    (r) => (r.network.provider = { physicalNetwork: "physnet1", type: "vlan" }),
    "[plant:network.provider.segmentationId] is required for a vlan provider network",
  ],
  [
    "flat with id",
    (r) => (r.network.provider.segmentationId = 20),
    "[plant:network.provider.segmentationId] must not be set for a flat provider network",
  ],
  // Addresses
  [
    "host IP outside LAN",
    (r) => (r.hosts[0].bmcIp = "192.168.5.20"),
    "[plant:hosts[0].bmcIp] 192.168.5.20 (the BMC address of r620-1) is outside the plant LAN 10.1.0.0/22",
  ],
  [
    "static IP in DHCP range",
    (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.2.8"),
    "[plant:clusters[0].ingress.addresses[0].ip] 10.1.2.8 (the static ingress address 'reports' of cluster reports) is inside the DHCP range",
  ],
  [
    "static IP in VM range",
    (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.1.150"),
    "[plant:clusters[0].ingress.addresses[0].ip] 10.1.1.150 (the static ingress address 'reports' of cluster reports) is inside the VM range 10.1.1.0-10.1.1.199",
  ],
  [
    "API VIP in VM range",
    (r) => (r.clusters[0].apiVip = "10.1.1.5"),
    "[plant:clusters[0].apiVip] 10.1.1.5 (the API address of cluster reports) is inside the VM range",
  ],
  [
    "VM outside VM range",
    (r) => (r.clusters[0].workers.ipStart = "10.1.1.198"),
    "[plant:clusters[0].workers.ipStart] 10.1.1.200 (worker VM 3 of cluster reports) is outside the VM range 10.1.1.0-10.1.1.199",
  ],
  [
    "static IP equal to a BMC IP",
    (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.0.21"),
    "[plant:clusters[0].ingress.addresses[0].ip] 10.1.0.21 is the BMC address of r620-2 (plant:hosts[1].bmcIp); it cannot also be the static ingress address 'reports' of cluster reports",
  ],
  [
    "static IP equal to a node IP",
    (r) => (r.clusters[1].ingress.addresses[0].ip = "10.1.0.42"),
    "10.1.0.42 is node opti-2 of cluster optiplex (plant:clusters[1].nodes[1].ip); it cannot also be the static ingress address 'reports-alb'",
  ],
  [
    "static IP equal to the gateway",
    (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.0.1"),
    "10.1.0.1 is the LAN gateway (plant:network.gateway); it cannot also be the static ingress address 'reports'",
  ],
  [
    "overlapping VM blocks",
    (r) => (r.clusters[0].workers.ipStart = "10.1.1.12"),
    "[plant:clusters[0].workers.ipStart] 10.1.1.12 is control-plane VM 3 of cluster reports",
  ],
  // Control plane
  [
    "even control plane",
    (r) => (r.clusters[0].controlPlane.count = 2),
    "[plant:clusters[0].controlPlane.count] is 2; etcd needs an odd number of members",
  ],
  [
    "control plane below 2f+1",
    (r) => (r.clusters[0].controlPlane.count = 1),
    "[plant:clusters[0].controlPlane.count] is 1; surviving 1 host failure(s) (plant:site.failuresTolerated) needs at least 3",
  ],
  [
    "control plane larger than hosts",
    (r) => (r.clusters[0].controlPlane.count = 5),
    "[plant:clusters[0].controlPlane.count] is 5, but only 3 hosts exist",
  ],
  // Host names and references
  [
    "host name on two IPs",
    (r) => (r.clusters[1].ingress.addresses[0].hostnames = ["reports1"]),
    "reports1.busche-cnc.com is already given to 10.1.0.8",
  ],
  [
    "database on unknown cluster",
    (r) => (r.databases[0].cluster = "nowhere"),
    "[plant:databases[0].cluster] names unknown cluster 'nowhere'",
  ],
  [
    "service on unknown cluster",
    (r) => (r.services[0].cluster = "nowhere"),
    "[plant:services[0].cluster] names unknown cluster 'nowhere'",
  ],
  [
    "replicas max below min",
    (r) => Object.assign(r.services[0].replicas, { min: 3, max: 2 }),
    "[plant:services[0].replicas.max] is 2, below replicas.min 3",
  ],
  [
    "replicas min below 2",
    (r) => (r.services[0].replicas.min = 1),
    "[plant:services[0].replicas.min]",
  ],
  [
    "unknown database",
    (r) => (r.services[1].database.name = "other"),
    "[plant:services[1].database.name] names unknown database 'other'",
  ],
  [
    "database on another cluster",
    (r) => Object.assign(r.services[1], { cluster: "optiplex", routes: [] }),
    "database 'reporting' runs on cluster 'reports', not 'optiplex'",
  ],
  [
    "database volumes on local-path on an OpenStack cluster",
    (r) => (r.databases[0].storage.storageClass = "local-path"),
    "[plant:databases[0].storage.storageClass] 'local-path' does not exist on cluster reports: the program installs only 'plant-block' (plant:clusters[0].storageClass), Cinder block volumes sized and kept off the workers' root disks; the volumes would stay Pending",
  ],
  [
    "a malformed storage class name",
    (r) => (r.clusters[0].storageClass = "Plant Block"),
    "[plant:clusters[0].storageClass] 'Plant Block' is not a StorageClass name",
  ],
  [
    "host reserve without whole disk GB",
    (r) => (r.openstack.hostReserved = { cores: 2, ramGb: 16, diskGb: 1.5 }),
    "[plant:openstack.hostReserved.diskGb]",
  ],
  [
    "migration without readwrite",
    (r) => (r.services[1].database.access = "read"),
    "[plant:services[1].migration] needs database.access 'readwrite'",
  ],
  // plant:openstack.identity (config/identity-rules.ts)
  [
    "role name with a space",
    (r) => (r.openstack.identity = { platformRoles: ["project member"] }),
    "[plant:openstack.identity.platformRoles[0]] 'project member' is not a Keystone role name",
  ],
  [
    "no object-store role",
    (r) => (r.openstack.identity = { objectStoreRoles: [] }),
    "[plant:openstack.identity.objectStoreRoles] must name at least one role",
  ],
  [
    "admin as a platform role",
    (r) => (r.openstack.identity = { platformRoles: ["member", "admin"] }),
    "[plant:openstack.identity.platformRoles[1]] 'admin' is Keystone's cloud-administrator role: default policies do not limit it to one project, so the platform user would administer the whole cloud",
  ],
  [
    "admin as an object-store role, in any case",
    (r) => (r.openstack.identity = { objectStoreRoles: ["Admin"] }),
    "[plant:openstack.identity.objectStoreRoles[0]] 'Admin' is Keystone's cloud-administrator role: default policies do not limit it to one project, so the backup user would administer the whole cloud",
  ],
  [
    "a role listed twice",
    (r) => (r.openstack.identity = { platformRoles: ["member", "Member"] }),
    "[plant:openstack.identity.platformRoles[1]] role 'Member' is listed twice (also at plant:openstack.identity.platformRoles[0])",
  ],
  [
    "a platform role given to the backup user",
    (r) => (r.openstack.identity = { platformRoles: ["member"], objectStoreRoles: ["member"] }),
    "[plant:openstack.identity.objectStoreRoles[0]] 'member' is also in plant:openstack.identity.platformRoles: the backup user would get the platform's compute and network rights",
  ],
  [
    "auth URL without a scheme",
    (r) => (r.openstack.identity = { authUrl: "keystone:5000" }),
    "[plant:openstack.identity.authUrl] keystone:5000 is not an http(s) URL",
  ],
  [
    "auth URL that is not http(s)",
    (r) => (r.openstack.identity = { authUrl: "ftp://keystone.avilla.busche-cnc.com/v3" }),
    "[plant:openstack.identity.authUrl] ftp://keystone.avilla.busche-cnc.com/v3 is not an http(s) URL",
  ],
  [
    "auth URL with credentials",
    (r) =>
      (r.openstack.identity = { authUrl: "https://admin:pw@keystone.avilla.busche-cnc.com/v3" }),
    "[plant:openstack.identity.authUrl] https://admin:pw@keystone.avilla.busche-cnc.com/v3 carries credentials",
  ],
  [
    "auth URL with a query",
    (r) => (r.openstack.identity = { authUrl: "https://keystone.avilla.busche-cnc.com/v3?x=1" }),
    "[plant:openstack.identity.authUrl] https://keystone.avilla.busche-cnc.com/v3?x=1 has a query or fragment",
  ],
  [
    "auth URL of Keystone v2.0",
    (r) => (r.openstack.identity = { authUrl: "https://keystone.avilla.busche-cnc.com:5000/v2.0" }),
    "[plant:openstack.identity.authUrl] https://keystone.avilla.busche-cnc.com:5000/v2.0 is Keystone's v2.0 API, which Keystone no longer serves",
  ],
  [
    "unknown identity key",
    (r) => (r.openstack.identity = { backupUser: "barman" }),
    '[plant:openstack.identity] Unrecognized key: "backupUser"',
  ],
  // The site's time zone and the schedules that run in it
  ["no time zone", (r) => delete r.site.timeZone, "[plant:site.timeZone] is required"],
  [
    "a time zone that is not an IANA name",
    (r) => (r.site.timeZone = "Eastern"),
    "[plant:site.timeZone] 'Eastern' must be an IANA time zone name like America/Indiana/Indianapolis (or UTC)",
  ],
  [
    "an offset instead of a zone",
    (r) => (r.site.timeZone = "-05:00"),
    "[plant:site.timeZone] '-05:00' must be an IANA time zone name like America/Indiana/Indianapolis (or UTC)",
  ],
  [
    "a zone the IANA database does not know",
    (r) => (r.site.timeZone = "America/Noble_County"),
    "[plant:site.timeZone] 'America/Noble_County' is not in the IANA time zone database",
  ],
  [
    "a backup in the hour the clocks skip",
    (r) => (r.databases[0].backup.schedule = "0 30 2 * * *"),
    "[plant:databases[0].backup.schedule] runs in hour 02 (America/Indiana/Indianapolis), which the clocks skip when they go forward: that day's run would not happen; use an hour other than 01 and 02, the hours the clock changes of America/Indiana/Indianapolis touch",
  ],
  [
    "a report in the hour that happens twice",
    (r) => (r.services[2].schedule.cron = "15 1 * * *"),
    "[plant:services[2].schedule.cron] runs in hour 01 (America/Indiana/Indianapolis), which happens twice when the clocks go back: that day's run would happen twice",
  ],
  [
    "a schedule hour out of range",
    (r) => (r.services[2].schedule.cron = "0 25 * * *"),
    "[plant:services[2].schedule.cron] '0 25 * * *' has an invalid hour field: '25' is outside 0-23",
  ],
  [
    // A descriptor names a fixed hour too (@daily is 00:00), read by the same cron reader.
    "a daily backup at midnight where the clocks skip midnight",
    (r) => {
      r.site.timeZone = "America/Santiago";
      r.databases[0].backup.schedule = "@daily";
    },
    "[plant:databases[0].backup.schedule] runs in hour 00 (America/Santiago), which the clocks skip when they go forward",
  ],
  // The object store as the databases reach it
  [
    "an object store host name without its addresses",
    (r) => delete r.openstack.objectStore.addresses,
    "[plant:openstack.objectStore.addresses] is required: s3Endpoint names the host objects.avilla.busche-cnc.com, and the database pods may reach only the addresses listed here",
  ],
  [
    "addresses beside an IP endpoint",
    (r) => (r.openstack.objectStore.s3Endpoint = "https://10.1.0.5:8080"),
    "[plant:openstack.objectStore.addresses] must not be set: s3Endpoint already names the address 10.1.0.5",
  ],
  [
    "an object store address twice",
    (r) => (r.openstack.objectStore.addresses = ["10.1.0.5", "10.1.0.5"]),
    "[plant:openstack.objectStore.addresses[1]] 10.1.0.5 is listed twice",
  ],
  [
    "an object store address that is not an IP",
    (r) => (r.openstack.objectStore.addresses = ["objects"]),
    "[plant:openstack.objectStore.addresses[0]] 'objects' is not an IPv4 address",
  ],
  [
    "an endpoint CA that is not a certificate",
    (r) =>
      (r.openstack.objectStore.endpointCA = {
        pem: "-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----",
      }),
    "[plant:openstack.objectStore.endpointCA.pem] holds no PEM certificate",
  ],
  [
    "an endpoint CA for a plain-HTTP endpoint",
    (r) => {
      r.openstack.objectStore.s3Endpoint = "http://objects.avilla.busche-cnc.com:8080";
      r.openstack.objectStore.endpointCA = { secret: { name: "objects-ca", key: "ca.crt" } };
    },
    "[plant:openstack.objectStore.endpointCA] is set but s3Endpoint 'http://objects.avilla.busche-cnc.com:8080' is not https",
  ],
  [
    "an endpoint CA Secret with a bad name",
    (r) => (r.openstack.objectStore.endpointCA = { secret: { name: "Objects CA", key: "ca.crt" } }),
    "[plant:openstack.objectStore.endpointCA.secret.name] 'Objects CA' is not a Kubernetes Secret name",
  ],
  [
    "connections per pod for a service without database access",
    (r) => (r.services[0].database.connectionsPerPod = 5),
    "[plant:services[0].database.connectionsPerPod] is set but database.access is none: the service holds no database connections",
  ],
  [
    "zero connections per pod",
    (r) => (r.services[1].database.connectionsPerPod = 0),
    "[plant:services[1].database.connectionsPerPod]",
  ],
  [
    "route to unserved host name",
    (r) => (r.services[0].routes[0].hostname = "reports9"),
    "[plant:services[0].routes[0].hostname] reports9.busche-cnc.com is not a host name of any static ingress address of cluster 'reports'",
  ],
  // Adoption of existing objects (plant:clusters[].adopt)
  [
    "adopt kind not a Kubernetes kind",
    (r) =>
      (r.clusters[1].adopt = [
        { kind: "namespace", name: "cert-manager", reason: "hand-installed" },
      ]),
    "[plant:clusters[1].adopt[0].kind] 'namespace' must be a Kubernetes kind like Namespace or CustomResourceDefinition",
  ],
  [
    "adopt name not an object name",
    (r) =>
      (r.clusters[1].adopt = [
        { kind: "Namespace", name: "Cert_Manager", reason: "hand-installed" },
      ]),
    "[plant:clusters[1].adopt[0].name] 'Cert_Manager' must be a Kubernetes object name",
  ],
  [
    "adopt without a reason",
    (r) => (r.clusters[1].adopt = [{ kind: "Namespace", name: "cert-manager", reason: "  " }]),
    "[plant:clusters[1].adopt[0].reason] '  ' must say why the object is taken over",
  ],
  [
    "adopt entry with an unknown key",
    (r) =>
      (r.clusters[1].adopt = [
        { kind: "Namespace", name: "cert-manager", reason: "hand-installed", force: true },
      ]),
    '[plant:clusters[1].adopt[0]] Unrecognized key: "force"',
  ],
  [
    "adopt a cluster-scoped kind with a namespace",
    (r) =>
      (r.clusters[1].adopt = [
        {
          kind: "CustomResourceDefinition",
          name: "gateways.gateway.networking.k8s.io",
          namespace: "kube-system",
          reason: "shipped by the distribution",
        },
      ]),
    "[plant:clusters[1].adopt[0].namespace] must not be set: CustomResourceDefinition is cluster-scoped",
  ],
  [
    "adopt a namespaced kind without a namespace",
    (r) =>
      (r.clusters[1].adopt = [
        { kind: "Deployment", name: "cert-manager", reason: "hand-installed cert-manager" },
      ]),
    "[plant:clusters[1].adopt[0].namespace] is required: Deployment is namespaced",
  ],
  [
    "adopt the same object twice",
    (r) =>
      (r.clusters[1].adopt = [
        { kind: "Namespace", name: "metallb-system", reason: "hand-installed MetalLB" },
        { kind: "Namespace", name: "cert-manager", reason: "hand-installed cert-manager" },
        { kind: "Namespace", name: "metallb-system", reason: "again" },
      ]),
    "[plant:clusters[1].adopt[2]] Namespace metallb-system is listed more than once (also at plant:clusters[1].adopt[0])",
  ],
];

describe("site config validation", () => {
  test("both stack files are valid", () => {
    expect(problemsOf(avilla())).toEqual([]);
    expect(problemsOf(readStackFile(path.join(ROOT, "Pulumi.albion.yaml")), "albion")).toEqual([]);
  });

  test("adoption entries that name their objects correctly are accepted", () => {
    const raw = avilla();
    raw.clusters[1].adopt = [
      { kind: "Namespace", name: "cert-manager", reason: "cert-manager installed by hand (helm)" },
      {
        kind: "CustomResourceDefinition",
        name: "gateways.gateway.networking.k8s.io",
        reason: "shipped by the distribution",
      },
      {
        kind: "Deployment",
        name: "cert-manager",
        namespace: "cert-manager",
        reason: "cert-manager installed by hand (helm)",
      },
    ];
    expect(problemsOf(raw)).toEqual([]);
    expect(parseSite("avilla", raw).clusters[0].adopt).toEqual([]);
  });

  test.each(cases)("refuses %s", (_name, mutate, expected) => {
    const raw = avilla();
    mutate(raw);
    const problems = problemsOf(raw);
    expect(problems.join("\n")).toContain(expected);
  });

  test("an endpoint CA as PEM, or as a Secret the plant made, is accepted", () => {
    const mirrorsFixture = readStackFile(
      path.join(ROOT, "test/fixtures/mirrors/Pulumi.avilla.yaml"),
    );
    const pem = (mirrorsFixture as Raw).mirrors.caCertificate;
    for (const endpointCA of [{ pem }, { secret: { name: "objects-ca", key: "ca.crt" } }]) {
      const raw = avilla();
      raw.openstack.objectStore.endpointCA = endpointCA;
      expect(problemsOf(raw)).toEqual([]);
    }
  });

  test("schedules at hours the clocks leave alone, and hourly ones, are accepted", () => {
    for (const cron of [
      "0 6 * * *",
      "30 3 * * 1-5",
      "0 * * * *",
      "*/15 * * * *",
      "@daily",
      "@hourly",
    ]) {
      const raw = avilla();
      raw.services[2].schedule.cron = cron;
      expect(problemsOf(raw)).toEqual([]);
    }
    const utc = avilla();
    utc.site.timeZone = "UTC";
    utc.databases[0].backup.schedule = "0 0 2 * * *";
    expect(problemsOf(utc)).toEqual([]);
  });

  test("the error names the stack", () => {
    const raw = avilla();
    raw.hosts.splice(1);
    expect(() => parseSite("avilla", raw)).toThrow(
      /^Stack 'avilla' has invalid configuration:\n {2}- \[plant:hosts\]/,
    );
  });
});

describe("cross-site validation", () => {
  const albion = (): Raw => readStackFile(path.join(ROOT, "Pulumi.albion.yaml"));

  test("sites on separate networks may reuse the same addresses", () => {
    const twin = avilla(); // same IPs as Avilla, but its LAN is elsewhere and its names differ
    twin.network.lanCidr = "10.9.0.0/22";
    twin.clusters.forEach((c: Raw) =>
      c.ingress.addresses.forEach((a: Raw) => (a.hostnames = [`${a.name}-twin`])),
    );
    expect(
      problemsOf(avilla(), "avilla", [{ stack: "twin", site: rawSiteSchema.parse(twin) }]),
    ).toEqual([]);
    twin.network.lanCidr = "10.1.0.0/22";
    expect(
      problemsOf(avilla(), "avilla", [{ stack: "twin", site: rawSiteSchema.parse(twin) }]).length,
    ).toBeGreaterThan(10);
  });

  test("refuses an IP used by a site that shares the network", () => {
    const shared = albion();
    shared.network.lanCidr = "10.1.0.0/16";
    shared.network.gateway = "10.1.0.1";
    shared.network.dhcpRange = { start: "10.1.200.0", end: "10.1.200.250" };
    shared.network.vmRange = { start: "10.1.201.0", end: "10.1.201.199" };
    shared.hosts[0].bmcIp = "10.1.0.8";
    const siblings = [{ stack: "albion", site: rawSiteSchema.parse(shared) }];
    expect(problemsOf(avilla(), "avilla", siblings).join("\n")).toContain(
      "[plant:clusters[0].ingress.addresses[0].ip] 10.1.0.8 is also the BMC address of r620-1 in stack 'albion' (plant:hosts[0].bmcIp), which shares the network",
    );
  });

  test("refuses a host name another site already uses", () => {
    const other = albion();
    other.clusters[0].ingress.addresses[0].hostnames = ["reports1"];
    const siblings = [{ stack: "albion", site: rawSiteSchema.parse(other) }];
    expect(problemsOf(avilla(), "avilla", siblings).join("\n")).toContain(
      "[plant:clusters[0].ingress.addresses[0].hostnames[0]] reports1.busche-cnc.com is already used by stack 'albion'",
    );
  });

  test("the sibling stack files are read from the project", () => {
    expect(readSiblingSites(ROOT, "avilla").map((s) => s.stack)).toEqual(["albion"]);
  });
});

describe("stack files as `pulumi config set --secret` leaves them", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const copy = (name: string, extra = ""): void =>
    fs.writeFileSync(path.join(tmp, name), fs.readFileSync(path.join(ROOT, name), "utf8") + extra);

  test("secure values in the file are not site data", () => {
    copy("Pulumi.avilla.yaml", "  plant:kubeconfig-optiplex:\n    secure: v1:AAAABBBB\n");
    const raw = readStackFile(path.join(tmp, "Pulumi.avilla.yaml"));
    expect(Object.keys(raw).sort()).toEqual([
      "clusters",
      "databases",
      "hosts",
      "network",
      "observability",
      "openstack",
      "services",
      "site",
    ]);
    expect(() => parseSite("avilla", raw)).not.toThrow();
  });

  test("a sibling file that does not parse is reported, not skipped", () => {
    copy("Pulumi.avilla.yaml");
    fs.writeFileSync(
      path.join(tmp, "Pulumi.albion.yaml"),
      fs
        .readFileSync(path.join(ROOT, "Pulumi.albion.yaml"), "utf8")
        .replace("lanCidr: 10.2.0.0/22", "lanCidr: 10.2.0.0/33"),
    );
    expect(readSiblingSites(tmp, "avilla")).toEqual([]);
    expect(unreadableSiblingProblems(tmp, "avilla")).toEqual([
      {
        key: "Pulumi.albion.yaml",
        message:
          "cannot be read for the cross-site checks ([plant:network.lanCidr] '10.2.0.0/33' is not an IPv4 CIDR in network form (e.g. 10.1.0.0/22)); fix that stack's file first",
      },
    ]);
  });
});

describe("time zones and clock changes (config/time-zone.ts)", () => {
  test("Indiana's clock changes in 2026: forward at 02:00 on 8 March, back at 02:00 on 1 November", () => {
    expect(clockChanges("America/Indiana/Indianapolis", 2026)).toEqual([
      { at: Date.UTC(2026, 2, 8, 7), localMinute: 120, shift: 60 },
      { at: Date.UTC(2026, 10, 1, 6), localMinute: 120, shift: -60 },
    ]);
  });

  test.each<[string, number[], number[]]>([
    ["America/Indiana/Indianapolis", [2], [1]],
    ["Europe/Berlin", [2], [2]],
    // Southern hemisphere: forward in October, back in April.
    ["Australia/Sydney", [2], [2]],
    // Half an hour: 02:00–02:30 skipped, 01:30–02:00 repeated.
    ["Australia/Lord_Howe", [2], [1]],
    ["UTC", [], []],
    ["Asia/Kolkata", [], []],
  ])("%s: skipped hours %j, repeated hours %j", (zone, skipped, repeated) => {
    expect(shiftedHours(zone, [2026, 2027])).toEqual({ skipped, repeated });
  });

  // The hours come from config/cron.ts, the one cron reader (the schema's checks use it too).
  test.each<[string, CronConsumer, number[] | string]>([
    ["0 * * * *", "cronjob", Array.from({ length: 24 }, (_, h) => h)],
    ["0 6 * * *", "cronjob", [6]],
    ["0 1-5/2,20 * * *", "cronjob", [1, 3, 5, 20]],
    ["0 */6 * * *", "cronjob", [0, 6, 12, 18]],
    ["0 3/6 * * *", "cronjob", [3, 9, 15, 21]],
    ["0 0 3 * * *", "scheduled-backup", [3]],
    ["@daily", "scheduled-backup", [0]],
    ["@hourly", "cronjob", Array.from({ length: 24 }, (_, h) => h)],
    ["0 24 * * *", "cronjob", "has an invalid hour field: '24' is outside 0-23"],
    ["0 5-3 * * *", "cronjob", "has an invalid hour field: '5-3' starts after it ends"],
    ["0 x * * *", "cronjob", "has an invalid hour field: 'x' is not a number"],
  ])("cron hours of %s (%s)", (expression, consumer, expected) => {
    const parsed = cronHours(expression, consumer);
    expect("hours" in parsed ? parsed.hours : parsed.problem).toEqual(expected);
  });

  test.each<[string, number[], string | undefined]>([
    ["America/Indiana/Indianapolis", [3], undefined],
    [
      "America/Indiana/Indianapolis",
      [2],
      "runs in hour 02 (America/Indiana/Indianapolis), which the clocks skip when they go forward: that day's run would not happen; use an hour other than 01 and 02, the hours the clock changes of America/Indiana/Indianapolis touch",
    ],
    // A descriptor is a fixed hour too: @daily is midnight, which Santiago's clocks skip.
    [
      "America/Santiago",
      [0],
      "runs in hour 00 (America/Santiago), which the clocks skip when they go forward: that day's run would not happen; use an hour other than 00 and 23, the hours the clock changes of America/Santiago touch",
    ],
    ["America/Santiago", Array.from({ length: 24 }, (_, h) => h), undefined],
  ])("schedule in %s at hours %j", (zone, hours, expected) => {
    expect(scheduleShiftProblem(hours, zone, [2026, 2027])).toBe(expected);
  });

  test.each([
    ["America/Indiana/Indianapolis", undefined],
    ["UTC", undefined],
    ["Etc/UTC", undefined],
    ["EST", "must be an IANA time zone name like America/Indiana/Indianapolis (or UTC)"],
    ["Local", "must be an IANA time zone name like America/Indiana/Indianapolis (or UTC)"],
  ])("time zone %s", (zone, problem) => {
    expect(timeZoneProblem(zone)).toBe(problem);
  });
});
