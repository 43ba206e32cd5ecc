// What `pulumi up` waits for (pure), and Envoy Gateway's control-plane certificates.
import {
  awaitAnnotations,
  condition,
  gatewayServing,
  routeAccepted,
} from "../../components/k8s-await";
import {
  ENVOY_GATEWAY_SECRETS,
  envoyGatewayCertObjects,
} from "../../components/ingress/envoy-gateway-certs-spec";

describe("await annotations (pulumi-kubernetes `pulumi.com/waitFor`)", () => {
  test("one expression is written as is; several as the JSON array the provider reads", () => {
    expect(awaitAnnotations([condition("Ready")], 600)).toEqual({
      "pulumi.com/waitFor": "condition=Ready",
      "pulumi.com/timeoutSeconds": "600",
    });
    expect(awaitAnnotations(gatewayServing("10.1.0.8"), 900)).toEqual({
      "pulumi.com/waitFor":
        '["condition=Programmed","jsonpath={.status.addresses[0].value}=10.1.0.8"]',
      "pulumi.com/timeoutSeconds": "900",
    });
    expect(() => awaitAnnotations([], 1)).toThrow("nothing to wait for");
  });

  test("a route waits to be Accepted by each parent listener (RFC 9535 filters)", () => {
    expect(
      routeAccepted([
        { name: "reports", sectionName: "reports1.busche-cnc.com" },
        { name: "other" },
      ]),
    ).toEqual([
      "jsonpath={.status.parents[?@.parentRef.name=='reports' && @.parentRef.sectionName=='reports1.busche-cnc.com'].conditions[?@.type=='Accepted'].status}=True",
      "jsonpath={.status.parents[?@.parentRef.name=='other'].conditions[?@.type=='Accepted'].status}=True",
    ]);
  });

  test("each expression has the one `=` outside `==` that the provider's parser splits on", () => {
    // provider/pkg/jsonpath/jsonpath.go: `==` is protected, then the text splits on `=` into
    // path and value; a path must be wrapped in { }.
    for (const expr of [
      ...routeAccepted([{ name: "gw", sectionName: "a.b" }]),
      ...gatewayServing("10.0.0.1"),
    ].filter((e) => e.startsWith("jsonpath="))) {
      const parts = expr.slice("jsonpath=".length).replace(/==/g, "\u0000").split("=");
      expect(parts).toHaveLength(2);
      expect(parts[0]).toMatch(/^\{[^{}]+\}$/);
      expect(parts[1]).not.toBe("");
    }
  });

  test("refuses names that would break the expression", () => {
    expect(() => routeAccepted([{ name: "a'b" }])).toThrow("unsupported characters");
  });
});

describe("Envoy Gateway control-plane certificates (what certgen would make)", () => {
  const o = envoyGatewayCertObjects();

  test("the Secrets the controller and proxies mount, from a private CA", () => {
    expect(o.leaves.map((l) => l.spec.secretName)).toEqual([
      ENVOY_GATEWAY_SECRETS.controller,
      ENVOY_GATEWAY_SECRETS.proxy,
      ENVOY_GATEWAY_SECRETS.rateLimit,
    ]);
    expect(o.caCertificate.spec).toMatchObject({ isCA: true, secretName: "envoy-gateway-ca" });
    expect(o.caIssuer.spec).toEqual({ ca: { secretName: "envoy-gateway-ca" } });
    for (const leaf of o.leaves) {
      expect(leaf.metadata.namespace).toBe("envoy-gateway-system");
      expect(leaf.spec.issuerRef).toEqual({
        group: "cert-manager.io",
        kind: "Issuer",
        name: "envoy-gateway-ca",
      });
      // No extended key usage: the same certificate serves and authenticates (mutual TLS).
      expect(leaf.spec.usages).not.toContain("server auth");
      expect(leaf.spec.usages).not.toContain("client auth");
    }
  });

  test("the controller's certificate covers its Service names in the cluster domain", () => {
    expect(o.leaves[0].spec.dnsNames).toEqual([
      "envoy-gateway",
      "envoy-gateway.envoy-gateway-system",
      "envoy-gateway.envoy-gateway-system.svc",
      "envoy-gateway.envoy-gateway-system.svc.cluster.local",
    ]);
    expect(envoyGatewayCertObjects("plant.local").leaves[0].spec.dnsNames).toContain(
      "envoy-gateway.envoy-gateway-system.svc.plant.local",
    );
    expect(o.leaves[1].spec.dnsNames).toEqual(["*.envoy-gateway-system"]);
  });
});
