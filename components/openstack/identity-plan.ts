// Who the program acts as inside the cloud (pure; see docs/openstack.md#identities).
//
// terraform-provider-openstack (v1.54.1, under @pulumi/openstack 3.15.2) authenticates through
// gophercloud/utils `terraform/auth/config.go` (05e9e7f5ea4d): when `cloud` is set, lines 103-133
// take credentials *and project* from clouds.yaml alone and never read tenant_id/tenant_name
// (lines 134-161 do, only when `cloud` is empty). So a provider scoped to the project the program
// creates must carry explicit credentials of a user with a role there: the platform user. The
// backup user holds only the object-store role(s), for Barman's S3 credential.
import { OpenStackConfig } from "../../config/site";

export interface PlannedIdentity {
  /** Keystone user name, in the project's domain. */
  readonly userName: string;
  /** Roles on the platform project, in grant order. */
  readonly roles: readonly string[];
}

export interface IdentityPlan {
  /** Creates everything tenant-level; authenticates the project-scoped provider. */
  readonly platform: PlannedIdentity;
  /** Owns Barman's EC2 credential; object-store roles only, no password. */
  readonly backup: PlannedIdentity;
  /** Explicit Keystone URL, or undefined: the admin cloud's public identity endpoint. */
  readonly authUrl?: string;
}

export function planIdentities(settings: OpenStackConfig): IdentityPlan {
  const id = settings.identity;
  const platformRoles = [...id.platformRoles];
  // The platform user creates the backup container, so it needs the object-store role(s) too.
  for (const role of id.objectStoreRoles) {
    if (!platformRoles.some((r) => r.toLowerCase() === role.toLowerCase()))
      platformRoles.push(role);
  }
  return {
    platform: { userName: `${settings.projectName}-platform`, roles: platformRoles },
    backup: { userName: `${settings.projectName}-backup`, roles: [...id.objectStoreRoles] },
    ...(id.authUrl !== undefined ? { authUrl: id.authUrl } : {}),
  };
}

/**
 * OS_* variables that would change whom an OpenStack provider authenticates as, or into which
 * project. The provider fills every unset field from them (terraform-provider-openstack
 * `openstack/provider.go` EnvDefaultFunc, lines 27-238), the Node SDK copies OS_CLOUD into `cloud`
 * (`@pulumi/openstack/provider.js`), and gophercloud/utils `openstack/clientconfig/requests.go`
 * loads the OS_CLOUD entry even for a provider without `cloud` (lines 354-392, which then ignores
 * the explicit credentials), lets OS_TOKEN replace the password (lines 539-547, 709-715) and an
 * application credential drop the project scope (lines 657-661). Region, CA and endpoint-type
 * variables change neither, and stay allowed.
 */
export const IDENTITY_ENV_VARS = [
  "OS_CLOUD",
  "OS_AUTH_URL",
  "OS_USERNAME",
  "OS_USER_ID",
  "OS_PASSWORD",
  "OS_TOKEN",
  "OS_AUTH_TOKEN",
  "OS_APPLICATION_CREDENTIAL_ID",
  "OS_APPLICATION_CREDENTIAL_NAME",
  "OS_APPLICATION_CREDENTIAL_SECRET",
  "OS_TENANT_ID",
  "OS_TENANT_NAME",
  "OS_PROJECT_ID",
  "OS_PROJECT_NAME",
  "OS_USER_DOMAIN_ID",
  "OS_USER_DOMAIN_NAME",
  "OS_PROJECT_DOMAIN_ID",
  "OS_PROJECT_DOMAIN_NAME",
  "OS_DOMAIN_ID",
  "OS_DOMAIN_NAME",
  "OS_DEFAULT_DOMAIN",
  "OS_SYSTEM_SCOPE",
] as const;

/** One problem per identity variable set in the environment `pulumi` runs in. */
export function identityEnvironmentProblems(
  env: Readonly<Record<string, string | undefined>>,
  cloud: string,
): { key: string; message: string }[] {
  return IDENTITY_ENV_VARS.filter((name) => (env[name] ?? "") !== "").map((name) => ({
    key: `environment ${name}`,
    message:
      name === "OS_CLOUD"
        ? `is set: the OpenStack provider then takes every credential and project from that clouds.yaml entry, so the platform project's provider would act as the admin in the admin project; unset it (the admin entry is named by plant:openstack.cloud, '${cloud}')`
        : `is set: the OpenStack provider fills unset credential and scope fields from it, which changes whom the platform project's provider authenticates as; unset it (credentials come from clouds.yaml entry '${cloud}' and from the program)`,
  }));
}
