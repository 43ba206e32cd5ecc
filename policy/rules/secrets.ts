// Credentials only as secrets. Resources: their credential outputs must be secret (the SDK
// declares most via additionalSecretOutputs; a kubeconfig on a k8s Provider needs it set).
// Stack outputs: checked on the offline plan, where secrets show as "[secret]" — the policy
// engine hands policies plain values and hides secretness (pulumi/pulumi-policy#241).
import { asObj, label, PlainResource, Violation } from "./types";

/** Type token → properties that hold a credential. */
export const CREDENTIAL_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  "pulumi:providers:kubernetes": ["kubeconfig"],
  // The platform user's password: an input of its Keystone user and of the provider that logs in.
  "pulumi:providers:openstack": ["password"],
  "openstack:identity/user:User": ["password"],
  "random:index/randomPassword:RandomPassword": ["result"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"],
  "openstack:identity/ec2CredentialV3:Ec2CredentialV3": ["secret"],
  "openstack:identity/applicationCredential:ApplicationCredential": ["secret"],
  "openstack:compute/keypair:Keypair": ["privateKey"],
  "kubernetes:core/v1:Secret": ["data", "stringData"],
};

/** Pulumi's wire signature of a secret value. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value known to be secret: the plan's "[secret]" mask or Pulumi's secret envelope. */
export function isSecretValue(value: unknown): boolean {
  if (value === "[secret]") return true;
  const obj = asObj(value);
  return obj[SECRET_SIG_KEY] === SECRET_SIG || value?.constructor?.name === "Secret";
}

export function credentialResourceViolations(r: PlainResource): Violation[] {
  const props = CREDENTIAL_PROPERTIES[r.type] ?? [];
  const secretOutputs = new Set(r.additionalSecretOutputs ?? []);
  return props
    .filter((p) => !secretOutputs.has(p) && r.props[p] !== undefined && !isSecretValue(r.props[p]))
    .map((p) => ({
      message: `${label(r)}: ${p} holds a credential but is not secret: list it in additionalSecretOutputs`,
    }));
}

/** Output keys that hold credentials (`secretName`, `caCertificate` do not). */
const CREDENTIAL_KEY =
  /(^secret$|kubeconfig$|password$|secretaccesskey$|privatekey(pem)?$|token$|credentials?$|htpasswd$)/i;

/** Walks stack outputs; every credential-named value must be secret. */
export function stackOutputViolations(outputs: unknown, path = ""): Violation[] {
  if (Array.isArray(outputs))
    return outputs.flatMap((v, i) => stackOutputViolations(v, `${path}[${i}]`));
  if (isSecretValue(outputs) || outputs === null || typeof outputs !== "object") return [];
  return Object.entries(outputs as Record<string, unknown>).flatMap(([key, value]) => {
    const at = path ? `${path}.${key}` : key;
    if (
      CREDENTIAL_KEY.test(key) &&
      value !== undefined &&
      value !== null &&
      !isSecretValue(value)
    ) {
      return [
        {
          message: `stack output ${at} holds a credential but is not secret: wrap it in pulumi.secret`,
        },
      ];
    }
    return stackOutputViolations(value, at);
  });
}
