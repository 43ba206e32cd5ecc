// npm run bench: plan time per site and for a synthetic estate (12 sites × 9 hosts), resource
// counts, the deploy critical path, and whether time grows linearly. `npm run bench -- changes`
// prints what each routine change touches instead.
import * as path from "path";
import { readStackFile } from "../config/site";
import { PROJECT_DIR, runPlan } from "./plan/run";
import { formatOutcomes, planChangeCatalogue } from "./bench/run-changes";
import { syntheticEstate, syntheticSite } from "./bench/estate";
import { longestChain } from "./bench/graph";
import { shortUrn } from "./bench/change-safety";

const TARGET_SECONDS_PER_SITE = 5;
const ESTATE_SITES = 12;
const ESTATE_HOSTS = 9;

interface Row {
  readonly label: string;
  readonly seconds: number;
  readonly resources: number;
  readonly custom: number;
  readonly chain: number;
}

async function measure(
  label: string,
  stack: string,
  rawConfig?: Record<string, unknown>,
): Promise<Row & { chainUrns: string[] }> {
  const plan = await runPlan(rawConfig ? { stack, rawConfig } : { stack });
  const chainUrns = longestChain(plan.resources);
  return {
    label,
    seconds: plan.seconds,
    resources: plan.resources.length,
    custom: plan.resources.filter((r) => r.custom).length,
    chain: chainUrns.length,
    chainUrns,
  };
}

function table(rows: readonly Row[]): string {
  const head = ["plan", "seconds", "resources", "custom", "critical path"];
  const body = rows.map((r) => [
    r.label,
    r.seconds.toFixed(2),
    String(r.resources),
    String(r.custom),
    String(r.chain),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body]
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "))
    .join("\n");
}

async function bench(): Promise<boolean> {
  const avilla = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"));
  let ok = true;

  // Warm-up: the first plan loads every module; it is not a planning cost.
  await runPlan({ stack: "avilla" });
  const sites = [await measure("avilla", "avilla"), await measure("albion", "albion")];
  console.log("Plan time per site (mock runtime, no cloud):\n" + table(sites) + "\n");
  console.log(
    `Critical path of avilla (${sites[0].chain} resources):\n  ${sites[0].chainUrns.map(shortUrn).join("\n  ")}\n`,
  );

  const scaling: Row[] = [];
  for (const hosts of [3, 6, 9]) {
    scaling.push(
      await measure(
        `avilla-like, ${hosts} hosts`,
        "scale",
        syntheticSite(avilla, "scale", 30, hosts),
      ),
    );
  }
  console.log("Growth with site size:\n" + table(scaling) + "\n");

  const estate: Row[] = [];
  const started = process.hrtime.bigint();
  for (const site of syntheticEstate(avilla, ESTATE_SITES, ESTATE_HOSTS))
    estate.push(await measure(site.stack, site.stack, site.raw));
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  const resources = estate.reduce((a, r) => a + r.resources, 0);
  console.log(`Synthetic estate, ${ESTATE_SITES} sites × ${ESTATE_HOSTS} hosts:\n` + table(estate));
  console.log(
    `total ${total.toFixed(1)} s for ${resources} resources (${((total / resources) * 1000).toFixed(1)} ms per resource)\n`,
  );

  const slow = [...sites, ...estate].filter((r) => r.seconds > TARGET_SECONDS_PER_SITE);
  for (const r of slow)
    console.log(
      `FAIL: ${r.label} planned in ${r.seconds.toFixed(2)} s (target < ${TARGET_SECONDS_PER_SITE} s)`,
    );
  ok &&= slow.length === 0;

  // Linear growth: time per resource of the biggest site within 2× the smallest's, and the last
  // estate plans no slower per resource than the first (nothing accumulates between plans).
  const perRes = (r: Row): number => r.seconds / r.resources;
  const growth = perRes(scaling[2]) / perRes(scaling[0]);
  const half = Math.floor(estate.length / 2);
  const mean = (rs: readonly Row[]): number => rs.reduce((a, r) => a + perRes(r), 0) / rs.length;
  const drift = mean(estate.slice(half)) / mean(estate.slice(0, half));
  console.log(
    `time per resource, 9 hosts vs 3 hosts: ×${growth.toFixed(2)}; second half of the estate vs first: ×${drift.toFixed(2)}`,
  );
  if (growth > 2 || drift > 1.5) {
    console.log("FAIL: planning time grows faster than linearly");
    ok = false;
  }
  return ok;
}

async function changes(): Promise<boolean> {
  const { outcomes } = await planChangeCatalogue("avilla");
  console.log(formatOutcomes(outcomes));
  return outcomes.every((o) => o.report.removed.length === 0 && o.report.replacements.length === 0);
}

const mode = process.argv[2] ?? "bench";
(mode === "changes" ? changes() : bench()).then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
