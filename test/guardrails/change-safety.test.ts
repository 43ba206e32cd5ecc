// Routine changes planned against avilla: nothing existing disappears or is replaced.
import { sitePlan } from "../support/plans";
import * as path from "path";
import { readStackFile } from "../../config/site";
import { PlanResult, PROJECT_DIR, runPlan } from "../../tools/plan/run";
import { compareWithBase, formatChangeReport, shortUrn } from "../../tools/bench/change-safety";
import { ROUTINE_CHANGES } from "../../tools/bench/changes";

const raw = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"));
let base: PlanResult;
const reports = new Map<string, ReturnType<typeof compareWithBase>>();

beforeAll(async () => {
  // The base is the stack file as it is: the plan shared by the whole test run.
  base = await sitePlan("avilla");
  for (const change of ROUTINE_CHANGES) {
    const plan = await runPlan({ stack: "avilla", rawConfig: change.apply("avilla", raw) });
    reports.set(change.name, compareWithBase(base.resources, plan.resources));
  }
}, 180_000);

describe("routine changes on avilla", () => {
  it.each(ROUTINE_CHANGES.map((c) => c.name))("%s removes no URN and replaces nothing", (name) => {
    const report = reports.get(name);
    if (!report) throw new Error(`no report for ${name}`);
    expect({ removed: report.removed, replacements: report.replacements }).toEqual({
      removed: [],
      replacements: [],
    });
    // Each change does something: it adds, updates, or is held for a deliberate rotation.
    expect(report.added.length + report.updated.length + report.ignored.length).toBeGreaterThan(0);
  });

  it.each(ROUTINE_CHANGES.map((c) => c.name))(
    "%s keeps every cluster's kubeconfig as it is, so its preview shows every chart's objects",
    (name) => {
      // A k8s.Provider whose kubeconfig is unknown in preview registers each Chart as an empty
      // component: no chart objects, no policy checks on them (../shared/REAL-ENGINE.md).
      const report = reports.get(name)!;
      const providers = report.updated.filter((u) => u.urn.includes("pulumi:providers:kubernetes"));
      expect(providers).toEqual([]);
    },
  );

  it("nothing a kubeconfig is computed from renews itself (a renewal would make it unknown in preview)", () => {
    const byUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const closure = (urn: string, seen = new Set<string>()): Set<string> => {
      for (const d of byUrn.get(urn)?.dependencies ?? []) {
        if (!seen.has(d)) {
          seen.add(d);
          closure(d, seen);
        }
      }
      return seen;
    };
    const providers = base.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(providers.length).toBeGreaterThanOrEqual(2);
    for (const p of providers) {
      const upstream = [...closure(p.urn)].map((u) => byUrn.get(u)!).filter(Boolean);
      const selfRenewing = upstream.filter(
        (r) => r.type.startsWith("tls:") && Number(r.inputs.earlyRenewalHours ?? 0) > 0,
      );
      expect([p.name, selfRenewing.map((r) => r.name)]).toEqual([p.name, []]);
    }
    // The new clusters' providers do depend on their admin certificate (the check is not vacuous).
    const reports = providers.find((p) => p.name === "k8s-reports")!;
    expect([...closure(reports.urn)].some((u) => u.includes("LocallySignedCert"))).toBe(true);
  });

  it("bump-rke2 changes every VM's user data but replaces none: rotation is deliberate", () => {
    const report = reports.get("bump-rke2")!;
    expect(report.updated).toEqual([]);
    const held = report.ignored.filter((u) => u.urn.includes("compute/instance:Instance"));
    expect(held.length).toBe(6);
    for (const u of held) expect(u.paths).toEqual(["userData"]);
  });

  it("bump-image touches only that service's objects", () => {
    const report = reports.get("bump-image");
    expect(report?.added).toEqual([]);
    expect(report?.updated.map((u) => shortUrn(u.urn)).every((u) => u.includes("report-web"))).toBe(
      true,
    );
  });

  it("grow-postgres resizes the CNPG cluster in place and raises the Cinder quota to match", () => {
    const report = reports.get("grow-postgres");
    expect(report?.updated).toEqual([
      {
        urn: expect.stringContaining(
          "openstack:blockstorage/quoteSetV3:QuoteSetV3",
        ) as unknown as string,
        paths: ["gigabytes"],
      },
      {
        urn: expect.stringContaining(
          "kubernetes:postgresql.cnpg.io/v1:Cluster",
        ) as unknown as string,
        paths: ["spec.storage.size"],
      },
    ]);
  });

  it("mark-bootstrapped holds only the first server's user data for its next rotation", () => {
    const report = reports.get("mark-bootstrapped")!;
    expect(report.updated).toEqual([]);
    expect(report.ignored.map((u) => [shortUrn(u.urn), u.paths])).toEqual([
      ["openstack:compute/instance:Instance::reports-cp-1", ["userData"]],
    ]);
  });

  it("scale-service resizes the pools and raises max_connections in place (updates, no replacement)", () => {
    const report = reports.get("scale-service")!;
    const updated = (kind: string) =>
      report.updated.filter((u) => u.urn.includes(kind)).map((u) => u.paths);
    expect(updated("kubernetes:postgresql.cnpg.io/v1:Cluster")).toEqual([
      ["spec.postgresql.parameters.max_connections"],
    ]);
    expect(updated("kubernetes:postgresql.cnpg.io/v1:Pooler")).toEqual([
      [
        "spec.pgbouncer.parameters.default_pool_size",
        "spec.pgbouncer.parameters.max_client_conn",
        "spec.pgbouncer.parameters.max_db_connections",
      ],
    ]);
    expect(updated("HorizontalPodAutoscaler")).toEqual([["spec.maxReplicas"]]);
  });

  it("add-host and add-worker move no existing VM", () => {
    for (const name of ["add-host", "add-worker"]) {
      const moved = (reports.get(name)?.updated ?? []).filter((u) =>
        u.urn.includes("openstack:compute/instance:Instance"),
      );
      expect(moved).toEqual([]);
    }
  });

  it("summarises what each change touches (npm run bench -- changes prints it)", () => {
    const text = ROUTINE_CHANGES.map((c) =>
      formatChangeReport(
        c.name,
        reports.get(c.name) ?? {
          added: [],
          removed: [],
          updated: [],
          ignored: [],
          replacements: [],
        },
      ),
    ).join("\n\n");
    expect(text).toContain(
      "grow-postgres: +0 added, ~2 updated, =0 held for rotation, -0 removed, 0 replace-triggering",
    );
    expect(text).toContain(
      "bump-image: +0 added, ~1 updated, =0 held for rotation, -0 removed, 0 replace-triggering",
    );
    expect(text).toContain(
      "bump-rke2: +0 added, ~0 updated, =6 held for rotation, -0 removed, 0 replace-triggering",
    );
  });
});

describe("an unsafe change is caught on the real plan's resources", () => {
  it("a changed VM image or a dropped resource is reported", () => {
    const instances = base.resources.filter(
      (r) => r.type === "openstack:compute/instance:Instance",
    );
    expect(instances.length).toBeGreaterThan(0);
    const changed = base.resources
      .filter((r) => r.type !== "kubernetes:postgresql.cnpg.io/v1:Cluster")
      .map((r) =>
        r.type === "openstack:compute/instance:Instance"
          ? { ...r, inputs: { ...r.inputs, imageName: "ubuntu-26.04" } }
          : r,
      );
    const report = compareWithBase(base.resources, changed);
    expect(report.removed).toEqual(
      base.resources
        .filter((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")
        .map((r) => r.urn),
    );
    expect(report.replacements.map((r) => `${r.urn} ${r.change.path}`).sort()).toEqual(
      instances.map((r) => `${r.urn} imageName`).sort(),
    );
  });
});
