// The admin kubeconfig of an RKE2 cluster, computed from the program's own PKI (pure).
import { stringify } from "yaml";

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
