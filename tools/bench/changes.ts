// The routine changes a plant engineer makes, applied to a site's raw config. Each must plan
// without removing or replacing anything that exists (checked by change-safety.ts).
import { parseSite } from "../../config/site";
import { ipAdd } from "../../config/ip";
import { planPlacement } from "../../components/openstack/placement";

type Raw = Record<string, unknown>;
type Obj = Record<string, unknown>;

export interface RoutineChange {
  readonly name: string;
  readonly description: string;
  readonly apply: (stack: string, raw: Raw) => Raw;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function list(raw: Raw, key: string): Obj[] {
  return raw[key] as Obj[];
}

function openstackCluster(raw: Raw): Obj {
  const c = list(raw, "clusters").find((x) => x.kind === "openstack");
  if (!c) throw new Error("the base site has no OpenStack cluster");
  return c;
}

/** Pins every planned VM to its current host, as the schema asks before adding a host. */
function pinCurrentPlacement(stack: string, raw: Raw): void {
  const placement = planPlacement(parseSite(stack, raw));
  const openstack = raw.openstack as Obj;
  openstack.placement = {
    ...Object.fromEntries(placement.vms.map((vm) => [vm.name, vm.host])),
    ...((openstack.placement as Obj | undefined) ?? {}),
  };
}

/** The next address after `ip` that no value in the raw config mentions. */
function nextFreeIp(raw: Raw, ip: string): string {
  const text = JSON.stringify(raw);
  let candidate = ipAdd(ip, 1);
  while (text.includes(`"${candidate}"`)) candidate = ipAdd(candidate, 1);
  return candidate;
}

export const ROUTINE_CHANGES: readonly RoutineChange[] = [
  {
    name: "add-worker",
    description: "one more worker VM in the OpenStack cluster",
    apply: (_stack, base) => {
      const raw = clone(base);
      const workers = openstackCluster(raw).workers as Obj;
      workers.count = (workers.count as number) + 1;
      return raw;
    },
  },
  {
    name: "bump-rke2",
    description:
      "a new RKE2 patch release for the OpenStack cluster (nodes rotate later, one by one)",
    apply: (_stack, base) => {
      const raw = clone(base);
      const cluster = openstackCluster(raw);
      const m = /^v1\.36\.(\d+)\+rke2r(\d+)$/.exec(String(cluster.version));
      if (!m) throw new Error(`unexpected RKE2 version ${String(cluster.version)}`);
      cluster.version = `v1.36.${Number(m[1]) + 1}+rke2r1`;
      return raw;
    },
  },
  {
    name: "bump-image",
    description: "a new release of the first service's image",
    apply: (_stack, base) => {
      const raw = clone(base);
      const svc = list(raw, "services")[0];
      svc.image = `${String(svc.image).replace(/:[^:/]+$/, "")}:2099.1.0`;
      return raw;
    },
  },
  {
    name: "add-service",
    description: "a new report service on the first ingress host name",
    apply: (_stack, base) => {
      const raw = clone(base);
      const first = list(raw, "services")[0];
      const routes = first.routes as Obj[];
      list(raw, "services").push({
        ...clone(first),
        name: "downtime-report",
        description: "Downtime report",
        image: "registry.busche-cnc.com/reporting/downtime-report:2026.11.1",
        routes:
          routes.length > 0 ? [{ hostname: routes[0].hostname, pathPrefix: "/downtime" }] : [],
        database: { name: "none", access: "none" },
        migration: undefined,
        schedule: undefined,
      });
      return raw;
    },
  },
  {
    name: "add-static-ip",
    description: "a second static ingress address on the OpenStack cluster",
    apply: (_stack, base) => {
      const raw = clone(base);
      const ingress = openstackCluster(raw).ingress as Obj;
      const addresses = ingress.addresses as Obj[];
      addresses.push({
        name: "reports-extra",
        ip: nextFreeIp(raw, String(addresses[0].ip)),
        hostnames: ["reports-extra"],
      });
      return raw;
    },
  },
  {
    name: "mark-bootstrapped",
    description:
      "the OpenStack cluster exists: its first server stops being the one that creates it (applied when that server is next rotated)",
    apply: (_stack, base) => {
      const raw = clone(base);
      openstackCluster(raw).bootstrapped = true;
      return raw;
    },
  },
  {
    name: "grow-postgres",
    description: "the first database's storage grows by half",
    apply: (_stack, base) => {
      const raw = clone(base);
      const storage = list(raw, "databases")[0].storage as Obj;
      const m = /^(\d+)(\w+)$/.exec(String(storage.size));
      if (!m) throw new Error(`unexpected storage size ${String(storage.size)}`);
      storage.size = `${Math.ceil(Number(m[1]) * 1.5)}${m[2]}`;
      return raw;
    },
  },
  {
    name: "scale-service",
    description:
      "the first database-using service may scale to 4 more pods, and its database takes 100 more connections",
    apply: (_stack, base) => {
      const raw = clone(base);
      const svc = list(raw, "services").find((s) => (s.database as Obj).access !== "none");
      if (!svc) throw new Error("the base site has no service with database access");
      const replicas = svc.replicas as Obj;
      replicas.max = (replicas.max as number) + 4;
      const db = list(raw, "databases").find((d) => d.name === (svc.database as Obj).name)!;
      const parameters = (db.parameters ?? {}) as Obj;
      db.parameters = {
        ...parameters,
        max_connections: String(Number(parameters.max_connections ?? 100) + 100),
      };
      return raw;
    },
  },
  {
    name: "add-host",
    description: "one more R620, with the current placement pinned first",
    apply: (stack, base) => {
      const raw = clone(base);
      pinCurrentPlacement(stack, raw);
      const hosts = list(raw, "hosts");
      const last = hosts[hosts.length - 1];
      const mgmtIp = nextFreeIp(raw, String(last.mgmtIp));
      const withMgmt = { ...raw, hosts: [...hosts, { mgmtIp }] };
      hosts.push({
        ...clone(last),
        name: `r620-${hosts.length + 1}`,
        mgmtIp,
        bmcIp: nextFreeIp(withMgmt, String(last.bmcIp)),
      });
      return raw;
    },
  },
];
