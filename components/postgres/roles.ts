// Least-privilege login roles, one per service that uses a database (plus a migration role
// for services that migrate the schema). Pure: config in, role plan and CNPG role specs out.
import { DatabaseConfig, ServiceConfig } from "../../config/schema";
import { DatabaseAccess } from "../types";
import { roleName, RoleKind, roleSecretName } from "./names";

export interface PlannedRole {
  /** Service name (plant:services[].name). */
  readonly service: string;
  readonly kind: RoleKind;
  /** PostgreSQL role name. */
  readonly role: string;
  /** basic-auth Secret with the password, in the database namespace. */
  readonly secret: string;
  readonly access: DatabaseAccess;
  /** Roles it is a member of (GRANTed by the operator). */
  readonly inRoles: readonly string[];
}

/**
 * read → pg_read_all_data (SELECT on every table, USAGE on every schema).
 * readwrite → also pg_write_all_data (INSERT/UPDATE/DELETE); no DDL, no CREATEDB, not the owner.
 * migration → member of the owner role: may change the schema (run migrations with
 * `SET ROLE <owner>` so new objects belong to the owner).
 */
export function planRoles(db: DatabaseConfig, services: readonly ServiceConfig[]): PlannedRole[] {
  const roles: PlannedRole[] = [];
  const users = services
    .filter((s) => s.database.name === db.name && s.database.access !== "none")
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const s of users) {
    const access: DatabaseAccess = s.database.access === "read" ? "read" : "readwrite";
    roles.push({
      service: s.name,
      kind: "app",
      role: roleName(s.name, "app"),
      secret: roleSecretName(db.name, s.name, "app"),
      access,
      inRoles: access === "read" ? ["pg_read_all_data"] : ["pg_read_all_data", "pg_write_all_data"],
    });
    if (s.migration) {
      roles.push({
        service: s.name,
        kind: "migration",
        role: roleName(s.name, "migration"),
        secret: roleSecretName(db.name, s.name, "migration"),
        access: "readwrite",
        inRoles: [db.owner],
      });
    }
  }
  return roles;
}

/** `spec.managed.roles[]` entry of the Cluster (postgresql.cnpg.io/v1 RoleConfiguration). */
export function managedRoleSpec(role: PlannedRole): Record<string, unknown> {
  return {
    name: role.role,
    ensure: "present",
    comment: `${role.kind === "migration" ? "schema migrations" : role.access} for service ${role.service}`,
    login: true,
    inherit: true,
    superuser: false,
    createdb: false,
    createrole: false,
    replication: false,
    bypassrls: false,
    inRoles: [...role.inRoles],
    passwordSecret: { name: role.secret },
  };
}
