// The typed credential a service gets for one login role: which pooler it connects through
// and what must exist before a login works.
import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig } from "../../config/schema";
import { DatabaseCredential } from "../types";
import { databaseEndpoints, DatabaseNames, POSTGRES_PORT, poolerPodLabels } from "./names";
import { poolerTypeOf } from "./pooler-spec";
import { PlannedRole } from "./roles";

/** Read roles get the ro pooler (host and pod labels, for the client's egress policy). */
export function credentialOf(
  role: PlannedRole,
  password: pulumi.Output<string>,
  ctx: { db: DatabaseConfig; names: DatabaseNames; ready: pulumi.Resource[] },
): DatabaseCredential {
  const endpoints = databaseEndpoints(ctx.names);
  const readOnly = poolerTypeOf(role.access) === "ro";
  return {
    database: ctx.db.name,
    dbname: ctx.db.database,
    username: role.role,
    password,
    access: role.access,
    host: readOnly ? endpoints.poolerReadOnly : endpoints.poolerReadWrite,
    port: POSTGRES_PORT,
    namespace: ctx.names.namespace,
    poolerPodLabels: poolerPodLabels(readOnly ? ctx.names.poolerRo : ctx.names.poolerRw),
    ready: ctx.ready,
  };
}
