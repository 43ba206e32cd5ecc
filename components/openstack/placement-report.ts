// The placement as text for the offline plan, and as pins to freeze it. Pure.
import { Placement } from "./placement-model";

/** The placement as `plant:openstack.placement` pins (VM → host), to freeze it before adding a host. */
export function placementPins(placement: Placement): Record<string, string> {
  return Object.fromEntries(placement.vms.map((v) => [v.name, v.host]));
}

function percent(used: number, capacity: number): string {
  return capacity > 0 ? `${Math.round((100 * used) / capacity)}%` : "-";
}

/** Human-readable placement for the offline plan: VM → R620, then the load of each R620. */
export function formatPlacement(placement: Placement): string {
  const table = (rows: string[][]): string[] => {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i])).join("  ")}`.trimEnd());
  };
  const vmRows = placement.vms.map((v) => [
    v.name,
    v.role,
    v.host,
    v.ip,
    `${v.flavor.vcpus} vCPU`,
    `${v.flavor.ramGb} GB`,
    v.pinned ? "pinned" : "planned",
  ]);
  const loadRows = placement.hostLoad.map((h) => [
    h.host,
    `${h.vcpus}/${h.vcpuCapacity} vCPU (${percent(h.vcpus, h.vcpuCapacity)})`,
    `${h.ramGb}/${h.ramCapacityGb} GB (${percent(h.ramGb, h.ramCapacityGb)})`,
    h.diskCapacityGb === undefined
      ? "-"
      : `${h.diskGb}/${h.diskCapacityGb} GB (${percent(h.diskGb, h.diskCapacityGb)})`,
    `${h.databaseVolumeGb} GB`,
    h.vms.join(", ") || "-",
  ]);
  return [
    "Placement (VM → R620):",
    ...(vmRows.length > 0
      ? table([["VM", "ROLE", "HOST", "IP", "CPU", "RAM", ""], ...vmRows])
      : ["  (no VMs)"]),
    "Load per R620 (capacity after hostReserved; vCPU and RAM with overcommit, disk without):",
    ...table([["HOST", "VCPU", "RAM", "DISK", "DB VOLUMES", "VMS"], ...loadRows]),
    "",
  ].join("\n");
}
