// Site configs for guardrail tests, derived from the real avilla stack file.
import * as path from "path";
import { parseSite, readStackFile, SiteConfig } from "../../config/site";
import { Placement, PlannedVm } from "../../components/openstack/placement";
import { ipAdd } from "../../config/ip";

export const PROJECT_DIR = path.join(__dirname, "../..");

export function stackRaw(stack: "avilla" | "albion"): Record<string, unknown> {
  return readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
}

/** A deep copy of a raw config, to mutate freely. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** avilla's raw config with `n` R620s (mgmt 10.1.0.11+i, BMC 10.1.0.20+i). */
export function avillaWithHosts(n: number): Record<string, unknown> {
  const raw = clone(stackRaw("avilla"));
  raw.hosts = Array.from({ length: n }, (_, i) => ({
    name: `r620-${i + 1}`,
    mgmtIp: ipAdd("10.1.0.11", i),
    bmcIp: ipAdd("10.1.0.20", i),
    cores: 20,
    ramGb: 192,
    diskGb: 1800,
  }));
  return raw;
}

/**
 * Round-robin placement (member i on host i mod n), independent of the real planner so these
 * tests pin the analysis, not the planner.
 */
export function roundRobin(site: SiteConfig): Placement {
  const vms: PlannedVm[] = [];
  for (const c of site.clusters) {
    if (c.kind !== "openstack") continue;
    const cps = c.controlPlane.count ?? 2 * site.site.failuresTolerated + 1;
    const groups = [
      { role: "control-plane" as const, count: cps, spec: c.controlPlane, tag: "cp" },
      { role: "worker" as const, count: c.workers.count, spec: c.workers, tag: "worker" },
    ];
    for (const g of groups) {
      for (let i = 0; i < g.count; i++) {
        vms.push({
          name: `${c.name}-${g.tag}-${i + 1}`,
          cluster: c.name,
          role: g.role,
          index: i,
          host: site.hosts[i % site.hosts.length].name,
          ip: ipAdd(g.spec.ipStart, i),
          flavor: g.spec.flavor,
        });
      }
    }
  }
  return { vms, hostLoad: [] };
}

export function parseAvilla(raw: Record<string, unknown>): SiteConfig {
  return parseSite("avilla", raw);
}

/** Feeds a (modified) parsed site back through parseSite, so fixtures stay valid configs. */
export function reparse(site: SiteConfig): SiteConfig {
  const { stack, ...raw } = site;
  return parseSite(stack, clone(raw) as Record<string, unknown>);
}
