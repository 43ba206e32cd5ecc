// The readable summary printed by `npm run plan`: component tree with child counts, totals.
import { PlannedResource } from "./recorder";

function countByType(children: readonly PlannedResource[]): string[] {
  const counts = new Map<string, number>();
  for (const c of children) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type} × ${n}`);
}

export function renderTree(resources: readonly PlannedResource[]): string {
  const children = new Map<string, PlannedResource[]>();
  for (const r of resources) {
    const key = r.parent ?? "";
    children.set(key, [...(children.get(key) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (r: PlannedResource, depth: number): void => {
    const kids = children.get(r.urn) ?? [];
    const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retain-on-delete" : ""].filter(
      Boolean,
    );
    if (kids.length === 0 && depth > 0) return;
    lines.push(
      `${"  ".repeat(depth)}${r.type} ${r.name}${flags.length ? ` [${flags.join(", ")}]` : ""}`,
    );
    const leaves = kids.filter((k) => !children.get(k.urn)?.length);
    for (const line of countByType(leaves)) lines.push(`${"  ".repeat(depth + 1)}- ${line}`);
    for (const k of kids) if (children.get(k.urn)?.length) walk(k, depth + 1);
  };
  const roots = children.get("") ?? [];
  for (const r of roots) if (children.get(r.urn)?.length) walk(r, 0);
  const loose = roots.filter((r) => !children.get(r.urn)?.length);
  if (loose.length) lines.push("(top level)", ...countByType(loose).map((l) => `  - ${l}`));
  const custom = resources.filter((r) => r.custom).length;
  const byPackage = new Map<string, number>();
  for (const r of resources) {
    const pkg = r.type.startsWith("pulumi:providers:") ? "providers" : r.type.split(":")[0];
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
  }
  lines.push(
    "",
    `Totals: ${resources.length} resources (${custom} custom, ${resources.length - custom} components), ` +
      `${resources.filter((r) => r.protect).length} protected`,
    `  by package: ${[...byPackage].map(([p, n]) => `${p} ${n}`).join(", ")}`,
  );
  return lines.join("\n");
}
