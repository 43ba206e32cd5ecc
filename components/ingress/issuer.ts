// The ClusterIssuer that signs one cluster's gateway certificates: the cluster's intermediate CA
// (its key pair and chain in a Secret next to cert-manager; never the site root's key) or, when
// configured, an ACME server.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlantCluster } from "../types";
import { acmeIssuer, ClusterObject, siteCaIssuer } from "./cert-manager-spec";
import { IngressPlan, NAMESPACES, SITE_CA_SECRET } from "./model";

export type IssuerSource =
  | {
      readonly type: "site-ca";
      /** The cluster's intermediate CA certificate followed by the chain up to the root. */
      readonly chainPem: pulumi.Input<string>;
      /** The intermediate's key (secret Output); never the root's. */
      readonly keyPem: pulumi.Input<string>;
      /** The intermediate's key and certificate: the Secret waits for them. */
      readonly dependsOn: readonly pulumi.Resource[];
    }
  | { readonly type: "acme"; readonly server: string; readonly email: string };

export interface TlsIssuerArgs {
  readonly cluster: PlantCluster;
  readonly plan: IngressPlan;
  readonly source: IssuerSource;
  /** cert-manager's chart (CRDs and webhook). */
  readonly certManagerReady: readonly pulumi.Resource[];
}

export class TlsIssuer extends pulumi.ComponentResource {
  public readonly issuerName: string;
  /** The ClusterIssuer (and its CA Secret): Certificates wait for it. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: TlsIssuerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("plant:ingress:TlsIssuer", name, {}, opts);
    const provider = args.cluster.provider;
    const source = args.source;
    const resources: pulumi.Resource[] = [];
    let spec: ClusterObject;
    if (source.type === "site-ca") {
      const secret = new k8s.core.v1.Secret(
        `${name}-ca-secret`,
        {
          metadata: { name: SITE_CA_SECRET, namespace: NAMESPACES.certManager },
          type: "kubernetes.io/tls",
          stringData: {
            "tls.crt": source.chainPem,
            "tls.key": pulumi.secret(source.keyPem),
          },
        },
        {
          parent: this,
          provider,
          dependsOn: [...args.certManagerReady, ...source.dependsOn],
          additionalSecretOutputs: ["data", "stringData"],
        },
      );
      resources.push(secret);
      spec = siteCaIssuer();
    } else {
      spec = acmeIssuer({
        server: source.server,
        email: source.email,
        gateways: args.plan.addresses,
      });
    }
    const issuer = new k8s.apiextensions.CustomResource(
      `${name}-cluster-issuer`,
      { apiVersion: spec.apiVersion, kind: spec.kind, metadata: spec.metadata, spec: spec.spec },
      { parent: this, provider, dependsOn: [...args.certManagerReady, ...resources] },
    );
    this.issuerName = spec.metadata.name;
    this.ready = [issuer, ...resources];
    this.registerOutputs({ issuerName: this.issuerName });
  }
}
