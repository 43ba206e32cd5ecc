// Just enough X.509 for tests that need real TLS on 127.0.0.1: a CA, a server certificate for
// 127.0.0.1/localhost and client certificates, ECDSA P-256 signed with node's crypto, DER encoded
// by hand (node can parse certificates but not make them).
import * as crypto from "crypto";

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const seq = (...items: Buffer[]): Buffer => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => der(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer): Buffer => der(0xa0 + n, content);
const octets = (b: Buffer): Buffer => der(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer =>
  der(0x03, Buffer.concat([Buffer.from([unused]), b]));
const bool = (v: boolean): Buffer => der(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => der(0x0c, Buffer.from(s, "utf8"));

function integer(value: Buffer): Buffer {
  let b = value;
  while (b.length > 1 && b[0] === 0 && b[1] < 0x80) b = b.subarray(1);
  return der(0x02, b[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    for (let v = p; ; v = Math.floor(v / 128)) {
      chunk.unshift((v % 128) | (chunk.length > 0 ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...chunk);
  }
  return der(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return der(0x17, Buffer.from(s, "ascii"));
}

const name = (cn: string): Buffer => seq(set(seq(oid("2.5.4.3"), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly key: crypto.KeyObject;
  readonly cn: string;
}

type Role = "ca" | "server" | "client";

/** Names and validity of a server certificate (defaults: 127.0.0.1 + localhost, valid ±1 day). */
export interface CertOptions {
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

function certificate(cn: string, role: Role, issuer?: KeyPair, opts: CertOptions = {}): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const now = Date.now();
  const extensions = [
    extension("2.5.29.19", true, role === "ca" ? seq(bool(true)) : seq()),
    // keyUsage: CA keyCertSign + cRLSign + digitalSignature; leaf digitalSignature.
    extension(
      "2.5.29.15",
      true,
      role === "ca" ? bits(Buffer.from([0x86]), 1) : bits(Buffer.from([0x80]), 7),
    ),
  ];
  if (role !== "ca") {
    const purpose = role === "server" ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2";
    extensions.push(extension("2.5.29.37", false, seq(oid(purpose))));
  }
  if (role === "server") {
    const ips = opts.ips ?? (opts.dnsNames ? [] : ["127.0.0.1"]);
    const names = opts.dnsNames ?? ["localhost"];
    const san = seq(
      ...ips.map((ip) => der(0x87, Buffer.from(ip.split(".").map(Number)))),
      ...names.map((n) => der(0x82, Buffer.from(n))),
    );
    extensions.push(extension("2.5.29.17", false, san));
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(crypto.randomBytes(12)),
    ECDSA_SHA256,
    name(issuer?.cn ?? cn),
    seq(
      utcTime(opts.notBefore ?? new Date(now - 3600_000)),
      utcTime(opts.notAfter ?? new Date(now + 24 * 3600_000)),
    ),
    name(cn),
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, seq(...extensions)),
  );
  const signature = crypto.sign("sha256", tbs, issuer?.key ?? privateKey);
  const cert = seq(tbs, ECDSA_SHA256, bits(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${cert
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
  return {
    certPem,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    key: privateKey,
    cn,
  };
}

export interface TestPki {
  readonly ca: KeyPair;
  readonly server: KeyPair;
  client(cn: string): KeyPair;
  /** A server certificate with other names or validity, signed by the CA. */
  issue(cn: string, opts: CertOptions): KeyPair;
}

/** A fresh CA with a server certificate for 127.0.0.1 and a maker of client certificates. */
export function makeTestPki(caName = "preflight-test-ca"): TestPki {
  const ca = certificate(caName, "ca");
  return {
    ca,
    server: certificate("kube-apiserver", "server", ca),
    client: (cn) => certificate(cn, "client", ca),
    issue: (cn, opts) => certificate(cn, "server", ca, opts),
  };
}
