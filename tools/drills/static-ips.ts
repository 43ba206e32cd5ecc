// Where the static IPs are announced from: MetalLB's ServiceL2Status names the node, the node's
// label names its physical host. Read before the host goes down and once the site has settled.
import { SiteConfig } from "../../config/site";
import { StaticIpRecord } from "./host-loss-report";
import { DrillKube } from "./kube";

export type Announced = Map<string, { node: string; host: string }>;

export async function announcements(kube: DrillKube): Promise<Announced> {
  const [ann, nodes] = await Promise.all([kube.announcements(), kube.nodes()]);
  const hostOf = new Map(nodes.map((n) => [n.name, n.host]));
  return new Map(
    ann.flatMap((a) => (a.node ? [[a.ip, { node: a.node, host: hostOf.get(a.node) ?? "" }]] : [])),
  );
}

/** Every configured static IP before and after, and whether it is on a node of another host. */
export async function staticIpRecords(
  site: SiteConfig,
  kube: (cluster: string) => DrillKube,
  before: ReadonlyMap<string, Announced>,
  lostHost: string,
): Promise<{ records: StaticIpRecord[]; problems: string[] }> {
  const records: StaticIpRecord[] = [];
  const problems: string[] = [];
  for (const c of site.clusters) {
    if (!c.ingress) continue;
    const after = await announcements(kube(c.name)).catch((): Announced => new Map());
    for (const a of c.ingress.addresses) {
      const was = before.get(c.name)?.get(a.ip);
      const now = after.get(a.ip);
      const onSurvivor = now !== undefined && now.host !== "" && now.host !== lostHost;
      records.push({
        cluster: c.name,
        ip: a.ip,
        ...(was ? { before: was } : {}),
        ...(now ? { after: now } : {}),
        onSurvivor,
      });
      if (!onSurvivor)
        problems.push(
          `static IP ${a.ip} (${c.name}) is ${now ? `announced from ${now.node} on ${now.host || "an unlabelled host"}` : "announced from no node"} with ${lostHost} down`,
        );
    }
  }
  return { records, problems };
}
