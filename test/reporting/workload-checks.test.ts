/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep into untyped manifest JSON */
// The guardrail checks themselves: a compliant set of manifests passes, and each violation is
// reported with a message naming the object (so the checks can fail, and say why).
import { migrationJobName, ServicePlan } from "../../components/reporting/model";
import { buildNetworkPolicies } from "../../components/reporting/network-policy";
import {
  buildHorizontalPodAutoscaler,
  buildPodDisruptionBudget,
} from "../../components/reporting/serving-spec";
import {
  buildCronJob,
  buildDeployment,
  buildMigrationJob,
} from "../../components/reporting/workload-spec";
import { checkAllWorkloads, ManifestLike, plaintextLeaks, selects } from "./workload-checks";

const db = {
  dbname: "r",
  username: "u",
  host: "h",
  port: 5432,
  sslMode: "verify-full" as const,
  namespace: "postgres-r",
  poolerPodLabels: { a: "b" },
};
const plan: ServicePlan = {
  name: "svc",
  namespace: "svc",
  image: "registry.example/svc:1.2.3",
  port: 8080,
  env: {},
  secretFiles: [],
  database: db,
  migrationDatabase: db,
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  replicas: { min: 2, max: 4, cpuTargetPercent: 70 },
  health: { startup: "/s", readiness: "/r", liveness: "/l" },
  migration: { image: "registry.example/svc-migrate:1.2.3", command: ["migrate"] },
  schedule: { cron: "0 1 * * *", command: ["run"] },
  timeZone: "UTC",
  routes: [],
};

type Mutate = (m: Record<string, any>) => void;
function manifests(
  mutate: { kind: string; change: Mutate } | undefined = undefined,
): ManifestLike[] {
  const list: ManifestLike[] = [
    { kind: "Deployment", name: "svc", namespace: "svc", object: buildDeployment(plan, {}) },
    {
      kind: "Job",
      name: "svc-migrate",
      namespace: "svc",
      object: buildMigrationJob(plan, migrationJobName("svc", plan.migration!)),
    },
    { kind: "CronJob", name: "svc-cron", namespace: "svc", object: buildCronJob(plan) },
    {
      kind: "PodDisruptionBudget",
      name: "svc",
      namespace: "svc",
      object: buildPodDisruptionBudget(plan),
    },
    {
      kind: "HorizontalPodAutoscaler",
      name: "svc",
      namespace: "svc",
      object: buildHorizontalPodAutoscaler(plan),
    },
    ...buildNetworkPolicies(plan).map((p) => ({
      kind: "NetworkPolicy",
      name: p.metadata.name,
      namespace: "svc",
      object: p,
    })),
  ].map((m) => ({ ...m, object: structuredClone(m.object) as Record<string, any> }));
  for (const m of list) if (mutate && m.kind === mutate.kind) mutate.change(m.object);
  return list;
}
const pod = (d: Record<string, any>) => d.spec.template.spec;
const cronPod = (c: Record<string, any>) => c.spec.jobTemplate.spec.template.spec;

test("compliant manifests pass", () => {
  expect(checkAllWorkloads(manifests())).toEqual([]);
});

test.each<[string, string, Mutate, string]>([
  [
    "latest image",
    "Deployment",
    (d) => (pod(d).containers[0].image = "registry.example/svc:latest"),
    "Deployment svc/svc container svc: image registry.example/svc:latest uses the tag 'latest': pin a release tag or a digest",
  ],
  [
    "untagged image",
    "Job",
    (j) => (pod(j).containers[0].image = "registry.example/svc"),
    "Job svc/svc-migrate container migrate: image registry.example/svc has no tag: pin it as repo:tag or repo@sha256:<digest>",
  ],
  [
    "root allowed",
    "CronJob",
    (c) => {
      delete cronPod(c).securityContext.runAsNonRoot;
      delete cronPod(c).containers[0].securityContext.runAsNonRoot;
    },
    "CronJob svc/svc-cron container report: runAsNonRoot is not true",
  ],
  [
    "uid 0",
    "Deployment",
    (d) => (pod(d).containers[0].securityContext.runAsUser = 0),
    "Deployment svc/svc container svc: runAsUser is 0",
  ],
  [
    "privilege escalation",
    "Job",
    (j) => delete pod(j).containers[0].securityContext.allowPrivilegeEscalation,
    "Job svc/svc-migrate container migrate: allowPrivilegeEscalation is not false",
  ],
  [
    "capabilities kept",
    "Deployment",
    (d) => (pod(d).containers[0].securityContext.capabilities = { drop: ["NET_RAW"] }),
    "Deployment svc/svc container svc: capabilities do not drop ALL",
  ],
  [
    "no seccomp",
    "Deployment",
    (d) => {
      delete pod(d).securityContext.seccompProfile;
      delete pod(d).containers[0].securityContext.seccompProfile;
    },
    "Deployment svc/svc container svc: seccompProfile is not RuntimeDefault",
  ],
  [
    "writable root",
    "CronJob",
    (c) => (cronPod(c).containers[0].securityContext.readOnlyRootFilesystem = false),
    "CronJob svc/svc-cron container report: readOnlyRootFilesystem is not true",
  ],
  [
    "hostPath",
    "Deployment",
    (d) => pod(d).volumes.push({ name: "h", hostPath: { path: "/" } }),
    "Deployment svc/svc: mounts a hostPath volume",
  ],
  [
    "no memory limit",
    "Job",
    (j) => delete pod(j).containers[0].resources.limits.memory,
    "Job svc/svc-migrate container migrate: no memory limit",
  ],
  [
    "no cpu request",
    "Deployment",
    (d) => delete pod(d).containers[0].resources.requests.cpu,
    "Deployment svc/svc container svc: no CPU request",
  ],
  [
    "no startup probe",
    "Deployment",
    (d) => delete pod(d).containers[0].startupProbe,
    "Deployment svc/svc container svc: no startupProbe",
  ],
  [
    "identical probes",
    "Deployment",
    (d) => (pod(d).containers[0].livenessProbe = pod(d).containers[0].readinessProbe),
    "Deployment svc/svc container svc: two probes are identical",
  ],
  [
    "no host spread",
    "Job",
    (j) => (pod(j).topologySpreadConstraints = []),
    "Job svc/svc-migrate: no topologySpreadConstraint on topology.kubernetes.io/zone",
  ],
  [
    "hard spread that counts a down host's tainted nodes",
    "Deployment",
    (d) => delete pod(d).topologySpreadConstraints[0].nodeTaintsPolicy,
    "Deployment svc/svc: spread on topology.kubernetes.io/zone is DoNotSchedule without nodeTaintsPolicy Honor, which blocks scheduling when a host is down",
  ],
  [
    "hard spread with a wider skew",
    "Deployment",
    (d) => (pod(d).topologySpreadConstraints[0].maxSkew = 2),
    "Deployment svc/svc: spread on topology.kubernetes.io/zone has maxSkew 2, not 1",
  ],
  [
    "unknown whenUnsatisfiable",
    "Deployment",
    (d) => (pod(d).topologySpreadConstraints[0].whenUnsatisfiable = "Never"),
    "Deployment svc/svc: spread on topology.kubernetes.io/zone is Never, which blocks scheduling when a host is down",
  ],
  [
    "spread on the VM",
    "Deployment",
    (d) =>
      pod(d).topologySpreadConstraints.push({
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
      }),
    "Deployment svc/svc: spreads on kubernetes.io/hostname (a VM, not a host)",
  ],
  [
    "required anti-affinity",
    "Deployment",
    (d) =>
      (pod(d).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution = [
        { topologyKey: "topology.kubernetes.io/zone" },
      ]),
    "Deployment svc/svc: required pod anti-affinity blocks scheduling when a host is down",
  ],
  [
    "secret in env",
    "CronJob",
    (c) =>
      (cronPod(c).containers[0].env = [
        { name: "PW", valueFrom: { secretKeyRef: { name: "svc-db", key: "password" } } },
      ]),
    "CronJob svc/svc-cron container report: env PW comes from a Secret",
  ],
  [
    "secret envFrom",
    "Deployment",
    (d) => pod(d).containers[0].envFrom.push({ secretRef: { name: "svc-db" } }),
    "Deployment svc/svc container svc: envFrom a Secret (svc-db)",
  ],
  [
    "a PDB that blocks drains",
    "PodDisruptionBudget",
    (p) => {
      delete p.spec.maxUnavailable;
      p.spec.minAvailable = 2;
    },
    "Deployment svc/svc: PodDisruptionBudget svc allows no eviction at 2 replicas (a node drain would block)",
  ],
  [
    "a PDB for other pods",
    "PodDisruptionBudget",
    (p) => (p.spec.selector = { matchLabels: { "app.kubernetes.io/name": "other" } }),
    "Deployment svc/svc: no PodDisruptionBudget selects its pods",
  ],
  [
    "default-deny that allows",
    "NetworkPolicy",
    (n) => {
      if (n.metadata.name === "default-deny") n.spec.egress = [{}];
    },
    "Deployment svc/svc: namespace svc has no default-deny NetworkPolicy",
  ],
])("reports %s", (_what, kind, change, expected) => {
  expect(checkAllWorkloads(manifests({ kind, change }))).toContain(expected);
});

test("a known secret value in an env var is reported", () => {
  const list = manifests({
    kind: "Deployment",
    change: (d) => (pod(d).containers[0].env = [{ name: "X", value: "s3cret-value" }]),
  });
  expect(checkAllWorkloads(list, ["s3cret-value"])).toEqual([
    "Deployment svc/svc container svc: env X holds a secret value",
  ]);
});

test("plaintextLeaks finds a secret anywhere in recorded inputs, and shows only its first characters", () => {
  expect(
    plaintextLeaks(
      [
        { name: "a", inputs: { deep: [{ x: "pre-s3cret-value-post" }] } },
        { name: "b", inputs: {} },
      ],
      ["s3cret-value"],
    ),
  ).toEqual(["a: input contains the secret value s3cr…"]);
});

test.each<[Record<string, unknown>, boolean]>([
  [{ matchLabels: { app: "a" } }, true],
  [{ matchLabels: { app: "b" } }, false],
  [{ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] }, true],
  [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, false],
  [{ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
  [{}, false],
])("selects(%j) on {app: a, tier: web} is %s", (selector, expected) => {
  expect(selects(selector, { app: "a", tier: "web" })).toBe(expected);
});
