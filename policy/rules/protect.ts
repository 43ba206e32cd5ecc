// `protect` on everything whose loss loses data or a static address: databases and their
// namespaces, volumes, the provider network and subnet, ports holding fixed IPs, the backup container.
import { asArray, asObj, label, PlainResource, str, Violation } from "./types";
import { CNPG_CLUSTER } from "./workloads";

const ALWAYS_STATEFUL = new Set([
  CNPG_CLUSTER,
  "kubernetes:core/v1:PersistentVolumeClaim",
  "openstack:networking/network:Network",
  "openstack:networking/subnet:Subnet",
  "openstack:objectstorage/container:Container",
  "openstack:blockstorage/volume:Volume",
]);

function hasFixedIp(r: PlainResource): boolean {
  return asArray(r.props.fixedIps).some((ip) => str(asObj(ip).ipAddress) !== undefined);
}

/** Why a resource must be protected, or undefined. */
export function statefulReason(
  r: PlainResource,
  databaseNamespaces: ReadonlySet<string>,
): string | undefined {
  if (ALWAYS_STATEFUL.has(r.type)) return "is stateful";
  if (r.type === "openstack:networking/port:Port" && hasFixedIp(r)) return "holds a fixed IP";
  if (r.type === "kubernetes:core/v1:Namespace") {
    const key = `${r.provider ?? ""}|${str(asObj(r.props.metadata).name) ?? ""}`;
    if (databaseNamespaces.has(key)) return "holds a database";
  }
  return undefined;
}

export function protectViolations(resources: readonly PlainResource[]): Violation[] {
  const dbNamespaces = new Set(
    resources
      .filter((r) => r.type === CNPG_CLUSTER)
      .map((r) => `${r.provider ?? ""}|${str(asObj(r.props.metadata).namespace) ?? "default"}`),
  );
  return resources.flatMap((r) => {
    const reason = statefulReason(r, dbNamespaces);
    return reason && r.protect !== true
      ? [{ message: `${label(r)} ${reason} but is not protected: set protect: true`, urn: r.urn }]
      : [];
  });
}
