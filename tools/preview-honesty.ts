// npm run preview:honesty -- <preview.json>
// Reads `pulumi preview --json` and says plainly which clusters' chart contents the preview could
// not show: a k8s.Provider whose kubeconfig is not known until the deploy (a new cluster, or one
// whose credentials change) makes the engine register each Chart as an empty component, so its
// objects and the policy checks on them are missing from the preview (../shared/REAL-ENGINE.md).
// Writes Markdown for the job summary; exit 0 either way (it informs, the policy pack decides).
import * as fs from "fs";

interface Step {
  readonly op: string;
  readonly urn: string;
  readonly provider?: string;
  readonly diffs?: readonly string[];
  readonly newState?: { readonly type?: string; readonly parent?: string };
}

export interface BlindCluster {
  readonly provider: string;
  readonly reason: string;
  /** Charts using that provider and how many objects the preview shows under each. */
  readonly charts: { readonly name: string; readonly children: number }[];
}

const NEW_OPS = new Set(["create", "replace", "create-replacement"]);
const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";

function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

function typeOf(step: Step): string {
  return step.newState?.type ?? step.urn.split("::")[2]?.split("$").pop() ?? "";
}

/** Why a provider's kubeconfig is unknown in this preview, or undefined when it is known. */
function unknownReason(step: Step): string | undefined {
  if (NEW_OPS.has(step.op)) return "the cluster (or its provider) is created by this deploy";
  if (step.op === "update" && (step.diffs ?? []).includes("kubeconfig"))
    return "its kubeconfig changes in this deploy";
  return undefined;
}

export function blindClusters(steps: readonly Step[]): BlindCluster[] {
  const out: BlindCluster[] = [];
  for (const p of steps.filter((s) => typeOf(s) === "pulumi:providers:kubernetes")) {
    const reason = unknownReason(p);
    if (!reason) continue;
    const charts = steps
      .filter((s) => typeOf(s) === CHART_TYPE && (s.provider ?? "").startsWith(`${p.urn}::`))
      .map((c) => ({
        name: nameOf(c.urn),
        children: steps.filter((s) => s.newState?.parent === c.urn).length,
      }));
    out.push({ provider: nameOf(p.urn), reason, charts });
  }
  return out;
}

export function honestyMarkdown(steps: readonly Step[]): string {
  const blind = blindClusters(steps);
  if (blind.length === 0)
    return "**Chart contents:** every cluster's kubeconfig is known, so this preview shows each chart's objects and the policy pack checked them.\n";
  const lines = [
    "**⚠ This preview is incomplete.** For the clusters below the kubeconfig is not known until the deploy runs, so each chart appears as an empty component: its objects, and the policy checks on them, are **not** in this preview. The offline plan (`npm run plan`, artifact of the offline job) lists them.",
    "",
    "| provider | why | charts previewed empty |",
    "|---|---|---|",
    ...blind.map(
      (b) =>
        `| ${b.provider} | ${b.reason} | ${b.charts.map((c) => `${c.name} (${c.children} objects)`).join(", ") || "—"} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

function main(argv: string[]): number {
  const file = argv[0];
  if (!file) {
    console.error("usage: npm run preview:honesty -- <output of pulumi preview --json>");
    return 2;
  }
  let steps: Step[];
  try {
    steps = (JSON.parse(fs.readFileSync(file, "utf8")) as { steps?: Step[] }).steps ?? [];
  } catch (e) {
    console.error(`error: cannot read preview ${file}: ${(e as Error).message}`);
    return 1;
  }
  process.stdout.write(honestyMarkdown(steps));
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
