// declareClusterAddons under the mock runtime: what each cluster gets, the ordering that keeps
// the first `pulumi up` from failing, and secrets staying secret.
import { SiteConfigError } from "../../config/site";
import { gatewayFor } from "../../components/ingress";
import { PHYSICAL_HOST_LABEL } from "../../components/types";
import { mockState } from "../../tools/plan/mock-state/base";
import { crdErrors } from "./crd-schemas";
import { byType, customs, declare, Declared, lastRecorded, one, resolve, site } from "./harness";

const CHART = "kubernetes:helm.sh/v4:Chart";
/** The mocked root certificate of avilla (see tools/plan/mock-state/base.ts). */
const ROOT_PEM = mockState["tls:index/selfSignedCert:SelfSignedCert"]("avilla-site-ca-cert", {})
  .certPem as string;
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are untyped JSON */
type Json = any;

function chartNamed(d: Declared, name: string): Json {
  return one(
    byType(d.resources, CHART).filter((r) => r.name === name),
    name,
  );
}

describe("avilla: reports (ingress + database) and optiplex (ingress)", () => {
  let d: Declared;
  beforeAll(async () => {
    d = await declare(site("avilla"));
  });

  it("installs pinned cert-manager with its CRDs on both clusters", () => {
    for (const cluster of ["reports", "optiplex"]) {
      const chart = chartNamed(d, `${cluster}-cert-manager-chart`);
      expect(chart.inputs).toMatchObject({
        chart: "cert-manager",
        version: "v1.21.1",
        repositoryOpts: { repo: "https://charts.jetstack.io" },
        namespace: "cert-manager",
        values: { crds: { enabled: true } },
      });
      expect(chart.provider).toMatch(new RegExp(`::k8s-${cluster}$`));
      // The chart and the Job proving its webhook serves (dry-run of an Issuer).
      const ready = d.addons.get(cluster)!.certManagerReady;
      expect(ready).toHaveLength(2);
      const gate = one(
        d.resources.filter((r) => r.name === `${cluster}-cert-manager-webhook-job`),
        "gate job",
      );
      expect(gate.type).toBe("kubernetes:batch/v1:Job");
      expect(gate.dependencies).toContain(chart.urn);
      expect(gate.inputs.metadata.annotations["plant.busche-cnc.com/gates-webhooks"]).toBe(
        "ValidatingWebhookConfiguration/cert-manager-webhook",
      );
    }
  });

  it("creates MetalLB pools and the advertisement only once the webhook gate has passed", () => {
    for (const cluster of ["reports", "optiplex"]) {
      const gate = one(
        d.resources.filter((r) => r.name === `${cluster}-metallb-webhook-job`),
        "metallb gate",
      );
      expect(gate.inputs.metadata.annotations["plant.busche-cnc.com/gates-webhooks"]).toBe(
        "ValidatingWebhookConfiguration/metallb-webhook-configuration",
      );
      expect(gate.dependencies).toContain(chartNamed(d, `${cluster}-metallb-chart`).urn);
      const guarded = [
        ...customs(d.resources, "IPAddressPool", cluster),
        ...customs(d.resources, "L2Advertisement", cluster),
      ];
      expect(guarded.length).toBeGreaterThanOrEqual(2);
      for (const r of guarded) expect(r.dependencies).toContain(gate.urn);
    }
  });

  it("issues Envoy Gateway's control-plane Secrets with cert-manager before the controller starts", () => {
    for (const cluster of ["reports", "optiplex"]) {
      const controller = chartNamed(d, `${cluster}-envoy-gateway-chart`);
      const certs = customs(d.resources, "Certificate", cluster).filter(
        (c) => c.inputs.metadata.namespace === "envoy-gateway-system",
      );
      expect(certs.map((c) => c.inputs.spec.secretName).sort()).toEqual([
        "envoy",
        "envoy-gateway",
        "envoy-gateway-ca",
        "envoy-rate-limit",
      ]);
      const gate = d.resources.find((r) => r.name === `${cluster}-cert-manager-webhook-job`)!;
      for (const c of certs) {
        expect(c.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
        expect(c.dependencies).toContain(gate.urn);
      }
      const hmac = one(
        customs(d.resources, "Secret", cluster).filter(
          (s) => s.inputs.metadata.name === "envoy-oidc-hmac",
        ),
        "hmac secret",
      );
      expect(hmac.inputs.data).toBe("[secret]");
      const leaves = certs.filter((c) => c.inputs.spec.secretName !== "envoy-gateway-ca");
      for (const needed of [...leaves, hmac]) expect(controller.dependencies).toContain(needed.urn);
      expect(controller.inputs.values.topologyInjector).toEqual({ enabled: false });
    }
  });

  it("installs MetalLB 0.16.1 in L2 mode with a privileged namespace", () => {
    const chart = chartNamed(d, "reports-metallb-chart");
    expect(chart.inputs).toMatchObject({
      chart: "metallb",
      version: "0.16.1",
      repositoryOpts: { repo: "https://metallb.github.io/metallb" },
      namespace: "metallb-system",
      values: { frrk8s: { enabled: false }, speaker: { frr: { enabled: false } } },
    });
    const ns = one(
      customs(d.resources, "Namespace", "reports").filter(
        (r) => r.inputs.metadata.name === "metallb-system",
      ),
      "ns",
    );
    expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
  });

  it("declares one /32 pool per address (autoAssign off) and an L2Advertisement, after the MetalLB chart", () => {
    const chart = chartNamed(d, "reports-metallb-chart");
    const pool = one(customs(d.resources, "IPAddressPool", "reports"), "pool");
    expect(pool.inputs.spec).toEqual({
      addresses: ["10.1.0.8/32"],
      autoAssign: false,
      serviceAllocation: { namespaces: ["envoy-gateway-system"] },
    });
    const l2 = one(customs(d.resources, "L2Advertisement", "reports"), "l2");
    expect(l2.inputs.spec).toEqual({ ipAddressPools: ["reports"] });
    // The webhook ordering: without it the first `pulumi up` fails.
    expect(pool.dependencies).toContain(chart.urn);
    expect(l2.dependencies).toContain(chart.urn);
    expect(l2.dependencies).toContain(pool.urn);
    const optiPool = one(customs(d.resources, "IPAddressPool", "optiplex"), "pool");
    expect(optiPool.inputs.spec.addresses).toEqual(["10.1.0.112/32"]);
    expect(optiPool.dependencies).toContain(chartNamed(d, "optiplex-metallb-chart").urn);
  });

  it("manages the standard-channel Gateway API v1.6.1 CRDs and keeps the Envoy Gateway chart from installing its own", () => {
    const crds = one(
      byType(d.resources, CONFIG_FILE).filter(
        (r) => r.name === "reports-envoy-gateway-gateway-api-crds",
      ),
      "crds",
    );
    expect(crds.inputs.file).toBe(
      "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
    );
    const egCrds = chartNamed(d, "reports-envoy-gateway-crds");
    expect(egCrds.inputs).toMatchObject({
      chart: "oci://docker.io/envoyproxy/gateway-crds-helm",
      version: "v1.9.0",
      values: { crds: { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } } },
    });
    const eg = chartNamed(d, "reports-envoy-gateway-chart");
    expect(eg.inputs).toMatchObject({
      chart: "oci://docker.io/envoyproxy/gateway-helm",
      version: "v1.9.0",
      skipCrds: true,
      values: { crds: { enabled: false } },
    });
    expect(eg.dependencies).toEqual(expect.arrayContaining([crds.urn, egCrds.urn]));
  });

  it("requests the static IP with the MetalLB annotation from the EnvoyProxy, ≥2 replicas spread over physical hosts, with a PDB", () => {
    const proxy = one(customs(d.resources, "EnvoyProxy", "reports"), "EnvoyProxy");
    const k = proxy.inputs.spec.provider.kubernetes;
    expect(k.envoyService.annotations).toEqual({
      "metallb.io/loadBalancerIPs": "10.1.0.8",
      "metallb.io/address-pool": "reports",
    });
    expect(k.envoyService).not.toHaveProperty("loadBalancerIP");
    expect(k.envoyService.type).toBe("LoadBalancer");
    expect(k.envoyService.externalTrafficPolicy).toBe("Local");
    expect(k.envoyDeployment.replicas).toBe(2);
    expect(k.envoyDeployment.pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: PHYSICAL_HOST_LABEL,
      whenUnsatisfiable: "DoNotSchedule",
      nodeTaintsPolicy: "Honor",
    });
    expect(
      k.envoyDeployment.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    ).toMatchObject([{ topologyKey: PHYSICAL_HOST_LABEL }]);
    expect(k.envoyPDB).toEqual({ maxUnavailable: 1 });
    expect(k.envoyDeployment.container.image).toMatch(
      /^docker\.io\/envoyproxy\/envoy:distroless-v\d+\.\d+\.\d+$/,
    );
    // The Service only gets its address once the pool exists.
    const pool = one(customs(d.resources, "IPAddressPool", "reports"), "pool");
    expect(proxy.dependencies).toContain(pool.urn);
  });

  it("declares a Gateway with an HTTP→HTTPS redirect and an HTTPS listener per host name, certificates from the site CA", () => {
    const gw = one(customs(d.resources, "Gateway", "reports"), "Gateway");
    expect(gw.inputs.metadata).toEqual({
      name: "reports",
      namespace: "plant-gateways",
      // `pulumi up` waits until the proxies serve and MetalLB gave the Gateway its static IP.
      annotations: {
        "pulumi.com/waitFor": JSON.stringify([
          "condition=Programmed",
          "jsonpath={.status.addresses[0].value}=10.1.0.8",
        ]),
        "pulumi.com/timeoutSeconds": "900",
      },
    });
    const listeners = gw.inputs.spec.listeners;
    expect(listeners.map((l: Json) => [l.name, l.protocol, l.port, l.hostname])).toEqual([
      ["http", "HTTP", 80, undefined],
      ["https-reports1.busche-cnc.com", "HTTPS", 443, "reports1.busche-cnc.com"],
    ]);
    expect(listeners[1].tls.certificateRefs).toEqual([
      { group: "", kind: "Secret", name: "reports1.busche-cnc.com-tls" },
    ]);
    expect(gw.inputs.spec.infrastructure.parametersRef).toEqual({
      group: "gateway.envoyproxy.io",
      kind: "EnvoyProxy",
      name: "reports-proxy",
    });
    const redirect = one(customs(d.resources, "HTTPRoute", "reports"), "redirect");
    expect(redirect.inputs.spec).toEqual({
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "reports",
          sectionName: "http",
        },
      ],
      rules: [
        {
          filters: [
            { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
          ],
        },
      ],
    });
    const cert = one(
      customs(d.resources, "Certificate", "reports").filter(
        (c) => c.inputs.metadata.namespace === "plant-gateways",
      ),
      "Certificate",
    );
    expect(cert.inputs.metadata.annotations).toEqual({
      "pulumi.com/waitFor": "condition=Ready",
      "pulumi.com/timeoutSeconds": "600",
    });
    expect(cert.inputs.spec).toMatchObject({
      secretName: "reports1.busche-cnc.com-tls",
      dnsNames: ["reports1.busche-cnc.com"],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "plant-site-ca" },
    });
    const issuer = one(customs(d.resources, "ClusterIssuer", "reports"), "ClusterIssuer");
    expect(issuer.inputs.spec).toEqual({ ca: { secretName: "plant-site-ca" } });
    expect(issuer.dependencies).toContain(chartNamed(d, "reports-cert-manager-chart").urn);
    // Created only once cert-manager's webhook is proven serving, and awaited until Ready.
    const gate = d.resources.find((r) => r.name === "reports-cert-manager-webhook-job")!;
    expect(issuer.dependencies).toContain(gate.urn);
    expect(issuer.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
    expect(cert.dependencies).toContain(issuer.urn);
    // The site CA certificates issue at once: the Gateway starts with its Secrets present.
    expect(gw.dependencies).toContain(cert.urn);
  });

  it("generates one protected site root CA whose certificate (not key) is the stack output", async () => {
    const root = byType(d.resources, "tls:index/privateKey:PrivateKey").filter((k) =>
      k.name.startsWith("avilla-site-ca"),
    );
    expect(root.map((k) => [k.name, k.protect])).toEqual([["avilla-site-ca-key", true]]);
    const certs = byType(d.resources, "tls:index/selfSignedCert:SelfSignedCert");
    expect(certs.map((c) => [c.name, c.inputs.isCaCertificate, c.protect])).toEqual([
      ["avilla-site-ca-cert", true, true],
    ]);
    const ca = await resolve(d.addons.get("reports")!.ingress!.caCertificate);
    expect(ca.value).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(ca.value).toBe(ROOT_PEM);
    expect(ca.secret).toBe(false);
  });

  it("gives each ingress cluster its own intermediate CA, signed by the root, limited to signing", () => {
    const rootKey = one(
      byType(d.resources, "tls:index/privateKey:PrivateKey").filter(
        (k) => k.name === "avilla-site-ca-key",
      ),
      "root key",
    );
    const rootCert = one(
      byType(d.resources, "tls:index/selfSignedCert:SelfSignedCert"),
      "root certificate",
    );
    const signed = byType(d.resources, "tls:index/locallySignedCert:LocallySignedCert");
    expect(signed.map((c) => c.name).sort()).toEqual([
      "optiplex-intermediate-ca-cert",
      "reports-intermediate-ca-cert",
    ]);
    for (const cluster of ["reports", "optiplex"]) {
      const prefix = `${cluster}-intermediate-ca`;
      const key = one(
        byType(d.resources, "tls:index/privateKey:PrivateKey").filter(
          (k) => k.name === `${prefix}-key`,
        ),
        "intermediate key",
      );
      const csr = one(
        byType(d.resources, "tls:index/certRequest:CertRequest").filter(
          (r) => r.name === `${prefix}-csr`,
        ),
        "csr",
      );
      const cert = one(
        signed.filter((c) => c.name === `${prefix}-cert`),
        "intermediate",
      );
      expect(key.inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P384" });
      expect(csr.dependencies).toEqual([key.urn]);
      expect(csr.inputs.subject.commonName).toBe(`Avilla ${cluster} issuing CA`);
      // Signed by the root: the root certificate and (secret) key are its CA inputs.
      expect(cert.inputs).toMatchObject({
        isCaCertificate: true,
        allowedUses: ["cert_signing", "crl_signing"],
        validityPeriodHours: 17520,
        earlyRenewalHours: 2160,
        caCertPem: ROOT_PEM,
        caPrivateKeyPem: "[secret]",
      });
      expect(cert.dependencies.sort()).toEqual([csr.urn, rootCert.urn, rootKey.urn].sort());
      expect(cert.parent).toBe(key.parent);
    }
  });

  it("puts only the cluster's intermediate key pair and chain in its CA Secret, never the root key", () => {
    const rootKey = one(
      byType(d.resources, "tls:index/privateKey:PrivateKey").filter(
        (k) => k.name === "avilla-site-ca-key",
      ),
      "root key",
    );
    const secrets = customs(d.resources, "Secret").filter(
      (s) => s.inputs.metadata.name !== "envoy-oidc-hmac",
    );
    expect(
      secrets
        .map((s) => [s.provider?.split("::").pop(), s.inputs.metadata, s.inputs.stringData])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ["k8s-optiplex", { name: "plant-site-ca", namespace: "cert-manager" }, "[secret]"],
      ["k8s-reports", { name: "plant-site-ca", namespace: "cert-manager" }, "[secret]"],
    ]);
    for (const cluster of ["reports", "optiplex"]) {
      const secret = one(
        customs(d.resources, "Secret", cluster).filter(
          (s) => s.inputs.metadata.name === "plant-site-ca",
        ),
        "CA Secret",
      );
      const own = (suffix: string) =>
        one(
          d.resources.filter((r) => r.name === `${cluster}-intermediate-ca-${suffix}`),
          suffix,
        ).urn;
      expect(secret.dependencies).toEqual(expect.arrayContaining([own("key"), own("cert")]));
      expect(secret.dependencies).not.toContain(rootKey.urn);
      const other = cluster === "reports" ? "optiplex" : "reports";
      expect(secret.dependencies.filter((u) => u.includes(`${other}-intermediate-ca`))).toEqual([]);
    }
  });

  it("returns the addresses, host names and base URLs, and the GatewayRef routes attach to", () => {
    const ingress = d.addons.get("reports")!.ingress!;
    expect(ingress.addresses).toEqual([
      {
        name: "reports",
        ip: "10.1.0.8",
        hostnames: ["reports1.busche-cnc.com"],
        baseUrls: ["https://reports1.busche-cnc.com"],
      },
    ]);
    expect(ingress.gateway).toMatchObject({
      cluster: "reports",
      namespace: "plant-gateways",
      name: "reports",
      httpsListeners: { "reports1.busche-cnc.com": "https-reports1.busche-cnc.com" },
      dataPlaneNamespaceLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" },
    });
    expect(ingress.gateway.ready.length).toBeGreaterThan(0);
    expect(d.addons.get("optiplex")!.ingress!.addresses[0].baseUrls).toEqual([
      "https://reports-alb.busche-cnc.com",
    ]);
  });

  it("uses the cluster's provider for every Kubernetes object and chart, parents every child, names it after its component", () => {
    const ours = d.resources.filter(
      (r) => r.type !== "pulumi:providers:kubernetes" && !r.name.endsWith("-nodes-ready"),
    );
    const byUrn = new Map(d.resources.map((r) => [r.urn, r]));
    let kubernetesObjects = 0;
    for (const r of ours) {
      if (r.type.startsWith("kubernetes:")) {
        kubernetesObjects++;
        const cluster = r.name.startsWith("optiplex-") ? "optiplex" : "reports";
        expect([r.name, r.provider?.split("::").pop()]).toEqual([r.name, `k8s-${cluster}`]);
      }
      if (r.type.startsWith("plant:")) {
        expect(r.type.split(":")).toHaveLength(3);
        continue;
      }
      const parent = r.parent ? byUrn.get(r.parent) : undefined;
      const parentType = parent?.type ?? "";
      const ingressOrGate =
        parentType.startsWith("plant:ingress:") ||
        parentType === "plant:kubernetes:WebhookGate" ||
        parentType === "plant:kubernetes:NamespacePolicies";
      expect([r.name, ingressOrGate]).toEqual([r.name, true]);
      expect(r.name.startsWith(`${parent?.name}-`)).toBe(true);
    }
    expect(kubernetesObjects).toBeGreaterThanOrEqual(2 * 16);
  });

  it("declares only objects that validate against the pinned CRDs", () => {
    const groups =
      /^(metallb\.io|gateway\.networking\.k8s\.io|gateway\.envoyproxy\.io|cert-manager\.io)\//;
    const objects = d.resources.filter(
      (r) => r.type.startsWith("kubernetes:") && groups.test(String(r.inputs.apiVersion)),
    );
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const r of objects) {
      const { apiVersion, kind, metadata, spec } = r.inputs;
      expect([kind, metadata.name, crdErrors({ apiVersion, kind, metadata, spec })]).toEqual([
        kind,
        metadata.name,
        [],
      ]);
    }
  });
});

describe("cluster needs", () => {
  it("gives a database-only cluster cert-manager and nothing else, and a bare cluster nothing", async () => {
    const s = site("avilla", (raw) => {
      delete raw.clusters[0].ingress;
      raw.services = [];
      delete raw.clusters[1].ingress;
    });
    const d = await declare(s);
    expect(d.addons.get("reports")?.ingress).toBeUndefined();
    expect(d.addons.get("reports")?.certManagerReady.length).toBe(2);
    expect(d.addons.get("optiplex")).toEqual({ certManagerReady: [] });
    const types = new Set(
      d.resources.filter((r) => r.type.startsWith("plant:")).map((r) => r.type),
    );
    expect([...types]).toEqual([
      "plant:ingress:ClusterIngress",
      "plant:ingress:CertManager",
      "plant:kubernetes:NamespacePolicies",
      "plant:kubernetes:WebhookGate",
    ]);
    expect(byType(d.resources, "tls:index/privateKey:PrivateKey")).toEqual([]);
  });
});

describe("ACME", () => {
  it("uses an ACME ClusterIssuer with an HTTP-01 solver on the Gateway and no site CA", async () => {
    const s = site("avilla", (raw) => {
      raw.clusters[0].ingress.tls = {
        issuer: "acme",
        server: "https://acme.example.com/directory",
        email: "ops@busche-cnc.com",
      };
      delete raw.clusters[1].ingress;
    });
    const d = await declare(s);
    const issuer = one(customs(d.resources, "ClusterIssuer", "reports"), "issuer");
    expect(issuer.inputs.metadata.name).toBe("plant-acme");
    expect(issuer.inputs.spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "reports",
        namespace: "plant-gateways",
        sectionName: "http",
      },
    ]);
    expect(crdErrors(issuer.inputs)).toEqual([]);
    const cert = one(
      customs(d.resources, "Certificate", "reports").filter(
        (c) => c.inputs.metadata.namespace === "plant-gateways",
      ),
      "cert",
    );
    expect(cert.inputs.spec.issuerRef.name).toBe("plant-acme");
    expect(cert.inputs.spec).not.toHaveProperty("duration");
    // HTTP-01 is answered through the Gateway: the certificate waits for it, never the reverse
    // (a Gateway waiting on a Ready ACME certificate would wait forever).
    const gw = one(customs(d.resources, "Gateway", "reports"), "gateway");
    expect(cert.dependencies).toContain(gw.urn);
    expect(gw.dependencies).not.toContain(cert.urn);
    const cm = chartNamed(d, "reports-cert-manager-chart");
    expect(cm.inputs.values.config).toEqual({
      apiVersion: "controller.config.cert-manager.io/v1alpha1",
      kind: "ControllerConfiguration",
      enableGatewayAPI: true,
    });
    const crds = one(byType(d.resources, CONFIG_FILE), "gateway api crds");
    expect(cm.dependencies).toContain(crds.urn);
    expect(byType(d.resources, "tls:index/privateKey:PrivateKey")).toEqual([]);
    // Only Envoy Gateway's OIDC HMAC key: no CA Secret with ACME.
    expect(customs(d.resources, "Secret").map((x) => x.inputs.metadata.name)).toEqual([
      "envoy-oidc-hmac",
    ]);
    expect((await resolve(d.addons.get("reports")!.ingress!.caCertificate)).value).toBe("");
  });
});

describe("adding an address or a host name", () => {
  it("adds a Gateway, pool and certificates without renaming what exists", async () => {
    const before = await declare(site("avilla"));
    const after = await declare(
      site("avilla", (raw) => {
        raw.clusters[0].ingress.addresses[0].hostnames.push("reports1-api");
        raw.clusters[0].ingress.addresses.push({
          name: "shopfloor",
          ip: "10.1.0.9",
          hostnames: ["shopfloor", "andon"],
        });
      }),
    );
    const urns = (d: Declared) => new Set(d.resources.map((r) => r.urn));
    const missing = [...urns(before)].filter((u) => !urns(after).has(u));
    expect(missing).toEqual([]);
    const addons = after.addons.get("reports")!;
    expect(addons.ingress!.gateways!.map((g) => g.name)).toEqual(["reports", "shopfloor"]);
    expect(gatewayFor(addons, "andon.busche-cnc.com")?.name).toBe("shopfloor");
    expect(gatewayFor(addons, "reports1-api.busche-cnc.com")?.httpsListeners).toEqual({
      "reports1.busche-cnc.com": "https-reports1.busche-cnc.com",
      "reports1-api.busche-cnc.com": "https-reports1-api.busche-cnc.com",
    });
    const pools = customs(after.resources, "IPAddressPool", "reports").map(
      (p) => p.inputs.spec.addresses[0],
    );
    expect(pools.sort()).toEqual(["10.1.0.8/32", "10.1.0.9/32"]);
    const l2 = one(customs(after.resources, "L2Advertisement", "reports"), "l2");
    expect(l2.inputs.spec.ipAddressPools).toEqual(["reports", "shopfloor"]);
    const shopfloor = one(
      customs(after.resources, "EnvoyProxy", "reports").filter(
        (p) => p.inputs.metadata.name === "shopfloor-proxy",
      ),
      "proxy",
    );
    expect(
      shopfloor.inputs.spec.provider.kubernetes.envoyService.annotations[
        "metallb.io/loadBalancerIPs"
      ],
    ).toBe("10.1.0.9");
  });
});

describe("validation", () => {
  it("refuses bad ingress config before declaring any resource", async () => {
    const s = site("avilla", (raw) => {
      raw.clusters[0].ingress.addresses[0].hostnames = ["Reports1"];
      for (const svc of raw.services) svc.routes[0].hostname = "Reports1";
    });
    const error = await declare(s).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SiteConfigError);
    expect((error as Error).message).toContain(
      "[plant:clusters[0].ingress.addresses[0].hostnames[0]] Reports1.busche-cnc.com has the label 'Reports1'",
    );
    expect(
      lastRecorded().filter(
        (r) => r.type.startsWith("plant:ingress:") || r.type.startsWith("tls:"),
      ),
    ).toEqual([]);
  });
});
