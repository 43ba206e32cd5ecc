// One HA PostgreSQL database: namespace, CloudNativePG Cluster, roles and their Secrets,
// Barman Cloud ObjectStore + ScheduledBackup, and the PgBouncer Poolers apps connect to.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ObjectStoreEgress } from "../../config/object-store-rules";
import { DatabaseConfig, ObjectStoreConfig, ServiceConfig } from "../../config/schema";
import { DatabaseOutput } from "../../outputs";
import { DatabaseCredential, ObjectStoreEndpoint, PlantCluster } from "../types";
import {
  SCHEDULE_TIME_ZONE_ANNOTATION,
  scheduledBackupSpec,
  firstBackupSpec,
  FIRST_BACKUP_AWAIT,
} from "./backup-spec";
import { declareBackupStore } from "./backup-store";
import { CLUSTER_AWAIT, CLUSTER_TIMEOUTS, clusterSpec } from "./cluster-spec";
import { credentialOf } from "./credential";
import {
  archiveServerName,
  databaseEndpoints,
  databaseNames,
  DatabaseNames,
  POSTGRES_NAMESPACE_LABELS,
  POSTGRES_PORT,
} from "./names";
import { apiServerCidrs, clientNamespaces, networkPolicySpecs } from "./network-policy-spec";
import { planPools } from "./pool-sizing";
import { POOLER_AWAIT, POOLER_TIMEOUTS, poolerSpec, poolerTypeOf } from "./pooler-spec";
import { planRoles } from "./roles";
import { DatabaseServerCa } from "./server-ca";

export interface PostgresClusterArgs {
  readonly db: DatabaseConfig;
  /** All services of the site; those using this database get a role. */
  readonly services: readonly ServiceConfig[];
  /** Physical-host failures the site must survive (site.failuresTolerated). */
  readonly failuresTolerated: number;
  readonly cluster: PlantCluster;
  readonly objectStore: ObjectStoreEndpoint;
  /** Where the object store answers (its /32s and port) and the CA of its certificate. */
  readonly objectStoreAccess: {
    readonly egress: ObjectStoreEgress;
    readonly endpointCA?: ObjectStoreConfig["endpointCA"];
  };
  /** The plant LAN (network.lanCidr): where the API server answers when no node is listed. */
  readonly lanCidr: string;
  /** The site's time zone (plant:site.timeZone): the backup schedule's clock. */
  readonly timeZone: string;
  /** Operator and Barman Cloud plugin; every custom resource waits for them. */
  readonly operatorReady: readonly pulumi.Resource[];
}

export class PostgresCluster extends pulumi.ComponentResource {
  public readonly names: DatabaseNames;
  /** Service name → its login role. */
  public readonly credentials: ReadonlyMap<string, DatabaseCredential>;
  /** Service name → its migration role (member of the owner role). */
  public readonly migrationCredentials: ReadonlyMap<string, DatabaseCredential>;
  public readonly output: DatabaseOutput;
  /** The Cluster and its Poolers: what a migration Job or an app should wait for. */
  public readonly ready: pulumi.Resource[];
  /** metadata.name → NetworkPolicy of the database namespace. */
  public readonly networkPolicies: ReadonlyMap<string, k8s.networking.v1.NetworkPolicy>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:postgres:PostgresCluster", name, {}, opts);
    const { db } = args;
    const names = databaseNames(db);
    const endpoints = databaseEndpoints(names);
    const provider = args.cluster.provider;
    const child = { parent: this, provider };
    const meta = (objectName: string, labels: Record<string, string> = {}) => ({
      name: objectName,
      namespace: names.namespace,
      labels: {
        "app.kubernetes.io/part-of": "plant-postgres",
        "plant.busche-cnc.com/database": db.name,
        ...labels,
      },
    });

    // Deleting the namespace deletes the PVCs: protect it and keep it if Pulumi ever forgets it.
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: names.namespace,
          labels: { "plant.busche-cnc.com/database": db.name, ...POSTGRES_NAMESPACE_LABELS },
        },
      },
      { ...child, protect: true, retainOnDelete: true, dependsOn: [...args.cluster.ready] },
    );

    const basicAuth = (
      resource: string,
      secretName: string,
      username: string,
      labels?: Record<string, string>,
    ) => {
      const password = new random.RandomPassword(
        `${resource}-password`,
        { length: 32, special: false },
        { parent: this },
      );
      const value = pulumi.secret(password.result);
      const secret = new k8s.core.v1.Secret(
        resource,
        {
          metadata: meta(secretName, labels),
          type: "kubernetes.io/basic-auth",
          stringData: { username, password: value },
        },
        { ...child, dependsOn: [namespace] },
      );
      return { secret, password: value };
    };

    const owner = basicAuth(`${name}-owner`, names.ownerSecret, db.owner);
    const roles = planRoles(db, args.services);
    const roleLogins = roles.map((role) => {
      const suffix = role.kind === "migration" ? `${role.service}-migrate` : role.service;
      // cnpg.io/reload: the operator re-applies the password when the Secret changes.
      const login = basicAuth(`${name}-role-${suffix}`, role.secret, role.role, {
        "cnpg.io/reload": "true",
      });
      return { role, ...login };
    });
    const roleSecrets = roleLogins.map((l) => l.secret);

    const serverCa = new DatabaseServerCa(
      `${name}-server-ca`,
      {
        cluster: names.cluster,
        namespace: names.namespace,
        secretName: names.serverCaSecret,
        labels: meta(names.serverCaSecret).labels,
        provider,
        dependsOn: [namespace],
      },
      { parent: this },
    );

    const policies = this.declareNetworkPolicies(name, args, names, meta, [namespace]);
    const allPolicies = [...policies.values()];
    const objectStore = declareBackupStore(this, {
      name,
      db,
      names,
      store: args.objectStore,
      endpointCA: args.objectStoreAccess.endpointCA,
      meta,
      provider,
      namespace,
      operatorReady: args.operatorReady,
    });

    if (db.restore.enabled) {
      void pulumi.log.warn(
        `database '${db.name}': restore is enabled. A new Cluster bootstraps from server ` +
          `'${db.restore.sourceServerName}' and archives to '${archiveServerName(db)}'; an existing Cluster ` +
          `keeps its data (bootstrap only runs at creation). See docs/postgres.md.`,
        this,
      );
    }
    const cluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        // Pulumi waits for CNPG's Ready condition, so roles exist before migrations run.
        metadata: { ...meta(names.cluster), annotations: { ...CLUSTER_AWAIT } },
        spec: clusterSpec({
          db,
          names,
          roles,
          failuresTolerated: args.failuresTolerated,
          defaultStorageClass: args.cluster.storageClass,
        }),
      },
      {
        ...child,
        // Deleting the Cluster deletes its PVCs (owner references): protect and retain.
        protect: true,
        retainOnDelete: true,
        // Bootstrap only matters when the Cluster is created; never patch a live one's.
        ignoreChanges: ["spec.bootstrap", "spec.externalClusters"],
        // Ready can take long: a restore replays WAL from the object store, then clones standbys.
        customTimeouts: { ...CLUSTER_TIMEOUTS },
        // Bootstrapped under its final network policies: a missing allow shows at creation.
        dependsOn: [
          namespace,
          owner.secret,
          ...roleSecrets,
          serverCa.secret,
          objectStore,
          ...allPolicies,
          ...args.operatorReady,
        ],
      },
    );

    const crOpts = { ...child, dependsOn: [cluster] };
    new k8s.apiextensions.CustomResource(
      `${name}-scheduled-backup`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: {
          ...meta(names.scheduledBackup),
          annotations: { [SCHEDULE_TIME_ZONE_ANNOTATION]: args.timeZone },
        },
        spec: scheduledBackupSpec(db, names),
      },
      crOpts,
    );
    new k8s.apiextensions.CustomResource(
      `${name}-first-backup`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Backup",
        metadata: { ...meta(names.firstBackup), annotations: { ...FIRST_BACKUP_AWAIT } },
        spec: firstBackupSpec(names),
      },
      // Later base backups come from the ScheduledBackup; this one must never be retaken.
      { ...crOpts, ignoreChanges: ["spec"] },
    );
    const pools = planPools(db, args.services);
    const poolers = (["rw", "ro"] as const).map(
      (type) =>
        new k8s.apiextensions.CustomResource(
          `${name}-pooler-${type}`,
          {
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Pooler",
            // Credentials wait for their pooler: Pulumi waits until CNPG reports it active.
            metadata: {
              ...meta(type === "rw" ? names.poolerRw : names.poolerRo),
              annotations: { ...POOLER_AWAIT },
            },
            spec: poolerSpec(names, pools[type]),
          },
          { ...crOpts, customTimeouts: { ...POOLER_TIMEOUTS } },
        ),
    );

    // A login needs the path client → its pooler → instances open, not only the role:
    // readwrite (and migration) roles use the rw pooler, read roles the ro pooler.
    const path = (p: string[]) => p.flatMap((name) => policies.get(name) ?? []);
    const pooler = { rw: poolers[0], ro: poolers[1] };
    const credentials = new Map<string, DatabaseCredential>();
    const migrationCredentials = new Map<string, DatabaseCredential>();
    for (const { role, secret, password } of roleLogins) {
      const type = poolerTypeOf(role.access);
      const loginPath = path([
        `allow-clients-to-pooler-${type}`,
        "allow-instances-from-poolers",
        "allow-poolers-to-instances",
      ]);
      (role.kind === "migration" ? migrationCredentials : credentials).set(
        role.service,
        credentialOf(role, password, {
          db,
          names,
          caCertificate: serverCa.certPem,
          ready: [secret, cluster, pooler[type], ...loginPath],
        }),
      );
    }

    this.names = names;
    this.ready = [cluster, ...poolers];
    this.networkPolicies = policies;
    this.credentials = credentials;
    this.migrationCredentials = migrationCredentials;
    this.output = {
      cluster: db.cluster,
      database: db.database,
      port: POSTGRES_PORT,
      poolerReadWrite: endpoints.poolerReadWrite,
      poolerReadOnly: endpoints.poolerReadOnly,
      directReadWrite: endpoints.directReadWrite,
      directReadOnly: endpoints.directReadOnly,
      backupServerName: archiveServerName(db),
    };
    this.registerOutputs({ output: this.output });
  }

  /** The namespace's NetworkPolicies: the allows first, then default-deny (no window without them). */
  private declareNetworkPolicies(
    name: string,
    args: PostgresClusterArgs,
    names: DatabaseNames,
    meta: (objectName: string) => k8s.types.input.meta.v1.ObjectMeta,
    dependsOn: pulumi.Resource[],
  ): Map<string, k8s.networking.v1.NetworkPolicy> {
    const specs = networkPolicySpecs({
      names,
      clients: clientNamespaces(args.db, args.services),
      apiServerCidrs: apiServerCidrs(args.cluster.nodes, args.lanCidr),
      objectStore: args.objectStoreAccess.egress,
    });
    const policies = new Map<string, k8s.networking.v1.NetworkPolicy>();
    const opts = { parent: this, provider: args.cluster.provider };
    const isDeny = (p: { name: string }) => p.name === "default-deny";
    for (const p of [...specs.filter((x) => !isDeny(x)), ...specs.filter(isDeny)]) {
      const after = isDeny(p) ? [...dependsOn, ...policies.values()] : dependsOn;
      policies.set(
        p.name,
        new k8s.networking.v1.NetworkPolicy(
          `${name}-netpol-${p.name}`,
          { metadata: meta(p.name), spec: p.spec },
          { ...opts, dependsOn: after },
        ),
      );
    }
    return policies;
  }
}
