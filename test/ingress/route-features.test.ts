import fc from "fast-check";
import { ServiceConfig } from "../../config/schema";
import { routeFeaturePolicies } from "../../components/ingress/route-features";
import { crdErrors } from "./crd-schemas";

type Features = ServiceConfig["gateway"];
const base = { namespace: "report-api", routeName: "report-api" };

describe("routeFeaturePolicies", () => {
  it("returns [] when no feature is set", () => {
    expect(routeFeaturePolicies({ ...base, features: {} })).toEqual([]);
  });

  it("puts rate limit and request size into one BackendTrafficPolicy on the route", () => {
    const features: Features = {
      rateLimit: { requests: 200, unit: "Second" },
      maxRequestBytes: 1048576,
    };
    expect(routeFeaturePolicies({ ...base, features })).toEqual([
      {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "BackendTrafficPolicy",
        metadata: { name: "report-api-traffic", namespace: "report-api" },
        spec: {
          targetRefs: [
            { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "report-api" },
          ],
          rateLimit: {
            local: {
              rules: [
                {
                  clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
                  limit: { requests: 200, unit: "Second" },
                },
              ],
            },
          },
          requestBuffer: { limit: "1048576" },
        },
      },
    ]);
  });

  it("limits each client address on its own: every rule selects Distinct source addresses", () => {
    // Without a client selector one bucket counts the whole route's traffic (every client
    // together); Distinct gives each source address its own bucket (Envoy Gateway 1.9).
    const [p] = routeFeaturePolicies({
      ...base,
      features: { rateLimit: { requests: 50, unit: "Second" } },
    });
    const rules = (p.spec.rateLimit as { local: { rules: Record<string, unknown>[] } }).local.rules;
    expect(rules).toHaveLength(1);
    for (const rule of rules) {
      expect(rule.clientSelectors).toEqual([
        { sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } },
      ]);
    }
    expect(crdErrors(p)).toEqual([]);
  });

  it("declares only the request buffer when only maxRequestBytes is set", () => {
    const [p] = routeFeaturePolicies({ ...base, features: { maxRequestBytes: 65536 } });
    expect(p.spec).toEqual({
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "report-api" }],
      requestBuffer: { limit: "65536" },
    });
  });

  it("declares a SecurityPolicy with basicAuth pointing at the htpasswd Secret", () => {
    const features: Features = { auth: { type: "basic", htpasswdKey: "report-api-htpasswd" } };
    const policies = routeFeaturePolicies({
      ...base,
      features,
      htpasswdSecretName: "report-api-htpasswd",
    });
    expect(policies).toEqual([
      {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "SecurityPolicy",
        metadata: { name: "report-api-auth", namespace: "report-api" },
        spec: {
          targetRefs: [
            { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "report-api" },
          ],
          basicAuth: { users: { group: "", kind: "Secret", name: "report-api-htpasswd" } },
        },
      },
    ]);
  });

  it("refuses basic auth without an htpasswd Secret name", () => {
    const features: Features = { auth: { type: "basic", htpasswdKey: "k" } };
    expect(() => routeFeaturePolicies({ ...base, features })).toThrow(
      '[gateway.auth] route report-api/report-api uses basic auth: htpasswdSecretName (an Opaque Secret with key ".htpasswd" in report-api) is required',
    );
  });

  it("declares a JWT provider with remote JWKS, audiences only when given", () => {
    const jwt = (audiences: string[]): Features => ({
      auth: {
        type: "jwt",
        issuer: "https://sso.example.com/",
        jwksUri: "https://sso.example.com/jwks",
        audiences,
      },
    });
    const [withAud] = routeFeaturePolicies({ ...base, features: jwt(["reports"]) });
    expect(withAud.spec.jwt).toEqual({
      providers: [
        {
          name: "jwt",
          issuer: "https://sso.example.com/",
          audiences: ["reports"],
          remoteJWKS: { uri: "https://sso.example.com/jwks" },
        },
      ],
    });
    const [noAud] = routeFeaturePolicies({ ...base, features: jwt([]) });
    expect(noAud.spec.jwt).toEqual({
      providers: [
        {
          name: "jwt",
          issuer: "https://sso.example.com/",
          remoteJWKS: { uri: "https://sso.example.com/jwks" },
        },
      ],
    });
  });

  it("produces objects that validate against the pinned Envoy Gateway v1.9.0 CRDs", () => {
    const features = fc.record(
      {
        rateLimit: fc.record({
          requests: fc.integer({ min: 1, max: 1_000_000 }),
          unit: fc.constantFrom("Second" as const, "Minute" as const, "Hour" as const),
        }),
        maxRequestBytes: fc.integer({ min: 1024, max: 1 << 30 }),
        auth: fc.oneof(
          fc.constant({ type: "basic" as const, htpasswdKey: "k" }),
          fc.record({
            type: fc.constant("jwt" as const),
            issuer: fc.constant("https://sso.example.com/"),
            jwksUri: fc.constant("https://sso.example.com/.well-known/jwks.json"),
            audiences: fc.array(fc.constantFrom("reports", "api"), { maxLength: 2 }),
          }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(features, (f) => {
        const policies = routeFeaturePolicies({
          ...base,
          features: f,
          htpasswdSecretName: "htpasswd",
        });
        const expectedKinds = [
          ...(f.rateLimit || f.maxRequestBytes !== undefined ? ["BackendTrafficPolicy"] : []),
          ...(f.auth ? ["SecurityPolicy"] : []),
        ];
        expect(policies.map((p) => p.kind)).toEqual(expectedKinds);
        for (const p of policies) expect(crdErrors(p)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("the schema check catches a misspelt field (guards the validator itself)", () => {
    const [p] = routeFeaturePolicies({ ...base, features: { maxRequestBytes: 2048 } });
    const broken = { ...p, spec: { ...p.spec, requestBufer: { limit: "1" } } };
    expect(crdErrors(broken).join("\n")).toMatch(
      /must NOT have additional properties 'requestBufer'/,
    );
    const badLimit = { ...p, spec: { ...p.spec, requestBuffer: { limit: "1 MB" } } };
    expect(crdErrors(badLimit)).not.toEqual([]);
  });
});
