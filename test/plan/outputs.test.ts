// The stack outputs contract (outputs.ts, README "Outputs reference"): keys other teams read,
// and secrets that must stay secret.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, loadSiteConfig, readStackFile } from "../../config";
import { PlanMocks } from "../../tools/plan/mocks";
import { PlanResult, PROJECT_DIR } from "../../tools/plan/run";
import { sitePlan } from "../support/plans";

const plans = new Map<string, PlanResult>();
beforeAll(async () => {
  for (const stack of ["avilla", "albion"]) plans.set(stack, await sitePlan(stack));
});

/* eslint-disable @typescript-eslint/no-explicit-any -- outputs.json is untyped JSON */
describe.each(["avilla", "albion"])("outputs of stack %s", (stack) => {
  const outputs = (): any => plans.get(stack)!.outputs;

  test("carry the contract version and the documented top-level keys", () => {
    expect(outputs().version).toBe(1);
    expect(Object.keys(outputs()).sort()).toEqual(
      [
        "clusters",
        "databases",
        "graphqlEndpoint",
        "observability",
        "openstack",
        "services",
        "site",
        "version",
      ].sort(),
    );
    expect(outputs().site).toEqual(
      expect.objectContaining({
        name: stack,
        domain: "busche-cnc.com",
        failuresTolerated: 1,
        timeZone: "America/Indiana/Indianapolis",
      }),
    );
  });

  test("every cluster exposes endpoint, nodes and a masked kubeconfig", () => {
    const clusters = outputs().clusters;
    expect(Object.keys(clusters).sort()).toEqual(["optiplex", "reports"]);
    for (const c of Object.values<any>(clusters)) {
      expect(c.kubeconfig).toBe("[secret]");
      expect(c.apiEndpoint).toMatch(/^https:\/\/10\.\d+\.\d+\.\d+:6443$/);
      expect(c.nodes.length).toBeGreaterThanOrEqual(3);
      for (const n of c.nodes)
        expect(Object.keys(n).sort()).toEqual(["ip", "name", "physicalHost"]);
    }
  });

  test("ingress addresses give IPs, FQDNs and base URLs, and the CA is readable", () => {
    const reports = outputs().clusters.reports.ingress;
    const n = stack === "avilla" ? 1 : 2;
    const ip = stack === "avilla" ? "10.1.0.8" : "10.2.0.8";
    expect(reports.addresses).toEqual([
      {
        name: "reports",
        ip,
        hostnames: [`reports${n}.busche-cnc.com`],
        baseUrls: [`https://reports${n}.busche-cnc.com`],
      },
    ]);
    expect(reports.caCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  test("databases and services publish endpoints but never passwords", () => {
    const db = outputs().databases.reporting;
    expect(db).toEqual(
      expect.objectContaining({ cluster: "reports", database: "reporting", port: 5432 }),
    );
    expect(Object.keys(outputs().services).sort()).toEqual([
      "gauge-report",
      "report-api",
      "report-web",
    ]);
    expect(outputs().graphqlEndpoint).toMatch(/^https:\/\/reports\d\.busche-cnc\.com\/graphql$/);
    // The only passwords in the outputs are monitoring's generated ones, and those stay secret.
    const { observability, ...rest } = outputs();
    expect(JSON.stringify(rest)).not.toMatch(/password/i);
    const passwords = Object.keys(observability).filter((k) => /password/i.test(k));
    expect(passwords.sort()).toEqual(["accessPassword", "grafanaAdminPassword"]);
    for (const k of passwords) expect(observability[k]).toBe("[secret]");
  });

  test("observability: the hub's Grafana and Alertmanager, each cluster's Prometheus", () => {
    const n = stack === "avilla" ? 1 : 2;
    const hub = `https://reports${n}.busche-cnc.com/monitoring`;
    const optiplex = stack === "avilla" ? "reports-alb" : "reports-albion";
    expect(outputs().observability).toEqual({
      hub: "reports",
      grafanaUrl: `${hub}/grafana/`,
      alertmanagerUrl: `${hub}/alertmanager/`,
      clusters: {
        reports: { prometheusUrl: `${hub}/prometheus/`, alertmanagerUrl: `${hub}/alertmanager/` },
        optiplex: {
          prometheusUrl: `https://${optiplex}.busche-cnc.com/monitoring/prometheus/`,
          alertmanagerUrl: `https://${optiplex}.busche-cnc.com/monitoring/alertmanager/`,
        },
      },
      accessUser: "monitoring",
      accessPassword: "[secret]",
      grafanaAdminPassword: "[secret]",
    });
  });

  test("the object store credentials do not leave as outputs", () => {
    expect(Object.keys(outputs().openstack.objectStore).sort()).toEqual(["bucket", "endpoint"]);
  });
});

describe("secrets on a real run", () => {
  test("a missing kubeconfig secret stops `pulumi up` before anything is declared, naming the key", async () => {
    await pulumi.runtime.setMocks(new PlanMocks(), "plant", "avilla", false);
    const raw = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"));
    pulumi.runtime.setAllConfig(
      Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, JSON.stringify(v)]),
      ),
      [],
    );
    expect(() => loadSiteConfig({ projectDir: PROJECT_DIR })).toThrow(
      "[plant:kubeconfig-optiplex] is not set: run `pulumi config set --secret plant:kubeconfig-optiplex ...` -s avilla",
    );
  });

  test("the offline plan uses a placeholder, still secret", () => {
    const loaded = loadSiteConfig({ projectDir: PROJECT_DIR, offline: true });
    // Monitoring's secret keys (Pulumi.avilla.yaml's plant:observability) are placeholders too.
    expect(loaded.secrets.placeholders).toEqual([
      "kubeconfig-optiplex",
      "bmc-username",
      "bmc-password",
      "smtp-password",
      "alert-webhook-url",
    ]);
  });
});
