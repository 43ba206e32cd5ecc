// A synthetic estate: site configs derived from avilla, each on its own LAN and with its own
// names, sized by host count. Used by the bench to measure how planning grows.
import { ipAdd } from "../../config/ip";

type Raw = Record<string, unknown>;
type Obj = Record<string, unknown>;

/** avilla's raw config rewritten as site `name` on 10.<octet>.0.0/22 with `hosts` R620s and as many workers. */
export function syntheticSite(avilla: Raw, name: string, octet: number, hosts: number): Raw {
  const text = JSON.stringify(avilla)
    .replace(/(?<![\w-])10\.1\.(\d+)\.(\d+)/g, `10.${octet}.$1.$2`)
    .replace(/avilla/g, name)
    .replace(/"reports1/g, `"reports-${name}`)
    .replace(/\/\/reports1\./g, `//reports-${name}.`)
    .replace(/"reports-alb"/g, `"reports-alb-${name}"`);
  const raw = JSON.parse(text) as Raw;
  const site = raw.site as Obj;
  site.displayName = `Synthetic ${name}`;
  raw.hosts = Array.from({ length: hosts }, (_, i) => ({
    name: `r620-${i + 1}`,
    mgmtIp: ipAdd(`10.${octet}.0.11`, i),
    bmcIp: ipAdd(`10.${octet}.0.${11 + hosts}`, i),
    cores: 20,
    ramGb: 192,
    diskGb: 1800,
  }));
  const cluster = (raw.clusters as Obj[]).find((c) => c.kind === "openstack");
  if (cluster) (cluster.workers as Obj).count = hosts;
  return raw;
}

export function syntheticEstate(
  avilla: Raw,
  sites: number,
  hosts: number,
): { stack: string; raw: Raw }[] {
  return Array.from({ length: sites }, (_, i) => {
    const stack = `site-${String(i + 1).padStart(2, "0")}`;
    return { stack, raw: syntheticSite(avilla, stack, 10 + i, hosts) };
  });
}
