// Mocked state for the OpenStack area: what Keystone, Nova, Neutron, Glance and Swift return for
// the project, its users and role grants, quotas, aggregates, flavors, server groups, network,
// ports, image and the S3 credential. Ids are UUID-shaped and derived from the resource name, so plans are stable.
import { createHash } from "crypto";
import { MockCallTable, MockInputs, MockStateTable } from "../mock-types";

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}

/** A UUID-shaped id, as OpenStack services return. */
export function fakeUuid(...parts: string[]): string {
  const h = digest("uuid", ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Keystone ids are 32 hex digits without dashes. */
function keystoneId(...parts: string[]): string {
  return digest("keystone", ...parts).slice(0, 32);
}

function mac(name: string): string {
  const h = digest("mac", name);
  return `fa:16:3e:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

/** The platform user: keypairs belong to the user that creates them. */
const PLATFORM_USER_ID = keystoneId("user", "plant-reporting-platform");
const NOW = "2026-11-23T00:00:00Z";

function portState(name: string, inputs: MockInputs): Record<string, unknown> {
  const fixed = (inputs.fixedIps ?? []) as { ipAddress?: string }[];
  const groups = (inputs.securityGroupIds ?? []) as string[];
  return {
    allFixedIps: fixed.flatMap((f) => (f.ipAddress ? [f.ipAddress] : [])),
    allSecurityGroupIds: groups,
    allTags: inputs.tags ?? [],
    macAddress: mac(name),
    deviceId: "",
    deviceOwner: "",
    dnsName: "",
    dnsAssignments: [],
    binding: { hostId: "", profile: "", vifDetails: {}, vifType: "unbound", vnicType: "normal" },
    tenantId: keystoneId("project", "plant-reporting"),
    region: "RegionOne",
  };
}

export const mockState: MockStateTable = {
  "openstack:identity/project:Project": () => ({
    enabled: true,
    isDomain: false,
    parentId: "default",
    region: "RegionOne",
  }),
  "openstack:identity/user:User": (_name, inputs) => ({
    // Keystone echoes the PCI options it was given; extra holds unknown attributes.
    extra: {},
    multiFactorAuthEnabled: false,
    ignoreLockoutFailureAttempts: false,
    ignoreChangePasswordUponFirstUse: inputs.ignoreChangePasswordUponFirstUse ?? false,
    ignorePasswordExpiry: inputs.ignorePasswordExpiry ?? false,
    region: "RegionOne",
  }),
  "openstack:identity/roleAssignment:RoleAssignment": () => ({ region: "RegionOne" }),
  "openstack:compute/quotaSetV2:QuotaSetV2": () => ({
    region: "RegionOne",
    keyPairs: 100,
    metadataItems: 128,
  }),
  "openstack:networking/quotaV2:QuotaV2": () => ({
    region: "RegionOne",
    rbacPolicy: 10,
    subnetpool: -1,
  }),
  "openstack:compute/aggregateV2:AggregateV2": () => ({ region: "RegionOne" }),
  "openstack:compute/flavor:Flavor": (name) => ({
    flavorId: fakeUuid("flavor", name),
    ephemeral: 0,
    swap: 0,
    rxTxFactor: 1,
    extraSpecs: {},
    region: "RegionOne",
  }),
  "openstack:compute/flavorAccess:FlavorAccess": () => ({ region: "RegionOne" }),
  "openstack:compute/serverGroup:ServerGroup": () => ({
    members: [],
    region: "RegionOne",
    rules: {},
  }),
  "openstack:compute/keypair:Keypair": (name) => ({
    fingerprint: digest("fingerprint", name)
      .slice(0, 32)
      .replace(/(..)(?!$)/g, "$1:"),
    userId: PLATFORM_USER_ID,
    region: "RegionOne",
  }),
  "openstack:images/image:Image": (name) => ({
    checksum: digest("md5", name).slice(0, 32),
    createdAt: NOW,
    updatedAt: NOW,
    file: `/v2/images/${fakeUuid("image", name)}/file`,
    schema: "/v2/schemas/image",
    sizeBytes: 612368384,
    status: "active",
    owner: keystoneId("project", "plant-reporting"),
    region: "RegionOne",
  }),
  "openstack:networking/network:Network": (name) => ({
    availabilityZoneHints: [],
    dnsDomain: "",
    qosPolicyId: "",
    allTags: [],
    transparentVlan: false,
    region: "RegionOne",
    description: `mock network ${name}`,
  }),
  "openstack:networking/subnet:Subnet": () => ({
    allTags: [],
    ipv6AddressMode: "",
    ipv6RaMode: "",
    serviceTypes: [],
    subnetpoolId: "",
    region: "RegionOne",
  }),
  "openstack:networking/secGroup:SecGroup": () => ({
    allTags: [],
    stateful: true,
    region: "RegionOne",
  }),
  "openstack:networking/secGroupRule:SecGroupRule": () => ({ region: "RegionOne" }),
  "openstack:networking/port:Port": portState,
  "openstack:objectstorage/container:Container": () => ({
    region: "RegionOne",
    storagePolicy: "Policy-0",
  }),
  // Keystone stores the user and project it was given (the provider sends both).
  "openstack:identity/ec2CredentialV3:Ec2CredentialV3": (name, inputs) => ({
    access: digest("ec2-access", name).slice(0, 32),
    secret: digest("ec2-secret", name).slice(0, 32),
    userId: inputs.userId,
    projectId: inputs.projectId,
    trustId: "",
    region: "RegionOne",
  }),
};

export const mockCalls: MockCallTable = {
  // The Keystone catalog's identity endpoint of the requested region and interface.
  "openstack:identity/getEndpoint:getEndpoint": (inputs) => {
    const region = String(inputs.endpointRegion ?? "RegionOne");
    const iface = String(inputs.interface ?? "public");
    return {
      id: keystoneId("endpoint", String(inputs.serviceType), iface, region),
      endpointRegion: region,
      interface: iface,
      name: "",
      region: "RegionOne",
      serviceId: keystoneId("service", String(inputs.serviceType)),
      serviceName: "keystone",
      serviceType: inputs.serviceType,
      url: `https://keystone.${region.toLowerCase()}.mock.invalid:5000`,
    };
  },
  "openstack:identity/getRole:getRole": (inputs) => ({
    id: keystoneId("role", String(inputs.name)),
    name: inputs.name,
    domainId: "",
    region: "RegionOne",
  }),
  "openstack:images/getImage:getImage": (inputs) => ({
    id: fakeUuid("image", String(inputs.name)),
    name: inputs.name,
    checksum: digest("md5", String(inputs.name)).slice(0, 32),
    containerFormat: "bare",
    diskFormat: "qcow2",
    createdAt: NOW,
    updatedAt: NOW,
    file: `/v2/images/${fakeUuid("image", String(inputs.name))}/file`,
    metadata: {},
    minDiskGb: 10,
    minRamMb: 0,
    protected: false,
    region: "RegionOne",
    schema: "/v2/schemas/image",
    sizeBytes: 612368384,
    tags: [],
    visibility: "public",
    mostRecent: inputs.mostRecent ?? false,
  }),
};
