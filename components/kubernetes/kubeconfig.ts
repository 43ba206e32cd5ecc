// The admin kubeconfig of an RKE2 cluster, computed from the program's own PKI (pure), and the
// options every cluster's k8s.Provider gets so the kubeconfig stays secret.
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";

/**
 * Options of a cluster's k8s.Provider. Its input kubeconfig is a secret, but the engine stores
 * the provider's `kubeconfig` output as given unless listed here (the `credentials-secret`
 * policy checks it). The Provider's typed options omit the field; the SDK sends it anyway.
 */
export function kubeconfigProviderOptions(
  opts: pulumi.ResourceOptions,
): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: ["kubeconfig"] };
}

export interface KubeconfigInput {
  readonly clusterName: string;
  /** https://<api-vip>:6443 */
  readonly server: string;
  readonly caCertPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

export function adminKubeconfig(input: KubeconfigInput): string {
  const user = `${input.clusterName}-admin`;
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: input.clusterName,
          cluster: { server: input.server, "certificate-authority-data": b64(input.caCertPem) },
        },
      ],
      users: [
        {
          name: user,
          user: {
            "client-certificate-data": b64(input.clientCertPem),
            "client-key-data": b64(input.clientKeyPem),
          },
        },
      ],
      contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user } }],
      "current-context": input.clusterName,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}
