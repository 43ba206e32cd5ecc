// The offline plan of each site (program.ts main under mocks): it shows MetalLB, the pools, the
// L2 advertisement, the Gateway with its listeners, the static-IP request, cert-manager and the
// issuer; every ingress object validates; the CA key never appears in plain text.
import { sitePlan } from "../support/plans";
import { PlanResult } from "../../tools/plan/run";
import { crdErrors } from "./crd-schemas";

/* eslint-disable @typescript-eslint/no-explicit-any -- plan outputs are untyped JSON */
type Json = any;

const INGRESS_GROUPS =
  /^(metallb\.io|gateway\.networking\.k8s\.io|gateway\.envoyproxy\.io|cert-manager\.io)\//;
const EXPECTED: Record<string, Record<string, { ip: string; fqdn: string; address: string }>> = {
  avilla: {
    reports: { ip: "10.1.0.8", fqdn: "reports1.busche-cnc.com", address: "reports" },
    optiplex: { ip: "10.1.0.112", fqdn: "reports-alb.busche-cnc.com", address: "reports-alb" },
  },
  albion: {
    reports: { ip: "10.2.0.8", fqdn: "reports2.busche-cnc.com", address: "reports" },
    optiplex: {
      ip: "10.2.0.112",
      fqdn: "reports-albion.busche-cnc.com",
      address: "reports-albion",
    },
  },
};

describe.each(["avilla", "albion"])("plan of %s", (stack) => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await sitePlan(stack);
  }, 60_000);

  const manifest = (cluster: string, kind: string) =>
    plan.manifests.filter((m) => m.cluster === cluster && m.kind === kind);

  it.each(Object.keys(EXPECTED[stack]))("cluster %s gets the whole ingress", (cluster) => {
    const e = EXPECTED[stack][cluster];
    const charts = manifest(cluster, "Chart").map((m) => [m.object.chart, m.object.version]);
    expect(charts).toEqual(
      expect.arrayContaining([
        ["cert-manager", "v1.21.1"],
        ["metallb", "0.16.1"],
        ["oci://docker.io/envoyproxy/gateway-helm", "v1.9.0"],
        ["oci://docker.io/envoyproxy/gateway-crds-helm", "v1.9.0"],
      ]),
    );
    const pool = manifest(cluster, "IPAddressPool");
    expect(pool.map((m) => (m.object as Json).spec.addresses)).toEqual([[`${e.ip}/32`]]);
    expect(
      manifest(cluster, "L2Advertisement").map((m) => (m.object as Json).spec.ipAddressPools),
    ).toEqual([[e.address]]);
    const proxy = manifest(cluster, "EnvoyProxy").map(
      (m) => (m.object as Json).spec.provider.kubernetes.envoyService.annotations,
    );
    expect(proxy).toEqual([
      { "metallb.io/loadBalancerIPs": e.ip, "metallb.io/address-pool": e.address },
    ]);
    const gw = manifest(cluster, "Gateway").map((m) =>
      (m.object as Json).spec.listeners.map((l: Json) => l.name),
    );
    expect(gw).toEqual([["http", `https-${e.fqdn}`]]);
    expect(manifest(cluster, "ClusterIssuer").map((m) => m.name)).toEqual(["plant-site-ca"]);
    expect(manifest(cluster, "GatewayClass").map((m) => m.name)).toEqual(["plant-envoy"]);
    // Webhook ordering: pools (and the advertisement) wait for the MetalLB chart.
    const chart = plan.resources.find((r) => r.name === `${cluster}-metallb-chart`);
    const poolResource = plan.resources.find((r) => r.urn === pool[0].urn);
    expect(poolResource?.dependencies).toContain(chart?.urn);
  });

  it("outputs addresses, host names, base URLs and the (public) CA certificate per cluster", () => {
    const clusters = (plan.outputs as Json).clusters;
    for (const [cluster, e] of Object.entries(EXPECTED[stack])) {
      expect(clusters[cluster].ingress.addresses).toEqual([
        { name: e.address, ip: e.ip, hostnames: [e.fqdn], baseUrls: [`https://${e.fqdn}`] },
      ]);
      expect(clusters[cluster].ingress.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
  });

  it("validates every ingress custom resource against the pinned CRDs", () => {
    const objects = plan.manifests.filter((m) => INGRESS_GROUPS.test(String(m.object.apiVersion)));
    expect(objects.length).toBeGreaterThanOrEqual(2 * 9);
    for (const m of objects) {
      const { apiVersion, kind, metadata, spec } = m.object as Json;
      expect([m.cluster, kind, m.name, crdErrors({ apiVersion, kind, metadata, spec })]).toEqual([
        m.cluster,
        kind,
        m.name,
        [],
      ]);
    }
  });

  it("never shows the site CA key", () => {
    const ingress = plan.resources.filter((r) => r.urn.includes("plant:ingress"));
    expect(JSON.stringify(ingress.map((r) => r.inputs))).not.toMatch(
      /-----BEGIN [A-Z ]*PRIVATE KEY/,
    );
    const caSecrets = plan.manifests.filter(
      (m) => m.kind === "Secret" && m.name === "plant-site-ca",
    );
    expect(caSecrets.map((m) => [m.cluster, m.object.stringData]).sort()).toEqual([
      ["optiplex", "[secret]"],
      ["reports", "[secret]"],
    ]);
  });
});
