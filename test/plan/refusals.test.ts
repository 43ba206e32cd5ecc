// Bad input is refused by prepareSite — every area's check, before any resource is declared —
// and the refusal names the stack, the key and the problem. Nothing half-built.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, readStackFile, SiteConfigError } from "../../config";
import { prepareSite } from "../../program";
import { PROJECT_DIR } from "../../tools/plan/run";
import { BROKEN_FIXTURES } from "../fixtures/broken/expected";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures poke into raw YAML */
type Raw = any;

let declared = 0;
const counting: pulumi.runtime.Mocks = {
  newResource: (args) => {
    declared++;
    return { id: `${args.name}-id`, state: args.inputs };
  },
  call: () => ({}),
};

async function refusal(
  mutate: (raw: Raw) => void,
  file = path.join(PROJECT_DIR, "Pulumi.avilla.yaml"),
): Promise<string> {
  const raw = readStackFile(file) as Raw;
  mutate(raw);
  declared = 0;
  await pulumi.runtime.setMocks(counting, "plant", "avilla", false);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, JSON.stringify(v)]),
    ),
    [],
  );
  try {
    prepareSite({ projectDir: PROJECT_DIR, offline: true });
  } catch (e) {
    expect(e).toBeInstanceOf(SiteConfigError);
    expect(declared).toBe(0);
    return (e as Error).message;
  }
  throw new Error("the site was not refused");
}

describe("area checks run before anything is declared", () => {
  test.each<[string, (raw: Raw) => void, string]>([
    [
      "a service named like a platform namespace",
      (r) => (r.services[0].name = "metallb-system"),
      "[plant:services[0].name] 'metallb-system' would be the service's namespace, which is an ingress namespace",
    ],
    [
      "a service named like a database namespace",
      (r) => (r.services[0].name = "postgres-reporting"),
      "[plant:services[0].name] 'postgres-reporting' would be the service's namespace, which is the namespace of database reporting",
    ],
    [
      "too few database instances for the failures tolerated",
      (r) => (r.databases[0].instances = 2),
      "[plant:databases[0].instances]",
    ],
    [
      "a gateway with fewer replicas than f+1",
      (r) => (r.clusters[0].ingress.gatewayReplicas = 1),
      "[plant:clusters[0].ingress.gatewayReplicas]",
    ],
    [
      "a placement pin on an unknown R620",
      (r) => (r.openstack.placement = { "reports-worker-1": "r620-9" }),
      "[plant:openstack.placement.reports-worker-1]",
    ],
    [
      "a service whose HPA maximum the database's connections cannot serve",
      (r) => (r.services[1].replicas.max = 40),
      "[plant:databases[0].parameters.max_connections] is 200, but the rw pooler can open 2 PgBouncer pod(s) × 210 = 420 server connections on the primary",
    ],
    [
      "more connections per pod than max_connections allows",
      (r) => (r.services[2].database.connectionsPerPod = 30),
      "[plant:databases[0].parameters.max_connections] is 200, but the ro pooler can open 2 PgBouncer pod(s) × 180 = 360 server connections on each standby",
    ],
    [
      "a site that loses etcd quorum when hosts fail",
      (r) => {
        r.site.failuresTolerated = 1;
        r.clusters[1].nodes[1].role = "worker";
        r.clusters[1].nodes[2].role = "worker";
      },
      "cluster optiplex loses etcd quorum",
    ],
  ])("refuses %s", async (_name, mutate, expected) => {
    const message = await refusal(mutate);
    expect(message).toMatch(/^Stack 'avilla' has invalid configuration:/);
    expect(message).toContain(expected);
  });
});

describe("every broken site file is refused, naming the key, before anything is declared", () => {
  const dir = path.join(PROJECT_DIR, "test/fixtures/broken");

  test("every file in test/fixtures/broken has an expected refusal", () => {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -".yaml".length));
    expect(files.sort()).toEqual(BROKEN_FIXTURES.map(([f]) => f).sort());
  });

  test.each(BROKEN_FIXTURES)("refuses %s.yaml", async (file, expected) => {
    const message = await refusal(() => undefined, path.join(dir, `${file}.yaml`));
    expect(message).toMatch(/^Stack 'avilla' has invalid configuration:/);
    expect(message).toContain(expected);
  });
});
