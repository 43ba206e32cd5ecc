/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep into untyped manifest JSON */
// Runs declareServices under the offline plan's mocks with fake inputs from the other areas
// (clusters with real k8s.Providers, Gateways, database roles with canary passwords), and
// records every registration as the plan runner does.
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseSite, readStackFile, SiteConfig, SiteSecrets } from "../../config";
import { fqdn } from "../../config/addresses";
import { ClusterAddons } from "../../components/ingress";
import { DatabasesResult } from "../../components/postgres";
import { declareServices, ServicesResult } from "../../components/reporting";
import { DatabaseCredential, GatewayRef, PlantCluster } from "../../components/types";
import { collectManifests, PlannedManifest } from "../../tools/plan/manifests";
import { unwrapSecrets } from "../../tools/plan/mask";
import { PlanMocks } from "../../tools/plan/mocks";
import { installRecorder, PlannedResource, waitForRegistrations } from "../../tools/plan/recorder";

export const PROJECT_DIR = path.join(__dirname, "../..");
export const GATEWAY_NAMESPACE = "plant-gateways";
export const DATA_PLANE_LABELS = { "kubernetes.io/metadata.name": "envoy-gateway-system" };
export const POOLER_LABELS = { "cnpg.io/poolerName": "reporting-pooler-rw" };
/** The database server CA every credential carries (public, not a canary). */
export const SERVER_CA_PEM =
  "-----BEGIN CERTIFICATE-----\nreporting-server-ca\n-----END CERTIFICATE-----\n";

/** Canary secret values: a plan must never show them in the clear. */
export const canary = {
  app: (service: string) => `CANARY-app-password-${service}-9d1f`,
  migration: (service: string) => `CANARY-migration-password-${service}-4b7e`,
  config: (key: string) => `CANARY-config-secret-${key}-2c8a`,
};

/** A stack file's site, optionally changed (raw values, keys without `plant:`). */
export function loadSite(stack: string, edit?: (raw: Record<string, any>) => void): SiteConfig {
  const raw = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)) as Record<string, any>;
  edit?.(raw);
  return parseSite(stack, raw);
}

export interface FakeInputOptions {
  /** Services that get no app role (to test wiring errors). */
  readonly withoutRole?: readonly string[];
  /** Clusters without a Gateway. */
  readonly withoutGateway?: readonly string[];
  /** Appended to every database password (a rotation). */
  readonly passwordSuffix?: string;
  /** Hand over only `ingress.gateway`, as ClusterAddons did before `gateways` existed. */
  readonly firstGatewayOnly?: boolean;
}

export interface ReportingPlan {
  readonly result: ServicesResult;
  readonly resources: PlannedResource[];
  readonly manifests: PlannedManifest[];
  /** Every canary secret value handed to the program. */
  readonly secretValues: string[];
  /** Inputs as the provider receives them (secrets unwrapped), by resource name. */
  readonly providerInputs: ReadonlyMap<string, Record<string, unknown>>;
  /** URN of the fake resource standing for each handed-over `ready`, by what it stands for. */
  readonly readyUrns: ReadonlyMap<string, string>;
}

/** PlanMocks that also keep what the provider would receive, to check Secret contents. */
class RecordingMocks extends PlanMocks {
  readonly received = new Map<string, Record<string, unknown>>();
  newResource(args: pulumi.runtime.MockResourceArgs) {
    this.received.set(args.name, unwrapSecrets(args.inputs) as Record<string, unknown>);
    return super.newResource(args);
  }
}

function credential(
  access: "read" | "readwrite",
  password: string,
  username: string,
  ready: readonly pulumi.Resource[],
): DatabaseCredential {
  return {
    ready,
    database: "reporting",
    dbname: "reporting",
    username,
    password: pulumi.secret(password),
    access,
    host: "reporting-pooler-rw.postgres-reporting.svc",
    port: 5432,
    sslMode: "verify-full",
    caCertificate: pulumi.output(SERVER_CA_PEM),
    namespace: "postgres-reporting",
    poolerPodLabels: POOLER_LABELS,
  };
}

/**
 * A stand-in for a resource another area hands over as "ready" (a Gateway, a database role):
 * a custom resource of no Kubernetes kind, so it shows in dependencies and not in manifests.
 */
function readyMarker(what: string, markers: Map<string, random.RandomId>): random.RandomId {
  const marker = new random.RandomId(`ready-${what}`, { byteLength: 4 });
  markers.set(what, marker);
  return marker;
}

/** Fake outputs of the areas declareServices builds on; call only after the mocks are set. */
export function fakeInputs(site: SiteConfig, options: FakeInputOptions = {}) {
  const secretValues: string[] = [];
  const markers = new Map<string, random.RandomId>();
  const clusters: PlantCluster[] = site.clusters.map((c) => ({
    name: c.name,
    kind: c.kind,
    provider: new k8s.Provider(`k8s-${c.name}`, {
      kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
    }),
    apiEndpoint: pulumi.output(`https://${c.name}.example:6443`),
    kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
    nodes: [],
    storageClass: "local-path",
    ready: [],
  }));
  const addons = new Map<string, ClusterAddons>();
  for (const c of site.clusters) {
    if (!c.ingress || options.withoutGateway?.includes(c.name)) {
      addons.set(c.name, { certManagerReady: [] });
      continue;
    }
    // One Gateway per static address, listening on that address's host names only (as the
    // ingress area declares them), each with its own ready resource.
    const gateways: GatewayRef[] = c.ingress.addresses.map((a) => {
      const hosts = a.hostnames.map((h) => fqdn(h, site.site.domain));
      return {
        cluster: c.name,
        namespace: GATEWAY_NAMESPACE,
        name: a.name,
        httpsListeners: Object.fromEntries(hosts.map((h) => [h, `https-${h}`])),
        dataPlaneNamespaceLabels: DATA_PLANE_LABELS,
        ready: [readyMarker(`gateway-${c.name}-${a.name}`, markers)],
      };
    });
    addons.set(c.name, {
      certManagerReady: [],
      ingress: {
        gateway: gateways[0],
        ...(options.firstGatewayOnly ? {} : { gateways }),
        addresses: [],
        caCertificate: pulumi.output(
          "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n",
        ),
      },
    });
  }
  const credentials = new Map<string, DatabaseCredential>();
  const migrationCredentials = new Map<string, DatabaseCredential>();
  for (const s of site.services) {
    const role = `svc_${s.name.replace(/-/g, "_")}`;
    if (s.database.access !== "none" && !options.withoutRole?.includes(s.name)) {
      const password = canary.app(s.name) + (options.passwordSuffix ?? "");
      const ready = [readyMarker(`role-${role}`, markers)];
      credentials.set(s.name, credential(s.database.access, password, role, ready));
      secretValues.push(password);
    }
    if (s.migration) {
      const password = canary.migration(s.name) + (options.passwordSuffix ?? "");
      const ready = [readyMarker(`role-${role}_migrate`, markers)];
      migrationCredentials.set(s.name, credential("readwrite", password, `${role}_migrate`, ready));
      secretValues.push(password);
    }
  }
  const databases: DatabasesResult = { credentials, migrationCredentials, outputs: {} };
  const secrets: SiteSecrets = {
    placeholders: [],
    get(key: string) {
      secretValues.push(canary.config(key));
      return pulumi.secret(canary.config(key));
    },
  };
  return { clusters, addons, databases, secrets, secretValues, markers };
}

let queue: Promise<unknown> = Promise.resolve();

/** Declares the services of `site` under mocks and returns what was registered. Serialized. */
export function planReporting(
  site: SiteConfig,
  options: FakeInputOptions = {},
): Promise<ReportingPlan> {
  const next = queue.then(async () => {
    const mocks = new RecordingMocks();
    await pulumi.runtime.setMocks(mocks, "plant", site.stack, false);
    const resources = installRecorder();
    const inputs = fakeInputs(site, options);
    const result = declareServices(
      site,
      inputs.secrets,
      inputs.clusters,
      inputs.addons,
      inputs.databases,
    );
    await waitForRegistrations();
    const readyUrns = new Map<string, string>();
    for (const [what, marker] of inputs.markers) {
      readyUrns.set(what, await new Promise<string>((done) => marker.urn.apply(done)));
    }
    return {
      result,
      resources,
      manifests: collectManifests(resources),
      secretValues: inputs.secretValues,
      providerInputs: mocks.received,
      readyUrns,
    };
  });
  queue = next.catch(() => undefined);
  return next;
}
