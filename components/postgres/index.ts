// INITIAL STUB (spine): replaced by the PostgreSQL issue.
import { SiteConfig } from "../../config";
import { DatabaseOutput } from "../../outputs";
import { ClusterAddons } from "../ingress";
import { DatabaseCredential, ObjectStoreEndpoint, PlantCluster } from "../types";

export interface DatabasesResult {
  /** One credential per service with database access, keyed by service name. */
  readonly credentials: ReadonlyMap<string, DatabaseCredential>;
  /** For services with a migration image: the role the migration Job runs as (may change the schema). */
  readonly migrationCredentials: ReadonlyMap<string, DatabaseCredential>;
  readonly outputs: Record<string, DatabaseOutput>;
}

export function declareDatabases(
  _site: SiteConfig,
  _clusters: readonly PlantCluster[],
  _addons: ReadonlyMap<string, ClusterAddons>,
  _objectStore: ObjectStoreEndpoint | undefined,
): DatabasesResult {
  return { credentials: new Map(), migrationCredentials: new Map(), outputs: {} };
}
