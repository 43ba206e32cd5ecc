// Graphviz DOT text of a SiteGraph. Pure and deterministic, so two plans of one config draw the
// same picture. Layout, top to bottom: static IPs → Gateways → HTTPRoutes → Services → poolers
// (boxed per Kubernetes cluster), then one column per physical host with its nodes and database
// instances. Rows are held by an invisible spine; columns are ordered by flat invisible edges.
import { DbInstance, HostColumn, HostNode, SiteGraph } from "./site-graph";

const PALETTE = [
  { fill: "#dbeafe", line: "#1d4ed8" },
  { fill: "#dcfce7", line: "#15803d" },
  { fill: "#ffedd5", line: "#c2410c" },
  { fill: "#fce7f3", line: "#be185d" },
  { fill: "#ede9fe", line: "#6d28d9" },
  { fill: "#cffafe", line: "#0e7490" },
] as const;

/** A DOT double-quoted string (backslashes and quotes escaped). */
export function quote(text: string): string {
  return `"${escape(text)}"`;
}

function escape(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** A multi-line label: each line escaped, joined with DOT's centred line break. */
export function label(lines: readonly string[]): string {
  return `"${lines.map(escape).join("\\n")}"`;
}

/** Words of `text` in lines of at most `width` characters (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

type Attrs = Record<string, string | number>;

function attrs(a: Attrs): string {
  const parts = Object.entries(a).map(([k, v]) => {
    if (typeof v === "number") return `${k}=${v}`;
    return `${k}=${v.startsWith('"') ? v : quote(v)}`;
  });
  return parts.length > 0 ? ` [${parts.join(", ")}]` : "";
}

/** Node ids of the picture, shared with the tests. */
export const ids = {
  host: (name: string) => `host:${name}`,
  hostCluster: (name: string) => `cluster_host:${name}`,
  node: (n: { cluster: string; name: string }) => `node:${n.cluster}/${n.name}`,
  instance: (i: DbInstance) => `pg:${i.database}/${i.name}`,
  ip: (cluster: string, ip: string) => `ip:${cluster}/${ip}`,
  kubeCluster: (name: string) => `cluster_k8s:${name}`,
  database: (id: string) => `cluster_${id}`,
};

const ROWS = ["ip", "gateway", "route", "service", "pooler", "host"] as const;
type Row = (typeof ROWS)[number];

class Dot {
  readonly lines: string[] = [];
  private depth = 1;
  line(text: string): void {
    this.lines.push(`${"  ".repeat(this.depth)}${text}`);
  }
  node(id: string, a: Attrs): void {
    this.line(`${quote(id)}${attrs(a)};`);
  }
  edge(from: string, to: string, a: Attrs = {}): void {
    this.line(`${quote(from)} -> ${quote(to)}${attrs(a)};`);
  }
  open(header: string): void {
    this.line(`${header} {`);
    this.depth++;
  }
  close(): void {
    this.depth--;
    this.line("}");
  }
}

function colours(graph: SiteGraph) {
  const byCluster = new Map(graph.clusters.map((c, i) => [c.name, PALETTE[i % PALETTE.length]]));
  return (cluster: string) => byCluster.get(cluster) ?? { fill: "#f3f4f6", line: "#4b5563" };
}

function nodeLines(n: HostNode): string[] {
  return [
    n.name,
    `${n.cluster} · ${n.roles.join(" + ")}`,
    `${n.ip} · ${n.cpu} vCPU · ${n.memoryGb} GB`,
  ];
}

function instanceLines(i: DbInstance): string[] {
  const role =
    i.role === "primary"
      ? "PRIMARY (at bootstrap)"
      : i.synchronous
        ? "synchronous standby"
        : "asynchronous standby";
  return [i.name, role];
}

function hostColumn(
  dot: Dot,
  host: HostColumn,
  colour: ReturnType<typeof colours>,
  rowOf: Map<string, Row>,
): void {
  dot.open(`subgraph ${quote(ids.hostCluster(host.name))}`);
  dot.line(`graph${attrs({ label: "", style: "rounded", color: "#6b7280", penwidth: 1.5 })};`);
  const header = ids.host(host.name);
  dot.node(header, {
    label: label([host.name, host.model, ...host.details]),
    shape: "box",
    style: "filled",
    fillcolor: "#e5e7eb",
    penwidth: 1.5,
  });
  rowOf.set(header, "host");
  const stack = [header];
  for (const n of host.nodes) {
    const id = ids.node(n);
    const c = colour(n.cluster);
    dot.node(id, {
      label: label(nodeLines(n)),
      fillcolor: c.fill,
      color: c.line,
      penwidth: n.roles.includes("control-plane") ? 2 : 1,
    });
    stack.push(id);
  }
  for (const i of host.dbInstances) {
    const id = ids.instance(i);
    dot.node(id, {
      label: label(instanceLines(i)),
      shape: "cylinder",
      style: i.hostFixed ? "filled" : "filled,dashed",
      fillcolor: i.role === "primary" ? "#fde68a" : "#fef9c3",
      color: "#92400e",
      penwidth: i.role === "primary" ? 2.5 : 1,
    });
    stack.push(id);
  }
  // Stack the column top to bottom.
  for (let k = 1; k < stack.length; k++)
    dot.edge(stack[k - 1], stack[k], { style: "invis", weight: 10 });
  dot.close();
}

export function siteDot(graph: SiteGraph): string {
  const dot = new Dot();
  const colour = colours(graph);
  const rowOf = new Map<string, Row>();
  dot.line(
    `graph${attrs({
      label: label([graph.title]),
      labelloc: "t",
      fontname: "Helvetica-Bold",
      fontsize: 16,
      rankdir: "TB",
      newrank: "true",
      nodesep: 0.3,
      ranksep: 0.45,
      pad: 0.3,
    })};`,
  );
  dot.line(
    `node${attrs({ shape: "box", style: "rounded,filled", fillcolor: "white", fontname: "Helvetica", fontsize: 10, margin: "0.16,0.06" })};`,
  );
  dot.line(
    `edge${attrs({ color: "#4b5563", arrowsize: 0.7, fontname: "Helvetica", fontsize: 9 })};`,
  );

  // One box per Kubernetes cluster: its ingress chain, services and databases.
  for (const c of graph.clusters) {
    const col = colour(c.name);
    const gateways = graph.gateways.filter((g) => g.cluster === c.name);
    const routes = graph.routes.filter((r) => r.cluster === c.name);
    const services = graph.services.filter((s) => s.cluster === c.name);
    const ips = graph.staticIps.filter((s) => s.cluster === c.name);
    const dbs = graph.databases.filter((d) => d.cluster === c.name);
    if (gateways.length + routes.length + services.length + ips.length + dbs.length === 0) continue;
    dot.open(`subgraph ${quote(ids.kubeCluster(c.name))}`);
    dot.line(
      `graph${attrs({ label: `cluster ${c.name} (${c.kind})`, style: "rounded,dashed", color: col.line, fontcolor: col.line, fontname: "Helvetica-Bold", fontsize: 12 })};`,
    );
    for (const s of ips) {
      const id = ids.ip(s.cluster, s.ip);
      dot.node(id, {
        label: label([s.ip, `static IP${s.pool ? ` · MetalLB pool ${s.pool}` : ""}`]),
        style: "filled,bold",
        fillcolor: col.fill,
        color: col.line,
        penwidth: 2,
      });
      rowOf.set(id, "ip");
    }
    for (const g of gateways) {
      dot.node(g.id, {
        label: label([
          `Gateway ${g.name}`,
          ...g.hostnames,
          ...(g.replicas !== undefined ? [`${g.replicas} Envoy replicas`] : []),
        ]),
        shape: "box3d",
        style: "filled",
        fillcolor: col.fill,
        color: col.line,
      });
      rowOf.set(g.id, "gateway");
    }
    for (const r of routes) {
      dot.node(r.id, { label: label([`HTTPRoute ${r.name}`, ...r.matches]), color: col.line });
      rowOf.set(r.id, "route");
    }
    for (const s of services) {
      const replicas = s.replicas ? [`${s.replicas.min}–${s.replicas.max} replicas`] : [];
      dot.node(s.id, {
        label: label([`Service ${s.name}`, `${s.namespace} :${s.ports.join(",")}`, ...replicas]),
        fillcolor: col.fill,
        color: col.line,
      });
      rowOf.set(s.id, "service");
    }
    for (const db of dbs) {
      dot.open(`subgraph ${quote(ids.database(db.id))}`);
      dot.line(
        `graph${attrs({ label: `database ${db.name} (${db.namespace})`, style: "rounded,filled", fillcolor: "#fffbeb", color: "#92400e", fontsize: 11 })};`,
      );
      for (const p of db.poolers) {
        dot.node(p.id, {
          label: label([`Pooler ${p.name}`, `PgBouncer ${p.type} · ${p.instances} pods`]),
          shape: "box",
          style: "rounded,filled",
          fillcolor: "#fef3c7",
          color: "#92400e",
        });
        rowOf.set(p.id, "pooler");
      }
      dot.close();
    }
    dot.close();
  }

  for (const h of graph.hosts) hostColumn(dot, h, colour, rowOf);

  // Notes and the legend, top left.
  dot.open(`subgraph ${quote("cluster_legend")}`);
  dot.line(`graph${attrs({ label: "legend", style: "rounded", color: "#9ca3af", fontsize: 11 })};`);
  for (const c of graph.clusters) {
    const col = colour(c.name);
    const id = `legend:${c.name}`;
    dot.node(id, {
      label: label([`cluster ${c.name}`, c.kind]),
      fillcolor: col.fill,
      color: col.line,
    });
    rowOf.set(id, "ip");
  }
  if (graph.notes.length > 0) {
    dot.node("notes", {
      // Left-justified lines (\l), each note wrapped.
      label: `"${graph.notes.flatMap((n) => wrap(n, 100).map(escape)).join("\\l")}\\l"`,
      shape: "note",
      style: "filled",
      fillcolor: "#f9fafb",
      fontsize: 9,
    });
    rowOf.set("notes", "gateway");
  }
  dot.close();

  // Edges of the request path.
  const instances = graph.hosts.flatMap((h) => h.dbInstances);
  for (const s of graph.staticIps)
    for (const g of s.gateways) dot.edge(ids.ip(s.cluster, s.ip), g, { penwidth: 1.5 });
  for (const r of graph.routes) {
    for (const g of r.gateways) dot.edge(g, r.id);
    for (const s of r.services) dot.edge(r.id, s);
  }
  const poolers = new Map(
    graph.databases.flatMap((d) => d.poolers.map((p) => [p.id, { db: d, p }])),
  );
  for (const s of graph.services)
    for (const p of s.poolers) if (poolers.has(p)) dot.edge(s.id, p, { color: "#92400e" });
  for (const { db, p } of poolers.values()) {
    const targets = instances.filter(
      (i) =>
        i.database === db.id && (p.type === "ro" ? i.role === "standby" : i.role === "primary"),
    );
    for (const i of targets) dot.edge(p.id, ids.instance(i), { color: "#92400e", style: "dashed" });
  }

  // The spine: one invisible node per row, each row's nodes on its rank; columns in order.
  for (const row of ROWS)
    dot.node(`row:${row}`, { shape: "point", style: "invis", width: 0, height: 0 });
  for (let k = 1; k < ROWS.length; k++)
    dot.edge(`row:${ROWS[k - 1]}`, `row:${ROWS[k]}`, { style: "invis" });
  for (const row of ROWS) {
    const members = [...rowOf].filter(([, r]) => r === row).map(([id]) => quote(id));
    dot.line(`{ rank=same; ${[quote(`row:${row}`), ...members].join("; ")}; }`);
  }
  for (let k = 1; k < graph.hosts.length; k++)
    dot.edge(ids.host(graph.hosts[k - 1].name), ids.host(graph.hosts[k].name), { style: "invis" });

  return `digraph site {\n${dot.lines.join("\n")}\n}\n`;
}
