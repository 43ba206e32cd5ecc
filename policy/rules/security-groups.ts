// No security-group ingress open to the world: the plant LAN and admin networks only.
import { label, PlainResource, str, Violation } from "./types";

const SEC_GROUP_RULE = "openstack:networking/secGroupRule:SecGroupRule";

export function worldOpenIngressViolations(r: PlainResource): Violation[] {
  if (r.type !== SEC_GROUP_RULE || str(r.props.direction) !== "ingress") return [];
  const prefix = str(r.props.remoteIpPrefix);
  const group = str(r.props.remoteGroupId);
  const ports =
    r.props.portRangeMin !== undefined
      ? ` (ports ${String(r.props.portRangeMin)}-${String(r.props.portRangeMax ?? r.props.portRangeMin)})`
      : "";
  if (prefix !== undefined && /\/0$/.test(prefix)) {
    return [
      {
        message: `${label(r)} opens ingress${ports} to ${prefix}: allow the plant LAN or admin CIDRs only`,
      },
    ];
  }
  if ((prefix === undefined || prefix === "") && (group === undefined || group === "")) {
    return [
      {
        message: `${label(r)} opens ingress${ports} to any address (no remoteIpPrefix or remoteGroupId)`,
      },
    ];
  }
  return [];
}
