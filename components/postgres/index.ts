// Entry point of the PostgreSQL area: validates plant:databases against the declared clusters,
// then declares one operator per Kubernetes cluster hosting a database and one PostgresCluster
// per database.
import { objectStoreEgress } from "../../config/object-store-rules";
import { SiteConfig } from "../../config/site";
import { DatabaseOutput } from "../../outputs";
import { ClusterAddons } from "../ingress";
import { adoptionOptions } from "../adoption";
import { DatabaseCredential, ObjectStoreEndpoint, PlantCluster } from "../types";
import { PostgresCluster } from "./database";
import { CnpgOperator } from "./operator";
import { assertDatabasesPlaceable } from "./validation";

export { assertDatabasesPlaceable } from "./validation";

export interface DatabasesResult {
  /** One credential per service with database access, keyed by service name. */
  readonly credentials: ReadonlyMap<string, DatabaseCredential>;
  /** For services with a migration image: the role the migration Job runs as (may change the schema). */
  readonly migrationCredentials: ReadonlyMap<string, DatabaseCredential>;
  readonly outputs: Record<string, DatabaseOutput>;
  /** Database config name → its component (names, endpoints), for dependsOn and wiring. */
  readonly databases?: ReadonlyMap<string, PostgresCluster>;
}

export function declareDatabases(
  site: SiteConfig,
  clusters: readonly PlantCluster[],
  addons: ReadonlyMap<string, ClusterAddons>,
  objectStore: ObjectStoreEndpoint | undefined,
): DatabasesResult {
  assertDatabasesPlaceable(site, clusters, objectStore);
  const credentials = new Map<string, DatabaseCredential>();
  const migrationCredentials = new Map<string, DatabaseCredential>();
  const outputs: Record<string, DatabaseOutput> = {};
  const databases = new Map<string, PostgresCluster>();
  if (site.databases.length === 0 || objectStore === undefined) {
    return { credentials, migrationCredentials, outputs, databases };
  }

  const operators = new Map<string, CnpgOperator>();
  for (const cluster of clusters) {
    if (!site.databases.some((db) => db.cluster === cluster.name)) continue;
    operators.set(
      cluster.name,
      new CnpgOperator(
        `cnpg-${cluster.name}`,
        {
          cluster,
          certManagerReady: addons.get(cluster.name)?.certManagerReady ?? [],
          timeZone: site.site.timeZone,
        },
        adoptionOptions(site, cluster.name),
      ),
    );
  }

  for (const db of site.databases) {
    // Validation guarantees the cluster exists.
    const cluster = clusters.find((c) => c.name === db.cluster) as PlantCluster;
    const database = new PostgresCluster(
      `postgres-${db.name}`,
      {
        db,
        services: site.services,
        failuresTolerated: site.site.failuresTolerated,
        cluster,
        objectStore,
        objectStoreAccess: {
          egress: objectStoreEgress(site.openstack.objectStore),
          endpointCA: site.openstack.objectStore.endpointCA,
        },
        lanCidr: site.network.lanCidr,
        timeZone: site.site.timeZone,
        operatorReady: operators.get(cluster.name)?.ready ?? [],
      },
      adoptionOptions(site, cluster.name),
    );
    databases.set(db.name, database);
    outputs[db.name] = database.output;
    for (const [service, c] of database.credentials) credentials.set(service, c);
    for (const [service, c] of database.migrationCredentials) migrationCredentials.set(service, c);
  }
  return { credentials, migrationCredentials, outputs, databases };
}
