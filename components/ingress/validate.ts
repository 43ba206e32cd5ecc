// Ingress rules the spine's config/rules.ts does not already check (it checks: inside the LAN,
// outside the VM and DHCP ranges, not a host/BMC/node/gateway/API address, unique in the site and
// across sites sharing a network, each host name → one IP). Pure: site in, problems out.
import { controlPlaneCount, fqdn } from "../../config/addresses";
import { moreWorkloadHosts } from "../../config/bound-rules";
import { cidrAsRange } from "../../config/ip";
import type { ConfigProblem } from "../../config/rules";
import { ParsedSite } from "../../config/schema";

/** A Gateway holds at most 64 listeners (Gateway API v1.6.1); one is the HTTP redirect listener. */
export const MAX_HOSTNAMES_PER_ADDRESS = 63;

/** Object names are at most 253 characters; the HTTPS listener is named `https-<fqdn>`. */
export const MAX_FQDN_LENGTH = 253 - "https-".length;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why `name` cannot be a Gateway listener host name and certificate DNS name, or undefined. */
export function hostnameProblem(name: string): string | undefined {
  if (name.startsWith("*."))
    return "is a wildcard; list each host name (each gets its own listener and certificate)";
  if (name.length > MAX_FQDN_LENGTH) {
    return `is longer than ${MAX_FQDN_LENGTH} characters (its listener name 'https-<name>' must fit in 253)`;
  }
  const bad = name.split(".").find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) {
    return `has the label '${bad}', which is not a lowercase DNS label (a-z, 0-9, '-', at most 63, no leading or trailing '-')`;
  }
  return undefined;
}

export function ingressProblems(site: ParsedSite): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const lan = cidrAsRange(site.network.lanCidr);
  const f = site.site.failuresTolerated;
  site.clusters.forEach((cluster, ci) => {
    const ingress = cluster.ingress;
    if (!ingress) return;
    const base = `plant:clusters[${ci}].ingress`;
    if (ingress.gatewayReplicas < f + 1) {
      problems.push({
        key: `${base}.gatewayReplicas`,
        message: `is ${ingress.gatewayReplicas}; surviving ${f} host failure(s) (plant:site.failuresTolerated) needs at least ${f + 1}`,
      });
    }
    let hostCount: number;
    if (cluster.kind === "existing") {
      const hosts = [
        ...new Set(
          cluster.nodes.filter((n) => n.role !== "control-plane").map((n) => n.physicalHost),
        ),
      ];
      hostCount = hosts.length;
      if (hosts.length < 2) {
        problems.push({
          key: base,
          message: `cluster ${cluster.name} runs workloads on ${hosts.length} physical host(s) (${hosts.join(", ") || "none"}); the gateway needs at least 2 to survive a host failure: ${moreWorkloadHosts(site, ci, 2)}`,
        });
      }
    } else {
      // VMs of one role are spread over the site's hosts, one host each until every host has
      // one; without workers the (untainted) control-plane VMs run the workloads.
      const vms = cluster.workers.count > 0 ? cluster.workers.count : controlPlaneCount(cluster, f);
      hostCount = Math.min(vms, site.hosts.length);
    }
    // Envoy pods require distinct physical hosts: every replica must still find one with f down.
    // (An existing cluster below 2 hosts was refused above, with its own message.)
    const refusedAbove = cluster.kind === "existing" && hostCount < 2;
    if (!refusedAbove && ingress.gatewayReplicas > hostCount - f) {
      const needed = ingress.gatewayReplicas + f;
      const fits = hostCount - f;
      const lower = fits >= Math.max(2, f + 1) ? `, or lower gatewayReplicas to ${fits}` : "";
      problems.push({
        key: `${base}.gatewayReplicas`,
        message: `is ${ingress.gatewayReplicas}; each Envoy replica needs its own physical host and cluster ${cluster.name} runs workloads on ${hostCount}, so with ${f} down (plant:site.failuresTolerated) at most ${Math.max(hostCount - f, 0)} can run (gatewayReplicas ≤ hosts running workloads − f): ${moreWorkloadHosts(site, ci, needed)}${lower}`,
      });
    }
    ingress.addresses.forEach((a, ai) => {
      const key = `${base}.addresses[${ai}]`;
      if (a.ip === lan.start || a.ip === lan.end) {
        const which = a.ip === lan.start ? "network" : "broadcast";
        problems.push({
          key: `${key}.ip`,
          message: `${a.ip} is the ${which} address of the plant LAN ${site.network.lanCidr}`,
        });
      }
      if (a.hostnames.length > MAX_HOSTNAMES_PER_ADDRESS) {
        problems.push({
          key: `${key}.hostnames`,
          message: `lists ${a.hostnames.length} host names; one Gateway takes at most ${MAX_HOSTNAMES_PER_ADDRESS} (64 listeners, one for HTTP)`,
        });
      }
      a.hostnames.forEach((h, hi) => {
        const name = fqdn(h, site.site.domain);
        const problem = hostnameProblem(name);
        if (problem)
          problems.push({ key: `${key}.hostnames[${hi}]`, message: `${name} ${problem}` });
      });
    });
  });
  return problems;
}
