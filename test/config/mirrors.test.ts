// `plant:mirrors`: one failing fixture per rule. Each mutates the example mirrors block of
// test/fixtures/mirrors/Pulumi.avilla.yaml and asserts the refusal (by prepareSite, the path
// `pulumi up` takes, before anything is declared) names the stack, the key and the problem.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, readStackFile, SiteConfigError } from "../../config";
import { caBundleProblem, mirrorUrlProblem, rewritePatternProblem } from "../../config/mirrors";
import { chartMirrorProblems, ProgramSource } from "../../components/chart-sources";
import { prepareSite } from "../../program";
import { PROJECT_DIR } from "../../tools/plan/run";

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures poke into raw YAML */
type Raw = any;

const FIXTURE = path.join(PROJECT_DIR, "test/fixtures/mirrors/Pulumi.avilla.yaml");
const fixture = (): Raw => readStackFile(FIXTURE);
const caPem = (): string => fixture().mirrors.caCertificate;

let declared = 0;
const counting: pulumi.runtime.Mocks = {
  newResource: (args) => {
    declared++;
    return { id: `${args.name}-id`, state: args.inputs };
  },
  call: () => ({}),
};

/** The refusal message of prepareSite for `raw`, or "" when the site is accepted. */
async function refusalOf(raw: Raw): Promise<string> {
  declared = 0;
  await pulumi.runtime.setMocks(counting, "plant", "avilla", false);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, JSON.stringify(v)]),
    ),
    [],
  );
  try {
    prepareSite({ projectDir: PROJECT_DIR, offline: true });
  } catch (e) {
    expect(e).toBeInstanceOf(SiteConfigError);
    expect(declared).toBe(0);
    return (e as Error).message;
  }
  return "";
}

// A leaf certificate (CA:FALSE), for the "not a CA" rule. Throwaway, generated with openssl.
const LEAF_PEM = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUJr4GhMs6HgLRyWTpFXKhBu99diUwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTbWlycm9yLmV4YW1wbGUudGVzdDAgFw0yNjExMzAxNDI1NDRa
GA8yMTI2MTEwNjE0MjU0NFowHjEcMBoGA1UEAwwTbWlycm9yLmV4YW1wbGUudGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHnH0B0cCvofSs5GInqDdK4vVmR6
7KqA0PZNhB4C+Tfb1dCfCy/hh3OSCyHgT2rLMZOHmmq4/3si5vWlWFZySZqjUDBO
MB0GA1UdDgQWBBTfltgydPg8gA5pOvqTq5PuV84RizAfBgNVHSMEGDAWgBTfltgy
dPg8gA5pOvqTq5PuV84RizAMBgNVHRMBAf8EAjAAMAoGCCqGSM49BAMCA0gAMEUC
IQD/ttQLXIPTh+CcUhj2bnwYy5/dZY6NBcM1twKPfmPwAwIgZNK2TkjEWb9adzi9
ia3R9Eo4XVrAh7ecYZI5Pxbj6yY=
-----END CERTIFICATE-----
`;

describe("the example mirrors fixture", () => {
  test("is Pulumi.avilla.yaml plus plant:mirrors, and is accepted", async () => {
    const withMirrors = fixture();
    const { mirrors, ...rest } = withMirrors;
    expect(rest).toEqual(readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml")));
    expect(Object.keys(mirrors).sort()).toEqual(["caCertificate", "charts", "registries", "rke2"]);
    expect(await refusalOf(withMirrors)).toBe("");
  });

  test("an empty mirrors block is accepted", async () => {
    expect(await refusalOf({ ...fixture(), mirrors: {} })).toBe("");
  });
});

const cases: [string, (m: Raw) => void, string][] = [
  // Formats (schema)
  [
    "artifactsUrl not a URL",
    (m) => (m.rke2.artifactsUrl = "mirror.avilla.busche-cnc.com/rke2"),
    "[plant:mirrors.rke2.artifactsUrl] 'mirror.avilla.busche-cnc.com/rke2' is not an absolute URL (https:// or http://…)",
  ],
  [
    "artifactsUrl with an OCI scheme",
    (m) => (m.rke2.artifactsUrl = "oci://harbor.avilla.busche-cnc.com/rke2"),
    "[plant:mirrors.rke2.artifactsUrl] 'oci://harbor.avilla.busche-cnc.com/rke2' has scheme 'oci'; use https:// or http://",
  ],
  [
    "endpoint with credentials",
    (m) => (m.registries[0].endpoints[0] = "https://pull:secret@registry.avilla.busche-cnc.com"),
    "[plant:mirrors.registries[0].endpoints[0]] 'https://pull:secret@registry.avilla.busche-cnc.com' must not carry credentials",
  ],
  [
    "endpoint with a query",
    (m) => (m.registries[1].endpoints[0] = "https://registry.avilla.busche-cnc.com/?ns=quay.io"),
    "[plant:mirrors.registries[1].endpoints[0]] 'https://registry.avilla.busche-cnc.com/?ns=quay.io' must not have a query or a fragment",
  ],
  [
    "URL with characters unsafe in the boot script",
    (m) => (m.rke2.artifactsUrl = "https://mirror.avilla.busche-cnc.com/rke2$(id)"),
    "[plant:mirrors.rke2.artifactsUrl] 'https://mirror.avilla.busche-cnc.com/rke2$(id)' may only use letters, digits and . : / % _ -",
  ],
  [
    "no endpoints",
    (m) => (m.registries[0].endpoints = []),
    "[plant:mirrors.registries[0].endpoints]",
  ],
  [
    "registry given as a URL",
    (m) => (m.registries[0].registry = "https://docker.io"),
    "[plant:mirrors.registries[0].registry] 'https://docker.io' is not a registry host name (like docker.io or registry.example.com:5000) or '*'",
  ],
  [
    "registry in capitals",
    (m) => (m.registries[1].registry = "Quay.io"),
    "[plant:mirrors.registries[1].registry] 'Quay.io' is not a registry host name",
  ],
  [
    "rewrite that is no regular expression",
    (m) => (m.registries[2].rewrite = { "^(.*$": "ghcr-proxy/$1" }),
    "[plant:mirrors.registries[2].rewrite] '^(.*$' is not a regular expression",
  ],
  [
    "rewrite with lookahead (not RE2)",
    (m) => (m.registries[2].rewrite = { "^(?!library/)(.*)$": "ghcr-proxy/$1" }),
    "[plant:mirrors.registries[2].rewrite] '^(?!library/)(.*)$' uses lookaround or a backreference, which containerd's RE2 does not support",
  ],
  [
    "chart upstream over plain http",
    (m) => (m.charts[0].upstream = "http://charts.jetstack.io"),
    "[plant:mirrors.charts[0].upstream] 'http://charts.jetstack.io' has scheme 'http'; use https:// or oci://",
  ],
  [
    "CA that is not PEM",
    (m) => (m.caCertificate = "MIIB4zCCAYmgAwIBAgIU"),
    "[plant:mirrors.caCertificate] holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
  ],
  [
    "CA that is a leaf certificate",
    (m) => (m.caCertificate = LEAF_PEM),
    "[plant:mirrors.caCertificate] certificate 1 (CN=mirror.example.test) is not a CA certificate",
  ],
  [
    "CA bundle with a private key in it",
    (m) =>
      (m.caCertificate = `${m.caCertificate}-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n`),
    "[plant:mirrors.caCertificate] holds something besides PEM certificates (a private key must never be here)",
  ],
  [
    "CA whose body is damaged",
    (m) => (m.caCertificate = m.caCertificate.replace("MIIB4zCC", "MIIB4zDD")),
    "[plant:mirrors.caCertificate] certificate 1 does not parse",
  ],
  [
    "unknown key",
    (m) => (m.rke2.channel = "stable"),
    '[plant:mirrors.rke2] Unrecognized key: "channel"',
  ],
  // Relations (config/mirrors.ts)
  [
    "plain http without allowHttp",
    (m) => (m.registries[0].endpoints[0] = "http://registry.avilla.busche-cnc.com:5000"),
    "[plant:mirrors.registries[0].endpoints[0]] 'http://registry.avilla.busche-cnc.com:5000' is plain HTTP, which nothing authenticates: use https, or set plant:mirrors.allowHttp: true",
  ],
  [
    "plain http RKE2 artifacts without allowHttp",
    (m) => (m.rke2.artifactsUrl = "http://mirror.avilla.busche-cnc.com/rke2"),
    "[plant:mirrors.rke2.artifactsUrl] 'http://mirror.avilla.busche-cnc.com/rke2' is plain HTTP",
  ],
  [
    "a registry listed twice",
    (m) => m.registries.push({ registry: "docker.io", endpoints: ["https://other.example.com"] }),
    "[plant:mirrors.registries[4].registry] 'docker.io' is listed more than once (also at plant:mirrors.registries[0]); give one entry all its endpoints",
  ],
  [
    "an endpoint listed twice",
    (m) => m.registries[0].endpoints.push("https://registry.avilla.busche-cnc.com:5000/"),
    "[plant:mirrors.registries[0].endpoints[1]] 'https://registry.avilla.busche-cnc.com:5000' is listed more than once (also at endpoints[0])",
  ],
  [
    "a chart upstream mirrored twice",
    (m) =>
      m.charts.push({ upstream: "https://charts.jetstack.io/", url: "https://other.example.com" }),
    "[plant:mirrors.charts[6].upstream] 'https://charts.jetstack.io' is mirrored more than once (also at plant:mirrors.charts[0])",
  ],
  [
    "a chart mirror that is its upstream",
    (m) => (m.charts[1].url = "https://metallb.github.io/metallb"),
    "[plant:mirrors.charts[1].url] 'https://metallb.github.io/metallb' is the upstream itself, not a mirror",
  ],
  // Against what the program fetches (components/chart-sources.ts, run by the area checks)
  [
    "a chart mirror that covers nothing the program fetches (a typo)",
    (m) => (m.charts[0].upstream = "https://charts.jetstack.com"),
    "[plant:mirrors.charts[0].upstream] 'https://charts.jetstack.com' covers nothing the program fetches; the sources are: https://charts.jetstack.io, https://cloudnative-pg.github.io/charts, https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml, https://metallb.github.io/metallb, https://prometheus-community.github.io/helm-charts, oci://docker.io/envoyproxy",
  ],
  [
    "a prefix that stops inside a path segment",
    (m) => (m.charts[2].upstream = "https://cloudnative-pg.github.io/chart"),
    "[plant:mirrors.charts[2].upstream] 'https://cloudnative-pg.github.io/chart' covers nothing the program fetches",
  ],
  [
    "a manifest mirrored to an OCI registry",
    (m) => (m.charts[4].url = "oci://harbor.avilla.busche-cnc.com/gateway-api"),
    "[plant:mirrors.charts[4].url] maps the manifest https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml to 'oci://harbor.avilla.busche-cnc.com/gateway-api/v1.6.1/standard-install.yaml'; a manifest is a file and needs an http(s) mirror",
  ],
  [
    "a manifest mirrored to a URL without its release",
    (m) =>
      (m.charts[4] = {
        upstream:
          "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
        url: "https://mirror.avilla.busche-cnc.com/gateway-api-standard.yaml",
      }),
    "[plant:mirrors.charts[4].url] maps the manifest https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml to 'https://mirror.avilla.busche-cnc.com/gateway-api-standard.yaml', which no longer names its release v1.6.1",
  ],
];

describe("plant:mirrors is refused, naming the stack and the key", () => {
  test.each(cases)("refuses %s", async (_name, mutate, expected) => {
    const raw = fixture();
    mutate(raw.mirrors);
    const message = await refusalOf(raw);
    expect(message).toMatch(/^Stack 'avilla' has invalid configuration:\n/);
    expect(message).toContain(expected);
  });

  test("allowHttp: true accepts plain http mirrors", async () => {
    const raw = fixture();
    raw.mirrors.allowHttp = true;
    raw.mirrors.registries[0].endpoints[0] = "http://registry.avilla.busche-cnc.com:5000";
    raw.mirrors.rke2.artifactsUrl = "http://mirror.avilla.busche-cnc.com/rke2";
    expect(await refusalOf(raw)).toBe("");
  });

  test("every case is refused for exactly the reason given (one problem each)", async () => {
    for (const [name, mutate] of cases) {
      const raw = fixture();
      mutate(raw.mirrors);
      const problems = (await refusalOf(raw)).split("\n").slice(1);
      expect([name, problems.length]).toEqual([name, 1]);
    }
  });
});

describe("the validators on their own", () => {
  test.each<[string, string[], string | undefined]>([
    ["https://mirror.example.com/rke2", ["https"], undefined],
    ["oci://harbor.example.com/envoyproxy", ["https", "oci"], undefined],
    ["https://10.1.0.50:8443/v2/docker", ["https"], undefined],
    ["https:/mirror.example.com", ["https"], "is not an absolute URL (https://…)"],
    ["ftp://mirror.example.com", ["https", "http"], "has scheme 'ftp'; use https:// or http://"],
    ["https://mirror.example.com/a#b", ["https"], "must not have a query or a fragment"],
    ["https://mirror.example.com/a b", ["https"], "may only use letters, digits and . : / % _ -"],
    ["https://[::1", ["https"], "is not a valid URL"],
  ])("mirrorUrlProblem(%s)", (value, schemes, expected) => {
    const problem = mirrorUrlProblem(value, schemes);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toBe(expected);
  });

  test("rewrite patterns: RE2-compatible ones pass", () => {
    expect(rewritePatternProblem("^rancher/(.*)")).toBeUndefined();
    expect(rewritePatternProblem("^(library/)?(.*)$")).toBeUndefined();
    expect(rewritePatternProblem("^(a)\\1")).toMatch(/backreference/);
    expect(rewritePatternProblem("(?<=x)y")).toMatch(/lookaround/);
  });

  test("a CA bundle of two CAs passes; the fixture CA is a real CA", () => {
    expect(caBundleProblem(caPem())).toBeUndefined();
    expect(caBundleProblem(`${caPem()}\n${caPem()}`)).toBeUndefined();
    expect(caBundleProblem(`${caPem()}${LEAF_PEM}`)).toMatch(/^certificate 2 .* is not a CA/);
  });

  test("chartMirrorProblems checks against the sources it is given", () => {
    const sources: ProgramSource[] = [
      { kind: "chart", ref: { chart: "oci://r.example.com/a/b", version: "1.0.0" } },
    ];
    expect(
      chartMirrorProblems([{ upstream: "oci://r.example.com", url: "oci://m" }], sources),
    ).toEqual([]);
    expect(
      chartMirrorProblems([{ upstream: "oci://r.example.com/b", url: "oci://m" }], sources),
    ).toEqual([
      {
        key: "plant:mirrors.charts[0].upstream",
        message:
          "'oci://r.example.com/b' covers nothing the program fetches; the sources are: oci://r.example.com/a",
      },
    ]);
  });
});
