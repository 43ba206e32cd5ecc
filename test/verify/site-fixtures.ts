// API answers of the Avilla site's two clusters as the real API servers give them (the labels
// are the ones Envoy Gateway, CloudNativePG and the Deployments put on their pods; written out
// here, not derived from tools/verify, so a wrong selector in verify fails the tests), served by
// a FakeCluster, and the HTTPS side of the site: one local server presenting certificates from a
// test CA per host name (SNI), plus the HTTP listener that redirects.
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import * as tls from "tls";
import { FakeCluster } from "../support/fake-cluster";
import { KeyPair } from "../support/x509";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ZONE = "topology.kubernetes.io/zone";

export function node(name: string, host: string, ready = true): Obj {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { [ZONE]: host, "plant.busche-cnc.com/physical-host": host } },
    spec: {},
    status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

export function pod(namespace: string, name: string, nodeName: string, labels: Obj): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { nodeName },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  };
}

const envoy = (gateway: string) => ({
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
  "gateway.envoyproxy.io/owning-gateway-name": gateway,
  "gateway.envoyproxy.io/owning-gateway-namespace": "plant-gateways",
});

const server = (service: string) => ({
  "app.kubernetes.io/name": service,
  "app.kubernetes.io/component": "server",
  "app.kubernetes.io/part-of": "plant-reporting",
  "pod-template-hash": "7d9f8c6b5",
});

function lbService(gateway: string, ip: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: `envoy-plant-gateways-${gateway}-3a1c0f2e`,
      namespace: "envoy-gateway-system",
      labels: envoy(gateway),
      annotations: { "metallb.io/loadBalancerIPs": ip },
    },
    spec: { type: "LoadBalancer" },
    status: { loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } },
  };
}

export function cnpgCluster(now: Date): Obj {
  const at = now.toISOString();
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: "reporting", namespace: "postgres-reporting" },
    spec: {
      instances: 3,
      imageName: "ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie",
      postgresql: { synchronous: { method: "any", number: 1, dataDurability: "required" } },
    },
    status: {
      phase: "Cluster in healthy state",
      instances: 3,
      readyInstances: 3,
      currentPrimary: "reporting-1",
      targetPrimary: "reporting-1",
      timelineID: 1,
      instanceNames: ["reporting-1", "reporting-2", "reporting-3"],
      instancesStatus: { healthy: ["reporting-1", "reporting-2", "reporting-3"] },
      instancesReportedState: {
        "reporting-1": { isPrimary: true, timeLineID: 1, ip: "10.42.1.7" },
        "reporting-2": { isPrimary: false, timeLineID: 1, ip: "10.42.2.9" },
        "reporting-3": { isPrimary: false, timeLineID: 1, ip: "10.42.3.4" },
      },
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "ClusterIsReady",
          message: "Cluster is Ready",
          lastTransitionTime: at,
        },
        {
          type: "ContinuousArchiving",
          status: "True",
          reason: "ContinuousArchivingSuccess",
          message: "Continuous archiving is working",
          lastTransitionTime: at,
        },
      ],
    },
  };
}

const instance = (name: string, nodeName: string, role: string) =>
  pod("postgres-reporting", name, nodeName, {
    "cnpg.io/cluster": "reporting",
    "cnpg.io/instanceName": name,
    "cnpg.io/podRole": "instance",
    "cnpg.io/instanceRole": role,
    role,
  });

/** The `reports` cluster of Avilla, healthy; the last base backup at `lastBackup`. */
export function reportsCluster(now: Date, lastBackup: Date, staticIp: string): FakeCluster {
  const c = new FakeCluster();
  const hosts = ["r620-1", "r620-2", "r620-3"];
  hosts.forEach((h, i) => {
    c.put("/api/v1", "nodes", node(`reports-cp-${i + 1}`, h));
    c.put("/api/v1", "nodes", node(`reports-worker-${i + 1}`, h));
  });
  const w = (i: number) => `reports-worker-${i}`;
  c.put("/api/v1", "pods", pod("envoy-gateway-system", "envoy-reports-a", w(1), envoy("reports")));
  c.put("/api/v1", "pods", pod("envoy-gateway-system", "envoy-reports-b", w(2), envoy("reports")));
  for (const s of ["report-web", "report-api", "gauge-report"]) {
    c.put("/api/v1", "pods", pod(s, `${s}-7d9f8c6b5-x1`, w(2), server(s)));
    c.put("/api/v1", "pods", pod(s, `${s}-7d9f8c6b5-x2`, w(3), server(s)));
  }
  c.put("/api/v1", "pods", instance("reporting-1", w(1), "primary"));
  c.put("/api/v1", "pods", instance("reporting-2", w(2), "replica"));
  c.put("/api/v1", "pods", instance("reporting-3", w(3), "replica"));
  for (const p of ["rw", "ro"])
    [1, 2].forEach((i) =>
      c.put(
        "/api/v1",
        "pods",
        pod("postgres-reporting", `reporting-pooler-${p}-5f6-${i}`, w(i), {
          "cnpg.io/poolerName": `reporting-pooler-${p}`,
          "cnpg.io/podRole": "pooler",
        }),
      ),
    );
  c.put("/api/v1", "services", lbService("reports", staticIp));
  c.put("/apis/postgresql.cnpg.io/v1", "clusters", cnpgCluster(now));
  c.put("/apis/postgresql.cnpg.io/v1", "scheduledbackups", {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    metadata: { name: "reporting-daily", namespace: "postgres-reporting" },
    spec: { schedule: "0 0 2 * * *", cluster: { name: "reporting" }, method: "plugin" },
  });
  c.put("/apis/barmancloud.cnpg.io/v1", "objectstores", {
    apiVersion: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    metadata: { name: "reporting-backups", namespace: "postgres-reporting" },
    spec: { configuration: { destinationPath: "s3://avilla-pg-backups/postgres/reporting" } },
    status: {
      serverRecoveryWindow: {
        reporting: {
          firstRecoverabilityPoint: new Date(lastBackup.getTime() - 20 * 86400_000).toISOString(),
          lastSuccessfulBackupTime: lastBackup.toISOString(),
        },
      },
    },
  });
  return c;
}

/** The existing `optiplex` cluster of Avilla: three OptiPlexes and the reports-alb gateway. */
export function optiplexCluster(staticIp: string): FakeCluster {
  const c = new FakeCluster();
  [1, 2, 3].forEach((i) => c.put("/api/v1", "nodes", node(`opti-${i}`, `optiplex-${i}`)));
  c.put(
    "/api/v1",
    "pods",
    pod("envoy-gateway-system", "envoy-alb-a", "opti-1", envoy("reports-alb")),
  );
  c.put(
    "/api/v1",
    "pods",
    pod("envoy-gateway-system", "envoy-alb-b", "opti-3", envoy("reports-alb")),
  );
  c.put("/api/v1", "services", lbService("reports-alb", staticIp));
  return c;
}

export interface SiteServers {
  readonly httpsPort: number;
  readonly httpPort: number;
  /** Host name → the certificate presented for it (tests swap them). */
  readonly certs: Map<string, KeyPair>;
  /** Path → status for GETs; the GraphQL POST answers `{ data: { __typename: "Query" } }`. */
  readonly statuses: Map<string, number>;
  close(): Promise<void>;
}

/** The gateway as a client sees it: HTTPS with a certificate per host name, HTTP redirecting. */
export async function startSiteServers(certs: Map<string, KeyPair>): Promise<SiteServers> {
  const statuses = new Map<string, number>();
  const first = [...certs.values()][0];
  const httpsServer = https.createServer(
    {
      cert: first.certPem,
      key: first.keyPem,
      SNICallback: (name, cb) => {
        const kp = certs.get(name) ?? first;
        cb(null, tls.createSecureContext({ cert: kp.certPem, key: kp.keyPem }));
      },
    },
    (req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "POST" && req.url === "/graphql") {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ data: { __typename: "Query" } }));
          return;
        }
        const code = statuses.get(req.url ?? "/") ?? 200;
        res.writeHead(code, { "Content-Type": "text/plain" });
        res.end(code === 503 ? "no healthy upstream" : "ok");
      });
    },
  );
  const httpServer = http.createServer((req, res) => {
    res.writeHead(301, { Location: `https://${req.headers.host}${req.url}` });
    res.end();
  });
  const listen = (s: http.Server) =>
    new Promise<number>((resolve) =>
      s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)),
    );
  const [httpsPort, httpPort] = await Promise.all([listen(httpsServer), listen(httpServer)]);
  const close = (s: http.Server) =>
    new Promise<void>((done) => {
      s.closeAllConnections();
      s.close(() => done());
    });
  return {
    httpsPort,
    httpPort,
    certs,
    statuses,
    close: async () => {
      await Promise.all([close(httpsServer), close(httpServer)]);
    },
  };
}
