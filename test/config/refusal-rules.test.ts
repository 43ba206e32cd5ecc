// One failing fixture per rule of claimed-rules.ts, cluster-network-rules.ts, value-rules.ts and
// bound-rules.ts (and the schema formats they rely on): each mutates the Avilla stack file and
// asserts the exact refusal, key first. Plus table tests of the cron, quantity and URL readers.
import * as path from "path";
import { cronProblem } from "../../config/cron";
import { cpuProblem, memoryProblem, parseCpu, parseMemory } from "../../config/quantity";
import { parseSite, rawSiteSchema, readStackFile, SiteConfigError } from "../../config/site";
import { urlProblem } from "../../config/url";
import { checkSite } from "../../planning/site-checks";

const ROOT = path.resolve(__dirname, "../..");
/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures poke into raw YAML */
type Raw = any;

const AVILLA = readStackFile(path.join(ROOT, "Pulumi.avilla.yaml"));
const avilla = (): Raw => structuredClone(AVILLA);

/** `[key] message` lines of the refusal (config rules, then the pure plan checks). */
function problemsOf(raw: Raw, siblings: { stack: string; site: Raw }[] = []): string[] {
  try {
    checkSite(
      parseSite(
        "avilla",
        raw,
        siblings.map((s) => ({ stack: s.stack, site: rawSiteSchema.parse(s.site) })),
      ),
    );
  } catch (e) {
    if (e instanceof SiteConfigError) return e.problems.map((p) => `[${p.key}] ${p.message}`);
    throw e;
  }
  return [];
}

const reserve = (r: Raw, ...entries: Raw[]): void => {
  r.network.reserved = entries;
};

const cases: [string, (raw: Raw) => void, string][] = [
  // Addresses the plant already uses
  [
    "static IP on a DNS server",
    (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.0.2"),
    "[plant:clusters[0].ingress.addresses[0].ip] 10.1.0.2 (the static ingress address 'reports' of cluster reports) is the DNS server 10.1.0.2 (plant:network.dnsServers[0]); the program must not announce it",
  ],
  [
    "API VIP on an NTP server",
    (r) => {
      r.network.ntpServers = ["10.1.0.4"];
      r.clusters[0].apiVip = "10.1.0.4";
    },
    "[plant:clusters[0].apiVip] 10.1.0.4 (the API address of cluster reports) is the NTP server 10.1.0.4 (plant:network.ntpServers[0]); the program must not announce it",
  ],
  [
    "static IP on the object store",
    (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.0.5"),
    "[plant:clusters[0].ingress.addresses[0].ip] 10.1.0.5 (the static ingress address 'reports' of cluster reports) is the object store 10.1.0.5 (plant:openstack.objectStore.addresses[0]); the program must not announce it",
  ],
  [
    "VM range holding the object store given by address",
    (r) => {
      r.openstack.objectStore.s3Endpoint = "https://10.1.1.150:8080";
      delete r.openstack.objectStore.addresses;
    },
    "[plant:network.vmRange] 10.1.1.0-10.1.1.199 contains the object store 10.1.1.150 (plant:openstack.objectStore.s3Endpoint); Neutron hands out any address of the range to VMs and its own ports",
  ],
  [
    "worker VM on a reserved range",
    (r) => reserve(r, { start: "10.1.1.21", end: "10.1.1.21", note: "label printer" }),
    "[plant:clusters[0].workers.ipStart] 10.1.1.21 (worker VM 2 of cluster reports) is reserved 10.1.1.21 (label printer) (plant:network.reserved[0]); the program must not hand it to a VM",
  ],
  [
    "a reserved machine inside the VM range",
    (r) => reserve(r, { ip: "10.1.1.150", note: "PLC line 2" }),
    "[plant:network.vmRange] 10.1.1.0-10.1.1.199 contains reserved 10.1.1.150 (PLC line 2) (plant:network.reserved[0]); Neutron hands out any address of the range to VMs and its own ports",
  ],
  [
    "a DNS server inside the VM range",
    (r) => (r.network.dnsServers = ["10.1.0.2", "10.1.1.199"]),
    "[plant:network.vmRange] 10.1.1.0-10.1.1.199 contains the DNS server 10.1.1.199 (plant:network.dnsServers[1]); Neutron hands out any address of the range to VMs and its own ports",
  ],
  [
    "reserved with both ip and a range",
    (r) => reserve(r, { ip: "10.1.0.50", start: "10.1.0.50", end: "10.1.0.52", note: "CNC" }),
    "[plant:network.reserved[0]] must give either ip, or start and end",
  ],
  [
    "reserved with only a start",
    (r) => reserve(r, { start: "10.1.0.50", note: "CNC" }),
    "[plant:network.reserved[0]] must give either ip, or start and end",
  ],
  [
    "reserved range backwards",
    (r) => reserve(r, { start: "10.1.0.59", end: "10.1.0.50", note: "CNC" }),
    "[plant:network.reserved[0].start] 10.1.0.59 is after end 10.1.0.50",
  ],
  [
    "reserved address outside the LAN",
    (r) => reserve(r, { ip: "192.168.5.5", note: "office printer" }),
    "[plant:network.reserved[0]] 192.168.5.5 is not inside the plant LAN 10.1.0.0/22; list LAN machines here (networks beyond the LAN go in plant:network.routed)",
  ],
  [
    "reserved range over the network address",
    (r) => reserve(r, { start: "10.1.0.0", end: "10.1.0.0", note: "oops" }),
    "[plant:network.reserved[0]] 10.1.0.0 takes the network or broadcast address of 10.1.0.0/22",
  ],
  [
    "reserved without a note",
    (r) => reserve(r, { ip: "10.1.0.50", note: " " }),
    "[plant:network.reserved[0].note] must say what the address is (e.g. 'PLC line 3')",
  ],
  [
    "an NTP server that is neither address nor host name",
    (r) => (r.network.ntpServers = ["pool ntp org"]),
    "[plant:network.ntpServers[0]] 'pool ntp org' is not an IPv4 address or a DNS host name",
  ],
  // Cluster networks against the plant's networks
  [
    "pod network over the plant LAN",
    (r) => (r.clusters[0].podCidr = "10.0.0.0/14"),
    "[plant:clusters[0].podCidr] 10.0.0.0/14 overlaps the plant LAN 10.1.0.0/22 (plant:network.lanCidr): pods of cluster reports could not reach it",
  ],
  [
    "service network over the pod network",
    (r) => (r.clusters[0].serviceCidr = "10.42.128.0/20"),
    "[plant:clusters[0].serviceCidr] 10.42.128.0/20 overlaps the pod network 10.42.0.0/16 (plant:clusters[0].podCidr) of the same cluster",
  ],
  [
    "pod network over an admin network",
    (r) => (r.clusters[0].podCidr = "10.250.0.0/16"),
    "[plant:clusters[0].podCidr] 10.250.0.0/16 overlaps an admin network 10.250.0.0/24 (plant:network.adminCidrs[1]): pods of cluster reports could not reach it",
  ],
  [
    "service network holding a DNS server beyond the LAN",
    (r) => (r.network.dnsServers = ["10.43.0.53"]),
    "[plant:clusters[0].serviceCidr] 10.43.0.0/16 contains a DNS server 10.43.0.53 (plant:network.dnsServers[0]): pods of cluster reports could not reach it",
  ],
  [
    "pod network holding the object store's address",
    (r) => {
      r.openstack.objectStore.s3Endpoint = "https://10.42.7.1:8080";
      delete r.openstack.objectStore.addresses;
    },
    "[plant:clusters[0].podCidr] 10.42.0.0/16 contains the object store 10.42.7.1 (plant:openstack.objectStore.s3Endpoint): pods of cluster reports could not reach it",
  ],
  [
    "pod network holding an address the object store's host name resolves to",
    (r) => (r.openstack.objectStore.addresses = ["10.1.0.5", "10.42.7.1"]),
    "[plant:clusters[0].podCidr] 10.42.0.0/16 contains the object store 10.42.7.1 (plant:openstack.objectStore.addresses[1]): pods of cluster reports could not reach it",
  ],
  [
    "a routed network that is the LAN",
    (r) => (r.network.routed = [{ cidr: "10.1.0.0/24", note: "hall 1" }]),
    "[plant:network.routed[0]] 10.1.0.0/24 overlaps the plant LAN 10.1.0.0/22; list only networks beyond the LAN (LAN machines go in plant:network.reserved)",
  ],
  [
    "a pod network too small for the nodes",
    (r) => (r.clusters[0].podCidr = "10.42.0.0/22"),
    "[plant:clusters[0].podCidr] 10.42.0.0/22 holds 4 node range(s) of /24 (each node gets one), but cluster reports needs 7: 6 nodes (controlPlane.count + workers.count) and one for a replacement; use /21 or wider",
  ],
  [
    "a service network wider than /12",
    (r) => (r.clusters[0].serviceCidr = "10.64.0.0/10"),
    "[plant:clusters[0].serviceCidr] 10.64.0.0/10 is wider than /12, the largest service range kube-apiserver accepts",
  ],
  [
    "a service network narrower than /24",
    (r) => (r.clusters[0].serviceCidr = "10.43.0.0/26"),
    "[plant:clusters[0].serviceCidr] 10.43.0.0/26 is narrower than /24: the add-ons and services need a few dozen Service IPs (CoreDNS takes the tenth)",
  ],
  [
    "an admin network of the whole internet",
    (r) => (r.network.adminCidrs = ["0.0.0.0/0"]),
    "[plant:network.adminCidrs[0]] 0.0.0.0/0 would open SSH and the Kubernetes API of every node to every address; list the admin networks",
  ],
  [
    "an admin network listed twice",
    (r) => r.network.adminCidrs.push("10.1.0.224/27"),
    "[plant:network.adminCidrs[2]] 10.1.0.224/27 is listed twice (also at plant:network.adminCidrs[0]); each admin network gets its own security-group rules, named after it",
  ],
  [
    "a DNS server listed twice",
    (r) => r.network.dnsServers.push("10.1.0.2"),
    "[plant:network.dnsServers[2]] 10.1.0.2 is listed twice (also at plant:network.dnsServers[0]); Neutron refuses a duplicate name server",
  ],
  [
    "six DNS servers",
    (r) =>
      (r.network.dnsServers = [
        "10.1.0.2",
        "10.1.0.3",
        "10.1.0.4",
        "10.1.0.5",
        "10.1.0.6",
        "10.1.0.7",
      ]),
    "[plant:network.dnsServers] lists 6; a Neutron subnet takes at most 5 (max_dns_nameservers)",
  ],
  [
    "an SSH key cut short",
    (r) =>
      (r.openstack.keypair.publicKey =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINeftz0IFdW/XOiKnw1h6SQjS+wP1p+z0Z3B60Go ops@busche-cnc.com"),
    "[plant:openstack.keypair.publicKey] is not a whole ssh-ed25519 key (its key part is not 32 bytes): a truncated paste?",
  ],
  [
    "an SSH key whose type does not match its key",
    (r) =>
      (r.openstack.keypair.publicKey =
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAINeftz0IFdW/XOiKnw1h6SQjS+wP1p+z0Z3B60GoeuF1 ops@busche-cnc.com"),
    "[plant:openstack.keypair.publicKey] is not a ssh-rsa key: its base64 part does not start with 'ssh-rsa' (a truncated or mixed-up paste?)",
  ],
  // URLs as their consumer reads them
  [
    "an S3 endpoint with a bucket path",
    (r) => (r.openstack.objectStore.s3Endpoint = "https://objects.avilla.busche-cnc.com/pg"),
    "[plant:openstack.objectStore.s3Endpoint] https://objects.avilla.busche-cnc.com/pg has a path or query; Barman's S3 client (endpointURL) needs only https://<host>[:port]",
  ],
  [
    "an image URL over FTP",
    (r) =>
      (r.openstack.image = {
        name: "ubuntu-24.04",
        url: "ftp://images.busche-cnc.com/noble.img",
        sha256: "a".repeat(64),
      }),
    "[plant:openstack.image.url] ftp://images.busche-cnc.com/noble.img is not an https or http URL, which the image download needs",
  ],
  [
    "an existing cluster's API over plain HTTP",
    (r) => (r.clusters[1].apiEndpoint = "http://10.1.0.41:6443"),
    "[plant:clusters[1].apiEndpoint] http://10.1.0.41:6443 is not an https URL, which the Kubernetes API needs",
  ],
  [
    "an ACME directory over HTTP",
    (r) =>
      (r.clusters[0].ingress.tls = {
        issuer: "acme",
        server: "http://acme.busche-cnc.com/directory",
        email: "ops@busche-cnc.com",
      }),
    "[plant:clusters[0].ingress.tls.server] http://acme.busche-cnc.com/directory is not an https URL, which cert-manager's ACME client needs",
  ],
  [
    "a JWKS URI over HTTP",
    (r) =>
      (r.services[1].gateway.auth = {
        type: "jwt",
        issuer: "https://sso.busche-cnc.com",
        jwksUri: "http://sso.busche-cnc.com/jwks",
      }),
    "[plant:services[1].gateway.auth.jwksUri] http://sso.busche-cnc.com/jwks is not an https URL, which Envoy Gateway's remote JWKS fetch needs",
  ],
  [
    "a JWT issuer longer than Envoy Gateway takes",
    (r) =>
      (r.services[1].gateway.auth = {
        type: "jwt",
        issuer: `https://sso.busche-cnc.com/${"a".repeat(240)}`,
        jwksUri: "https://sso.busche-cnc.com/jwks",
      }),
    "[plant:services[1].gateway.auth.issuer] is longer than 253 characters, the most Envoy Gateway accepts",
  ],
  // Quantities and limits
  [
    "memory in millibytes",
    (r) => (r.services[0].resources.limits.memory = "512m"),
    "[plant:services[0].resources.limits.memory] '512m' means 512 thousandths of a byte to Kubernetes (m is milli): write 512Mi or 512M",
  ],
  [
    "CPU given in Gi",
    (r) => (r.services[0].resources.requests.cpu = "1Gi"),
    "[plant:services[0].resources.requests.cpu] '1Gi' is not a CPU quantity: whole or decimal cores (1, 1.5) or millicores (250m)",
  ],
  [
    "CPU finer than a millicore",
    (r) => (r.services[0].resources.requests.cpu = "0.5m"),
    "[plant:services[0].resources.requests.cpu] '0.5m' is finer than 1m (0.001 CPU), the smallest unit Kubernetes keeps",
  ],
  [
    "database memory limit below request",
    (r) => (r.databases[0].resources.limits.memory = "2Gi"),
    "[plant:databases[0].resources.limits.memory] 2Gi is below requests.memory 4Gi; Kubernetes refuses a limit below the request",
  ],
  [
    "service CPU limit below request",
    (r) => (r.services[1].resources.limits.cpu = "200m"),
    "[plant:services[1].resources.limits.cpu] 200m is below requests.cpu 250m; Kubernetes refuses a limit below the request",
  ],
  // Cron per consumer
  [
    "a backup at minute 61",
    (r) => (r.databases[0].backup.schedule = "0 61 2 * * *"),
    "[plant:databases[0].backup.schedule] '0 61 2 * * *' has an invalid minute field: '61' is outside 0-59",
  ],
  [
    "a backup on February 30",
    (r) => (r.databases[0].backup.schedule = "0 0 2 30 2 *"),
    "[plant:databases[0].backup.schedule] '0 0 2 30 2 *' never fires: no selected month has the selected day of month",
  ],
  [
    "a CronJob with a time zone",
    (r) => (r.services[2].schedule.cron = "TZ=Europe/Berlin 0 6 * * *"),
    "[plant:services[2].schedule.cron] 'TZ=Europe/Berlin 0 6 * * *' sets a time zone, which a Kubernetes CronJob does not take in the schedule",
  ],
  [
    "a CronJob step of zero",
    (r) => (r.services[2].schedule.cron = "*/0 6 * * *"),
    "[plant:services[2].schedule.cron] '*/0 6 * * *' has an invalid minute field: '*/0' needs a positive whole step after '/'",
  ],
  // Routes on the Gateway
  [
    "a path prefix Gateway API rejects",
    (r) => (r.services[2].routes[0].pathPrefix = "/gauges//daily"),
    "[plant:services[2].routes[0].pathPrefix] '/gauges//daily' must not contain '//'",
  ],
  [
    "the same host and prefix in two services",
    (r) => (r.services[2].routes[0].pathPrefix = "/"),
    "[plant:services[2].routes[0].pathPrefix] reports1.busche-cnc.com/ is already routed to service report-web (plant:services[0].routes[0]); two routes on one Gateway must not claim the same host and path prefix",
  ],
  [
    "one service on two host names with the same first label",
    (r) => {
      r.clusters[0].ingress.addresses[0].hostnames.push("reports1.avilla.busche-cnc.com");
      r.services[0].routes.push({ hostname: "reports1.avilla.busche-cnc.com", pathPrefix: "/" });
    },
    "[plant:services[0].routes[1].hostname] reports1.avilla.busche-cnc.com starts with the same label as reports1.busche-cnc.com (routes[0]): the service's HTTPRoutes are named report-web-<first label>, so both would be report-web-reports1; use host names whose first labels differ",
  ],
  // A StorageClass that exists
  [
    "a database on a StorageClass the cluster lacks",
    (r) => (r.databases[0].storage.storageClass = "fast-ssd"),
    "[plant:databases[0].storage.storageClass] 'fast-ssd' does not exist on cluster reports: the program installs only 'plant-block' (plant:clusters[0].storageClass), Cinder block volumes sized and kept off the workers' root disks; the volumes would stay Pending",
  ],
  // Bounds set by f, at the key that holds the count
  [
    "two service replicas with f=2",
    (r) => {
      r.site.failuresTolerated = 2;
      r.services[0].replicas.min = 2;
    },
    "[plant:services[0].replicas.min] is 2; surviving 2 host failure(s) (plant:site.failuresTolerated) needs at least 3 replicas, one per host that may fail plus one",
  ],
  [
    "two poolers with f=2",
    (r) => (r.site.failuresTolerated = 2),
    "[plant:databases[0].pooler.instances] is 2; surviving 2 host failure(s) (plant:site.failuresTolerated) needs at least 3 PgBouncer pods, or every connection to database reporting can be lost",
  ],
  [
    "a service on a cluster that runs workloads on one host",
    (r) => {
      r.clusters[1].nodes[1].role = "control-plane";
      r.clusters[1].nodes[2].role = "control-plane";
      r.clusters[1].ingress = undefined;
      r.services[0].cluster = "optiplex";
      r.services[0].routes = [];
      r.services[0].database = { name: "reporting", access: "none" };
    },
    "[plant:services[0].cluster] cluster optiplex runs workloads on 1 physical host(s) (optiplex-1); service report-web surviving 1 host failure(s) (plant:site.failuresTolerated) needs at least 2: give 2 distinct physical hosts nodes with role worker or control-plane+worker in plant:clusters[1].nodes",
  ],
  [
    "database instances beyond the R620s",
    (r) => {
      r.databases[0].instances = 4;
      r.clusters[0].workers.count = 4;
    },
    "[plant:databases[0].instances] is 4, but cluster 'reports' runs workloads on 3 physical host(s) (r620-1, r620-2, r620-3); each instance needs its own host (instances ≤ hosts running workloads): add R620s to plant:hosts (3 listed, 4 needed)",
  ],
  [
    "two gateway replicas on one worker, even with f=0 (Envoy pods need distinct hosts)",
    (r) => {
      r.site.failuresTolerated = 0;
      r.clusters[0].workers.count = 1;
    },
    "[plant:clusters[0].ingress.gatewayReplicas] is 2; each Envoy replica needs its own physical host and cluster reports runs workloads on 1, so with 0 down (plant:site.failuresTolerated) at most 1 can run (gatewayReplicas ≤ hosts running workloads − f): raise plant:clusters[0].workers.count to 2",
  ],
  [
    "a control plane larger than the R620s",
    (r) => (r.clusters[0].controlPlane.count = 5),
    "[plant:clusters[0].controlPlane.count] is 5, but only 3 hosts exist to keep members on distinct R620s: add R620s to plant:hosts (5 needed) or lower the count",
  ],
];

describe("refusals for plant addresses, cluster networks, values and bounds", () => {
  test("the Avilla site passes", () => expect(problemsOf(avilla())).toEqual([]));

  test.each(cases)("refuses %s", (_name, mutate, expected) => {
    const raw = avilla();
    mutate(raw);
    expect(problemsOf(raw)).toContain(expected);
  });

  test("reserved entries that keep clear of everything pass", () => {
    const raw = avilla();
    reserve(
      raw,
      { ip: "10.1.0.50", note: "PLC line 1" },
      { start: "10.1.0.150", end: "10.1.0.159", note: "CNC controllers" },
    );
    raw.network.routed = [{ cidr: "172.20.0.0/16", note: "office LAN" }];
    raw.databases[0].backup.schedule = "@daily";
    raw.services[2].schedule.cron = "30 5 * * mon-fri";
    expect(problemsOf(raw)).toEqual([]);
  });

  test("a site sharing the network may not announce what the other reserves", () => {
    const other = readStackFile(path.join(ROOT, "Pulumi.albion.yaml")) as Raw;
    other.network.lanCidr = "10.1.0.0/16";
    other.network.gateway = "10.1.0.1";
    other.network.dhcpRange = { start: "10.1.200.0", end: "10.1.200.250" };
    other.network.vmRange = { start: "10.1.201.0", end: "10.1.201.199" };
    other.network.reserved = [{ ip: "10.1.0.8", note: "scale terminal" }];
    expect(problemsOf(avilla(), [{ stack: "albion", site: other }])).toContain(
      "[plant:clusters[0].ingress.addresses[0].ip] 10.1.0.8 (the static ingress address 'reports' of cluster reports) is reserved 10.1.0.8 (scale terminal) in stack 'albion' (plant:network.reserved[0]), which shares the network",
    );
  });
});

describe("cron expressions as each consumer reads them", () => {
  test.each<[string, "scheduled-backup" | "cronjob", string | undefined]>([
    ["0 0 2 * * *", "scheduled-backup", undefined],
    ["*/30 0 1-5 ? * MON-FRI", "scheduled-backup", undefined],
    ["0 0 0 29 2 *", "scheduled-backup", undefined],
    ["@weekly", "scheduled-backup", undefined],
    ["0 6 * * *", "cronjob", undefined],
    ["15 2,14 1/2 jan-jun sun", "cronjob", undefined],
    [
      "0 2 * * *",
      "scheduled-backup",
      "must be a six-field cron expression (seconds first) as CloudNativePG's ScheduledBackup reads it (second minute hour day-of-month month day-of-week, e.g. '0 0 3 * * *'): it has 5; five fields would be read as second minute hour day-of-month month, shifting every field by one",
    ],
    [
      "@every 1h",
      "cronjob",
      "must be a five-field cron expression or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly",
    ],
    ["0 24 * * *", "cronjob", "has an invalid hour field: '24' is outside 0-23"],
    ["0 6 * * 7", "cronjob", "has an invalid day-of-week field: '7' is outside 0-6"],
    ["0 6 * 13 *", "cronjob", "has an invalid month field: '13' is outside 1-12"],
    ["0 6 5-1 * *", "cronjob", "has an invalid day-of-month field: '5-1' starts after it ends"],
    [
      "0 6 1-2-3 * *",
      "cronjob",
      "has an invalid day-of-month field: '1-2-3' has more than one '-'",
    ],
    [
      "0 6 */2/3 * *",
      "cronjob",
      "has an invalid day-of-month field: '*/2/3' has more than one '/'",
    ],
    ["0 6 1,,2 * *", "cronjob", "has an invalid day-of-month field: has an empty list item"],
    ["0 6 * foo *", "cronjob", "has an invalid month field: 'foo' is not a number or name"],
    ["0 6 31 4,6 *", "cronjob", "never fires: no selected month has the selected day of month"],
  ])("%s for %s", (expression, consumer, expected) =>
    expect(cronProblem(expression, consumer)).toBe(expected),
  );
});

describe("quantities as Kubernetes and the failure model read them", () => {
  test.each<[string, number | undefined, string | undefined]>([
    ["250m", 0.25, undefined],
    ["1.5", 1.5, undefined],
    ["0", 0, "must be more than 0"],
    [
      "1Gi",
      undefined,
      "is not a CPU quantity: whole or decimal cores (1, 1.5) or millicores (250m)",
    ],
  ])("CPU %s", (q, cores, problem) => {
    expect(parseCpu(q)).toBe(cores);
    expect(cpuProblem(q)).toBe(problem);
  });

  test.each<[string, number | undefined, string | undefined]>([
    ["512Mi", 512 * 2 ** 20, undefined],
    ["1G", 1e9, undefined],
    ["1073741824", 2 ** 30, undefined],
    [
      "512m",
      undefined,
      "means 512 thousandths of a byte to Kubernetes (m is milli): write 512Mi or 512M",
    ],
    [
      "4GB",
      undefined,
      "is not a memory quantity: bytes with a suffix k, M, G, T or Ki, Mi, Gi, Ti (e.g. 512Mi, 4Gi)",
    ],
  ])("memory %s", (q, bytes, problem) => {
    expect(parseMemory(q)).toBe(bytes);
    expect(memoryProblem(q)).toBe(problem);
  });
});

describe("URLs as their consumer needs them", () => {
  const https = { schemes: ["https:"] as const, consumer: "the API" };
  test.each<[string, string | undefined]>([
    ["https://api.busche-cnc.com:6443", undefined],
    [
      "mailto:ops@busche-cnc.com",
      "mailto:ops@busche-cnc.com is not an https URL, which the API needs",
    ],
    ["https:api.busche-cnc.com", "https:api.busche-cnc.com must be written https://<host>…"],
    [
      "https://u:p@api.busche-cnc.com",
      "https://u:p@api.busche-cnc.com carries credentials; the API gets its credentials separately",
    ],
    [
      "https://api.busche-cnc.com/#x",
      "https://api.busche-cnc.com/#x has a fragment (#…), which the API does not use",
    ],
  ])("%s", (url, expected) => expect(urlProblem(url, https)).toBe(expected));
});
