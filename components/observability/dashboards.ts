// Grafana dashboards the hub provisions (pure): the site laid out by physical host, the Gateway,
// and one per reporting service. PostgreSQL's is the one the CloudNativePG chart ships. Every
// query picks its cluster through the `datasource` variable (one Prometheus per cluster).
import type { Dashboard, Panel, RowPanel } from "@grafana/schema";

const DS = { type: "prometheus", uid: "${datasource}" };

export interface DashboardHost {
  readonly name: string;
  /** R620 (iDRAC health shown) or another machine. */
  readonly bmc: boolean;
}

interface Query {
  readonly expr: string;
  readonly legend?: string;
}

let nextId = 1;

function panel(
  type: "timeseries" | "stat" | "table",
  title: string,
  queries: readonly Query[],
  pos: { x: number; y: number; w: number; h: number },
  unit?: string,
): Panel {
  return {
    id: nextId++,
    type,
    title,
    datasource: DS,
    gridPos: pos,
    targets: queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      expr: q.expr,
      ...(q.legend ? { legendFormat: q.legend } : {}),
      ...(type === "table" ? { format: "table", instant: true } : {}),
    })),
    fieldConfig: { defaults: unit ? { unit } : {}, overrides: [] },
    options: {},
  };
}

function row(title: string, y: number): RowPanel {
  return {
    id: nextId++,
    type: "row",
    title,
    collapsed: false,
    gridPos: { x: 0, y, w: 24, h: 1 },
    panels: [],
  };
}

function dashboard(
  uid: string,
  title: string,
  panels: (Panel | RowPanel)[],
  tags: string[],
): Dashboard {
  return {
    uid,
    title,
    tags: ["plant", ...tags],
    schemaVersion: 41,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    panels,
    templating: {
      list: [
        {
          name: "datasource",
          label: "Cluster",
          type: "datasource",
          query: "prometheus",
          current: {},
          hide: 0,
        } as never,
      ],
    },
  };
}

/** The site: one row per physical host with its nodes (VMs), their pods and its health. */
export function siteOverview(hosts: readonly DashboardHost[]): Dashboard {
  nextId = 1;
  const panels: (Panel | RowPanel)[] = [];
  let y = 0;
  for (const h of hosts) {
    const host = `label_topology_kubernetes_io_zone="${h.name}"`;
    panels.push(row(h.name, y++));
    panels.push(
      panel(
        "stat",
        "Nodes Ready",
        [{ expr: `plant:node_ready:by_physical_host{physical_host="${h.name}"}`, legend: "ready" }],
        { x: 0, y, w: 4, h: 4 },
      ),
      panel("table", "Nodes (VMs) on this host", [{ expr: `kube_node_labels{${host}}` }], {
        x: 4,
        y,
        w: 8,
        h: 4,
      }),
      panel(
        "timeseries",
        "Pods per node",
        [
          {
            expr: `count by (node) (kube_pod_info * on (node) group_left () kube_node_labels{${host}})`,
            legend: "{{node}}",
          },
        ],
        { x: 12, y, w: h.bmc ? 6 : 12, h: 4 },
      ),
    );
    if (h.bmc) {
      panels.push(
        panel(
          "stat",
          "Hardware health (0 OK, 1 warning, 2 critical)",
          [{ expr: `max(idrac_system_health{physical_host="${h.name}"})`, legend: "iDRAC" }],
          { x: 18, y, w: 6, h: 4 },
        ),
      );
    }
    y += 4;
  }
  return dashboard("plant-site", "Plant site by physical host", panels, ["site"]);
}

const RATE = (sel: string) =>
  `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{${sel}}[5m]))`;

function trafficPanels(sel: string, y: number): Panel[] {
  return [
    panel(
      "timeseries",
      "Requests per second",
      [{ expr: RATE(sel), legend: "{{envoy_cluster_name}}" }],
      {
        x: 0,
        y,
        w: 8,
        h: 8,
      },
      "reqps",
    ),
    panel(
      "timeseries",
      "Errors (5xx) per second",
      [
        {
          expr: RATE(`${sel}${sel ? "," : ""}envoy_response_code_class="5"`),
          legend: "{{envoy_cluster_name}}",
        },
      ],
      { x: 8, y, w: 8, h: 8 },
      "reqps",
    ),
    panel(
      "timeseries",
      "Latency p95",
      [
        {
          expr: `histogram_quantile(0.95, sum by (le, envoy_cluster_name) (rate(envoy_cluster_upstream_rq_time_bucket{${sel}}[5m])))`,
          legend: "{{envoy_cluster_name}}",
        },
      ],
      { x: 16, y, w: 8, h: 8 },
      "ms",
    ),
  ];
}

/** Requests, errors and latency per route (Envoy names route clusters httproute/<ns>/<name>/rule/<n>). */
export function gatewayDashboard(): Dashboard {
  nextId = 1;
  return dashboard(
    "plant-gateway",
    "Gateway: requests, errors, latency per route",
    trafficPanels('envoy_cluster_name=~"httproute/.*"', 0),
    ["gateway"],
  );
}

export interface DashboardService {
  readonly name: string;
  readonly namespace: string;
  readonly deployment: string;
}

/** One reporting service: its traffic through the Gateway, replicas, restarts, CPU and memory. */
export function serviceDashboard(s: DashboardService): Dashboard {
  nextId = 1;
  const ns = `namespace="${s.namespace}"`;
  return dashboard(
    `plant-svc-${s.name}`.slice(0, 40),
    `Service ${s.name}`,
    [
      ...trafficPanels(`envoy_cluster_name=~"httproute/${s.namespace}/.*"`, 0),
      panel(
        "stat",
        "Replicas available",
        [{ expr: `kube_deployment_status_replicas_available{${ns},deployment="${s.deployment}"}` }],
        { x: 0, y: 8, w: 6, h: 6 },
      ),
      panel(
        "timeseries",
        "Container restarts (1h)",
        [
          {
            expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`,
            legend: "{{pod}}",
          },
        ],
        { x: 6, y: 8, w: 6, h: 6 },
      ),
      panel(
        "timeseries",
        "CPU (cores)",
        [
          {
            expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m]))`,
            legend: "{{pod}}",
          },
        ],
        { x: 12, y: 8, w: 6, h: 6 },
      ),
      panel(
        "timeseries",
        "Memory (working set)",
        [
          {
            expr: `sum by (pod) (container_memory_working_set_bytes{${ns},container!=""})`,
            legend: "{{pod}}",
          },
        ],
        { x: 18, y: 8, w: 6, h: 6 },
        "bytes",
      ),
    ],
    ["service"],
  );
}
