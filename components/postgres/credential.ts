// The typed credential a service gets for one login role: which pooler it connects through
// and what must exist before a login works.
import * as pulumi from "@pulumi/pulumi";
import { DatabaseConfig } from "../../config/schema";
import { DatabaseCredential } from "../types";
import {
  databaseEndpoints,
  DatabaseNames,
  POSTGRES_PORT,
  poolerPodLabels,
  poolerTypeOf,
} from "./names";
import { PlannedRole } from "./roles";
import { CLIENT_SSL_MODE } from "./tls-spec";

/** Read roles get the ro pooler (host and pod labels, for the client's egress policy). */
export function credentialOf(
  role: PlannedRole,
  password: pulumi.Output<string>,
  ctx: {
    db: DatabaseConfig;
    names: DatabaseNames;
    /** PEM of the database's server CA (server-ca.ts). */
    caCertificate: pulumi.Output<string>;
    ready: pulumi.Resource[];
  },
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
    sslMode: CLIENT_SSL_MODE,
    caCertificate: ctx.caCertificate,
    namespace: ctx.names.namespace,
    poolerPodLabels: poolerPodLabels(readOnly ? ctx.names.poolerRo : ctx.names.poolerRw),
    ready: ctx.ready,
  };
}
