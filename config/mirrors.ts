// `plant:mirrors`: where a plant without internet egress gets what the program would otherwise
// download — RKE2's release files, container images, Helm charts and remote manifests. Formats
// here (schema), relations in mirrorProblems; which chart sources exist is the areas' knowledge
// (components/chart-sources.ts).
import { X509Certificate } from "crypto";
import { z } from "zod";

/** Characters a mirror URL may use: it ends up in a single-quoted shell value in the user data. */
const URL_CHARS = /^[A-Za-z0-9.:/%_-]+$/;

/** Why `value` is not an acceptable mirror URL with one of `schemes`, or undefined. */
export function mirrorUrlProblem(value: string, schemes: readonly string[]): string | undefined {
  const allowed = schemes.map((s) => `${s}://`).join(" or ");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(value)?.[1];
  if (scheme === undefined) return `is not an absolute URL (${allowed}…)`;
  if (!schemes.includes(scheme)) return `has scheme '${scheme}'; use ${allowed}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a valid URL";
  }
  if (url.hostname === "") return "has no host";
  if (url.username !== "" || url.password !== "")
    return "must not carry credentials (the user data and the plan would show them)";
  if (url.search !== "" || url.hash !== "") return "must not have a query or a fragment";
  if (!URL_CHARS.test(value)) return "may only use letters, digits and . : / % _ -";
  return undefined;
}

/** A URL with one of `schemes`; a trailing slash is dropped so that paths join cleanly. */
function mirrorUrl(...schemes: string[]) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = mirrorUrlProblem(value, schemes);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .transform((value) => value.replace(/\/+$/, ""));
}

/** `docker.io`, `registry.k8s.io`, `registry.example.com:5000`, or `*` (every registry). */
const registryName = z
  .string()
  .regex(
    /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?)$/,
    "is not a registry host name (like docker.io or registry.example.com:5000) or '*'",
  );

/** Why a rewrite pattern would not work in containerd (Go RE2), or undefined. */
export function rewritePatternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch (e) {
    return `is not a regular expression (${(e as Error).message})`;
  }
  // RE2 has neither lookaround nor backreferences; JavaScript would accept them.
  if (/\(\?<?[=!]|\\[1-9]/.test(pattern))
    return "uses lookaround or a backreference, which containerd's RE2 does not support";
  return undefined;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** Why `pem` is not a bundle of CA certificates, or undefined. */
export function caBundleProblem(pem: string): string | undefined {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) return "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  if (pem.replace(PEM_CERT, "").trim() !== "")
    return "holds something besides PEM certificates (a private key must never be here)";
  for (const [i, block] of blocks.entries()) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} does not parse`;
    }
    if (!cert.ca) return `certificate ${i + 1} (${cert.subject}) is not a CA certificate`;
  }
  return undefined;
}

export const mirrorsSchema = z.strictObject({
  /** Accept plain http:// mirror URLs (nothing then authenticates what is fetched). Default false. */
  allowHttp: z.boolean().default(false),
  /**
   * PEM CA certificate(s) that sign the mirrors' TLS certificates, when no public CA does. New
   * nodes trust it system-wide; the deploying machine must trust it too (docs/kubernetes.md).
   */
  caCertificate: z.string().min(1).optional(),
  /** RKE2's release files for new nodes: <artifactsUrl>/<version, '+' as %2B>/<file>. */
  rke2: z
    .strictObject({
      artifactsUrl: mirrorUrl("https", "http"),
      /** Also fetch rke2-images.linux-amd64.tar.zst (RKE2's own images, no registry needed). Default true. */
      images: z.boolean().default(true),
    })
    .optional(),
  /** Container registry mirrors, written to new nodes' /etc/rancher/rke2/registries.yaml. */
  registries: z
    .array(
      z.strictObject({
        registry: registryName,
        /** Tried in order; containerd falls back to the registry itself last. */
        endpoints: z.array(mirrorUrl("https", "http")).min(1),
        /** Repository rewrites (RE2 pattern → replacement with $1…), e.g. for a Harbor project. */
        rewrite: z.record(z.string().min(1), z.string().min(1)).optional(),
      }),
    )
    .default([]),
  /**
   * Chart repositories, OCI chart registries and remote manifests: every source of the program
   * starting with `upstream` (at a path-segment boundary) is fetched from `url` instead.
   */
  charts: z
    .array(
      z.strictObject({
        upstream: mirrorUrl("https", "oci"),
        url: mirrorUrl("https", "http", "oci"),
      }),
    )
    .default([]),
});

export type MirrorsConfig = z.infer<typeof mirrorsSchema>;
export type RegistryMirrorConfig = MirrorsConfig["registries"][number];
export type ChartMirrorConfig = MirrorsConfig["charts"][number];

export interface MirrorProblem {
  readonly key: string;
  readonly message: string;
}

const KEY = "plant:mirrors";

function repeated<T>(items: readonly T[], keyOf: (t: T) => string): [number, number][] {
  const first = new Map<string, number>();
  const out: [number, number][] = [];
  items.forEach((item, i) => {
    const k = keyOf(item);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, i);
    else out.push([seen, i]);
  });
  return out;
}

/** Every URL of the mirrors block with its key path. */
function urls(m: MirrorsConfig): { key: string; url: string }[] {
  return [
    ...(m.rke2 ? [{ key: `${KEY}.rke2.artifactsUrl`, url: m.rke2.artifactsUrl }] : []),
    ...m.registries.flatMap((r, i) =>
      r.endpoints.map((url, j) => ({ key: `${KEY}.registries[${i}].endpoints[${j}]`, url })),
    ),
    ...m.charts.map((c, i) => ({ key: `${KEY}.charts[${i}].url`, url: c.url })),
  ];
}

/** Relations inside `plant:mirrors` (formats are the schema's). */
export function mirrorProblems(m: MirrorsConfig | undefined): MirrorProblem[] {
  if (!m) return [];
  const problems: MirrorProblem[] = [];
  // Checked here, not in the schema, so that the refusal does not repeat the whole PEM.
  const ca = m.caCertificate === undefined ? undefined : caBundleProblem(m.caCertificate);
  if (ca) problems.push({ key: `${KEY}.caCertificate`, message: ca });
  if (!m.allowHttp) {
    for (const { key, url } of urls(m)) {
      if (url.startsWith("http://")) {
        problems.push({
          key,
          message: `'${url}' is plain HTTP, which nothing authenticates: use https, or set ${KEY}.allowHttp: true`,
        });
      }
    }
  }
  for (const [a, b] of repeated(m.registries, (r) => r.registry)) {
    problems.push({
      key: `${KEY}.registries[${b}].registry`,
      message: `'${m.registries[b].registry}' is listed more than once (also at ${KEY}.registries[${a}]); give one entry all its endpoints`,
    });
  }
  m.registries.forEach((r, i) => {
    for (const pattern of Object.keys(r.rewrite ?? {})) {
      const problem = rewritePatternProblem(pattern);
      if (problem)
        problems.push({
          key: `${KEY}.registries[${i}].rewrite`,
          message: `'${pattern}' ${problem}`,
        });
    }
    for (const [a, b] of repeated(r.endpoints, (e) => e)) {
      problems.push({
        key: `${KEY}.registries[${i}].endpoints[${b}]`,
        message: `'${r.endpoints[b]}' is listed more than once (also at endpoints[${a}])`,
      });
    }
  });
  for (const [a, b] of repeated(m.charts, (c) => c.upstream)) {
    problems.push({
      key: `${KEY}.charts[${b}].upstream`,
      message: `'${m.charts[b].upstream}' is mirrored more than once (also at ${KEY}.charts[${a}])`,
    });
  }
  m.charts.forEach((c, i) => {
    if (c.url === c.upstream)
      problems.push({
        key: `${KEY}.charts[${i}].url`,
        message: `'${c.url}' is the upstream itself, not a mirror`,
      });
  });
  return problems;
}
