// What Envoy Gateway's dropped `certgen` hook would have made, made by the program instead, before
// the controller: a private CA and the controller/proxy/rate-limit certificates (issued and
// renewed by cert-manager), and the OIDC HMAC key (a random secret). See envoy-gateway-certs-spec.ts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PlantCluster } from "../types";
import {
  CERT_MANAGER_AWAIT,
  CertManagerObject,
  ENVOY_GATEWAY_SECRETS,
  envoyGatewayCertObjects,
} from "./envoy-gateway-certs-spec";
import { NAMESPACES } from "./model";

export interface EnvoyGatewayCertsArgs {
  readonly cluster: PlantCluster;
  /** The controller's namespace (the Secrets live there). */
  readonly namespace: pulumi.Resource;
  /** cert-manager with its webhook proven serving. */
  readonly certManagerReady: readonly pulumi.Resource[];
}

export class EnvoyGatewayCerts extends pulumi.ComponentResource {
  /** Every Secret the controller and proxies mount, issued: the controller chart waits on these. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: EnvoyGatewayCertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:EnvoyGatewayCerts", name, {}, opts);
    const provider = args.cluster.provider;
    const o = envoyGatewayCertObjects();
    const declare = (suffix: string, obj: CertManagerObject, dependsOn: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${suffix}`,
        {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          metadata: { ...obj.metadata, annotations: { ...CERT_MANAGER_AWAIT } },
          spec: obj.spec,
        },
        { parent: this, provider, dependsOn },
      );
    const base = [args.namespace, ...args.certManagerReady];
    const selfSigned = declare("selfsigned-issuer", o.selfSignedIssuer, base);
    const ca = declare("ca", o.caCertificate, [...base, selfSigned]);
    const caIssuer = declare("ca-issuer", o.caIssuer, [...base, ca]);
    const leaves = o.leaves.map((leaf) =>
      declare(`cert-${leaf.metadata.name}`, leaf, [...base, caIssuer]),
    );

    const hmacKey = new random.RandomBytes(`${name}-oidc-hmac`, { length: 32 }, { parent: this });
    const hmac = new k8s.core.v1.Secret(
      `${name}-oidc-hmac`,
      {
        metadata: {
          name: ENVOY_GATEWAY_SECRETS.oidcHmac,
          namespace: NAMESPACES.envoyGateway,
          labels: { "control-plane": "envoy-gateway" },
        },
        type: "Opaque",
        data: { "hmac-secret": hmacKey.base64 },
      },
      {
        parent: this,
        provider,
        dependsOn: [args.namespace],
        additionalSecretOutputs: ["data", "stringData"],
      },
    );
    this.ready = [...leaves, hmac];
    this.registerOutputs({});
  }
}
