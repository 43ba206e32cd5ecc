import {
  imagePinProblem,
  pinnedChartViolations,
  pinnedImageViolations,
} from "../../policy/rules/images";
import { podSecurityViolations } from "../../policy/rules/pod-security";
import { probeViolations } from "../../policy/rules/probes";
import { protectViolations } from "../../policy/rules/protect";
import { resourceViolations } from "../../policy/rules/resources";
import {
  credentialResourceViolations,
  isSecretValue,
  stackOutputViolations,
} from "../../policy/rules/secrets";
import { worldOpenIngressViolations } from "../../policy/rules/security-groups";
import { selectorMatches } from "../../policy/rules/selectors";
import { defaultDenyViolations, pdbViolations } from "../../policy/rules/stack";
import { checkAll, RULES } from "../../policy/rules/catalogue";
import { PlainResource } from "../../policy/rules/types";
import { UPSTREAM_ANNOTATION } from "../../policy/rules/workloads";
import { CHART_EXEMPTIONS, Exemption, exemptionFor } from "../../policy/rules/exemptions";
import { namespacePodSecurityViolations } from "../../policy/rules/namespace-pod-security";
import {
  defaultDeny,
  goodPodSpec,
  k8s,
  pdb,
  PROVIDER,
  STACK_URN,
  withContainer,
  workload,
  WORKLOAD_TYPES,
} from "./policy-fixtures";

const messages = (vs: { message: string }[]): string[] => vs.map((v) => v.message);
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CHART_URN = `${STACK_URN}plant:ingress:Addons$kubernetes:helm.sh/v4:Chart$${DEPLOYMENT}::metallb-controller`;

describe("policy pack catalogue", () => {
  it("has the eleven guardrail policies, all named uniquely", () => {
    expect(RULES.map((r) => r.name)).toEqual([
      "pinned-images",
      "pinned-charts",
      "pod-security-restricted",
      "requests-and-limits",
      "deployment-probes",
      "credentials-secret",
      "no-world-open-ingress",
      "pdb-per-deployment",
      "default-deny-network-policy",
      "namespace-pod-security",
      "protect-stateful",
    ]);
  });

  it("a compliant namespace passes every policy", () => {
    expect(checkAll([workload(DEPLOYMENT), pdb(), defaultDeny()])).toEqual([]);
  });
});

describe("pinned-images", () => {
  it.each(WORKLOAD_TYPES)("allows a pinned %s", (type) =>
    expect(pinnedImageViolations(workload(type))).toEqual([]),
  );

  it.each(WORKLOAD_TYPES)("denies latest on %s", (type) => {
    const r = withContainer(type, (c) => (c.image = "nginx:latest"));
    expect(messages(pinnedImageViolations(r))).toEqual([
      `${type.split(":").pop()} reporting/report-web container app: image nginx:latest uses the tag 'latest': pin repo:tag or repo@sha256:<digest>`,
    ]);
  });

  it("denies an untagged init container and a missing image", () => {
    const pod = goodPodSpec();
    pod.initContainers = [
      { name: "migrate", image: "registry.busche-cnc.com/reporting/report-db-migrations" },
    ];
    (pod.containers as Record<string, unknown>[])[0].image = undefined;
    expect(messages(pinnedImageViolations(workload(DEPLOYMENT, pod)))).toEqual([
      "Deployment reporting/report-web container app: no image set: pin repo:tag or repo@sha256:<digest>",
      "Deployment reporting/report-web initContainer migrate: image registry.busche-cnc.com/reporting/report-db-migrations has no tag: pin repo:tag or repo@sha256:<digest>",
    ]);
  });

  it("checks a CNPG Cluster's imageName", () => {
    const type = "kubernetes:postgresql.cnpg.io/v1:Cluster";
    expect(
      pinnedImageViolations(
        k8s(type, "reporting", "postgres-reporting", {
          imageName: "ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie",
        }),
      ),
    ).toEqual([]);
    expect(
      messages(
        pinnedImageViolations(
          k8s(type, "reporting", "postgres-reporting", {
            imageName: "ghcr.io/cloudnative-pg/postgresql",
          }),
        ),
      ),
    ).toEqual([
      "Cluster postgres-reporting/reporting spec.imageName: image ghcr.io/cloudnative-pg/postgresql has no tag: pin repo:tag or repo@sha256:<digest>",
    ]);
  });

  it.each([
    ["repo/app:1.2.3", undefined],
    [`repo/app@sha256:${"a".repeat(64)}`, undefined],
    ["registry:5000/app", "has no tag"],
    ["registry:5000/app:v1", undefined],
    ["app:latest", "uses the tag 'latest'"],
  ])("imagePinProblem(%s) = %s", (image, problem) => expect(imagePinProblem(image)).toBe(problem));
});

describe("pinned-charts", () => {
  const chart = (version?: string): PlainResource => ({
    type: "kubernetes:helm.sh/v4:Chart",
    name: "reports-metallb-chart",
    props: { chart: "metallb", ...(version === undefined ? {} : { version }) },
  });
  const manifest = (file: string): PlainResource => ({
    type: "kubernetes:yaml/v2:ConfigFile",
    name: "crds",
    props: { file },
  });

  it.each(["0.16.1", "v1.9.0", "1.2.3-rc.1"])("allows chart version %s", (v) =>
    expect(pinnedChartViolations(chart(v))).toEqual([]),
  );

  it.each([undefined, "^0.16", "0.16.x", ">=1.0.0"])("denies chart version %s", (v) => {
    expect(messages(pinnedChartViolations(chart(v)))).toEqual([
      `Helm chart metallb has version ${v ?? "(none)"}: pin an exact release like 1.2.3`,
    ]);
  });

  it("allows a release manifest and denies a branch or latest URL", () => {
    const release =
      "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml";
    expect(pinnedChartViolations(manifest(release))).toEqual([]);
    expect(pinnedChartViolations(manifest("crds/local.yaml"))).toEqual([]);
    const branch =
      "https://raw.githubusercontent.com/rancher/local-path-provisioner/master/deploy/local-path-storage.yaml";
    expect(messages(pinnedChartViolations(manifest(branch)))).toEqual([
      `manifest ${branch} is not a versioned release URL: pin a release tag`,
    ]);
    expect(
      pinnedChartViolations(manifest("https://example.com/releases/latest/download/x.yaml")),
    ).toHaveLength(1);
  });
});

describe("pod-security-restricted", () => {
  it.each(WORKLOAD_TYPES)("allows a restricted %s", (type) =>
    expect(podSecurityViolations(workload(type))).toEqual([]),
  );

  it("denies each missing restricted field", () => {
    const pod = goodPodSpec();
    pod.securityContext = {};
    (pod.containers as Record<string, unknown>[])[0].securityContext = {
      capabilities: { add: ["NET_ADMIN"] },
    };
    expect(messages(podSecurityViolations(workload(DEPLOYMENT, pod)))).toEqual([
      'Deployment reporting/report-web breaks Pod Security "restricted": container app: runAsNonRoot must be true',
      'Deployment reporting/report-web breaks Pod Security "restricted": container app: allowPrivilegeEscalation must be false',
      'Deployment reporting/report-web breaks Pod Security "restricted": container app: capabilities.drop must include ALL',
      'Deployment reporting/report-web breaks Pod Security "restricted": container app: adds capabilities NET_ADMIN',
      'Deployment reporting/report-web breaks Pod Security "restricted": container app: seccompProfile.type must be RuntimeDefault',
    ]);
  });

  it("denies host namespaces, hostPath and privileged containers", () => {
    const pod: Record<string, unknown> = {
      ...goodPodSpec(),
      hostNetwork: true,
      volumes: [{ name: "root", hostPath: { path: "/" } }],
    };
    (pod.containers as Record<string, Record<string, unknown>>[])[0].securityContext.privileged =
      true;
    expect(messages(podSecurityViolations(workload("kubernetes:apps/v1:DaemonSet", pod)))).toEqual([
      'DaemonSet reporting/report-web breaks Pod Security "restricted": sets hostNetwork',
      'DaemonSet reporting/report-web breaks Pod Security "restricted": mounts hostPath volume root',
      'DaemonSet reporting/report-web breaks Pod Security "restricted": container app: must not be privileged',
    ]);
  });

  it("container settings override the pod's", () => {
    const r = withContainer(DEPLOYMENT, (c) =>
      Object.assign(c.securityContext as object, { runAsNonRoot: false }),
    );
    expect(messages(podSecurityViolations(r))).toEqual([
      'Deployment reporting/report-web breaks Pod Security "restricted": container app: runAsNonRoot must be true',
    ]);
  });

  it("guards chart-rendered workloads too, unless an exemption names them with a reason", () => {
    const pod = { ...goodPodSpec(), hostNetwork: true };
    const rendered = { ...workload(DEPLOYMENT, pod), urn: CHART_URN };
    expect(messages(podSecurityViolations(rendered))).toEqual([
      'Deployment reporting/report-web breaks Pod Security "restricted": sets hostNetwork',
    ]);
    const exempt: Exemption = {
      rule: "pod-security-restricted",
      kind: "Deployment",
      namespace: "reporting",
      name: "report-web",
      reason: "fixture",
    };
    expect(exemptionFor("pod-security-restricted", rendered, [exempt])).toBe(exempt);
    expect(exemptionFor("requests-and-limits", rendered, [exempt])).toBeUndefined();
    // Never for the program's own objects.
    expect(
      exemptionFor("pod-security-restricted", workload(DEPLOYMENT, pod), [exempt]),
    ).toBeUndefined();
    const speaker = {
      ...workload("kubernetes:apps/v1:DaemonSet", pod, "metallb-system"),
      urn: CHART_URN.replace(DEPLOYMENT, "kubernetes:apps/v1:DaemonSet"),
    };
    speaker.props.metadata = { name: "metallb-speaker", namespace: "metallb-system" };
    expect(podSecurityViolations(speaker)).toEqual([]);
    expect(CHART_EXEMPTIONS.every((e) => e.reason.length > 20)).toBe(true);
  });

  it("leaves kube-system and annotated upstream workloads to their owners", () => {
    const pod = { ...goodPodSpec(), hostNetwork: true };
    expect(podSecurityViolations(workload(DEPLOYMENT, pod, "kube-system"))).toEqual([]);
    const annotated = workload(DEPLOYMENT, pod);
    annotated.props.metadata = {
      name: "local-path-provisioner",
      namespace: "local-path-storage",
      annotations: { [UPSTREAM_ANNOTATION]: "rancher/local-path-provisioner v0.0.32" },
    };
    expect(podSecurityViolations(annotated)).toEqual([]);
    expect(checkAll([annotated])).toEqual([]);
  });
});

describe("namespace-pod-security", () => {
  const ns = (name: string, level: string): PlainResource => ({
    type: "kubernetes:core/v1:Namespace",
    name,
    urn: `${STACK_URN}kubernetes:core/v1:Namespace::${name}`,
    provider: PROVIDER,
    props: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } },
  });

  it("admits a pod its namespace's level allows, ours or a chart's", () => {
    const pod = { ...goodPodSpec(), hostNetwork: true };
    expect(
      namespacePodSecurityViolations([ns("reporting", "restricted"), workload(DEPLOYMENT)]),
    ).toEqual([]);
    expect(
      namespacePodSecurityViolations([ns("reporting", "privileged"), workload(DEPLOYMENT, pod)]),
    ).toEqual([]);
  });

  it("refuses a pod its namespace's level would refuse, and an unknown level", () => {
    const pod = { ...goodPodSpec(), hostNetwork: true };
    const rendered = { ...workload(DEPLOYMENT, pod), urn: CHART_URN };
    expect(
      messages(namespacePodSecurityViolations([ns("reporting", "baseline"), rendered])),
    ).toEqual([
      'Deployment reporting/report-web would be refused by Pod Security "baseline" of namespace reporting: pod sets hostNetwork',
    ]);
    expect(messages(namespacePodSecurityViolations([ns("reporting", "strict"), rendered]))).toEqual(
      ["namespace reporting enforces unknown Pod Security level 'strict'"],
    );
  });

  it("leaves namespaces it does not see (or on another cluster) to the cluster's default", () => {
    const pod = { ...goodPodSpec(), hostNetwork: true };
    const other = { ...ns("reporting", "restricted"), provider: `${PROVIDER}-other` };
    expect(namespacePodSecurityViolations([other, workload(DEPLOYMENT, pod)])).toEqual([]);
  });
});

describe("requests-and-limits", () => {
  it.each(WORKLOAD_TYPES)("allows %s with requests and a memory limit", (type) =>
    expect(resourceViolations(workload(type))).toEqual([]),
  );

  it("denies missing requests and memory limit", () => {
    const r = withContainer(
      "kubernetes:batch/v1:CronJob",
      (c) => (c.resources = { requests: { cpu: "100m" }, limits: { cpu: "1" } }),
    );
    expect(messages(resourceViolations(r))).toEqual([
      "CronJob reporting/report-web container app: missing resources requests.memory, limits.memory",
    ]);
  });
});

describe("deployment-probes", () => {
  it("allows a Deployment with all three probes", () =>
    expect(probeViolations(workload(DEPLOYMENT))).toEqual([]));

  it("denies a Deployment without a startup and liveness probe", () => {
    const r = withContainer(DEPLOYMENT, (c) => {
      delete c.startupProbe;
      delete c.livenessProbe;
    });
    expect(messages(probeViolations(r))).toEqual([
      "Deployment reporting/report-web container app: missing startupProbe, livenessProbe",
    ]);
  });

  it("does not ask Jobs for probes", () => {
    expect(
      probeViolations(withContainer("kubernetes:batch/v1:Job", (c) => delete c.readinessProbe)),
    ).toEqual([]);
  });
});

describe("pdb-per-deployment", () => {
  it("allows a Deployment covered by a PDB in its namespace and cluster", () => {
    expect(pdbViolations([workload(DEPLOYMENT), pdb()])).toEqual([]);
  });

  it.each([
    ["no PDB", []],
    ["a PDB in another namespace", [pdb("other")]],
    ["a PDB selecting other pods", [pdb("reporting", { "app.kubernetes.io/name": "report-api" })]],
    [
      "a PDB in another cluster",
      [
        {
          ...pdb(),
          provider: "urn:pulumi:avilla::plant::pulumi:providers:kubernetes::k8s-optiplex",
        },
      ],
    ],
  ])("denies a Deployment with %s", (_, others) => {
    const d = workload(DEPLOYMENT);
    expect(pdbViolations([d, ...(others as PlainResource[])])).toEqual([
      {
        message: "Deployment reporting/report-web has no PodDisruptionBudget selecting its pods",
        urn: d.urn,
      },
    ]);
  });

  it.each([
    [{ matchLabels: { a: "1" } }, { a: "1", b: "2" }, true],
    [{ matchExpressions: [{ key: "a", operator: "In", values: ["1", "2"] }] }, { a: "2" }, true],
    [{ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, { a: "1" }, false],
    [{ matchExpressions: [{ key: "a", operator: "Exists" }] }, { b: "1" }, false],
    [{}, { a: "1" }, false],
  ])("selectorMatches(%j, %j) = %s", (sel, labels, ok) =>
    expect(selectorMatches(sel, labels)).toBe(ok),
  );
});

describe("default-deny-network-policy", () => {
  it("allows a namespace with a default-deny policy", () => {
    expect(defaultDenyViolations([workload(DEPLOYMENT), defaultDeny()])).toEqual([]);
  });

  it("denies a namespace whose only policy allows ingress", () => {
    const allow = k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", "allow", "reporting", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    });
    const d = workload(DEPLOYMENT);
    expect(defaultDenyViolations([d, allow])).toEqual([
      {
        message:
          "namespace reporting runs workloads (Deployment reporting/report-web) but has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules)",
        urn: d.urn,
      },
    ]);
  });

  it("counts CNPG Clusters as workloads", () => {
    const db = k8s("kubernetes:postgresql.cnpg.io/v1:Cluster", "reporting", "postgres-reporting", {
      instances: 3,
    });
    expect(messages(defaultDenyViolations([db]))).toEqual([
      "namespace postgres-reporting runs workloads (Cluster postgres-reporting/reporting) but has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules)",
    ]);
    expect(defaultDenyViolations([db, defaultDeny("postgres-reporting")])).toEqual([]);
  });
});

describe("protect-stateful", () => {
  const port = (fixedIps: unknown[], protect: boolean): PlainResource => ({
    type: "openstack:networking/port:Port",
    name: "reports-cp-1",
    urn: `${STACK_URN}openstack:networking/port:Port::reports-cp-1`,
    props: { name: "reports-cp-1", fixedIps },
    protect,
  });

  it("allows protected stateful resources and unprotected stateless ones", () => {
    const db = k8s(
      "kubernetes:postgresql.cnpg.io/v1:Cluster",
      "reporting",
      "postgres-reporting",
      {},
      { protect: true },
    );
    const ns = k8s("kubernetes:core/v1:Namespace", "postgres-reporting", undefined, undefined, {
      protect: true,
    });
    const plainNs = k8s("kubernetes:core/v1:Namespace", "reporting", undefined, undefined);
    expect(
      protectViolations([
        db,
        ns,
        plainNs,
        port([{ subnetId: "s" }], false),
        port([{ ipAddress: "10.1.1.10" }], true),
      ]),
    ).toEqual([]);
  });

  it.each([
    ["openstack:networking/network:Network", "is stateful"],
    ["openstack:networking/subnet:Subnet", "is stateful"],
    ["openstack:objectstorage/container:Container", "is stateful"],
    ["kubernetes:core/v1:PersistentVolumeClaim", "is stateful"],
    ["kubernetes:postgresql.cnpg.io/v1:Cluster", "is stateful"],
  ])("denies an unprotected %s", (type, reason) => {
    const r = k8s(type, "x", "ns", {});
    expect(messages(protectViolations([r]))).toEqual([
      `${type.split(":").pop()} ns/x ${reason} but is not protected: set protect: true`,
    ]);
  });

  it("denies an unprotected fixed-IP port and database namespace", () => {
    const db = k8s(
      "kubernetes:postgresql.cnpg.io/v1:Cluster",
      "reporting",
      "postgres-reporting",
      {},
      { protect: true },
    );
    const ns = k8s("kubernetes:core/v1:Namespace", "postgres-reporting", undefined, undefined, {
      protect: false,
    });
    expect(
      messages(protectViolations([db, ns, port([{ ipAddress: "10.1.1.10" }], false)])),
    ).toEqual([
      "Namespace postgres-reporting holds a database but is not protected: set protect: true",
      "Port reports-cp-1 holds a fixed IP but is not protected: set protect: true",
    ]);
  });
});

describe("credentials-secret", () => {
  const provider = (
    props: Record<string, unknown>,
    additionalSecretOutputs: string[] = [],
  ): PlainResource => ({
    type: "pulumi:providers:kubernetes",
    name: "k8s-reports",
    urn: PROVIDER,
    props,
    additionalSecretOutputs,
  });

  it.each([
    ["a masked kubeconfig", provider({ kubeconfig: "[secret]" })],
    [
      "a kubeconfig in additionalSecretOutputs",
      provider({ kubeconfig: "apiVersion: v1" }, ["kubeconfig"]),
    ],
    [
      "a Pulumi secret envelope",
      provider({
        kubeconfig: {
          "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
          value: "x",
        },
      }),
    ],
    [
      "an SDK-declared secret output",
      {
        type: "random:index/randomPassword:RandomPassword",
        props: { result: "p" },
        additionalSecretOutputs: ["bcryptHash", "result"],
      },
    ],
  ])("allows %s", (_, r) => expect(credentialResourceViolations(r as PlainResource)).toEqual([]));

  it("denies a plain kubeconfig on a provider", () => {
    expect(
      messages(credentialResourceViolations(provider({ kubeconfig: "apiVersion: v1" }))),
    ).toEqual([
      "kubernetes k8s-reports: kubeconfig holds a credential but is not secret: list it in additionalSecretOutputs",
    ]);
  });

  it("denies the platform user's password in plain text, on its Keystone user or its provider", () => {
    const user: PlainResource = {
      type: "openstack:identity/user:User",
      name: "openstack-platform-user",
      urn: "urn:pulumi:avilla::plant::openstack:identity/user:User::openstack-platform-user",
      props: { name: "plant-reporting-platform", password: "hunter2hunter2" },
    };
    const scoped: PlainResource = {
      type: "pulumi:providers:openstack",
      name: "openstack-platform-scoped",
      urn: "urn:pulumi:avilla::plant::pulumi:providers:openstack::openstack-platform-scoped",
      props: { userName: "plant-reporting-platform", password: "hunter2hunter2" },
    };
    expect(messages([user, scoped].flatMap(credentialResourceViolations))).toEqual([
      "User openstack-platform-user: password holds a credential but is not secret: list it in additionalSecretOutputs",
      "openstack openstack-platform-scoped: password holds a credential but is not secret: list it in additionalSecretOutputs",
    ]);
    expect(
      [
        { ...user, props: { ...user.props, password: "[secret]" } },
        { ...scoped, additionalSecretOutputs: ["password"] },
      ].flatMap(credentialResourceViolations),
    ).toEqual([]);
  });

  it("allows secret stack outputs and denies plain credential outputs", () => {
    const outputs = {
      clusters: { reports: { kubeconfig: "[secret]", apiEndpoint: "https://10.1.0.10:6443" } },
      objectStore: { secretAccessKey: "[secret]", secretName: "backup-creds" },
    };
    expect(stackOutputViolations(outputs)).toEqual([]);
    const leaked = {
      clusters: { optiplex: { kubeconfig: "apiVersion: v1" } },
      databases: [{ password: "hunter2" }],
    };
    expect(messages(stackOutputViolations(leaked))).toEqual([
      "stack output clusters.optiplex.kubeconfig holds a credential but is not secret: wrap it in pulumi.secret",
      "stack output databases[0].password holds a credential but is not secret: wrap it in pulumi.secret",
    ]);
    expect(isSecretValue("hunter2")).toBe(false);
  });
});

describe("no-world-open-ingress", () => {
  const rule = (props: Record<string, unknown>): PlainResource => ({
    type: "openstack:networking/secGroupRule:SecGroupRule",
    name: "k8s-api",
    props: {
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      portRangeMin: 6443,
      portRangeMax: 6443,
      ...props,
    },
  });

  it.each([
    ["an admin CIDR", { remoteIpPrefix: "10.1.0.224/27" }],
    ["a remote group", { remoteGroupId: "sg-nodes" }],
    ["world-open egress", { direction: "egress", remoteIpPrefix: "0.0.0.0/0" }],
  ])("allows ingress from %s", (_, props) =>
    expect(worldOpenIngressViolations(rule(props))).toEqual([]),
  );

  it.each([
    [
      "0.0.0.0/0",
      { remoteIpPrefix: "0.0.0.0/0" },
      "opens ingress (ports 6443-6443) to 0.0.0.0/0: allow the plant LAN or admin CIDRs only",
    ],
    [
      "::/0",
      { remoteIpPrefix: "::/0", ethertype: "IPv6" },
      "opens ingress (ports 6443-6443) to ::/0: allow the plant LAN or admin CIDRs only",
    ],
    [
      "no remote at all",
      {},
      "opens ingress (ports 6443-6443) to any address (no remoteIpPrefix or remoteGroupId)",
    ],
  ])("denies ingress from %s", (_, props, message) => {
    expect(messages(worldOpenIngressViolations(rule(props)))).toEqual([
      `SecGroupRule k8s-api ${message}`,
    ]);
  });
});
