// One reporting service on one cluster: its restricted namespace, identity, configuration and
// secret files, the gated migration Job, the Deployment, how it is reached (Service, HTTPRoutes,
// Envoy Gateway policies), how it scales and survives drains, and its network policies.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../../config/schema";
import { routeFeaturePolicies } from "../ingress/route-features";
import {
  configChecksum,
  configMapData,
  DB_CA_FILE,
  DB_CA_PATH,
  DB_CREDENTIAL_FILES,
  migrationJobName,
  namespaceLabels,
  objectLabels,
  objectNames,
  secretsVersion,
  ServicePlan,
} from "./model";
import { buildNetworkPolicies } from "./network-policy";
import {
  buildHorizontalPodAutoscaler,
  buildHttpRoutes,
  buildPodDisruptionBudget,
  buildService,
} from "./serving-spec";
import { buildCronJob, buildDeployment, buildMigrationJob } from "./workload-spec";

export interface ReportingServiceArgs {
  /** The wired service (names, routes, database endpoints), plain data. */
  readonly plan: ServicePlan;
  /** The k8s.Provider of the service's cluster (`k8s-<cluster>`). */
  readonly provider: k8s.Provider;
  /** Secret value of each file under /var/run/secrets/app, by file name. Default: none. */
  readonly secretFiles?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Password of the app role (plan.database). Required when plan.database is set. */
  readonly databasePassword?: pulumi.Input<string>;
  /** PEM of the app role's database server CA (public). Required when plan.database is set. */
  readonly databaseCaCertificate?: pulumi.Input<string>;
  /** Password of the migrating role (plan.migrationDatabase). Required when it is set. */
  readonly migrationPassword?: pulumi.Input<string>;
  /** PEM of the migrating role's database server CA. Required when plan.migrationDatabase is set. */
  readonly migrationCaCertificate?: pulumi.Input<string>;
  /** `plant:services[].gateway`: rate limit, request size, auth. Default: none. */
  readonly gatewayFeatures?: ServiceConfig["gateway"];
  /** htpasswd file content, required for gateway auth type basic. */
  readonly htpasswd?: pulumi.Input<string>;
  /** What must exist before anything is created in the cluster (node labels, storage). Default: []. */
  readonly clusterReady?: readonly pulumi.Resource[];
  /**
   * What each route must wait for, by its host name (FQDN): the Gateway API CRDs and the
   * Gateway whose listener serves it. Default: nothing.
   */
  readonly gatewayReadyByHost?: Readonly<Record<string, readonly pulumi.Resource[]>>;
  /** What must exist before the app role can log in (plan.database). Default: []. */
  readonly databaseReady?: readonly pulumi.Resource[];
  /** What must exist before the migrating role can log in (plan.migrationDatabase). Default: []. */
  readonly migrationDatabaseReady?: readonly pulumi.Resource[];
}

/** Every secret value as one secret Output of a string map (for stringData). */
function secretMap(
  values: Readonly<Record<string, pulumi.Input<string>>>,
): pulumi.Output<Record<string, string>> {
  return pulumi.secret(pulumi.all(values));
}

export class ReportingService extends pulumi.ComponentResource {
  public readonly namespace: string;
  public readonly deployment: k8s.apps.v1.Deployment;
  /** The gated migration Job, when the service has a migration. */
  public readonly migrationJob?: k8s.batch.v1.Job;
  public readonly cronJob?: k8s.batch.v1.CronJob;
  private readonly serviceName: string;

  constructor(name: string, args: ReportingServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:reporting:ReportingService", name, {}, opts);
    const plan = args.plan;
    const names = objectNames(plan.name);
    const base = { parent: this, provider: args.provider };
    this.namespace = plan.namespace;
    this.serviceName = plan.name;

    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: plan.namespace,
          labels: namespaceLabels(plan.name, plan.routes.length > 0),
        },
      },
      { ...base, dependsOn: [...(args.clusterReady ?? [])] },
    );
    const inNamespace = { ...base, dependsOn: [namespace] };
    const metadata = (objectName: string) => ({
      name: objectName,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
    });

    // Network policies first: no pod of this namespace ever runs without them.
    const policies = buildNetworkPolicies(plan).map(
      (p) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata.name}`, p, inNamespace),
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: metadata(names.serviceAccount), automountServiceAccountToken: false },
      inNamespace,
    );
    const envData = configMapData(plan);
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-env`,
      { metadata: metadata(names.configMap), data: envData },
      inNamespace,
    );

    // Secret values only ever travel as secret Outputs into Secret.stringData, mounted as files.
    const secretValues: Record<string, pulumi.Input<string>> = {};
    const secrets: k8s.core.v1.Secret[] = [];
    const secretFiles = args.secretFiles ?? {};
    for (const file of plan.secretFiles) {
      const value = secretFiles[file];
      if (value === undefined) {
        throw new pulumi.ResourceError(
          `[services.${plan.name}.secrets] no value for '${file}'`,
          this,
        );
      }
      secretValues[`app/${file}`] = value;
    }
    if (plan.secretFiles.length > 0) {
      const files = Object.fromEntries(plan.secretFiles.map((f) => [f, secretFiles[f]]));
      secrets.push(this.secret(`${name}-secrets`, names.appSecrets, secretMap(files), inNamespace));
    }
    if (plan.database) {
      const creds = this.credentialFiles(
        plan.database,
        args.databasePassword,
        args.databaseCaCertificate,
        `services.${plan.name}.database`,
      );
      secretValues["db/password"] = creds.password;
      // A new CA rolls the pods, so they never keep trusting one the server no longer uses.
      secretValues[`db/${DB_CA_FILE}`] = creds[DB_CA_FILE];
      secrets.push(this.secret(`${name}-db`, names.dbCredentials, secretMap(creds), inNamespace));
    }

    let migrationJob: k8s.batch.v1.Job | undefined;
    if (plan.migration && plan.migrationDatabase) {
      const creds = this.credentialFiles(
        plan.migrationDatabase,
        args.migrationPassword,
        args.migrationCaCertificate,
        `services.${plan.name}.migration`,
      );
      const migrationSecret = this.secret(
        `${name}-migration-db`,
        names.migrationCredentials,
        secretMap(creds),
        inNamespace,
      );
      const job = buildMigrationJob(plan, migrationJobName(plan.name, plan.migration));
      // Pulumi's Kubernetes provider waits for a Job to complete and fails the update if it
      // fails, so everything that depends on this Job (the Deployment) rolls only after a
      // successful migration. The name changes with the image, so each release runs anew;
      // any other change of the (immutable) Job replaces it.
      migrationJob = new k8s.batch.v1.Job(`${name}-migrate`, job, {
        ...base,
        // The migrating role must exist and be able to log in before the Job runs.
        dependsOn: [
          namespace,
          serviceAccount,
          migrationSecret,
          ...policies,
          ...(args.migrationDatabaseReady ?? []),
        ],
        replaceOnChanges: ["spec"],
        deleteBeforeReplace: true,
        customTimeouts: { create: "30m", update: "30m" },
      });
    }
    this.migrationJob = migrationJob;

    const annotations: Record<string, pulumi.Input<string>> = {
      "checksum/config": configChecksum(envData),
    };
    if (Object.keys(secretValues).length > 0) {
      // Computed inside apply from the secret values; only the one-way digest is published.
      annotations["checksum/secrets"] = pulumi.unsecret(
        pulumi.all(secretValues).apply((v) => secretsVersion(v)),
      );
    }
    const gated = [
      serviceAccount,
      configMap,
      ...secrets,
      ...policies,
      ...(migrationJob ? [migrationJob] : []),
      // The app role, so no pod starts against a role that cannot log in yet.
      ...(plan.database ? (args.databaseReady ?? []) : []),
    ];
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deploy`,
      buildDeployment(plan, annotations),
      {
        ...base,
        dependsOn: [namespace, ...gated],
      },
    );
    if (plan.schedule) {
      this.cronJob = new k8s.batch.v1.CronJob(`${name}-cron`, buildCronJob(plan), {
        ...base,
        dependsOn: [namespace, ...gated],
      });
    }

    const service = new k8s.core.v1.Service(`${name}-svc`, buildService(plan), inNamespace);
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      buildHorizontalPodAutoscaler(plan),
      {
        ...base,
        dependsOn: [namespace, this.deployment],
      },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      buildPodDisruptionBudget(plan),
      inNamespace,
    );
    this.declareRoutes(name, args, base, [namespace, service]);

    this.registerOutputs({ namespace: this.namespace, deployment: this.deployment.metadata.name });
  }

  private secret(
    name: string,
    objectName: string,
    stringData: pulumi.Output<Record<string, string>>,
    opts: pulumi.CustomResourceOptions,
  ): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name: objectName,
          namespace: this.namespace,
          labels: objectLabels(this.serviceName),
        },
        type: "Opaque",
        stringData,
      },
      opts,
    );
  }

  /** One file per libpq connection parameter (DB_CREDENTIAL_FILES), the CA among them. */
  private credentialFiles(
    db: NonNullable<ServicePlan["database"]>,
    password: pulumi.Input<string> | undefined,
    caCertificate: pulumi.Input<string> | undefined,
    what: string,
  ): Record<(typeof DB_CREDENTIAL_FILES)[number], pulumi.Input<string>> {
    if (password === undefined) {
      throw new pulumi.ResourceError(`[${what}] no password for role ${db.username}`, this);
    }
    if (caCertificate === undefined) {
      throw new pulumi.ResourceError(`[${what}] no server CA for role ${db.username}`, this);
    }
    return {
      host: db.host,
      port: String(db.port),
      dbname: db.dbname,
      username: db.username,
      password,
      sslmode: db.sslMode,
      sslrootcert: DB_CA_PATH,
      [DB_CA_FILE]: caCertificate,
    };
  }

  private declareRoutes(
    name: string,
    args: ReportingServiceArgs,
    base: { parent: pulumi.Resource; provider: k8s.Provider },
    inNamespace: pulumi.Resource[],
  ): void {
    const plan = args.plan;
    const features = args.gatewayFeatures ?? {};
    // Each route waits for the Gateway serving its host name (one per static address).
    const readyOf = (fqdn: string) => [...(args.gatewayReadyByHost?.[fqdn] ?? [])];
    const allReady = [...new Set(plan.routes.flatMap((r) => readyOf(r.fqdn)))];
    let htpasswdSecret: k8s.core.v1.Secret | undefined;
    if (features.auth?.type === "basic" && plan.routes.length > 0) {
      if (args.htpasswd === undefined) {
        throw new pulumi.ResourceError(`[services.${plan.name}.gateway.auth] no htpasswd`, this);
      }
      htpasswdSecret = this.secret(
        `${name}-htpasswd`,
        objectNames(plan.name).htpasswd,
        secretMap({ ".htpasswd": args.htpasswd }),
        {
          ...base,
          dependsOn: [...inNamespace, ...allReady],
        },
      );
    }
    const hosts = new Map(plan.routes.map((r) => [r.name, r.fqdn]));
    for (const route of buildHttpRoutes(plan)) {
      const dependsOn = [...inNamespace, ...readyOf(hosts.get(route.metadata.name)!)];
      const cr = new k8s.apiextensions.CustomResource(
        `${name}-route-${route.metadata.name}`,
        route,
        { ...base, dependsOn },
      );
      const routePolicies = routeFeaturePolicies({
        namespace: plan.namespace,
        routeName: route.metadata.name,
        features,
        ...(htpasswdSecret ? { htpasswdSecretName: objectNames(plan.name).htpasswd } : {}),
      });
      for (const p of routePolicies) {
        new k8s.apiextensions.CustomResource(
          `${name}-policy-${p.metadata.name}`,
          { ...p, metadata: { ...p.metadata, labels: objectLabels(plan.name) } },
          {
            ...base,
            dependsOn: [cr, ...(htpasswdSecret ? [htpasswdSecret] : []), ...dependsOn],
          },
        );
      }
    }
  }
}
