// A webhook gate as plain objects: a Job that asks the API server to create (server-side dry run)
// one object of a kind a chart's admission webhook guards, and fails until the webhook answers.
//
// Why: pulumi-kubernetes retries a create only on NotFound/NoMatch. A webhook whose Deployment is
// up but whose CA bundle is not injected yet (cert-manager's cainjector) or whose controller has not
// written its own certificate (MetalLB, CloudNativePG) answers `x509: unknown authority` or
// `connection refused`, which fails the whole `pulumi up`. A dry-run create goes through every
// admission webhook exactly as the real create will, and the Job (a kind Pulumi awaits) completes
// only once that succeeds. Objects the webhook guards depend on the Job.
import { createHash } from "crypto";
import { stringify } from "yaml";

/** Annotation on the gate Job listing `<Kind>/<name>` of the webhook configurations it proves. */
export const GATES_WEBHOOKS_ANNOTATION = "plant.busche-cnc.com/gates-webhooks";

/**
 * The official, shell-free kubectl image (registry.k8s.io), Kubernetes 1.36 like the clusters;
 * kubectl supports one minor version of skew either way.
 */
export const KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.36.4";

/** Seconds the gate keeps trying: the chart's pods must pull images and start on a fresh cluster. */
export const GATE_DEADLINE_SECONDS = 900;

export interface WebhookGateSpecArgs {
  /**
   * Gate name, e.g. `metallb-webhook`; every object is `<name>-gate[-probe]`, apart from the
   * chart's own objects (cert-manager's chart has a ServiceAccount `cert-manager-webhook`).
   */
  readonly name: string;
  /** Namespace the gate runs in (the chart's), also the probe object's namespace. */
  readonly namespace: string;
  /** Webhook configurations proven serving, as `<Kind>/<name>`. */
  readonly webhooks: readonly string[];
  /** A namespaced object of a guarded kind; it is only ever dry-run, never stored. */
  readonly probe: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string };
    readonly spec: unknown;
  };
  /** The probe's API resource (plural), for the Role: e.g. `ipaddresspools`. */
  readonly resource: string;
  /**
   * Changes whenever what serves the webhook changes (chart version and values): a new value
   * replaces the Job (its pod template is immutable), so an upgrade is proven again.
   */
  readonly revision: string;
  readonly image?: string;
}

interface Meta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface WebhookGateObjects {
  readonly serviceAccount: { metadata: Meta };
  readonly role: {
    metadata: Meta;
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  readonly roleBinding: {
    metadata: Meta;
    roleRef: { apiGroup: string; kind: string; name: string };
    subjects: { kind: string; name: string; namespace: string }[];
  };
  readonly configMap: { metadata: Meta; data: Record<string, string> };
  readonly job: { metadata: Meta; spec: Record<string, unknown> };
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

/** Pulumi awaits a Job until it completes; the timeout is a little past the Job's own deadline. */
function jobAnnotations(webhooks: readonly string[]): Record<string, string> {
  return {
    [GATES_WEBHOOKS_ANNOTATION]: webhooks.join(","),
    "pulumi.com/timeoutSeconds": String(GATE_DEADLINE_SECONDS + 120),
  };
}

export function webhookGateObjects(args: WebhookGateSpecArgs): WebhookGateObjects {
  if (args.webhooks.length === 0) throw new Error(`webhook gate ${args.name}: no webhooks`);
  const labels = {
    "app.kubernetes.io/name": "webhook-gate",
    "app.kubernetes.io/instance": args.name,
  };
  const base = `${args.name}-gate`;
  const meta = (suffix: string): Meta => ({
    name: `${base}${suffix}`,
    namespace: args.namespace,
    labels,
  });
  const probe = { ...args.probe, metadata: { ...args.probe.metadata, namespace: args.namespace } };
  return {
    serviceAccount: { metadata: meta("") },
    // Create on the one resource the probe is: a dry run needs the same verb as a real create.
    role: {
      metadata: meta(""),
      rules: [
        {
          apiGroups: [groupOf(args.probe.apiVersion)],
          resources: [args.resource],
          verbs: ["create"],
        },
      ],
    },
    roleBinding: {
      metadata: meta(""),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: base },
      subjects: [{ kind: "ServiceAccount", name: base, namespace: args.namespace }],
    },
    configMap: { metadata: meta("-probe"), data: { "probe.yaml": stringify(probe) } },
    job: {
      metadata: { ...meta(""), annotations: jobAnnotations(args.webhooks) },
      spec: {
        // The kubectl image has no shell: each attempt is one pod; the Job's back-off (10 s
        // doubling to 6 min) retries until the deadline.
        backoffLimit: 30,
        activeDeadlineSeconds: GATE_DEADLINE_SECONDS,
        template: {
          metadata: {
            labels,
            annotations: { "plant.busche-cnc.com/gate-revision": args.revision },
          },
          spec: gatePodSpec(args),
        },
      },
    },
  };
}

function gatePodSpec(args: WebhookGateSpecArgs): Record<string, unknown> {
  return {
    serviceAccountName: `${args.name}-gate`,
    restartPolicy: "Never",
    // `restricted` Pod Security: the gate runs in any of the charts' namespaces.
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: "dry-run",
        image: args.image ?? KUBECTL_IMAGE,
        args: [
          "create",
          "--dry-run=server",
          "--request-timeout=20s",
          "--cache-dir=/tmp/kube-cache",
          "-f",
          "/probe/probe.yaml",
        ],
        // A read-only root: kubectl's discovery cache goes to a scratch volume.
        env: [{ name: "HOME", value: "/tmp" }],
        resources: {
          requests: { cpu: "10m", memory: "32Mi" },
          limits: { cpu: "200m", memory: "64Mi" },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [
          { name: "probe", mountPath: "/probe", readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      { name: "probe", configMap: { name: `${args.name}-gate-probe` } },
      { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
    ],
  };
}

/** A short digest of what serves a webhook: the chart, its version and the values passed. */
export function chartRevision(chart: string, version: string, values: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([chart, version, values]))
    .digest("hex")
    .slice(0, 16);
}
