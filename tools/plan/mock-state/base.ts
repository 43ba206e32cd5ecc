// Mocked state for the utility providers every area uses: tls and random. Values are
// shaped like the real ones (PEM blocks, password lengths) and derived from the resource
// name, so a plan is byte-identical from run to run.
import { createHash } from "crypto";
import { MockInputs, MockStateTable } from "../mock-types";

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}

function pem(label: string, name: string): string {
  const body = Buffer.from(digest(label, name).repeat(4), "hex").toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

function fakeSecretString(name: string, length: number): string {
  const hex = digest("random", name).repeat(Math.ceil(length / 32) + 1);
  let out = "";
  for (let i = 0; i < length; i++)
    out += ALPHABET[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % ALPHABET.length];
  return out;
}

function lengthOf(inputs: MockInputs, fallback: number): number {
  return typeof inputs.length === "number" ? inputs.length : fallback;
}

export const mockState: MockStateTable = {
  "tls:index/privateKey:PrivateKey": (name) => ({
    privateKeyPem: pem("PRIVATE KEY", name),
    privateKeyPemPkcs8: pem("PRIVATE KEY", name),
    privateKeyOpenssh: pem("OPENSSH PRIVATE KEY", name),
    publicKeyPem: pem("PUBLIC KEY", name),
    publicKeyOpenssh: `ssh-ed25519 ${Buffer.from(digest("ssh", name), "hex").toString("base64")}`,
    publicKeyFingerprintMd5: digest("md5", name).slice(0, 32),
    publicKeyFingerprintSha256: `SHA256:${digest("sha", name).slice(0, 43)}`,
  }),
  "tls:index/selfSignedCert:SelfSignedCert": (name) => ({
    certPem: pem("CERTIFICATE", name),
    validityStartTime: "2026-11-23T00:00:00Z",
    validityEndTime: "2036-11-21T00:00:00Z",
    readyForRenewal: false,
  }),
  "tls:index/locallySignedCert:LocallySignedCert": (name) => ({
    certPem: pem("CERTIFICATE", name),
    validityStartTime: "2026-11-23T00:00:00Z",
    validityEndTime: "2027-11-23T00:00:00Z",
    readyForRenewal: false,
  }),
  "tls:index/certRequest:CertRequest": (name) => ({
    certRequestPem: pem("CERTIFICATE REQUEST", name),
  }),
  "random:index/randomPassword:RandomPassword": (name, inputs) => {
    const result = fakeSecretString(name, lengthOf(inputs, 32));
    return { result, bcryptHash: `$2a$10$${digest("bcrypt", result).slice(0, 53)}` };
  },
  "random:index/randomString:RandomString": (name, inputs) => ({
    result: fakeSecretString(name, lengthOf(inputs, 16)),
  }),
  "random:index/randomId:RandomId": (name, inputs) => {
    const bytes = typeof inputs.byteLength === "number" ? inputs.byteLength : 8;
    const hex = digest("id", name).slice(0, bytes * 2);
    const buf = Buffer.from(hex, "hex");
    return {
      hex,
      b64Std: buf.toString("base64"),
      b64Url: buf.toString("base64url"),
      dec: BigInt(`0x${hex}`).toString(),
    };
  },
  "random:index/randomBytes:RandomBytes": (name, inputs) => {
    const length = typeof inputs.length === "number" ? inputs.length : 32;
    let hex = "";
    for (let i = 0; hex.length < length * 2; i++) hex += digest(`bytes-${i}`, name);
    const buf = Buffer.from(hex.slice(0, length * 2), "hex");
    return { hex: buf.toString("hex"), base64: buf.toString("base64") };
  },
  "random:index/randomUuid:RandomUuid": (name) => {
    const h = digest("uuid", name);
    return {
      result: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`,
    };
  },
};
