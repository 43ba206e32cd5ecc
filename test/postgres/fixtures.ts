// Site config and fake upstream values (clusters, object store) for the postgres tests.
import * as path from "path";
import { parseSite, readStackFile, SiteConfig } from "../../config/site";
import { DatabaseConfig, databaseSchema, serviceSchema, ServiceConfig } from "../../config/schema";
import { ClusterNode } from "../../components/types";

export const PROJECT_DIR = path.join(__dirname, "../..");

/** The avilla stack file, parsed (reporting database on cluster `reports`). */
export function avillaSite(): SiteConfig {
  return parseSite("avilla", readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml")));
}

/** A database config with schema defaults applied, overridable per test. */
export function database(overrides: Record<string, unknown> = {}): DatabaseConfig {
  return databaseSchema.parse({
    name: "reporting",
    cluster: "reports",
    database: "reporting",
    owner: "reporting_owner",
    instances: 3,
    image: "ghcr.io/cloudnative-pg/postgresql:17.7-standard-trixie",
    storage: { size: "100Gi", storageClass: "local-path" },
    walStorage: { size: "20Gi" },
    resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } },
    parameters: { max_connections: "200" },
    backup: { schedule: "0 0 3 * * *", retention: "30d" },
    ...overrides,
  });
}

export function service(
  name: string,
  access: "none" | "read" | "readwrite",
  migration = false,
): ServiceConfig {
  return serviceSchema.parse({
    name,
    cluster: "reports",
    image: `registry.example/${name}:1.0.0`,
    port: 8080,
    database: { name: "reporting", access },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    replicas: { min: 2, max: 3 },
    health: { startup: "/healthz", readiness: "/ready", liveness: "/livez" },
    ...(migration
      ? { migration: { image: `registry.example/${name}-migrate:1.0.0`, command: ["/migrate"] } }
      : {}),
  });
}

/** Node facts: one worker per listed host plus a control-plane node on the first host. */
export function clusterFacts(
  name: string,
  workerHosts: readonly string[],
): { name: string; nodes: ClusterNode[] } {
  const controlPlane: ClusterNode = {
    name: `${name}-cp-0`,
    ip: "10.1.1.10",
    physicalHost: workerHosts[0] ?? "r620-1",
    roles: ["control-plane"],
    cpu: 4,
    memoryGb: 8,
  };
  const workers = workerHosts.map((h, i): ClusterNode => ({
    name: `${name}-worker-${i}`,
    ip: `10.1.1.${20 + i}`,
    physicalHost: h,
    roles: ["worker"],
    cpu: 8,
    memoryGb: 32,
  }));
  return { name, nodes: [controlPlane, ...workers] };
}
