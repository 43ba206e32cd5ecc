// Pure manifest builders for the workloads of a reporting service: the Deployment, the gated
// migration Job and the optional CronJob. Plain data in, plain Kubernetes objects out; secrets
// are only referenced by Secret name and mounted as files.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  APP_SECRETS_DIR,
  DB_CREDENTIALS_DIR,
  libpqTlsEnv,
  objectLabels,
  objectNames,
  podLabels,
  ServicePlan,
  WorkloadComponent,
} from "./model";
import {
  containerResources,
  probes,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  spreadOverHosts,
} from "./pod-policy";
import { SERVICE_MAX_SURGE } from "../types";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** A manifest without apiVersion/kind: what the typed k8s resource classes take as args. */
export interface ObjectBody<Spec> {
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: Spec;
}

/** Owner read + group read (fsGroup), nothing for others. */
const SECRET_FILE_MODE = 0o440;
/** Seconds a terminating pod keeps serving so the gateway drops its endpoint first. */
const PRE_STOP_SLEEP_SECONDS = 5;

interface PodParts {
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
}

/** /tmp as an emptyDir (the root filesystem is read-only) and the secret files of one workload. */
function podFiles(plan: ServicePlan, component: WorkloadComponent): PodParts {
  const names = objectNames(plan.name);
  const volumes: Volume[] = [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }];
  const mounts: VolumeMount[] = [{ name: "tmp", mountPath: "/tmp" }];
  if (component !== "migration" && plan.secretFiles.length > 0) {
    volumes.push({
      name: "app-secrets",
      secret: { secretName: names.appSecrets, defaultMode: SECRET_FILE_MODE },
    });
    mounts.push({ name: "app-secrets", mountPath: APP_SECRETS_DIR, readOnly: true });
  }
  const dbSecret =
    component === "migration"
      ? plan.migrationDatabase && names.migrationCredentials
      : plan.database && names.dbCredentials;
  if (dbSecret) {
    volumes.push({ name: "db", secret: { secretName: dbSecret, defaultMode: SECRET_FILE_MODE } });
    mounts.push({ name: "db", mountPath: DB_CREDENTIALS_DIR, readOnly: true });
  }
  return { volumes, mounts };
}

/** The pod spec every workload of a service shares: identity, security, spreading, files. */
function podSpec(
  plan: ServicePlan,
  component: WorkloadComponent,
  container: Container,
  restart: "Always" | "Never",
): PodSpec {
  const files = podFiles(plan, component);
  return {
    serviceAccountName: objectNames(plan.name).serviceAccount,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: restart,
    securityContext: restrictedPodSecurityContext(),
    ...spreadOverHosts(podLabels(plan.name, component), component === "server"),
    containers: [{ ...container, volumeMounts: files.mounts }],
    volumes: files.volumes,
  };
}

/** Environment of the app's own containers: the ConfigMap, never a secret. */
function appEnvFrom(plan: ServicePlan): Container["envFrom"] {
  return [{ configMapRef: { name: objectNames(plan.name).configMap } }];
}

/**
 * The Deployment. No `replicas`: the HorizontalPodAutoscaler owns the count (the plant notes
 * say it follows load), and leaving it out keeps `pulumi up` from resetting it.
 */
export function buildDeployment(
  plan: ServicePlan,
  /** checksum/* annotations; values may be Outputs (computed digests), never secrets. */
  podAnnotations: Readonly<Record<string, pulumi.Input<string>>>,
): ObjectBody<k8s.types.input.apps.v1.DeploymentSpec> {
  const names = objectNames(plan.name);
  const labels = podLabels(plan.name, "server");
  const container: Container = {
    name: plan.name,
    image: plan.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http", containerPort: plan.port, protocol: "TCP" }],
    envFrom: appEnvFrom(plan),
    resources: containerResources(plan.resources),
    securityContext: restrictedContainerSecurityContext(),
    ...probes(plan.health),
    // Keep serving while the gateway removes the endpoint, then SIGTERM (needs Kubernetes ≥ 1.30).
    lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
  };
  return {
    metadata: {
      name: names.deployment,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
    },
    spec: {
      selector: { matchLabels: labels },
      // Zero downtime: a new pod must be Ready before an old one goes.
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: 0, maxSurge: SERVICE_MAX_SURGE },
      },
      minReadySeconds: 5,
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { ...labels }, annotations: { ...podAnnotations } },
        spec: {
          ...podSpec(plan, "server", container, "Always"),
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
}

/**
 * Pulumi's Kubernetes provider replaces a Job carrying this annotation on the next `up` when it is
 * not ready (failed or unfinished), instead of waiting again on the failed one (provider docs,
 * batch/v1 Job; Jobs are the kind it applies to).
 */
export const REPLACE_UNREADY_ANNOTATION = "pulumi.com/replaceUnready";

/**
 * The migration Job, named by a hash of its image. No ttlSecondsAfterFinished: Pulumi must
 * find the finished Job on the next `up`, or it would create (and run) it again. A failed Job
 * is replaced (run again) on the next `up`.
 */
export function buildMigrationJob(
  plan: ServicePlan,
  jobName: string,
): ObjectBody<k8s.types.input.batch.v1.JobSpec> {
  if (!plan.migration || !plan.migrationDatabase) {
    throw new Error(`[services.${plan.name}.migration] has no migration image or migration role`);
  }
  const labels = podLabels(plan.name, "migration");
  const container: Container = {
    name: "migrate",
    image: plan.migration.image,
    imagePullPolicy: "IfNotPresent",
    command: [...plan.migration.command],
    env: [
      { name: "DB_CREDENTIALS_DIR", value: DB_CREDENTIALS_DIR },
      ...Object.entries(libpqTlsEnv(plan.migrationDatabase)).map(([name, value]) => ({
        name,
        value,
      })),
    ],
    resources: containerResources(plan.resources),
    securityContext: restrictedContainerSecurityContext(),
  };
  return {
    metadata: {
      name: jobName,
      namespace: plan.namespace,
      labels: { ...objectLabels(plan.name), ...labels },
      annotations: { [REPLACE_UNREADY_ANNOTATION]: "true" },
    },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 1800,
      template: { metadata: { labels }, spec: podSpec(plan, "migration", container, "Never") },
    },
  };
}

/** The scheduled report: the service image with another command; never two runs at once. */
export function buildCronJob(plan: ServicePlan): ObjectBody<k8s.types.input.batch.v1.CronJobSpec> {
  if (!plan.schedule) throw new Error(`[services.${plan.name}.schedule] is not set`);
  const labels = podLabels(plan.name, "scheduled");
  const container: Container = {
    name: "report",
    image: plan.image,
    imagePullPolicy: "IfNotPresent",
    command: [...plan.schedule.command],
    envFrom: appEnvFrom(plan),
    resources: containerResources(plan.resources),
    securityContext: restrictedContainerSecurityContext(),
  };
  return {
    metadata: {
      name: objectNames(plan.name).cronJob,
      namespace: plan.namespace,
      labels: objectLabels(plan.name),
    },
    spec: {
      schedule: plan.schedule.cron,
      // The plant's wall clock, not the controller's UTC (clock changes included).
      timeZone: plan.timeZone,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 3600,
          template: { metadata: { labels }, spec: podSpec(plan, "scheduled", container, "Never") },
        },
      },
    },
  };
}
