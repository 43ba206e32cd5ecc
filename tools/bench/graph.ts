// The deploy critical path: the longest chain through `dependencies` and `parent` edges.

export interface GraphNode {
  readonly urn: string;
  readonly parent?: string;
  readonly dependencies: readonly string[];
}

/** Longest chain (as URNs, first-deployed first) in the dependency DAG. Edges to unknown URNs are ignored. */
export function longestChain(nodes: readonly GraphNode[]): string[] {
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const memo = new Map<string, string[]>();
  const visiting = new Set<string>();
  const chainTo = (urn: string): string[] => {
    const known = memo.get(urn);
    if (known) return known;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    const node = byUrn.get(urn);
    let best: string[] = [];
    for (const dep of [...(node?.dependencies ?? []), ...(node?.parent ? [node.parent] : [])]) {
      if (!byUrn.has(dep)) continue;
      const c = chainTo(dep);
      if (c.length > best.length) best = c;
    }
    visiting.delete(urn);
    const chain = [...best, urn];
    memo.set(urn, chain);
    return chain;
  };
  let longest: string[] = [];
  for (const n of nodes) {
    const c = chainTo(n.urn);
    if (c.length > longest.length) longest = c;
  }
  return longest;
}
