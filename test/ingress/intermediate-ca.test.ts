// The CA Secret of a cluster's issuer, with the values the provider would receive (the mock sees
// them unmasked): the intermediate's key, the intermediate + root chain, never the root key.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IntermediateCa } from "../../components/ingress/intermediate-ca";
import { TlsIssuer } from "../../components/ingress/issuer";
import { ingressPlan } from "../../components/ingress/model";
import { SiteCa } from "../../components/ingress/site-ca";
import { PlantCluster } from "../../components/types";
import { mockState } from "../../tools/plan/mock-state/base";
import { mockId } from "../../tools/plan/mock-types";

const inputsByName = new Map<string, Record<string, unknown>>();
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Is this wire value a Pulumi secret? */
function isWireSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && SECRET_SIG in v;
}

/** The plain value of a wire value, secrets unwrapped. */
function plain(v: unknown): unknown {
  if (isWireSecret(v)) return plain(v.value);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

class Mocks implements pulumi.runtime.Mocks {
  newResource(args: pulumi.runtime.MockResourceArgs) {
    inputsByName.set(args.name, args.inputs as Record<string, unknown>);
    const compute = mockState[args.type];
    return {
      id: args.custom === false ? undefined : mockId(args.type, args.name),
      state: { ...args.inputs, ...(compute ? compute(args.name, args.inputs) : {}) },
    };
  }
  call(): Record<string, unknown> {
    return {};
  }
}

const state = (type: string, name: string) => mockState[`tls:index/${type}`](name, {});

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => r(v)));
}

describe("one cluster's intermediate CA behind its ClusterIssuer", () => {
  let intermediate: IntermediateCa;
  beforeAll(async () => {
    await pulumi.runtime.setMocks(new Mocks(), "plant", "avilla", false);
    const root = new SiteCa("avilla-site-ca", { displayName: "Avilla", domain: "example.com" });
    const provider = new k8s.Provider("k8s-reports", { kubeconfig: "fake" });
    const cluster = { name: "reports", provider } as unknown as PlantCluster;
    intermediate = new IntermediateCa("reports-intermediate-ca", {
      clusterName: "reports",
      root,
    });
    new TlsIssuer("reports-tls-issuer", {
      cluster,
      plan: ingressPlan(
        "reports",
        {
          addresses: [{ name: "reports", ip: "10.1.0.8", hostnames: ["reports1"] }],
          gatewayReplicas: 2,
          tls: { issuer: "site-ca" },
        } as never,
        "example.com",
      ),
      source: {
        type: "site-ca",
        chainPem: intermediate.chainPem,
        keyPem: intermediate.keyPem,
        dependsOn: intermediate.resources,
      },
      certManagerReady: [],
    });
    await resolve(intermediate.chainPem);
    await new Promise((r) => setTimeout(r, 50));
  });

  it("stores the intermediate key and the intermediate + root chain, not the root key", () => {
    const rootKey = state("privateKey:PrivateKey", "avilla-site-ca-key").privateKeyPem as string;
    const ownKey = state("privateKey:PrivateKey", "reports-intermediate-ca-key")
      .privateKeyPem as string;
    const rootCert = state("selfSignedCert:SelfSignedCert", "avilla-site-ca-cert")
      .certPem as string;
    const ownCert = state("locallySignedCert:LocallySignedCert", "reports-intermediate-ca-cert")
      .certPem as string;
    const raw = inputsByName.get("reports-tls-issuer-ca-secret")!;
    expect(isWireSecret(raw.stringData)).toBe(true);
    const secret = plain(raw) as { stringData: Record<string, string> };
    expect(Object.keys(secret.stringData).sort()).toEqual(["tls.crt", "tls.key"]);
    expect(secret.stringData["tls.key"]).toBe(ownKey);
    expect(secret.stringData["tls.crt"]).toBe(`${ownCert.trimEnd()}\n${rootCert.trimEnd()}\n`);
    expect(JSON.stringify(secret)).not.toContain(rootKey.split("\n")[1]);
  });

  it("signs the intermediate's request with the root key pair", () => {
    const raw = inputsByName.get("reports-intermediate-ca-cert")!;
    expect(isWireSecret(raw.caPrivateKeyPem)).toBe(true);
    const signed = plain(raw) as Record<string, unknown>;
    expect(signed.caPrivateKeyPem).toBe(
      state("privateKey:PrivateKey", "avilla-site-ca-key").privateKeyPem,
    );
    expect(signed.caCertPem).toBe(
      state("selfSignedCert:SelfSignedCert", "avilla-site-ca-cert").certPem,
    );
    expect(signed.certRequestPem).toBe(
      state("certRequest:CertRequest", "reports-intermediate-ca-csr").certRequestPem,
    );
  });

  it("keeps the intermediate key secret", async () => {
    expect(await pulumi.isSecret(intermediate.keyPem)).toBe(true);
    expect(await pulumi.isSecret(intermediate.chainPem)).toBe(false);
  });
});
