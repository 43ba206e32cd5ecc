// The hub's two exporters as plain objects: blackbox_exporter (HTTPS probes of every host name
// through its static IP) and the Redfish exporter reading the R620s' iDRACs. Both stateless, as
// many replicas as Prometheus, on different hosts, `restricted` Pod Security.
import { stringify } from "yaml";
import { hostSpreadConstraint } from "../k8s-fragments";
import { BLACKBOX_EXPORTER_IMAGE, IDRAC_EXPORTER_IMAGE } from "./versions";
import { MONITORING_NAMESPACE, OBJECTS, POD_LABELS, PORTS } from "./model";
import { blackboxModuleName } from "./scrape-spec";

export interface K8sObjectBody {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Answers that prove the Gateway serves the host name (routes, auth and redirects included). */
const ANSWERED = [200, 204, 301, 302, 303, 307, 308, 401, 403, 404];
const CA_DIR = "/etc/blackbox/ca";

export function blackboxConfig(fqdns: readonly string[], siteCa: boolean): string {
  const modules: Record<string, unknown> = {};
  for (const fqdn of [...fqdns].sort()) {
    modules[blackboxModuleName(fqdn)] = {
      prober: "http",
      timeout: "10s",
      http: {
        preferred_ip_protocol: "ip4",
        valid_status_codes: ANSWERED,
        fail_if_not_ssl: true,
        follow_redirects: false,
        // The target is the static IP; the name goes in SNI and Host, as a browser sends it.
        headers: { Host: fqdn },
        tls_config: { server_name: fqdn, ...(siteCa ? { ca_file: `${CA_DIR}/ca.crt` } : {}) },
      },
    };
  }
  return stringify({ modules }, { lineWidth: 0 });
}

const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  seccompProfile: { type: "RuntimeDefault" },
};
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/** A startup probe on the readiness endpoint: up to a minute before liveness counts. */
function startupProbe(path: string): Record<string, unknown> {
  return { httpGet: { path, port: "http" }, periodSeconds: 5, failureThreshold: 12 };
}

/** Both exporters' containers (the failure-domain analysis counts them too). */
export const EXPORTER_RESOURCES = {
  requests: { cpu: "20m", memory: "32Mi" },
  limits: { memory: "128Mi" },
} as const;

function deployment(
  name: string,
  labels: Record<string, string>,
  podSpec: Record<string, unknown>,
  configHash: string,
  replicas: number,
): K8sObjectBody {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: MONITORING_NAMESPACE, labels: { ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: { "plant.busche-cnc.com/config": configHash },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: RESTRICTED_POD,
          topologySpreadConstraints: [hostSpreadConstraint({ ...labels }, true)],
          ...podSpec,
        },
      },
    },
  };
}

function service(name: string, labels: Record<string, string>, port: number): K8sObjectBody {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: MONITORING_NAMESPACE, labels: { ...labels } },
    spec: {
      selector: { ...labels },
      ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

function pdb(name: string, labels: Record<string, string>): K8sObjectBody {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: MONITORING_NAMESPACE, labels: { ...labels } },
    spec: { minAvailable: 1, selector: { matchLabels: { ...labels } } },
  };
}

/**
 * Deployment, Service, PDB; the ConfigMap (blackbox.yml) and the CA ConfigMap come from the
 * component. `replicas` as Prometheus': one survives every tolerated host failure.
 */
export function blackboxObjects(
  configHash: string,
  siteCa: boolean,
  replicas: number,
): K8sObjectBody[] {
  const labels = { ...POD_LABELS.blackbox };
  const name = OBJECTS.blackbox;
  return [
    deployment(
      name,
      labels,
      {
        containers: [
          {
            name: "blackbox-exporter",
            image: BLACKBOX_EXPORTER_IMAGE,
            args: ["--config.file=/etc/blackbox/blackbox.yml"],
            ports: [{ name: "http", containerPort: PORTS.blackbox, protocol: "TCP" }],
            startupProbe: startupProbe("/-/healthy"),
            readinessProbe: { httpGet: { path: "/-/healthy", port: "http" } },
            livenessProbe: { httpGet: { path: "/-/healthy", port: "http" } },
            resources: EXPORTER_RESOURCES,
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: [
              { name: "config", mountPath: "/etc/blackbox", readOnly: true },
              ...(siteCa ? [{ name: "ca", mountPath: CA_DIR, readOnly: true }] : []),
            ],
          },
        ],
        volumes: [
          { name: "config", configMap: { name } },
          ...(siteCa ? [{ name: "ca", configMap: { name: OBJECTS.siteCa } }] : []),
        ],
      },
      configHash,
      replicas,
    ),
    service(name, labels, PORTS.blackbox),
    pdb(name, labels),
  ];
}

/** What the Redfish exporter collects: the groups the hardware alerts read. */
export function idracConfig(): string {
  return stringify(
    {
      address: "0.0.0.0",
      port: PORTS.idrac,
      timeout: 60,
      metrics: { system: true, sensors: true, power: true, storage: true, memory: true },
    },
    { lineWidth: 0 },
  );
}

/** Credentials come from a Secret as the exporter's CONFIG_DEFAULT_* variables, never the ConfigMap. */
export function idracObjects(configHash: string, replicas: number): K8sObjectBody[] {
  const labels = { ...POD_LABELS.idrac };
  const name = OBJECTS.idrac;
  const fromSecret = (key: string) => ({
    valueFrom: { secretKeyRef: { name: OBJECTS.idracCredentials, key } },
  });
  return [
    deployment(
      name,
      labels,
      {
        containers: [
          {
            name: "idrac-exporter",
            image: IDRAC_EXPORTER_IMAGE,
            args: ["-config", "/etc/prometheus/idrac.yml"],
            env: [
              { name: "CONFIG_DEFAULT_USERNAME", ...fromSecret("username") },
              { name: "CONFIG_DEFAULT_PASSWORD", ...fromSecret("password") },
            ],
            ports: [{ name: "http", containerPort: PORTS.idrac, protocol: "TCP" }],
            startupProbe: startupProbe("/health"),
            readinessProbe: { httpGet: { path: "/health", port: "http" } },
            livenessProbe: { httpGet: { path: "/health", port: "http" } },
            resources: EXPORTER_RESOURCES,
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: [{ name: "config", mountPath: "/etc/prometheus", readOnly: true }],
          },
        ],
        volumes: [{ name: "config", configMap: { name } }],
      },
      configHash,
      replicas,
    ),
    service(name, labels, PORTS.idrac),
    pdb(name, labels),
  ];
}
