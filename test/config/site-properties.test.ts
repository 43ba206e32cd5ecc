// Property tests over whole site files, through the same pure path prepareSite runs (parseSite,
// then planning/site-checks.ts: placement, area checks, failure-domain proof): a generated site
// either plans with every invariant below holding, or is refused with problems that each name a
// plant: key. Single-field mutations of valid sites never crash and never give an unkeyed
// message. Seeds are fixed, so every run checks the same sites.
import * as path from "path";
import fc from "fast-check";
import { plantClaims } from "../../config/claimed-rules";
import { ipInRange, rangesOverlap } from "../../config/ip";
import { parseSite, readStackFile, SiteConfig, SiteConfigError } from "../../config/site";
import { CheckedSite, checkSite } from "../../planning/site-checks";
import { combinations } from "../../planning/failure-domains";
import { GENERATED_STACK, RawSite, siteArbitrary } from "../support/site-arbitrary";

const ROOT = path.resolve(__dirname, "../..");
const SEED = 20261123;

/** Every refusal names a site key: `plant:<top-level key>` then a path. */
const KEYED =
  /^plant:(site|network|hosts|openstack|clusters|databases|services|mirrors|observability)([.[]|$)/;

type Outcome =
  | { kind: "planned"; config: SiteConfig; checked: CheckedSite }
  | { kind: "refused"; problems: readonly { key: string; message: string }[] };

function outcome(stack: string, raw: RawSite): Outcome {
  try {
    const config = parseSite(stack, raw);
    return { kind: "planned", config, checked: checkSite(config) };
  } catch (e) {
    // Anything else (TypeError, a bare Error from inside a check) is a crash: let it fail the test.
    if (!(e instanceof SiteConfigError)) throw e;
    return { kind: "refused", problems: e.problems };
  }
}

function expectKeyed(problems: readonly { key: string; message: string }[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.key).toMatch(KEYED);
    expect(p.message.trim()).not.toBe("");
    expect(p.message).not.toMatch(/\n\s+at |\[object Object\]/);
  }
}

/** The invariants every planned site must satisfy, checked independently of the checks. */
function expectSound(config: SiteConfig, { placement, failureDomains }: CheckedSite): void {
  const f = config.site.failuresTolerated;
  // Failure domains: every set of f failed hosts was tried, and every tier survived each.
  expect(failureDomains.ok).toBe(true);
  expect(failureDomains.scenarios).toHaveLength(combinations(failureDomains.hosts, f).length);
  expect(failureDomains.scenarios.every((s) => s.checks.every((c) => c.ok))).toBe(true);
  // Placement: every VM placed, control planes on distinct R620s, no R620 over capacity.
  for (const c of config.clusters) {
    if (c.kind !== "openstack") continue;
    const vms = placement.vms.filter((v) => v.cluster === c.name);
    const cp = vms.filter((v) => v.role === "control-plane");
    expect(cp).toHaveLength(c.controlPlane.count ?? 2 * f + 1);
    expect(vms).toHaveLength(cp.length + c.workers.count);
    expect(new Set(cp.map((v) => v.host)).size).toBe(cp.length);
  }
  for (const h of placement.hostLoad) {
    expect(h.vcpus).toBeLessThanOrEqual(h.vcpuCapacity);
    expect(h.ramGb).toBeLessThanOrEqual(h.ramCapacityGb);
  }
  // Nothing the program announces or hands out takes an address the plant uses.
  const claims = plantClaims(config);
  const announced = [
    ...placement.vms.map((v) => v.ip),
    ...config.clusters.flatMap((c) => [
      ...(c.kind === "openstack" ? [c.apiVip] : []),
      ...(c.ingress?.addresses.map((a) => a.ip) ?? []),
    ]),
  ];
  for (const ip of announced) expect(claims.filter((c) => ipInRange(ip, c.range))).toEqual([]);
  expect(claims.filter((c) => rangesOverlap(c.range, config.network.vmRange))).toEqual([]);
  // Counts the config rules bound by f.
  for (const s of config.services) expect(s.replicas.min).toBeGreaterThan(f);
  for (const d of config.databases) {
    expect(d.instances).toBeGreaterThanOrEqual(Math.max(3, 2 * f + 1));
    expect(d.pooler.instances).toBeGreaterThan(f);
  }
}

describe("generated sites: plan soundly or are refused by key", () => {
  test("every generated site either plans with all invariants or is refused with keyed problems", () => {
    const seen = { planned: 0, refused: 0, kinds: new Set<string>(), fs: new Set<number>() };
    fc.assert(
      fc.property(siteArbitrary, (raw) => {
        const result = outcome(GENERATED_STACK, raw);
        if (result.kind === "refused") {
          seen.refused++;
          expectKeyed(result.problems);
          return;
        }
        seen.planned++;
        seen.fs.add(result.config.site.failuresTolerated);
        for (const c of result.config.clusters) seen.kinds.add(c.kind);
        expectSound(result.config, result.checked);
      }),
      { seed: SEED, numRuns: 120 },
    );
    // The property is not vacuous: many sites plan, over both cluster kinds and every f.
    expect(seen.planned).toBeGreaterThanOrEqual(30);
    expect(seen.refused).toBeGreaterThan(0);
    expect([...seen.kinds].sort()).toEqual(["existing", "openstack"]);
    expect([...seen.fs].sort()).toEqual([0, 1, 2, 3]);
  });
});

/** Every leaf and node path of a raw value: [["clusters", 0, "apiVip"], …]. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(raw: RawSite, at: (string | number)[], replacement: unknown): RawSite {
  const copy = structuredClone(raw);
  let node = copy as Record<string | number, unknown>;
  for (const step of at.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const DELETE = Symbol("delete");

/** What a hurried engineer types: wrong types, neighbours of numbers, near-miss strings. */
function replacementFor(current: unknown): fc.Arbitrary<unknown> {
  const typed: fc.Arbitrary<unknown>[] = [
    fc.constant(DELETE),
    fc.constant(null),
    fc.constantFrom(
      "",
      " ",
      "0.0.0.0/0",
      "10.77.0.2",
      "10.1.0.8",
      "latest",
      "-1",
      "∞",
      "a".repeat(300),
    ),
    fc.constantFrom(
      "http://x",
      "ftp://objects",
      "mailto:ops@plant",
      "512m",
      "1Gi",
      "*/0 * * * *",
      "@daily",
      "America/Santiago",
    ),
    fc.integer({ min: -5, max: 100 }),
    fc.double({ noNaN: false }),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.string({ maxLength: 12 }),
  ];
  if (typeof current === "number")
    typed.push(fc.constantFrom(current - 1, current + 1, current * 10, 0, -current));
  if (typeof current === "string")
    typed.push(
      fc.constantFrom(current.toUpperCase(), `${current} `, current.slice(0, -1), `${current}0`),
    );
  if (Array.isArray(current) && current.length > 0)
    typed.push(fc.constant([...current, current[0]]), fc.constant([]));
  return fc.oneof(...typed);
}

describe("single-field mutations never crash and never refuse without a key", () => {
  const bases: [string, RawSite][] = [
    ["avilla", readStackFile(path.join(ROOT, "Pulumi.avilla.yaml"))],
    ["albion", readStackFile(path.join(ROOT, "Pulumi.albion.yaml"))],
    // Generated sites that plan, so mutations start from something valid of every shape.
    ...fc
      .sample(siteArbitrary, { seed: SEED + 1, numRuns: 40 })
      .filter((raw) => outcome(GENERATED_STACK, raw).kind === "planned")
      .slice(0, 4)
      .map((raw): [string, RawSite] => [GENERATED_STACK, raw]),
  ];

  test("the bases are valid sites", () => {
    expect(bases.length).toBeGreaterThanOrEqual(5);
    for (const [stack, raw] of bases) expect(outcome(stack, raw).kind).toBe("planned");
  });

  test("a mutated site plans or is refused with keyed problems", () => {
    const mutation = fc.tuple(fc.nat({ max: bases.length - 1 }), fc.nat()).chain(([b, p]) => {
      const [stack, raw] = bases[b];
      const all = paths(raw);
      const at = all[p % all.length];
      const current = at.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], raw);
      return replacementFor(current).map((value) => ({ stack, at, value, raw }));
    });
    fc.assert(
      fc.property(mutation, ({ stack, at, value, raw }) => {
        const result = outcome(stack, setAt(raw, at, value));
        if (result.kind === "refused") expectKeyed(result.problems);
        else expectSound(result.config, result.checked);
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
  });
});
