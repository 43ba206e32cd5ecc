// The OpenStack area declared for both sites under the offline-plan mocks: exact children,
// providers, protection, network/port/security inputs, quotas, slots and secret handling.
import { byName, idOf, ofType, OpenStackPlan, planOpenStack, rawStack } from "./harness";

const T = {
  project: "openstack:identity/project:Project",
  computeQuota: "openstack:compute/quotaSetV2:QuotaSetV2",
  networkQuota: "openstack:networking/quotaV2:QuotaV2",
  role: "openstack:identity/roleAssignment:RoleAssignment",
  user: "openstack:identity/user:User",
  password: "random:index/randomPassword:RandomPassword",
  provider: "pulumi:providers:openstack",
  aggregate: "openstack:compute/aggregateV2:AggregateV2",
  flavor: "openstack:compute/flavor:Flavor",
  flavorAccess: "openstack:compute/flavorAccess:FlavorAccess",
  serverGroup: "openstack:compute/serverGroup:ServerGroup",
  keypair: "openstack:compute/keypair:Keypair",
  image: "openstack:images/image:Image",
  network: "openstack:networking/network:Network",
  subnet: "openstack:networking/subnet:Subnet",
  secGroup: "openstack:networking/secGroup:SecGroup",
  rule: "openstack:networking/secGroupRule:SecGroupRule",
  port: "openstack:networking/port:Port",
  container: "openstack:objectstorage/container:Container",
  ec2: "openstack:identity/ec2CredentialV3:Ec2CredentialV3",
  volumeQuota: "openstack:blockstorage/quoteSetV3:QuoteSetV3",
  appCredential: "openstack:identity/applicationCredential:ApplicationCredential",
};

type Pair = { ipAddress: string };
type FixedIp = { ipAddress: string; subnetId: string };

let avilla: OpenStackPlan;
let albion: OpenStackPlan;
beforeAll(async () => {
  avilla = await planOpenStack("avilla");
  albion = await planOpenStack("albion");
});

const providerName = (urn?: string) => urn?.split("::").pop();

describe("what is declared", () => {
  test("avilla: exact child counts per type", () => {
    const counts: Record<string, number> = {};
    for (const r of avilla.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "plant:openstack:Cloud": 1,
      "plant:openstack:Project": 1,
      "plant:openstack:PlantNetwork": 1,
      "plant:openstack:ComputeFoundation": 1,
      "plant:openstack:ClusterSecurityGroup": 1,
      "plant:openstack:ClusterPorts": 1,
      "plant:openstack:BackupObjectStore": 1,
      "plant:openstack:BlockStorageAccess": 1,
      [T.provider]: 2,
      [T.project]: 1,
      [T.computeQuota]: 1,
      [T.networkQuota]: 1,
      [T.volumeQuota]: 1,
      // platform user: member + swiftoperator; backup user: swiftoperator
      [T.role]: 3,
      [T.user]: 2,
      // platform user's password, the Cinder CSI application credential's secret
      [T.password]: 2,
      [T.aggregate]: 3,
      [T.flavor]: 2,
      [T.flavorAccess]: 2,
      [T.serverGroup]: 2,
      [T.keypair]: 1,
      [T.network]: 1,
      [T.subnet]: 1,
      [T.secGroup]: 1,
      [T.rule]: 20,
      // 3 control plane + 3 workers + API VIP + 1 ingress VIP
      [T.port]: 8,
      [T.container]: 1,
      [T.ec2]: 1,
      [T.appCredential]: 1,
    });
  });

  test("every component type token has three parts and every child has a parent", () => {
    for (const r of avilla.resources) {
      if (!r.custom) expect(r.type).toMatch(/^plant:openstack:[A-Z][A-Za-z]+$/);
      if (r.name !== "openstack") expect(r.parent).toBeDefined();
    }
  });

  test("cloud-wide objects use the admin provider, project objects the project-scoped one", () => {
    const admin = [
      T.project,
      T.computeQuota,
      T.networkQuota,
      T.volumeQuota,
      T.role,
      T.user,
      T.ec2,
      T.aggregate,
      T.flavor,
      T.flavorAccess,
      T.network,
      T.subnet,
    ];
    const scoped = [
      T.serverGroup,
      T.keypair,
      T.secGroup,
      T.rule,
      T.port,
      T.container,
      // The platform user's own credential: Keystone limits it to the project it was made in.
      T.appCredential,
    ];
    for (const r of avilla.resources) {
      if (admin.includes(r.type))
        expect([r.name, providerName(r.provider)]).toEqual([r.name, "openstack-admin"]);
      if (scoped.includes(r.type))
        expect([r.name, providerName(r.provider)]).toEqual([r.name, "openstack-platform-scoped"]);
    }
    expect(byName(avilla, "openstack-admin").inputs).toEqual({
      cloud: "avilla",
      region: "RegionOne",
    });
    // Explicit credentials, scoped by the project's id: with `cloud` set the provider would take
    // the project from clouds.yaml and ignore tenantId.
    const scopedProvider = byName(avilla, "openstack-platform-scoped");
    expect(scopedProvider.inputs).toEqual({
      authUrl: "https://keystone.regionone.mock.invalid:5000",
      region: "RegionOne",
      userName: "plant-reporting-platform",
      userDomainId: "default",
      password: "[secret]",
      tenantId: "project-openstack-platform-project",
    });
    // It authenticates into the project only after the platform user has its roles there.
    expect(scopedProvider.dependencies).toEqual(
      expect.arrayContaining([
        byName(avilla, "openstack-platform-role-member").urn,
        byName(avilla, "openstack-platform-role-swiftoperator").urn,
      ]),
    );
  });

  test("an explicit identity.authUrl replaces the catalog lookup", async () => {
    const raw = rawStack("albion");
    const openstack = raw.openstack as Record<string, unknown>;
    const authUrl = "https://keystone.albion.busche-cnc.com:5000/v3";
    const plan = await planOpenStack("albion", {
      ...raw,
      openstack: { ...openstack, identity: { authUrl } },
    });
    expect(byName(plan, "openstack-platform-scoped").inputs.authUrl).toBe(authUrl);
  });

  test("protect: project, network, subnet, every port, server groups and the backup container", () => {
    const protectedTypes = new Set([
      T.project,
      T.network,
      T.subnet,
      T.port,
      T.serverGroup,
      T.container,
    ]);
    for (const r of avilla.resources) {
      expect([r.name, r.protect]).toEqual([r.name, protectedTypes.has(r.type)]);
    }
  });

  test("the platform user gets platformRoles + objectStoreRoles, the backup user objectStoreRoles", () => {
    const grants = ofType(avilla, T.role).map((r) => [r.name, r.inputs]);
    expect(grants.map(([n]) => n).sort()).toEqual([
      "openstack-backups-role-swiftoperator",
      "openstack-platform-role-member",
      "openstack-platform-role-swiftoperator",
    ]);
    for (const [, inputs] of grants) {
      expect(inputs).toEqual({
        projectId: "project-openstack-platform-project",
        roleId: expect.stringMatching(/^[0-9a-f]{32}$/),
        userId: expect.stringMatching(/^user-openstack-(platform|backups)-user$/),
      });
    }
    expect(byName(avilla, "openstack-platform-user").inputs).toEqual({
      name: "plant-reporting-platform",
      domainId: "default",
      defaultProjectId: "project-openstack-platform-project",
      description: expect.any(String),
      enabled: true,
      password: "[secret]",
      ignoreChangePasswordUponFirstUse: true,
      ignorePasswordExpiry: true,
    });
    expect(byName(avilla, "openstack-platform-project").inputs).toMatchObject({
      name: "plant-reporting",
      domainId: "default",
    });
  });

  test("quotas are sized from the plan (plus one spare of the largest VM)", () => {
    expect(ofType(avilla, T.computeQuota)[0].inputs).toEqual({
      projectId: "project-openstack-platform-project",
      instances: 7,
      cores: 3 * 4 + 3 * 8 + 8,
      ram: (3 * 8 + 3 * 32 + 32) * 1024,
      serverGroups: 2,
      serverGroupMembers: 4,
    });
    expect(ofType(avilla, T.networkQuota)[0].inputs).toEqual({
      projectId: "project-openstack-platform-project",
      network: 1,
      subnet: 1,
      port: 8 + 2,
      router: 0,
      floatingip: 0,
      securityGroup: 2,
      securityGroupRule: 20 + 4 + 10,
    });
  });
});

describe("availability zones, flavors, server groups, image, keypair", () => {
  test("one aggregate per R620: zone = host name, exactly that host", () => {
    expect(ofType(albion, T.aggregate).map((r) => r.inputs)).toEqual(
      ["r620-1", "r620-2", "r620-3", "r620-4"].map((h) => ({
        name: `plant-reporting-${h}`,
        zone: h,
        hosts: [h],
        metadata: { "plant-host": h },
      })),
    );
  });

  test("private flavors per role, sized from config, shared with the project only", () => {
    expect(ofType(avilla, T.flavor).map((r) => r.inputs)).toEqual([
      {
        name: "plant-reporting-reports-control-plane-4c-8g-60d",
        vcpus: 4,
        ram: 8192,
        disk: 60,
        isPublic: false,
      },
      {
        name: "plant-reporting-reports-worker-8c-32g-200d",
        vcpus: 8,
        ram: 32768,
        disk: 200,
        isPublic: false,
      },
    ]);
    for (const r of ofType(avilla, T.flavorAccess)) {
      expect(r.inputs.tenantId).toBe("project-openstack-platform-project");
    }
  });

  test("server groups: hard anti-affinity for the control plane, soft for workers", () => {
    expect(ofType(avilla, T.serverGroup).map((r) => r.inputs)).toEqual([
      { name: "plant-reporting-reports-control-plane", policies: ["anti-affinity"] },
      { name: "plant-reporting-reports-workers", policies: ["soft-anti-affinity"] },
    ]);
  });

  test("existingName looks the image up (no upload); the keypair carries the public key only", () => {
    expect(ofType(avilla, T.image)).toHaveLength(0);
    expect(ofType(avilla, T.keypair)[0].inputs).toEqual({
      name: "plant-ops",
      publicKey: expect.stringMatching(/^ssh-ed25519 AAAA\S+ plant-ops@busche-cnc.com$/),
    });
  });

  test("a pinned cloud image is uploaded from its URL with the checksum verified and the sha256 recorded", async () => {
    const raw = rawStack("avilla");
    const openstack = raw.openstack as Record<string, unknown>;
    const sha256 = "a".repeat(64);
    const url =
      "https://cloud-images.ubuntu.com/releases/noble/release-20261101/ubuntu-24.04-server-cloudimg-amd64.img";
    const plan = await planOpenStack("avilla", {
      ...raw,
      openstack: { ...openstack, image: { name: "ubuntu-24.04-20261101", url, sha256 } },
    });
    expect(ofType(plan, T.image).map((r) => r.inputs)).toEqual([
      {
        name: "ubuntu-24.04-20261101",
        imageSourceUrl: url,
        containerFormat: "bare",
        diskFormat: "qcow2",
        minDiskGb: 10,
        visibility: "private",
        verifyChecksum: true,
        properties: { os_distro: "ubuntu", plant_source_sha256: sha256 },
        tags: ["plant-reporting-boot-image"],
      },
    ]);
    expect(plan.wire.slots).toBeDefined();
  });
});

describe("network", () => {
  test("avilla: flat provider network owned by the project, port security on", () => {
    expect(ofType(avilla, T.network)[0].inputs).toEqual({
      name: "plant-reporting-plant-lan",
      description: "Plant LAN 10.1.0.0/22 (flat on physnet1)",
      tenantId: "project-openstack-platform-project",
      shared: false,
      external: false,
      adminStateUp: true,
      portSecurityEnabled: true,
      mtu: 1500,
      segments: [{ networkType: "flat", physicalNetwork: "physnet1" }],
    });
  });

  test("albion: VLAN 20 on physnet1", () => {
    expect(ofType(albion, T.network)[0].inputs.segments).toEqual([
      { networkType: "vlan", physicalNetwork: "physnet1", segmentationId: 20 },
    ]);
  });

  test("subnet: the plant LAN, gateway and DNS from config, allocation pool = vmRange only, no DHCP", () => {
    expect(ofType(avilla, T.subnet)[0].inputs).toEqual({
      name: "plant-reporting-plant-lan-v4",
      networkId: "network-openstack-network-lan",
      tenantId: "project-openstack-platform-project",
      cidr: "10.1.0.0/22",
      ipVersion: 4,
      gatewayIp: "10.1.0.1",
      dnsNameservers: ["10.1.0.2", "10.1.0.3"],
      allocationPools: [{ start: "10.1.1.0", end: "10.1.1.199" }],
      enableDhcp: false,
    });
  });
});

describe("ports (done-when: every VM has a fixed-IP port carrying every static ingress IP of its cluster)", () => {
  test.each([["avilla"], ["albion"]])("%s: one port per planned VM with its fixed IP", (stack) => {
    const plan = stack === "avilla" ? avilla : albion;
    const subnetId = "subnet-openstack-network-lan-subnet";
    const vmPorts = ofType(plan, T.port).filter((r) => !r.name.includes("-reserved-"));
    const byVm = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(vmPorts.map((r) => [r.inputs.name, r.inputs.fixedIps]).sort(byVm)).toEqual(
      plan.foundation.vms.map((vm) => [vm.name, [{ ipAddress: vm.ip, subnetId }]]).sort(byVm),
    );
  });

  test.each([["avilla"], ["albion"]])(
    "%s: address pairs = ingress IPs /32 on every node port, + API VIP on control-plane ports",
    (stack) => {
      const plan = stack === "avilla" ? avilla : albion;
      const cluster = plan.site.clusters.find((c) => c.name === "reports");
      if (cluster?.kind !== "openstack") throw new Error("no reports cluster");
      const ingress = (cluster.ingress?.addresses ?? []).map((a) => ({ ipAddress: `${a.ip}/32` }));
      expect(ingress.length).toBeGreaterThan(0);
      for (const vm of plan.foundation.vms) {
        const port = byName(plan, `openstack-reports-ports-${vm.name}`);
        const pairs = port.inputs.allowedAddressPairs as Pair[];
        const expected =
          vm.role === "control-plane"
            ? [{ ipAddress: `${cluster.apiVip}/32` }, ...ingress]
            : ingress;
        expect([vm.name, pairs]).toEqual([vm.name, expected]);
        expect(port.inputs).toMatchObject({
          portSecurityEnabled: true,
          adminStateUp: true,
          securityGroupIds: ["secgroup-openstack-reports-sg"],
          networkId: "network-openstack-network-lan",
        });
      }
    },
  );

  test("reservation ports hold the API VIP and every static ingress IP, outside the pool", () => {
    const reserved = ofType(avilla, T.port).filter((r) => r.name.includes("-reserved-"));
    expect(
      reserved.map((r) => [
        r.inputs.name,
        (r.inputs.fixedIps as FixedIp[])[0].ipAddress,
        r.protect,
      ]),
    ).toEqual([
      ["reports-reserved-api", "10.1.0.10", true],
      ["reports-reserved-reports", "10.1.0.8", true],
    ]);
    for (const r of reserved) expect(r.inputs.allowedAddressPairs).toBeUndefined();
  });
});

describe("slots and outputs for the other areas", () => {
  test("every VM slot: its own port, the role's flavor and server group, the zone of its R620", () => {
    expect(avilla.wire.slots).toEqual(
      avilla.foundation.vms.map((vm) => ({
        name: vm.name,
        portId: `port-openstack-reports-ports-${vm.name}`,
        flavorId: `flavor-openstack-compute-reports-${vm.role}-flavor`,
        serverGroupId: `servergroup-openstack-compute-reports-${vm.role}-group`,
        availabilityZone: vm.host,
      })),
    );
    expect(new Set(avilla.foundation.vms.map((v) => v.availabilityZone))).toEqual(
      new Set(["r620-1", "r620-2", "r620-3"]),
    );
  });

  test("OpenStackOutput: ids, VMs with their R620 and IP, the bucket", () => {
    expect(avilla.wire.outputs).toEqual({
      projectId: idOf(byName(avilla, "openstack-platform-project")),
      networkId: "network-openstack-network-lan",
      subnetId: "subnet-openstack-network-lan-subnet",
      vms: avilla.foundation.vms.map((v) => ({
        name: v.name,
        cluster: "reports",
        role: v.role,
        host: v.host,
        ip: v.ip,
      })),
      objectStore: {
        endpoint: "https://objects.avilla.busche-cnc.com:8080",
        bucket: "avilla-pg-backups",
      },
    });
  });

  test("the S3 credential reaches the PostgreSQL area only as secrets", () => {
    expect(avilla.wire.objectStore).toEqual({
      endpoint: "https://objects.avilla.busche-cnc.com:8080",
      region: "RegionOne",
      bucket: "avilla-pg-backups",
      accessKeyId: "[secret]",
      secretAccessKey: "[secret]",
    });
    const cred = ofType(avilla, T.ec2)[0];
    expect(cred.inputs).toEqual({
      projectId: "project-openstack-platform-project",
      userId: "user-openstack-backups-user",
    });
  });
});
