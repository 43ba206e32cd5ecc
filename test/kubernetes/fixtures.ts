// Fake but well-shaped key material and settings for user-data tests (never real keys).
import { Rke2ClusterSettings, KUBE_VIP_IMAGE } from "../../components/kubernetes/rke2-config";
import { Rke2CaBundle } from "../../components/kubernetes/rke2-userdata";

export function fakePem(kind: string, seed: string): string {
  const body = Buffer.from(`${kind}:${seed}:`.repeat(12)).toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${kind}-----\n${lines.join("\n")}\n-----END ${kind}-----\n`;
}

function pair(seed: string) {
  return { certPem: fakePem("CERTIFICATE", seed), keyPem: fakePem("EC PRIVATE KEY", seed) };
}

export const fakeCas: Rke2CaBundle = {
  serverCa: pair("server-ca"),
  clientCa: pair("client-ca"),
  requestHeaderCa: pair("request-header-ca"),
  etcdPeerCa: pair("etcd-peer-ca"),
  etcdServerCa: pair("etcd-server-ca"),
  serviceAccountKeyPem: fakePem("RSA PRIVATE KEY", "service"),
};

export const fakeTokens = {
  server: "ServerTokenFake0123456789abcdefABCDEF0123456789",
  agent: "AgentTokenFake0123456789abcdefABCDEF01234567890",
  serverCaPem: fakeCas.serverCa.certPem,
};

export const clusterSettings: Rke2ClusterSettings = {
  name: "reports",
  version: "v1.36.5+rke2r1",
  apiVip: "10.1.0.10",
  serverIps: ["10.1.1.10", "10.1.1.11", "10.1.1.12"],
  podCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
  taintControlPlane: true,
  kubeVipImage: KUBE_VIP_IMAGE,
};
