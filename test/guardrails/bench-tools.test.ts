import * as path from "path";
import { parseSite, readStackFile } from "../../config/site";
import { PROJECT_DIR } from "../../tools/plan/run";
import {
  compareWithBase,
  diffInputs,
  isReplacement,
  underPath,
} from "../../tools/bench/change-safety";
import { syntheticEstate } from "../../tools/bench/estate";
import { longestChain } from "../../tools/bench/graph";

const INSTANCE = "openstack:compute/instance:Instance";

describe("change-safety diff", () => {
  it("lists leaf paths that differ", () => {
    expect(
      diffInputs({ a: 1, b: { c: [1, 2] }, d: "x" }, { a: 1, b: { c: [1, 3, 4] }, e: "y" }).map(
        (c) => c.path,
      ),
    ).toEqual(["b.c[1]", "b.c[2]", "d", "e"]);
  });

  it.each([
    ["networks[0].fixedIpV4", "networks", true],
    ["networksX", "networks", false],
    ["spec.selector.matchLabels.app", "spec.selector", true],
    ["anything", "*", true],
  ])("underPath(%s, %s) = %s", (p, prefix, ok) => expect(underPath(p, prefix)).toBe(ok));

  it.each([
    [INSTANCE, "userData", "a", "b", true],
    [INSTANCE, "flavorName", "a", "b", false],
    ["kubernetes:postgresql.cnpg.io/v1:Cluster", "spec.storage.size", "100Gi", "150Gi", false],
    ["kubernetes:postgresql.cnpg.io/v1:Cluster", "spec.storage.size", "100Gi", "50Gi", true],
    ["kubernetes:postgresql.cnpg.io/v1:Cluster", "spec.storage.storageClass", "a", "b", true],
    [
      "kubernetes:core/v1:PersistentVolumeClaim",
      "spec.resources.requests.storage",
      "1Ti",
      "2Ti",
      false,
    ],
    ["kubernetes:core/v1:ConfigMap", "metadata.name", "a", "b", true],
    ["kubernetes:core/v1:ConfigMap", "data.x", "a", "b", false],
    ["kubernetes:apps/v1:Deployment", "spec.selector.matchLabels.app", "a", "b", true],
    ["kubernetes:helm.sh/v4:Chart", "metadata.name", "a", "b", false],
    ["random:index/randomPassword:RandomPassword", "length", 24, 32, true],
  ])("isReplacement(%s, %s: %j -> %j) = %s", (type, p, before, after, replaces) =>
    expect(isReplacement(type, { path: p, before, after })).toBe(replaces),
  );

  it("reports removed URNs and replacements", () => {
    const base = [
      { urn: "u1", type: INSTANCE, inputs: { userData: "a", name: "vm" } },
      { urn: "u2", type: "kubernetes:core/v1:ConfigMap", inputs: {} },
    ];
    const next = [
      { urn: "u1", type: INSTANCE, inputs: { userData: "b", name: "vm" } },
      { urn: "u3", type: "x", inputs: {} },
    ];
    expect(compareWithBase(base, next)).toEqual({
      added: ["u3"],
      removed: ["u2"],
      updated: [{ urn: "u1", paths: ["userData"] }],
      ignored: [],
      replacements: [
        { urn: "u1", type: INSTANCE, change: { path: "userData", before: "a", after: "b" } },
      ],
    });
  });

  it("sees a changed secret input through its digest, and holds ignored paths for rotation", () => {
    const vm = (digest: string, ignoreChanges?: string[]) => ({
      urn: "u1",
      type: INSTANCE,
      inputs: { userData: "[secret]", name: "vm" },
      secretDigests: { userData: digest },
      ...(ignoreChanges ? { ignoreChanges } : {}),
    });
    const replaced = compareWithBase([vm("aaa")], [vm("bbb")]);
    expect(replaced.replacements.map((r) => r.change.path)).toEqual(["userData"]);
    const held = compareWithBase([vm("aaa")], [vm("bbb", ["userData"])]);
    expect(held).toEqual({
      added: [],
      removed: [],
      updated: [],
      ignored: [{ urn: "u1", paths: ["userData"] }],
      replacements: [],
    });
    expect(compareWithBase([vm("aaa")], [vm("aaa")]).updated).toEqual([]);
  });
});

describe("bench helpers", () => {
  it("finds the longest chain over dependencies and parents", () => {
    expect(
      longestChain([
        { urn: "a", dependencies: [] },
        { urn: "b", dependencies: ["a"] },
        { urn: "c", parent: "b", dependencies: ["missing"] },
        { urn: "d", dependencies: ["a"] },
      ]),
    ).toEqual(["a", "b", "c"]);
    expect(() =>
      longestChain([
        { urn: "a", dependencies: ["b"] },
        { urn: "b", dependencies: ["a"] },
      ]),
    ).toThrow("dependency cycle");
  });

  it("generates 12 valid, distinct synthetic sites of 9 hosts", () => {
    const avilla = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"));
    const estate = syntheticEstate(avilla, 12, 9);
    const sites = estate.map((s) => parseSite(s.stack, s.raw));
    expect(sites.map((s) => s.hosts.length)).toEqual(Array(12).fill(9));
    expect(new Set(sites.map((s) => s.network.lanCidr)).size).toBe(12);
    expect(sites[11].network.lanCidr).toBe("10.21.0.0/22");
    expect(JSON.stringify(estate[0].raw)).not.toMatch(/avilla|(?<![\d.])10\.1\.|reports1/);
  });
});
