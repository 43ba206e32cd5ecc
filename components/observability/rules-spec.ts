// The program's own alerts, each tied to the promise (reports keep running when an R620 dies; no
// acknowledged write is lost) and to its runbook section in docs/observability.md. Pure: config
// facts in, PrometheusRule groups out. Every metric used is in metric-catalog.ts (tested).
import { cronMaxGapSeconds } from "./cron";

export type Severity = "critical" | "warning";

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { severity: Severity; [k: string]: string };
  readonly annotations: { summary: string; description: string; runbook_url: string };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (AlertRule | RecordingRule)[];
}

/** Where the runbooks live, so an alert's runbook_url opens its section. */
export const RUNBOOK_BASE = "docs/observability.md";

/** `PostgresSyncStandbysMissing` → `docs/observability.md#postgressyncstandbysmissing`. */
export function runbookUrl(alert: string): string {
  return `${RUNBOOK_BASE}#${alert.toLowerCase()}`;
}

/** Alerts that are expected consequences of a dead host: inhibited while PhysicalHostDown fires. */
export const HOST_CONSEQUENCE_LABEL = "host_consequence";

function alert(
  name: string,
  severity: Severity,
  forDuration: string,
  expr: string,
  summary: string,
  description: string,
  extraLabels: Record<string, string> = {},
): AlertRule {
  return {
    alert: name,
    expr,
    for: forDuration,
    labels: { severity, ...extraLabels },
    annotations: { summary, description, runbook_url: runbookUrl(name) },
  };
}

const consequence = { [HOST_CONSEQUENCE_LABEL]: "true" };

/** The physical host of each node, from kube-state-metrics' node labels. */
const NODE_READY_BY_HOST =
  'label_replace(kube_node_status_condition{condition="Ready",status="true"} * on (node) group_left (label_topology_kubernetes_io_zone) kube_node_labels, "physical_host", "$1", "label_topology_kubernetes_io_zone", "(.+)")';

export interface ClusterRuleFacts {
  readonly cluster: string;
  /** RKE2 on OpenStack: etcd members carry the `etcd` node role; existing clusters: control-plane. */
  readonly kind: "openstack" | "existing";
}

/** Hosts and etcd: every cluster. */
export function clusterGroups(facts: ClusterRuleFacts): RuleGroup[] {
  const etcdRole = facts.kind === "openstack" ? "etcd" : "control-plane";
  const members = `kube_node_role{role="${etcdRole}"}`;
  return [
    {
      name: "plant.hosts",
      rules: [
        {
          record: "plant:node_ready:by_physical_host",
          expr: `min by (physical_host) (${NODE_READY_BY_HOST})`,
        },
        alert(
          "PhysicalHostDown",
          "critical",
          "2m",
          "plant:node_ready:by_physical_host == 0",
          "Physical host {{ $labels.physical_host }} is down: none of its nodes is Ready",
          "Every node of cluster " +
            facts.cluster +
            " on {{ $labels.physical_host }} is NotReady. The platform runs on the remaining hosts; one more host failure may exceed failuresTolerated.",
        ),
        alert(
          "EtcdOneLossFromQuorum",
          "critical",
          "2m",
          `sum(kube_node_status_condition{condition="Ready",status="true"} and on (node) ${members}) <= floor(count(${members}) / 2) + 1 and count(${members}) >= 3`,
          `etcd of cluster ${facts.cluster} is one member loss away from losing quorum`,
          "Only {{ $value }} etcd member nodes are Ready. Losing one more stops the Kubernetes API (no scheduling, no failover of anything Kubernetes manages).",
        ),
      ],
    },
  ];
}

export interface BmcHost {
  readonly name: string;
}

/** R620 hardware health from the iDRACs (hub only: one exporter per site). */
export function hardwareGroups(hosts: readonly BmcHost[]): RuleGroup[] {
  if (hosts.length === 0) return [];
  const health = (metric: string, what: string, name: string, severity: Severity, value: number) =>
    alert(
      name,
      severity,
      "5m",
      `max by (physical_host${metric === "idrac_system_health" ? "" : ", id"}) (${metric}) ${value === 2 ? "== 2" : "> 0"}`,
      `${what} of {{ $labels.physical_host }} is ${value === 2 ? "critical" : "degraded"}`,
      `The iDRAC of {{ $labels.physical_host }} reports ${what} ${value === 2 ? "Critical" : "not OK"} (0 OK, 1 Warning, 2 Critical). Act before the host dies.`,
    );
  return [
    {
      name: "plant.hardware",
      rules: [
        health("idrac_system_health", "the overall health", "HostHardwareCritical", "critical", 2),
        health("idrac_system_health", "the overall health", "HostHardwareDegraded", "warning", 1),
        health(
          "idrac_power_supply_health",
          "a power supply",
          "HostPowerSupplyFailed",
          "warning",
          1,
        ),
        health("idrac_sensors_fan_health", "a fan", "HostFanFailed", "warning", 1),
        alert(
          "HostDiskFailed",
          "warning",
          "5m",
          "max by (physical_host, id) (idrac_storage_drive_health) > 0 or max by (physical_host, id) (idrac_storage_volume_health) > 0",
          "A disk or RAID volume of {{ $labels.physical_host }} is not OK",
          "The iDRAC reports drive or virtual disk {{ $labels.id }} degraded or failed: replace the disk before a second one fails.",
        ),
        health("idrac_memory_module_health", "a memory module", "HostMemoryFailed", "warning", 1),
        alert(
          "HostInletTemperatureHigh",
          "warning",
          "10m",
          'max by (physical_host) (idrac_sensors_temperature{name=~".*Inlet.*"}) > 35',
          "Inlet temperature of {{ $labels.physical_host }} is {{ $value }} °C",
          "Air reaching the R620 is warmer than 35 °C (Dell's allowed continuous inlet temperature); check the room cooling before the host throttles or shuts down.",
        ),
        alert(
          "BmcUnreachable",
          "warning",
          "15m",
          'up{job="idrac"} == 0',
          "The iDRAC of {{ $labels.physical_host }} does not answer",
          "The Redfish exporter cannot read the BMC: hardware failures of this host go unseen. Check the BMC address, its network and the plant:bmc-* credentials.",
        ),
      ],
    },
  ];
}

export interface DatabaseFacts {
  readonly name: string;
  readonly namespace: string;
  /** ScheduledBackup.spec.schedule (six fields). */
  readonly backupSchedule: string;
}

/** The backup must be younger than the schedule's longest gap plus a quarter of it (≥ 1 h). */
export function backupMaxAgeSeconds(schedule: string): number {
  const gap = cronMaxGapSeconds(schedule);
  return gap + Math.max(3600, Math.round(gap / 4));
}

/** PostgreSQL (CloudNativePG + Barman Cloud plugin): one group per database. */
export function databaseGroups(dbs: readonly DatabaseFacts[]): RuleGroup[] {
  return dbs.map((db) => {
    const ns = `namespace="${db.namespace}"`;
    const primary = (metric: string) =>
      `(${metric} and on (namespace, pod) cnpg_pg_replication_in_recovery{${ns}} == 0)`;
    const maxAge = backupMaxAgeSeconds(db.backupSchedule);
    return {
      name: `plant.postgres.${db.name}`,
      rules: [
        alert(
          "PostgresMetricsMissing",
          "critical",
          "10m",
          `absent(cnpg_collector_up{${ns}} == 1)`,
          `No PostgreSQL instance of database ${db.name} reports metrics`,
          "No instance answers the scrape: the database may be down, or monitoring cannot see it (then nothing below can alert).",
        ),
        alert(
          "PostgresSyncStandbysMissing",
          "critical",
          "2m",
          `max(${primary(`cnpg_collector_sync_replicas{${ns},value="observed"}`)}) < max(${primary(`cnpg_collector_sync_replicas{${ns},value="expected"}`)})`,
          `Database ${db.name} has fewer synchronous standbys than configured`,
          "The primary confirms commits with {{ $value }} synchronous standby(s), fewer than configured: the next failure can lose acknowledged writes.",
          consequence,
        ),
        alert(
          "PostgresReplicationLagHigh",
          "warning",
          "5m",
          `max by (pod) (cnpg_pg_replication_lag{${ns}}) > 60`,
          `Standby {{ $labels.pod }} of database ${db.name} lags {{ $value }} s`,
          "A standby replays WAL more than a minute behind the primary: reads from it are stale and a failover to it would take longer.",
        ),
        alert(
          "PostgresFailoverHappened",
          "warning",
          "0m",
          `sum(changes(cnpg_pg_replication_in_recovery{${ns}}[15m])) > 0`,
          `The primary of database ${db.name} changed`,
          "An instance was promoted or demoted in the last 15 minutes (failover or switchover). Check why, and that the old primary rejoined as a standby.",
          consequence,
        ),
        alert(
          "PostgresWalArchivingFailing",
          "critical",
          "10m",
          `max(cnpg_pg_stat_archiver_last_failed_time{${ns}} > cnpg_pg_stat_archiver_last_archived_time{${ns}}) or max(cnpg_pg_stat_archiver_seconds_since_last_archival{${ns}}) > 900`,
          `WAL archiving of database ${db.name} is failing`,
          "WAL segments are not reaching the object store (CloudNativePG switches segments every 5 minutes): a disaster now loses everything since the last archived segment, and pg_wal fills up.",
        ),
        alert(
          "PostgresBackupTooOld",
          "critical",
          "15m",
          `time() - max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${ns}}) > ${maxAge}`,
          `The last base backup of database ${db.name} is older than its schedule allows`,
          `The newest successful base backup is older than ${Math.round(maxAge / 3600)} h (schedule '${db.backupSchedule}' plus slack): restores take longer and retention may soon leave no usable backup.`,
        ),
        alert(
          "PostgresVolumeNearlyFull",
          "critical",
          "5m",
          `max by (persistentvolumeclaim) (kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}}) < 0.1`,
          `Volume {{ $labels.persistentvolumeclaim }} of database ${db.name} is more than 90 % full`,
          "A full data or WAL volume stops PostgreSQL from accepting writes. Grow the volume (storage.size) or free space.",
        ),
      ],
    };
  });
}

export interface AddressFacts {
  readonly cluster: string;
  readonly name: string;
  readonly ip: string;
  readonly fqdns: readonly string[];
}

/** Static IPs of the cluster itself: the Gateway's Service holds its address. */
export function addressGroups(addresses: readonly AddressFacts[]): RuleGroup[] {
  if (addresses.length === 0) return [];
  return [
    {
      name: "plant.static-ips",
      rules: addresses.map((a) =>
        alert(
          "StaticIpNotAssigned",
          "critical",
          "5m",
          `absent(kube_service_status_load_balancer_ingress{ip="${a.ip}"})`,
          `Static IP ${a.ip} (${a.name}) is not assigned to its Gateway`,
          `No LoadBalancer Service of cluster ${a.cluster} holds ${a.ip}: ${a.fqdns.join(", ")} cannot be reached. Check MetalLB's pool and the Gateway's Service.`,
          { address: a.name },
        ),
      ),
    },
  ];
}

/** Blackbox probes of every host name through its static IP (hub only: the site's one view). */
export function probeGroups(anyProbe: boolean): RuleGroup[] {
  if (!anyProbe) return [];
  return [
    {
      name: "plant.https-probes",
      rules: [
        alert(
          "StaticIpNotAnswering",
          "critical",
          "3m",
          'probe_success{job="blackbox-https"} == 0',
          "https://{{ $labels.fqdn }} does not answer through {{ $labels.ip }}",
          "The HTTPS probe of the host name through its static IP fails (no answer, TLS error or a 5xx): users cannot reach the reports there.",
        ),
        alert(
          "CertificateExpiresSoon",
          "warning",
          "1h",
          'min by (fqdn, ip) (probe_ssl_earliest_cert_expiry{job="blackbox-https"}) - time() < 14 * 86400',
          "The certificate of {{ $labels.fqdn }} expires within 14 days",
          "cert-manager should have renewed it 30 days before expiry: renewal is failing. Browsers refuse the site once it expires.",
        ),
      ],
    },
  ];
}

export interface ServiceFacts {
  readonly name: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly minReplicas: number;
  /** Route names (HTTPRoute metadata.name) of the service, for the gateway error rate. */
  readonly routes: readonly string[];
}

/** Reporting services: availability, crash loops and 5xx through the Gateway. */
export function serviceGroups(services: readonly ServiceFacts[]): RuleGroup[] {
  return services.map((s) => {
    const ns = `namespace="${s.namespace}"`;
    const cluster = `envoy_cluster_name=~"httproute/${s.namespace}/.*"`;
    return {
      name: `plant.service.${s.name}`,
      rules: [
        alert(
          "ServiceBelowMinReplicas",
          "critical",
          "5m",
          `kube_deployment_status_replicas_available{${ns},deployment="${s.deployment}"} < ${s.minReplicas}`,
          `Service ${s.name} runs {{ $value }} of at least ${s.minReplicas} replicas`,
          "Fewer replicas are available than the service's minimum: one more failure can take it down.",
          consequence,
        ),
        alert(
          "ServiceCrashLooping",
          "warning",
          "10m",
          `max by (pod, container) (kube_pod_container_status_waiting_reason{${ns},reason="CrashLoopBackOff"}) == 1`,
          `Container {{ $labels.container }} of service ${s.name} is crash-looping`,
          "A container keeps restarting. Read its logs (kubectl logs --previous).",
        ),
        ...(s.routes.length > 0
          ? [
              alert(
                "ServiceErrorRateHigh",
                "warning",
                "10m",
                `sum(rate(envoy_cluster_upstream_rq_xx{${cluster},envoy_response_code_class="5"}[5m])) / sum(rate(envoy_cluster_upstream_rq_xx{${cluster}}[5m])) > 0.05`,
                `More than 5 % of the requests to service ${s.name} fail`,
                "The Gateway sees 5xx answers from the service on more than 5 % of requests over 5 minutes.",
              ),
            ]
          : []),
      ],
    };
  });
}

export interface RuleFacts {
  readonly cluster: ClusterRuleFacts;
  readonly bmcHosts: readonly BmcHost[];
  readonly databases: readonly DatabaseFacts[];
  readonly addresses: readonly AddressFacts[];
  readonly probes: boolean;
  readonly services: readonly ServiceFacts[];
}

/** Every group of one cluster's PrometheusRule, in a stable order. */
export function ruleGroups(facts: RuleFacts): RuleGroup[] {
  return [
    ...clusterGroups(facts.cluster),
    ...hardwareGroups(facts.bmcHosts),
    ...databaseGroups(facts.databases),
    ...addressGroups(facts.addresses),
    ...probeGroups(facts.probes),
    ...serviceGroups(facts.services),
  ];
}

export function isAlert(rule: AlertRule | RecordingRule): rule is AlertRule {
  return "alert" in rule;
}
