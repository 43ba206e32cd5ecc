// Issue 12, defect 1, on the whole program's offline plan of both sites: every tenant-level
// OpenStack resource is created through a provider that authenticates as the platform user into
// the platform project (tenantId = the project's id, no `cloud`, which would win over it: see
// components/openstack/identity-plan.ts). Only the types in ADMIN_TYPES may use the admin
// provider; any other openstack:* type, including one added later, must use the project's.
import { IDENTITY_DEFAULTS } from "../../config/schema";
import { PlannedResource } from "../../tools/plan/run";
import { mockId } from "../../tools/plan/mock-types";
import { sitePlan } from "../support/plans";
import { siteOf } from "./harness";

/** Types the admin provider may create, each with the reason it cannot be tenant-level. */
const ADMIN_TYPES: Readonly<Record<string, string>> = {
  "openstack:identity/project:Project": "creating a project is an admin action",
  "openstack:identity/user:User": "users are objects of the domain, not of a project",
  "openstack:identity/roleAssignment:RoleAssignment": "granting a role is an admin action",
  "openstack:identity/ec2CredentialV3:Ec2CredentialV3":
    "the backup user has no password to create its own credential",
  "openstack:compute/quotaSetV2:QuotaSetV2": "quotas are set by an admin",
  "openstack:networking/quotaV2:QuotaV2": "quotas are set by an admin",
  "openstack:blockstorage/quoteSetV3:QuoteSetV3": "quotas are set by an admin",
  "openstack:compute/aggregateV2:AggregateV2": "host aggregates and zones are cloud-wide",
  "openstack:compute/flavor:Flavor": "flavors are cloud-wide",
  "openstack:compute/flavorAccess:FlavorAccess": "sharing a private flavor is an admin action",
  "openstack:networking/network:Network": "a provider network needs admin rights",
  "openstack:networking/subnet:Subnet": "a subnet of the provider network",
};

/** Admin-created objects that still belong to the project: the input that names it. */
const PROJECT_INPUT: Readonly<Record<string, string>> = {
  "openstack:identity/user:User": "defaultProjectId",
  "openstack:identity/roleAssignment:RoleAssignment": "projectId",
  "openstack:identity/ec2CredentialV3:Ec2CredentialV3": "projectId",
  "openstack:compute/quotaSetV2:QuotaSetV2": "projectId",
  "openstack:networking/quotaV2:QuotaV2": "projectId",
  "openstack:blockstorage/quoteSetV3:QuoteSetV3": "projectId",
  "openstack:compute/flavorAccess:FlavorAccess": "tenantId",
  "openstack:networking/network:Network": "tenantId",
  "openstack:networking/subnet:Subnet": "tenantId",
};

/** Tenant-level types each site must have, so the scope check below is never vacuous. */
const TENANT_TYPES = [
  "openstack:compute/instance:Instance",
  "openstack:compute/serverGroup:ServerGroup",
  "openstack:compute/keypair:Keypair",
  "openstack:networking/secGroup:SecGroup",
  "openstack:networking/secGroupRule:SecGroupRule",
  "openstack:networking/port:Port",
  "openstack:objectstorage/container:Container",
  "openstack:identity/applicationCredential:ApplicationCredential",
];

const PROVIDER = "pulumi:providers:openstack";
const ROLE = "openstack:identity/roleAssignment:RoleAssignment";
const USER = "openstack:identity/user:User";
const EC2 = "openstack:identity/ec2CredentialV3:Ec2CredentialV3";
const CONTAINER = "openstack:objectstorage/container:Container";

describe.each([["avilla"], ["albion"]])("offline plan of %s", (stack) => {
  let resources: PlannedResource[];
  let byUrn: Map<string, PlannedResource>;
  let projectId: string;
  beforeAll(async () => {
    resources = (await sitePlan(stack)).resources;
    byUrn = new Map(resources.map((r) => [r.urn, r]));
    const projects = resources.filter((r) => r.type === "openstack:identity/project:Project");
    expect(projects).toHaveLength(1);
    projectId = mockId(projects[0].type, projects[0].name);
  });

  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const one = (type: string, name: string): PlannedResource => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
  };
  const providerOf = (r: PlannedResource): PlannedResource => {
    const p = r.provider ? byUrn.get(r.provider) : undefined;
    if (!p)
      throw new Error(`${r.type} ${r.name} has no explicit provider (the default one is OS_*)`);
    return p;
  };
  /** Why a provider does not authenticate into the platform project, or undefined. */
  const notProjectScoped = (p: PlannedResource): string | undefined => {
    if ("cloud" in p.inputs)
      return `has cloud '${String(p.inputs.cloud)}', which wins over tenantId`;
    if (p.inputs.tenantId !== projectId) return `tenantId is ${String(p.inputs.tenantId)}`;
    if (typeof p.inputs.userName !== "string") return "has no userName";
    if (p.inputs.password !== "[secret]") return "has no secret password";
    return undefined;
  };
  const adminProvider = () => {
    const admins = ofType(PROVIDER).filter((p) => "cloud" in p.inputs);
    expect(admins).toHaveLength(1);
    return admins[0];
  };

  test("the admin provider comes from clouds.yaml; the project provider carries the platform user's explicit credentials", () => {
    const site = siteOf(stack);
    expect(ofType(PROVIDER)).toHaveLength(2);
    expect(adminProvider().inputs).toEqual({ cloud: site.openstack.cloud, region: "RegionOne" });
    const [project] = ofType(PROVIDER).filter((p) => notProjectScoped(p) === undefined);
    const platformUser = one(USER, "openstack-platform-user");
    expect(project.inputs).toEqual({
      authUrl: "https://keystone.regionone.mock.invalid:5000",
      region: "RegionOne",
      userName: platformUser.inputs.name,
      userDomainId: site.openstack.domain,
      password: "[secret]",
      tenantId: projectId,
    });
    // It authenticates only once the user holds its roles and the quotas fit the VMs.
    const grants = ofType(ROLE).filter((r) => r.inputs.userId === mockId(USER, platformUser.name));
    expect(grants.length).toBeGreaterThan(0);
    expect(project.dependencies).toEqual(
      expect.arrayContaining([
        ...grants.map((g) => g.urn),
        one("openstack:compute/quotaSetV2:QuotaSetV2", "openstack-platform-compute-quota").urn,
        one("openstack:networking/quotaV2:QuotaV2", "openstack-platform-network-quota").urn,
      ]),
    );
  });

  test("every openstack:* resource outside the admin list is scoped to the platform project", () => {
    const admin = adminProvider();
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const r of resources.filter((x) => x.custom && x.type.startsWith("openstack:"))) {
      const p = providerOf(r);
      if (r.type in ADMIN_TYPES) {
        if (p.urn !== admin.urn) wrong.push(`${r.name}: ${r.type} should use the admin provider`);
        continue;
      }
      seen.add(r.type);
      const problem = notProjectScoped(p);
      if (problem) wrong.push(`${r.name} (${r.type}): provider ${p.name} ${problem}`);
    }
    expect(wrong).toEqual([]);
    expect([...seen].sort()).toEqual(expect.arrayContaining(TENANT_TYPES));
  });

  test("admin-created objects that belong to the project name the platform project", () => {
    for (const [type, input] of Object.entries(PROJECT_INPUT)) {
      for (const r of ofType(type)) expect([r.name, r.inputs[input]]).toEqual([r.name, projectId]);
    }
  });

  test("two identities: the platform user (platform + object-store roles, a secret password), the backup user (object-store roles only, no password)", () => {
    const site = siteOf(stack);
    const roleIds = (userName: string) =>
      ofType(ROLE)
        .filter((r) => r.inputs.userId === mockId(USER, userName))
        .map((r) => r.name)
        .sort();
    expect(ofType(USER).map((u) => u.name)).toEqual(
      expect.arrayContaining(["openstack-platform-user", "openstack-backups-user"]),
    );
    expect(ofType(USER)).toHaveLength(2);
    const platform = one(USER, "openstack-platform-user");
    const backup = one(USER, "openstack-backups-user");
    expect(platform.inputs).toMatchObject({
      name: "plant-reporting-platform",
      password: "[secret]",
    });
    expect(backup.inputs.name).toBe("plant-reporting-backup");
    expect(backup.inputs).not.toHaveProperty("password");
    expect(site.openstack.identity).toEqual({ ...IDENTITY_DEFAULTS });
    expect(roleIds(platform.name)).toEqual([
      "openstack-platform-role-member",
      "openstack-platform-role-swiftoperator",
    ]);
    expect(roleIds(backup.name)).toEqual(["openstack-backups-role-swiftoperator"]);
    // The deploying (admin) user is granted nothing: it never acts inside the project.
    expect(ofType(ROLE)).toHaveLength(3);
  });

  test("the backup container and Barman's credential: same project, the dedicated backup identity", () => {
    const container = ofType(CONTAINER);
    expect(container).toHaveLength(1);
    expect(notProjectScoped(providerOf(container[0]))).toBeUndefined();
    const [credential] = ofType(EC2);
    expect(ofType(EC2)).toHaveLength(1);
    expect(credential.inputs).toEqual({
      projectId,
      userId: mockId(USER, "openstack-backups-user"),
    });
    // The key works only once the backup user holds its role.
    expect(credential.dependencies).toContain(
      one(ROLE, "openstack-backups-role-swiftoperator").urn,
    );
    // Barman's ObjectStore writes to that container with a Secret made from that credential.
    const store = resources.find((r) => r.type === "kubernetes:barmancloud.cnpg.io/v1:ObjectStore");
    if (!store) throw new Error("no Barman ObjectStore");
    const spec = store.inputs.spec as { configuration: { destinationPath: string } };
    expect(spec.configuration.destinationPath).toMatch(
      new RegExp(`^s3://${String(container[0].inputs.name)}/`),
    );
    const s3Secret = resources.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && store.dependencies.includes(r.urn),
    );
    expect(s3Secret?.dependencies).toContain(credential.urn);
    expect(s3Secret?.inputs.stringData).toBe("[secret]");
  });
});
