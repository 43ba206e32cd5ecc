// The pure builders: every object against the pinned CRDs (plus the CEL rules ajv cannot run,
// checked by hand), chart values against the charts' values.yaml / values.schema.json, and
// name stability of the ingress plan.
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import {
  acmeIssuer,
  certManagerValues,
  hostCertificate,
  siteCaIssuer,
} from "../../components/ingress/cert-manager-spec";
import {
  envoyGatewayValues,
  envoyProxy,
  gateway,
  gatewayClass,
  httpsRedirectRoute,
} from "../../components/ingress/gateway-spec";
import { addressPool, l2Advertisement, metallbValues } from "../../components/ingress/metallb-spec";
import { AddressPlan, addressOutputs, hostPlan, ingressPlan } from "../../components/ingress/model";
import { IngressConfig, ingressSchema } from "../../config/schema";
import { PHYSICAL_HOST_LABEL } from "../../components/types";
import { crdErrors, SHARED } from "./crd-schemas";

/* eslint-disable @typescript-eslint/no-explicit-any -- chart values and objects are untyped JSON */
type Json = any;

function readYaml(rel: string): Json {
  return parseYaml(fs.readFileSync(path.join(SHARED, rel), "utf8"));
}

/** Helm's value merge: maps merge, everything else (lists included) replaces, null deletes. */
function helmMerge(base: Json, over: Json): Json {
  if (over === null) return undefined;
  if (
    typeof base !== "object" ||
    base === null ||
    Array.isArray(base) ||
    typeof over !== "object" ||
    Array.isArray(over)
  ) {
    return over;
  }
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const merged = helmMerge(base[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

/** Paths (a.b.c) of every leaf set in `values` that the chart's values.yaml does not have. */
function unknownPaths(
  values: Json,
  defaults: Json,
  prefix = "",
  freeForm: readonly string[] = [],
): string[] {
  return Object.entries(values).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    if (freeForm.some((f) => p.startsWith(f))) return [];
    if (defaults === null || typeof defaults !== "object" || !(k in defaults)) return [p];
    const d = defaults[k];
    if (
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      d &&
      typeof d === "object" &&
      !Array.isArray(d)
    ) {
      return Object.keys(d).length === 0 ? [] : unknownPaths(v, d, p, freeForm);
    }
    return [];
  });
}

function address(name: string, ip: string, hosts: string[]): AddressPlan {
  return ingressPlan("reports", ingressConfig([{ name, ip, hostnames: hosts }]), "busche-cnc.com")
    .addresses[0];
}

function ingressConfig(
  addresses: { name: string; ip: string; hostnames: string[] }[],
  extra: object = {},
): IngressConfig {
  return ingressSchema.parse({ addresses, ...extra });
}

describe("MetalLB", () => {
  const schemaFile = JSON.parse(
    fs.readFileSync(path.join(SHARED, "charts/metallb-0.16.1/values.schema.json"), "utf8"),
  );
  delete schemaFile.$schema;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schemaFile);
  const defaults = readYaml("charts/metallb-0.16.1/values.yaml");

  it("values validate against values.schema.json, merged with the chart defaults and alone", () => {
    expect([validate(helmMerge(defaults, metallbValues())), validate.errors]).toEqual([true, null]);
    expect([validate(metallbValues()), validate.errors]).toEqual([true, null]);
  });

  it("values turn FRR off and set only keys the chart has", () => {
    const merged = helmMerge(defaults, metallbValues());
    expect([merged.frrk8s.enabled, merged.speaker.frr.enabled, merged.crds.enabled]).toEqual([
      false,
      false,
      true,
    ]);
    expect(merged.controller.image.tag).toBe("v0.16.1");
    expect(merged.speaker.image.tag).toBe("v0.16.1");
    expect(unknownPaths(metallbValues(), defaults)).toEqual([]);
  });

  it("pools and advertisements validate against the metallb v0.16.1 CRDs", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/), (ip, name) => {
        const pool = addressPool({ poolName: name, ip });
        expect(pool.spec.addresses).toEqual([`${ip}/32`]);
        expect(crdErrors(pool)).toEqual([]);
        expect(crdErrors(l2Advertisement([name, "other"]))).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});

describe("Envoy Gateway chart values", () => {
  const defaults = readYaml("charts/gateway-helm-v1.9.0/values.yaml");

  it("turn off the chart's CRDs and set only keys the chart has", () => {
    const values = envoyGatewayValues();
    expect(values.crds).toEqual({ enabled: false });
    expect("enabled" in defaults.crds).toBe(true);
    // config.envoyGateway is the free-form EnvoyGateway API object.
    expect(unknownPaths(values, defaults, "", ["config.envoyGateway"])).toEqual([]);
  });

  it("pin the controller and data-plane images and spread the controller over physical hosts", () => {
    const values: Json = envoyGatewayValues();
    expect(values.global.images.envoyGateway.image).toBe("docker.io/envoyproxy/gateway:v1.9.0");
    expect(values.global.images.envoyProxy.image).toMatch(
      /^docker\.io\/envoyproxy\/envoy:distroless-v1\.\d+\.\d+$/,
    );
    expect(values.deployment.replicas).toBe(2);
    expect(values.deployment.pod.topologySpreadConstraints[0].topologyKey).toBe(
      PHYSICAL_HOST_LABEL,
    );
    expect(values.podDisruptionBudget).toEqual({ minAvailable: 1 });
  });
});

describe("cert-manager", () => {
  it("installs CRDs with the chart and enables Gateway API support only for ACME", () => {
    expect(certManagerValues({ enableGatewayApi: false })).toMatchObject({
      crds: { enabled: true, keep: true },
    });
    expect(certManagerValues({ enableGatewayApi: false })).not.toHaveProperty("config");
    expect((certManagerValues({ enableGatewayApi: true }) as Json).config.enableGatewayAPI).toBe(
      true,
    );
  });

  it("issuers and certificates validate against the cert-manager v1.21.1 CRDs", () => {
    expect(crdErrors(siteCaIssuer())).toEqual([]);
    const acme = acmeIssuer({
      server: "https://acme-v02.api.letsencrypt.org/directory",
      email: "ops@busche-cnc.com",
      gateways: [{ gatewayName: "reports" }, { gatewayName: "shopfloor" }],
    });
    expect(crdErrors(acme)).toEqual([]);
    for (const isAcme of [false, true]) {
      expect(crdErrors(hostCertificate(hostPlan("reports1.busche-cnc.com"), "x", isAcme))).toEqual(
        [],
      );
    }
  });
});

describe("Gateway API objects", () => {
  const hostnames = fc.uniqueArray(
    fc.domain().map((d) => d.toLowerCase()),
    { minLength: 1, maxLength: 5 },
  );

  it("GatewayClass, Gateway, redirect route and EnvoyProxy validate against the pinned CRDs", () => {
    expect(crdErrors(gatewayClass())).toEqual([]);
    fc.assert(
      fc.property(fc.ipV4(), hostnames, fc.integer({ min: 2, max: 9 }), (ip, hosts, replicas) => {
        const a = address("reports", ip, hosts);
        for (const obj of [
          gateway(a),
          httpsRedirectRoute(a),
          envoyProxy({ address: a, replicas }),
        ]) {
          expect([obj.kind, crdErrors(obj)]).toEqual([obj.kind, []]);
        }
      }),
      { numRuns: 15 },
    );
  });

  it("Gateway meets the CEL rules of the CRD (unique names and port/protocol/hostname, TLS only on HTTPS)", () => {
    fc.assert(
      fc.property(hostnames, (hosts) => {
        const listeners: Json[] = gateway(address("reports", "10.1.0.8", hosts)).spec
          .listeners as Json[];
        expect(new Set(listeners.map((l) => l.name)).size).toBe(listeners.length);
        expect(
          new Set(listeners.map((l) => `${l.port}/${l.protocol}/${l.hostname ?? ""}`)).size,
        ).toBe(listeners.length);
        for (const l of listeners) {
          if (l.protocol === "HTTP") expect(l.tls).toBeUndefined();
          else expect([l.tls.mode, l.tls.certificateRefs.length]).toEqual(["Terminate", 1]);
        }
        expect(listeners.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 30 },
    );
  });

  it("HTTPS listeners admit routes only from labelled namespaces; HTTP only from the Gateway's own", () => {
    const gw: Json = gateway(address("reports", "10.1.0.8", ["reports1", "reports2"]));
    const admitted = gw.spec.listeners.map((l: Json) => [l.name, l.allowedRoutes.namespaces]);
    const selector = {
      from: "Selector",
      selector: { matchLabels: { "plant.busche-cnc.com/gateway-routes": "true" } },
    };
    expect(admitted).toEqual([
      ["http", { from: "Same" }],
      ["https-reports1.busche-cnc.com", selector],
      ["https-reports2.busche-cnc.com", selector],
    ]);
    expect(crdErrors(gw)).toEqual([]);
    // The schema checks the selector's shape: a misspelt selector field is refused.
    const bad = JSON.parse(JSON.stringify(gw));
    bad.spec.listeners[1].allowedRoutes.namespaces.selector = { matchLabel: { a: "b" } };
    expect(crdErrors(bad).join()).toContain("matchLabel");
  });

  it("EnvoyProxy meets its CEL rules and asks for the IP by annotation only", () => {
    const proxy: Json = envoyProxy({
      address: address("reports", "10.1.0.8", ["reports1"]),
      replicas: 3,
    });
    const k = proxy.spec.provider.kubernetes;
    expect(Object.keys(k.envoyPDB)).toEqual(["maxUnavailable"]);
    expect(k.envoyDaemonSet).toBeUndefined();
    expect(k.envoyService.type).toBe("LoadBalancer");
    expect(k.envoyService.annotations["metallb.io/loadBalancerIPs"]).toBe("10.1.0.8");
    expect(JSON.stringify(proxy)).not.toContain('loadBalancerIP"');
    expect(k.envoyDeployment.replicas).toBe(3);
    const labels = {
      "app.kubernetes.io/name": "envoy",
      "gateway.envoyproxy.io/owning-gateway-name": "reports",
      "gateway.envoyproxy.io/owning-gateway-namespace": "plant-gateways",
    };
    // Hard: never two replicas of one revision on one physical host; hosts that are down
    // (NoSchedule-tainted nodes) leave the spread's domain count.
    expect(k.envoyDeployment.pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: PHYSICAL_HOST_LABEL,
        whenUnsatisfiable: "DoNotSchedule",
        nodeAffinityPolicy: "Honor",
        nodeTaintsPolicy: "Honor",
        labelSelector: { matchLabels: labels },
        matchLabelKeys: ["pod-template-hash"],
      },
    ]);
    expect(k.envoyDeployment.pod.affinity).toEqual({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            topologyKey: PHYSICAL_HOST_LABEL,
            labelSelector: { matchLabels: labels },
            matchLabelKeys: ["pod-template-hash"],
          },
        ],
      },
    });
    expect(crdErrors(proxy)).toEqual([]);
    expect(k.envoyDeployment.container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("the validator still sees missing required fields and bad enums after narrowing", () => {
    const gw: Json = gateway(address("reports", "10.1.0.8", ["reports1"]));
    const spec = { ...gw.spec };
    delete spec.gatewayClassName;
    expect(crdErrors({ ...gw, spec }).join()).toContain("gatewayClassName");
    const proxy: Json = envoyProxy({
      address: address("reports", "10.1.0.8", ["reports1"]),
      replicas: 2,
    });
    proxy.spec.provider.kubernetes.envoyService.externalTrafficPolicy = "Both";
    expect(crdErrors(proxy).join()).toContain("externalTrafficPolicy");
  });
});

describe("ingress plan", () => {
  const addr = fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
    ip: fc.ipV4(),
    hostnames: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), {
      minLength: 1,
      maxLength: 3,
    }),
  });

  it("derives every name from the address and host name, never from list positions", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(addr, { selector: (a) => a.name, minLength: 1, maxLength: 4 }),
        addr,
        (list, extra) => {
          fc.pre(!list.some((a) => a.name === extra.name));
          const before = ingressPlan("c", ingressConfig(list), "example.com").addresses;
          const after = ingressPlan("c", ingressConfig([extra, ...list]), "example.com").addresses;
          expect(after.slice(1)).toEqual(before);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("builds listener, certificate and secret names from the FQDN", () => {
    expect(hostPlan("reports1.busche-cnc.com")).toEqual({
      fqdn: "reports1.busche-cnc.com",
      listener: "https-reports1.busche-cnc.com",
      certificate: "reports1.busche-cnc.com",
      secretName: "reports1.busche-cnc.com-tls",
    });
  });

  it("outputs IP, FQDNs and https base URLs per address; FQDNs given in config stay as they are", () => {
    const plan = ingressPlan(
      "reports",
      ingressConfig([
        { name: "reports", ip: "10.1.0.8", hostnames: ["reports1", "reports.avilla.example.org"] },
      ]),
      "busche-cnc.com",
    );
    expect(addressOutputs(plan)).toEqual([
      {
        name: "reports",
        ip: "10.1.0.8",
        hostnames: ["reports1.busche-cnc.com", "reports.avilla.example.org"],
        baseUrls: ["https://reports1.busche-cnc.com", "https://reports.avilla.example.org"],
      },
    ]);
    expect(plan).toMatchObject({
      issuer: "site-ca",
      issuerName: "plant-site-ca",
      gatewayReplicas: 2,
    });
  });
});
