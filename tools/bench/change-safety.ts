// Compares two offline plans: which URNs appear or disappear, which inputs change, and which of
// those changes would replace a stateful or pinned resource (see replace-paths.ts).
import { memoryGb } from "../../planning/failure-model";
import { replaceRuleFor } from "./replace-paths";

/** The part of a planned resource the comparison needs. */
export interface PlanEntry {
  readonly urn: string;
  readonly type: string;
  readonly inputs: Record<string, unknown>;
  /** Input paths the engine ignores on update (`ignoreChanges`): neither an update nor a replacement. */
  readonly ignoreChanges?: readonly string[];
  /** Digests of secret inputs (masked in `inputs`), so a changed secret still shows as a change. */
  readonly secretDigests?: Readonly<Record<string, string>>;
}

/** Inputs with each masked secret replaced by its digest: comparable, still not readable. */
function comparable(entry: PlanEntry): Record<string, unknown> {
  const out = { ...entry.inputs };
  for (const [key, digest] of Object.entries(entry.secretDigests ?? {}))
    out[key] = `[secret ${digest.slice(0, 16)}]`;
  return out;
}

export interface InputChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ChangeReport {
  readonly added: string[];
  readonly removed: string[];
  readonly updated: { urn: string; paths: string[] }[];
  /** Input changes the engine ignores (`ignoreChanges`): they take effect on a deliberate replace. */
  readonly ignored: { urn: string; paths: string[] }[];
  /** Changes that would replace (or move) a resource holding state or a pinned placement. */
  readonly replacements: { urn: string; type: string; change: InputChange }[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Leaf-level differences between two input trees, with dotted/bracketed paths. */
export function diffInputs(before: unknown, after: unknown, path = ""): InputChange[] {
  const out: InputChange[] = [];
  collectDiffs(before, after, path, out);
  return out;
}

function collectDiffs(before: unknown, after: unknown, path: string, out: InputChange[]): void {
  // Plans share unchanged subtrees (rendered chart objects come from one cache), and most
  // leaves are equal: identity settles them without walking or serializing.
  if (before === after) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) collectDiffs(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) collectDiffs(before[k], after[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
}

/** `a.b[0].c` under `a.b`? */
export function underPath(path: string, prefix: string): boolean {
  if (prefix === "*") return true;
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** Bytes-comparable storage size, for grow-only paths. */
function size(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return memoryGb(value);
  } catch {
    return undefined;
  }
}

export function isReplacement(type: string, change: InputChange): boolean {
  const rule = replaceRuleFor(type);
  if (!rule || !rule.paths.some((p) => underPath(change.path, p))) return false;
  if (rule.growOnly?.includes(change.path)) {
    const [b, a] = [size(change.before), size(change.after)];
    if (b !== undefined && a !== undefined && a >= b) return false;
  }
  return true;
}

export function compareWithBase(
  base: readonly PlanEntry[],
  changed: readonly PlanEntry[],
): ChangeReport {
  const after = new Map(changed.map((r) => [r.urn, r]));
  const before = new Map(base.map((r) => [r.urn, r]));
  const report: ChangeReport = {
    added: changed.filter((r) => !before.has(r.urn)).map((r) => r.urn),
    removed: base.filter((r) => !after.has(r.urn)).map((r) => r.urn),
    updated: [],
    ignored: [],
    replacements: [],
  };
  for (const old of base) {
    const next = after.get(old.urn);
    if (!next) continue;
    const ignoredPaths = next.ignoreChanges ?? [];
    const all = diffInputs(comparable(old), comparable(next));
    const isIgnored = (c: InputChange): boolean =>
      ignoredPaths.some((prefix) => underPath(c.path, prefix));
    const held = all.filter(isIgnored);
    if (held.length > 0) report.ignored.push({ urn: old.urn, paths: held.map((c) => c.path) });
    const changes = all.filter((c) => !isIgnored(c));
    if (changes.length === 0) continue;
    report.updated.push({ urn: old.urn, paths: changes.map((c) => c.path) });
    for (const change of changes) {
      if (isReplacement(old.type, change))
        report.replacements.push({ urn: old.urn, type: old.type, change });
    }
  }
  return report;
}

/** `type::name` from a URN, for short listings. */
export function shortUrn(urn: string): string {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop() ?? "";
  return `${type}::${parts.slice(3).join("::")}`;
}

function clip(v: unknown): string {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function formatChangeReport(name: string, report: ChangeReport): string {
  const lines = [
    `${name}: +${report.added.length} added, ~${report.updated.length} updated, =${report.ignored.length} held for rotation, -${report.removed.length} removed, ${report.replacements.length} replace-triggering`,
    ...report.added.map((u) => `  + ${shortUrn(u)}`),
    ...report.updated.map(
      (u) =>
        `  ~ ${shortUrn(u.urn)}: ${u.paths.slice(0, 4).join(", ")}${u.paths.length > 4 ? `, … (${u.paths.length})` : ""}`,
    ),
    ...report.ignored.map(
      (u) =>
        `  = ${shortUrn(u.urn)}: ${u.paths.join(", ")} (ignoreChanges: applied when the node is rotated)`,
    ),
    ...report.removed.map((u) => `  - ${shortUrn(u)}  REMOVED`),
    ...report.replacements.map(
      (r) =>
        `  ! ${shortUrn(r.urn)}: ${r.change.path} ${clip(r.change.before)} -> ${clip(r.change.after)}  REPLACES`,
    ),
  ];
  return lines.join("\n");
}
