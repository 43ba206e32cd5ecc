// alertmanager.yaml of every cluster (pure): one receiver (e-mail and/or webhook, from config and
// secret config), grouping per cluster and host, and the inhibitions that make one dead host one
// page. The text holds secrets: the component puts it in a Secret, never in the chart values.
import { stringify } from "yaml";
import { HOST_CONSEQUENCE_LABEL } from "./rules-spec";

export interface EmailReceiver {
  readonly smarthost: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly requireTls: boolean;
  readonly username?: string;
  /** The SMTP password (secret), when the server wants a login. */
  readonly password?: string;
}

export interface AlertmanagerArgs {
  readonly email?: EmailReceiver;
  /** The webhook URL (secret). */
  readonly webhookUrl?: string;
}

export const RECEIVER = "plant";
export const NULL_RECEIVER = "null";

/**
 * Alerts that follow from a dead host and say nothing the PhysicalHostDown page does not: the
 * chart's node, pod and target alerts, and etcd down to its last spare member.
 */
export const HOST_DOWN_INHIBITS = [
  "KubeNodeNotReady",
  "KubeNodeUnreachable",
  "KubeletDown",
  "TargetDown",
  "KubePodNotReady",
  "KubeDeploymentReplicasMismatch",
  "KubeStatefulSetReplicasMismatch",
  "KubeDaemonSetRolloutStuck",
  "KubeDaemonSetMisScheduled",
  "KubeDeploymentRolloutStuck",
  "KubeStatefulSetUpdateNotRolledOut",
  "AlertmanagerMembersInconsistent",
  "AlertmanagerClusterFailedToSendAlerts",
  "PrometheusNotConnectedToAlertmanagers",
  "NodeNetworkInterfaceFlapping",
  "EtcdOneLossFromQuorum",
  "PostgresReplicationLagHigh",
] as const;

export function alertmanagerConfig(args: AlertmanagerArgs): Record<string, unknown> {
  const e = args.email;
  const receiver: Record<string, unknown> = { name: RECEIVER };
  if (e) receiver.email_configs = [{ to: e.to.join(", "), send_resolved: true }];
  if (args.webhookUrl) receiver.webhook_configs = [{ url: args.webhookUrl, send_resolved: true }];
  const notifies = e !== undefined || args.webhookUrl !== undefined;
  return {
    global: {
      resolve_timeout: "5m",
      ...(e
        ? {
            smtp_smarthost: e.smarthost,
            smtp_from: e.from,
            smtp_require_tls: e.requireTls,
            ...(e.username !== undefined ? { smtp_auth_username: e.username } : {}),
            ...(e.password !== undefined ? { smtp_auth_password: e.password } : {}),
          }
        : {}),
    },
    route: {
      receiver: notifies ? RECEIVER : NULL_RECEIVER,
      group_by: ["alertname", "cluster", "physical_host", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        // Watchdog always fires (proof the pipeline works); InfoInhibitor only mutes info alerts.
        { receiver: NULL_RECEIVER, matchers: ['alertname = "Watchdog"'] },
        { receiver: NULL_RECEIVER, matchers: ['alertname = "InfoInhibitor"'] },
        { receiver: NULL_RECEIVER, matchers: ['severity = "info"'] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['alertname = "PhysicalHostDown"'],
        target_matchers: [`${HOST_CONSEQUENCE_LABEL} = "true"`],
        equal: ["cluster"],
      },
      {
        source_matchers: ['alertname = "PhysicalHostDown"'],
        target_matchers: [`alertname =~ "${HOST_DOWN_INHIBITS.join("|")}"`],
        equal: ["cluster"],
      },
      {
        source_matchers: ['alertname = "HostHardwareCritical"'],
        target_matchers: ['alertname = "HostHardwareDegraded"'],
        equal: ["physical_host"],
      },
      {
        source_matchers: ['severity = "critical"'],
        target_matchers: ['severity = "warning"'],
        equal: ["alertname", "cluster", "namespace"],
      },
    ],
    receivers: [receiver, { name: NULL_RECEIVER }],
  };
}

export function alertmanagerYaml(args: AlertmanagerArgs): string {
  return stringify(alertmanagerConfig(args), { lineWidth: 0 });
}
