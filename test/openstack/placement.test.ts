// The placement planner: table tests on the two sites, and properties over site shapes of 3..7 R620s.
import * as path from "path";
import fc from "fast-check";
import { parseSite, readStackFile, SiteConfigError } from "../../config/site";
import {
  formatPlacement,
  Placement,
  PlacementInput,
  placementPins,
  planPlacement,
  planVmPlacement,
} from "../../components/openstack/placement";

const root = path.join(__dirname, "../..");
const site = (stack: string) =>
  parseSite(stack, readStackFile(path.join(root, `Pulumi.${stack}.yaml`)));

const hostsOf = (p: Placement) => Object.fromEntries(p.vms.map((v) => [v.name, v.host]));

function input(overrides: Partial<PlacementInput> = {}): PlacementInput {
  return {
    stack: "test",
    hosts: ["r620-1", "r620-2", "r620-3"].map((name) => ({ name, cores: 20, ramGb: 192 })),
    reserved: { cores: 2, ramGb: 16 },
    overcommit: { cpu: 4, ram: 1 },
    clusters: [
      {
        name: "reports",
        key: "plant:clusters[0]",
        controlPlane: {
          count: 3,
          flavor: { vcpus: 4, ramGb: 8, diskGb: 60 },
          ipStart: "10.1.1.10",
        },
        workers: { count: 3, flavor: { vcpus: 8, ramGb: 32, diskGb: 200 }, ipStart: "10.1.1.20" },
      },
    ],
    pins: {},
    ...overrides,
  };
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SiteConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a SiteConfigError");
}

describe("planPlacement on the stack files", () => {
  test("avilla: one control-plane member and one worker per R620, load reported per host", () => {
    const p = planPlacement(site("avilla"));
    expect(hostsOf(p)).toEqual({
      "reports-cp-1": "r620-1",
      "reports-cp-2": "r620-2",
      "reports-cp-3": "r620-3",
      "reports-worker-1": "r620-1",
      "reports-worker-2": "r620-2",
      "reports-worker-3": "r620-3",
    });
    expect(p.vms.map((v) => v.ip)).toEqual([
      "10.1.1.10",
      "10.1.1.11",
      "10.1.1.12",
      "10.1.1.20",
      "10.1.1.21",
      "10.1.1.22",
    ]);
    // Disk in decimal GB: root disks of 60 and 200 GiB (65 + 215 GB) and one instance of the
    // database (100Gi data = 108 GB, 20Gi WAL = 22 GB) on 1800 GB less 100 GB reserved.
    expect(p.hostLoad[0]).toEqual({
      host: "r620-1",
      vcpus: 12,
      ramGb: 40,
      diskGb: 410,
      databaseVolumeGb: 130,
      vcpuCapacity: 72,
      ramCapacityGb: 176,
      diskCapacityGb: 1700,
      vms: ["reports-cp-1", "reports-worker-1"],
    });
  });

  test("albion: the fourth R620 takes the first worker, the smaller r620-4 is used", () => {
    const p = planPlacement(site("albion"));
    expect(hostsOf(p)).toEqual({
      "reports-cp-1": "r620-1",
      "reports-cp-2": "r620-2",
      "reports-cp-3": "r620-3",
      "reports-worker-1": "r620-4",
      "reports-worker-2": "r620-1",
      "reports-worker-3": "r620-2",
      "reports-worker-4": "r620-3",
    });
    expect(p.hostLoad.map((h) => [h.host, h.vcpuCapacity, h.ramCapacityGb])).toEqual([
      ["r620-1", 72, 176],
      ["r620-2", 72, 176],
      ["r620-3", 72, 176],
      ["r620-4", 56, 112],
    ]);
  });
});

describe("pins", () => {
  test("a pinned VM stays on its host and is marked pinned", () => {
    const p = planVmPlacement(input({ pins: { "reports-worker-1": "r620-3" } }));
    const w1 = p.vms.find((v) => v.name === "reports-worker-1");
    expect(w1).toMatchObject({ host: "r620-3", pinned: true });
    expect(p.vms.filter((v) => v.pinned).map((v) => v.name)).toEqual(["reports-worker-1"]);
    // The others spread around it: r620-3 already has a worker.
    expect(hostsOf(p)["reports-worker-2"]).toBe("r620-1");
  });

  test.each([
    [
      { "reports-cp-9": "r620-1" },
      "[plant:openstack.placement.reports-cp-9] names unknown VM 'reports-cp-9'; the planned VMs are reports-cp-1, reports-cp-2, reports-cp-3, reports-worker-1, reports-worker-2, reports-worker-3",
    ],
    [
      { "reports-cp-1": "r620-9" },
      "[plant:openstack.placement.reports-cp-1] names unknown host 'r620-9'; plant:hosts lists r620-1, r620-2, r620-3",
    ],
    [
      { "reports-cp-1": "r620-2", "reports-cp-2": "r620-2" },
      "[plant:openstack.placement.reports-cp-2] pins control-plane VM reports-cp-2 to r620-2, which already holds reports-cp-1; members of a control plane need distinct R620s",
    ],
  ])("refuses pins %j", (pins, message) => {
    expect(thrown(() => planVmPlacement(input({ pins })))).toBe(
      `Stack 'test' has invalid configuration:\n  - ${message}`,
    );
  });

  test("refuses pins that overload a host, naming the host and what is free", () => {
    const big = input();
    const clusters = [{ ...big.clusters[0], workers: { ...big.clusters[0].workers, count: 3 } }];
    const pins = {
      "reports-worker-1": "r620-1",
      "reports-worker-2": "r620-1",
      "reports-worker-3": "r620-1",
    };
    const hosts = [{ name: "r620-1", cores: 20, ramGb: 96 }, ...big.hosts.slice(1)];
    expect(thrown(() => planVmPlacement({ ...big, clusters, pins, hosts }))).toBe(
      "Stack 'test' has invalid configuration:\n" +
        "  - [plant:openstack.placement.reports-worker-3] pins worker VM reports-worker-3 (8 vCPU, 32 GB RAM) to r620-1, which has only 56 vCPU and 16 GB RAM free",
    );
  });
});

describe("capacity refusal", () => {
  test("a worker that fits nowhere names the role and every host's free capacity", () => {
    const base = input();
    const clusters = [{ ...base.clusters[0], workers: { ...base.clusters[0].workers, count: 16 } }];
    expect(thrown(() => planVmPlacement({ ...base, clusters }))).toBe(
      "Stack 'test' has invalid configuration:\n" +
        "  - [plant:clusters[0].workers.count] worker VM reports-worker-16 (8 vCPU, 32 GB RAM) does not fit on any R620: " +
        "r620-1 has 28 vCPU and 8 GB RAM free; r620-2 has 28 vCPU and 8 GB RAM free; r620-3 has 28 vCPU and 8 GB RAM free",
    );
  });

  test("a control plane larger than the host count is refused naming the hosts holding members", () => {
    const base = input();
    const clusters = [
      { ...base.clusters[0], controlPlane: { ...base.clusters[0].controlPlane, count: 5 } },
    ];
    expect(thrown(() => planVmPlacement({ ...base, clusters }))).toBe(
      "Stack 'test' has invalid configuration:\n" +
        "  - [plant:clusters[0].controlPlane] control-plane VM reports-cp-4 (4 vCPU, 8 GB RAM) does not fit on any R620: " +
        "r620-1 already holds reports-cp-1; r620-2 already holds reports-cp-2; r620-3 already holds reports-cp-3",
    );
  });

  test("reserve and overcommit are applied: 2 cores reserved × 4 = 8 vCPU on a 4-core host", () => {
    const base = input({ hosts: ["a", "b", "c"].map((name) => ({ name, cores: 4, ramGb: 32 })) });
    const clusters = [{ ...base.clusters[0], workers: { ...base.clusters[0].workers, count: 0 } }];
    const p = planVmPlacement({ ...base, clusters });
    expect(p.hostLoad.map((h) => [h.vcpuCapacity, h.ramCapacityGb, h.vcpus])).toEqual([
      [8, 16, 4],
      [8, 16, 4],
      [8, 16, 4],
    ]);
  });
});

test("formatPlacement prints VM → host and the load per host", () => {
  expect(formatPlacement(planPlacement(site("avilla")))).toBe(
    [
      "Placement (VM → R620):",
      "  VM                ROLE           HOST    IP         CPU     RAM",
      "  reports-cp-1      control-plane  r620-1  10.1.1.10  4 vCPU  8 GB   planned",
      "  reports-cp-2      control-plane  r620-2  10.1.1.11  4 vCPU  8 GB   planned",
      "  reports-cp-3      control-plane  r620-3  10.1.1.12  4 vCPU  8 GB   planned",
      "  reports-worker-1  worker         r620-1  10.1.1.20  8 vCPU  32 GB  planned",
      "  reports-worker-2  worker         r620-2  10.1.1.21  8 vCPU  32 GB  planned",
      "  reports-worker-3  worker         r620-3  10.1.1.22  8 vCPU  32 GB  planned",
      "Load per R620 (capacity after hostReserved; vCPU and RAM with overcommit, disk without):",
      "  HOST    VCPU              RAM              DISK               DB VOLUMES  VMS",
      "  r620-1  12/72 vCPU (17%)  40/176 GB (23%)  410/1700 GB (24%)  130 GB      reports-cp-1, reports-worker-1",
      "  r620-2  12/72 vCPU (17%)  40/176 GB (23%)  410/1700 GB (24%)  130 GB      reports-cp-2, reports-worker-2",
      "  r620-3  12/72 vCPU (17%)  40/176 GB (23%)  410/1700 GB (24%)  130 GB      reports-cp-3, reports-worker-3",
      "",
    ].join("\n"),
  );
});

describe("disk planning", () => {
  const disky = (
    diskGb: number,
    databaseVolumeGb: number,
    overrides: Partial<PlacementInput> = {},
  ) => {
    const base = input(overrides);
    return {
      ...base,
      hosts: base.hosts.map((h) => ({ ...h, diskGb })),
      reserved: { ...base.reserved, diskGb: 100 },
      clusters: base.clusters.map((c) => ({ ...c, databaseVolumeGb })),
    };
  };

  test("root disks and one set of database volumes per host that holds a worker", () => {
    const p = planVmPlacement(disky(1000, 300));
    expect(p.hostLoad.map((h) => [h.host, h.diskGb, h.databaseVolumeGb, h.diskCapacityGb])).toEqual(
      [
        ["r620-1", 65 + 215 + 300, 300, 900],
        ["r620-2", 65 + 215 + 300, 300, 900],
        ["r620-3", 65 + 215 + 300, 300, 900],
      ],
    );
  });

  test("a second worker on a host adds its root disk, not a second set of volumes", () => {
    const base = disky(2000, 300);
    const clusters = [{ ...base.clusters[0], workers: { ...base.clusters[0].workers, count: 4 } }];
    const p = planVmPlacement({ ...base, clusters });
    const r1 = p.hostLoad.find((h) => h.host === "r620-1")!;
    expect(r1.vms).toEqual(["reports-cp-1", "reports-worker-1", "reports-worker-4"]);
    expect([r1.diskGb, r1.databaseVolumeGb]).toEqual([65 + 215 + 215 + 300, 300]);
  });

  test("servers hold database volumes only in a cluster without workers", () => {
    const base = disky(1000, 300);
    const clusters = [{ ...base.clusters[0], workers: { ...base.clusters[0].workers, count: 0 } }];
    const p = planVmPlacement({ ...base, clusters });
    expect(p.hostLoad.map((h) => [h.diskGb, h.databaseVolumeGb])).toEqual([
      [365, 300],
      [365, 300],
      [365, 300],
    ]);
  });

  test("a worker whose root disk and database volumes do not fit is refused, naming disk", () => {
    expect(thrown(() => planVmPlacement(disky(700, 400)))).toBe(
      "Stack 'test' has invalid configuration:\n" +
        "  - [plant:clusters[0].workers.count] worker VM reports-worker-1 (8 vCPU, 32 GB RAM, 215 GB disk + 400 GB database volumes) does not fit on any R620: " +
        "r620-1 has 68 vCPU, 168 GB RAM and 535 GB disk free; r620-2 has 68 vCPU, 168 GB RAM and 535 GB disk free; r620-3 has 68 vCPU, 168 GB RAM and 535 GB disk free",
    );
  });

  test("the Avilla site with a 1600Gi database is refused before anything is declared", () => {
    const raw = readStackFile(path.join(root, "Pulumi.avilla.yaml")) as {
      databases: { storage: { size: string } }[];
    };
    raw.databases[0].storage.size = "1600Gi";
    let message = "";
    try {
      planPlacement(parseSite("avilla", raw));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      "Stack 'avilla' has invalid configuration:\n" +
        "  - [plant:clusters[0].workers.count] worker VM reports-worker-1 (8 vCPU, 32 GB RAM, 215 GB disk + 1740 GB database volumes) does not fit on any R620: " +
        "r620-1 has 68 vCPU, 168 GB RAM and 1635 GB disk free; r620-2 has 68 vCPU, 168 GB RAM and 1635 GB disk free; r620-3 has 68 vCPU, 168 GB RAM and 1635 GB disk free",
    );
  });

  test("property: no placement ever plans more disk than a host has", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 300, max: 3000 }), { minLength: 3, maxLength: 7 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 1, max: 12 }),
        (disks, volumes, workers) => {
          const base = disky(0, volumes, {
            hosts: disks.map((d, i) => ({
              name: `r620-${i + 1}`,
              cores: 40,
              ramGb: 768,
              diskGb: d,
            })),
          });
          const clusters = [
            { ...base.clusters[0], workers: { ...base.clusters[0].workers, count: workers } },
          ];
          let p: Placement;
          try {
            p = planVmPlacement({
              ...base,
              hosts: disks.map((d, i) => ({
                name: `r620-${i + 1}`,
                cores: 40,
                ramGb: 768,
                diskGb: d,
              })),
              clusters,
            });
          } catch (e) {
            expect((e as Error).message).toMatch(/GB disk free/);
            return;
          }
          for (const h of p.hostLoad) {
            expect(h.diskGb).toBeLessThanOrEqual(h.diskCapacityGb!);
            const holdsWorker = h.vms.some((v) => v.includes("-worker-"));
            expect(h.databaseVolumeGb).toBe(holdsWorker ? volumes : 0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---- properties over site shapes -------------------------------------------------------------

const flavorArb = fc.record({
  vcpus: fc.integer({ min: 1, max: 4 }),
  ramGb: fc.integer({ min: 1, max: 16 }),
  diskGb: fc.constant(50),
});

/** Sites of 3..7 R620s, 1..3 clusters; capacity is ample so only the spreading rules decide. */
const siteArb = fc.integer({ min: 3, max: 7 }).chain((hostCount) =>
  fc.record({
    hosts: fc.array(
      fc.record({
        cores: fc.integer({ min: 24, max: 40 }),
        ramGb: fc.integer({ min: 256, max: 768 }),
      }),
      { minLength: hostCount, maxLength: hostCount },
    ),
    clusters: fc.array(
      fc.record({
        cp: fc.constantFrom(...[1, 3, 5, 7].filter((n) => n <= hostCount)),
        workers: fc.integer({ min: 0, max: 9 }),
        cpFlavor: flavorArb,
        workerFlavor: flavorArb,
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);

type SiteShape = typeof siteArb extends fc.Arbitrary<infer T> ? T : never;

function shapeInput(shape: SiteShape, pins: Record<string, string> = {}): PlacementInput {
  return {
    stack: "prop",
    hosts: shape.hosts.map((h, i) => ({ name: `r620-${i + 1}`, ...h })),
    reserved: { cores: 2, ramGb: 16 },
    overcommit: { cpu: 4, ram: 1 },
    clusters: shape.clusters.map((c, i) => ({
      name: `c${i}`,
      key: `plant:clusters[${i}]`,
      controlPlane: { count: c.cp, flavor: c.cpFlavor, ipStart: `10.1.${i + 1}.10` },
      workers: { count: c.workers, flavor: c.workerFlavor, ipStart: `10.1.${i + 1}.100` },
    })),
    pins,
  };
}

describe("properties (site shapes of 3..7 R620s)", () => {
  test("every VM is placed; control-plane members on distinct hosts; workers spread evenly; within capacity", () => {
    fc.assert(
      fc.property(siteArb, (shape) => {
        const p = planVmPlacement(shapeInput(shape));
        const expected = shape.clusters.reduce((n, c) => n + c.cp + c.workers, 0);
        expect(p.vms).toHaveLength(expected);
        shape.clusters.forEach((_, i) => {
          const cp = p.vms.filter((v) => v.cluster === `c${i}` && v.role === "control-plane");
          expect(new Set(cp.map((v) => v.host)).size).toBe(cp.length);
          const perHost = p.hostLoad.map(
            (h) =>
              p.vms.filter((v) => v.cluster === `c${i}` && v.role === "worker" && v.host === h.host)
                .length,
          );
          expect(Math.max(...perHost) - Math.min(...perHost)).toBeLessThanOrEqual(1);
        });
        for (const h of p.hostLoad) {
          expect(h.vcpus).toBeLessThanOrEqual(h.vcpuCapacity);
          expect(h.ramGb).toBeLessThanOrEqual(h.ramCapacityGb);
        }
      }),
      { numRuns: 100 },
    );
  });

  test("deterministic: the same input gives the same placement, whatever the pin order", () => {
    fc.assert(
      fc.property(siteArb, (shape) => {
        const first = planVmPlacement(shapeInput(shape));
        const pins = placementPins(first);
        const reversed = Object.fromEntries(Object.entries(pins).reverse());
        expect(planVmPlacement(shapeInput(shape))).toEqual(first);
        expect(hostsOf(planVmPlacement(shapeInput(shape, reversed)))).toEqual(hostsOf(first));
      }),
    );
  });

  test("appending a worker to any cluster moves no existing VM", () => {
    fc.assert(
      fc.property(siteArb, fc.nat(), (shape, pick) => {
        const before = hostsOf(planVmPlacement(shapeInput(shape)));
        const target = pick % shape.clusters.length;
        const grown = {
          ...shape,
          clusters: shape.clusters.map((c, i) =>
            i === target ? { ...c, workers: c.workers + 1 } : c,
          ),
        };
        const after = hostsOf(planVmPlacement(shapeInput(grown)));
        for (const [vm, host] of Object.entries(before)) expect(after[vm]).toBe(host);
        expect(Object.keys(after)).toHaveLength(Object.keys(before).length + 1);
      }),
      { numRuns: 100 },
    );
  });

  test("with the placement pinned, adding a host (and a worker) moves no existing VM", () => {
    fc.assert(
      fc.property(
        siteArb.filter((s) => s.hosts.length < 7),
        (shape) => {
          const before = planVmPlacement(shapeInput(shape));
          const grown = {
            hosts: [...shape.hosts, { cores: 24, ramGb: 512 }],
            clusters: shape.clusters.map((c, i) =>
              i === 0 ? { ...c, workers: c.workers + 1 } : c,
            ),
          };
          const after = hostsOf(planVmPlacement(shapeInput(grown, placementPins(before))));
          for (const [vm, host] of Object.entries(hostsOf(before))) expect(after[vm]).toBe(host);
          // The new worker goes to a host with the fewest workers of its cluster.
          const workersOn = (host: string) =>
            Object.entries(after).filter(([vm, h]) => vm.startsWith("c0-worker-") && h === host)
              .length;
          const counts = grown.hosts.map((_, i) => workersOn(`r620-${i + 1}`));
          const newHost = after[`c0-worker-${shape.clusters[0].workers + 1}`];
          expect(workersOn(newHost) - 1).toBe(
            Math.min(...counts.map((n, i) => (`r620-${i + 1}` === newHost ? n - 1 : n))),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  test("under tight capacity: either a valid placement or a SiteConfigError, never an overloaded host", () => {
    const tight = fc.record({
      hosts: fc.array(
        fc.record({
          cores: fc.integer({ min: 4, max: 8 }),
          ramGb: fc.integer({ min: 24, max: 64 }),
        }),
        {
          minLength: 3,
          maxLength: 7,
        },
      ),
      clusters: fc.array(
        fc.record({
          cp: fc.constantFrom(1, 3),
          workers: fc.integer({ min: 0, max: 9 }),
          cpFlavor: flavorArb,
          workerFlavor: flavorArb,
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(tight, (shape) => {
        let p: Placement;
        try {
          p = planVmPlacement(shapeInput(shape));
        } catch (e) {
          expect(e).toBeInstanceOf(SiteConfigError);
          expect((e as Error).message).toMatch(
            /\[plant:clusters\[\d\]\.(controlPlane|workers\.count)\] (control-plane|worker) VM c\d-(cp|worker)-\d+ .* does not fit on any R620: r620-1 /,
          );
          return;
        }
        for (const h of p.hostLoad) {
          expect(h.vcpus).toBeLessThanOrEqual(h.vcpuCapacity);
          expect(h.ramGb).toBeLessThanOrEqual(h.ramCapacityGb);
        }
        shape.clusters.forEach((_, i) => {
          const cp = p.vms.filter((v) => v.cluster === `c${i}` && v.role === "control-plane");
          expect(new Set(cp.map((v) => v.host)).size).toBe(cp.length);
        });
      }),
      { numRuns: 150 },
    );
  });

  test("demand beyond the site's capacity is always refused, never half-placed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        (hostCount, extra) => {
          // Each host takes 72 vCPU; 9 workers of 8 vCPU fill one exactly.
          const base = input({
            hosts: Array.from({ length: hostCount }, (_, i) => ({
              name: `r620-${i + 1}`,
              cores: 20,
              ramGb: 1000,
            })),
          });
          const clusters = [
            {
              ...base.clusters[0],
              controlPlane: { ...base.clusters[0].controlPlane, count: 0 },
              workers: { ...base.clusters[0].workers, count: hostCount * 9 + extra },
            },
          ];
          expect(thrown(() => planVmPlacement({ ...base, clusters }))).toContain(
            `[plant:clusters[0].workers.count] worker VM reports-worker-${hostCount * 9 + 1} (8 vCPU, 32 GB RAM) does not fit on any R620`,
          );
        },
      ),
    );
  });
});
