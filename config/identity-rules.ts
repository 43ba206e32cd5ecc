// Rules for plant:openstack.identity: the roles the program grants its two Keystone users and the
// URL the platform user authenticates against (docs/openstack.md#identities). Pure; no Pulumi.
import { ParsedSite } from "./schema";

interface Problem {
  readonly key: string;
  readonly message: string;
}

const KEY = "plant:openstack.identity";

/** Keystone role names compare case-insensitively (Keystone's SQL backend treats them so). */
const norm = (role: string): string => role.toLowerCase();

function roleListProblems(roles: readonly string[], list: string, who: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  roles.forEach((role, i) => {
    const key = `${KEY}.${list}[${i}]`;
    if (norm(role) === "admin") {
      problems.push({
        key,
        message: `'${role}' is Keystone's cloud-administrator role: default policies do not limit it to one project, so ${who} would administer the whole cloud`,
      });
    }
    const first = seen.get(norm(role));
    if (first !== undefined) {
      problems.push({
        key,
        message: `role '${role}' is listed twice (also at ${KEY}.${list}[${first}])`,
      });
    } else seen.set(norm(role), i);
  });
  return problems;
}

function authUrlProblems(authUrl: string | undefined): Problem[] {
  if (authUrl === undefined) return [];
  const key = `${KEY}.authUrl`;
  const url = new URL(authUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return [{ key, message: `${authUrl} is not an http(s) URL` }];
  if (url.username || url.password)
    return [
      {
        key,
        message: `${authUrl} carries credentials; the program authenticates with its own platform user`,
      },
    ];
  if (url.search || url.hash)
    return [
      { key, message: `${authUrl} has a query or fragment; give Keystone's base or /v3 URL` },
    ];
  if (/\/v2\.0\/?$/.test(url.pathname))
    return [
      {
        key,
        message: `${authUrl} is Keystone's v2.0 API, which Keystone no longer serves; give the /v3 URL or the unversioned base URL`,
      },
    ];
  return [];
}

export function identityProblems(site: ParsedSite): Problem[] {
  const id = site.openstack.identity;
  const platform = new Set(id.platformRoles.map(norm));
  return [
    ...roleListProblems(id.platformRoles, "platformRoles", "the platform user"),
    ...roleListProblems(id.objectStoreRoles, "objectStoreRoles", "the backup user"),
    // Only the backup user is limited to the object store: a platform role given to it as well
    // would hand Barman's credential the platform's compute and network rights.
    ...id.objectStoreRoles.flatMap((role, i) =>
      platform.has(norm(role))
        ? [
            {
              key: `${KEY}.objectStoreRoles[${i}]`,
              message: `'${role}' is also in ${KEY}.platformRoles: the backup user would get the platform's compute and network rights; name only the Swift operator role (the proxy's keystoneauth operator_roles)`,
            },
          ]
        : [],
    ),
    ...authUrlProblems(id.authUrl),
  ];
}
