// plant:mirrors end to end: the pure chart mapping, the catalogue of what the program fetches
// against both sites' plans, and both sites planned with mirrors — every chart and manifest
// comes from a mirror, every VM's user data carries them, and nothing else in the plan moves.
import * as path from "path";
import fc from "fast-check";
import { parse } from "yaml";
import { readStackFile } from "../../config/site";
import { PROGRAM_SOURCES } from "../../components/chart-sources";
import {
  ChartMirror,
  helmChart,
  HelmChartRef,
  manifestUrl,
  mirroredUrl,
  upstreamChart,
  upstreamManifest,
} from "../../components/mirrors";
import { CHART_SOURCES, pinnedChart, pinnedManifest } from "../../tools/helm/sources";
import { unwrapSecrets } from "../../tools/plan/mask";
import { PlannedResource, PlanResult, PROJECT_DIR, runPlan } from "../../tools/plan/run";
import { sitePlan, SITE_STACKS } from "../support/plans";

const CHART = "kubernetes:helm.sh/v4:Chart";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
const INSTANCE = "openstack:compute/instance:Instance";
const FIXTURE = path.join(PROJECT_DIR, "test/fixtures/mirrors/Pulumi.avilla.yaml");

describe("chart sources through mirrors (pure)", () => {
  const mirrors: ChartMirror[] = [
    { upstream: "https://charts.jetstack.io", url: "https://charts.plant.example/jetstack" },
    { upstream: "https://metallb.github.io/metallb", url: "oci://harbor.plant.example/metallb" },
    { upstream: "oci://docker.io", url: "oci://harbor.plant.example/dockerhub" },
    { upstream: "oci://docker.io/envoyproxy", url: "https://charts.plant.example/envoyproxy" },
    { upstream: "https://github.com", url: "https://files.plant.example/github" },
  ];

  test.each<[string, Parameters<typeof helmChart>[0], ReturnType<typeof helmChart>]>([
    [
      "https repo → https repo",
      { chart: "cert-manager", version: "v1.21.1", repo: "https://charts.jetstack.io" },
      {
        chart: "cert-manager",
        version: "v1.21.1",
        repositoryOpts: { repo: "https://charts.plant.example/jetstack" },
      },
    ],
    [
      "https repo → OCI registry",
      { chart: "metallb", version: "0.16.1", repo: "https://metallb.github.io/metallb" },
      { chart: "oci://harbor.plant.example/metallb/metallb", version: "0.16.1" },
    ],
    [
      "OCI → https repo (the longest upstream wins)",
      { chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.9.0" },
      {
        chart: "gateway-helm",
        version: "v1.9.0",
        repositoryOpts: { repo: "https://charts.plant.example/envoyproxy" },
      },
    ],
    [
      "OCI → OCI through a registry-wide prefix",
      { chart: "oci://docker.io/bitnamicharts/redis", version: "1.0.0" },
      { chart: "oci://harbor.plant.example/dockerhub/bitnamicharts/redis", version: "1.0.0" },
    ],
    [
      "not covered: unchanged",
      {
        chart: "cloudnative-pg",
        version: "0.29.0",
        repo: "https://cloudnative-pg.github.io/charts",
      },
      {
        chart: "cloudnative-pg",
        version: "0.29.0",
        repositoryOpts: { repo: "https://cloudnative-pg.github.io/charts" },
      },
    ],
  ])("%s", (_label, ref, expected) => {
    expect(helmChart(ref, mirrors)).toEqual(expected);
  });

  test("manifests: prefix replaced, the rest of the path kept", () => {
    expect(
      manifestUrl(
        "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
        mirrors,
      ),
    ).toBe(
      "https://files.plant.example/github/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
    );
  });

  test("a prefix covers whole path segments only", () => {
    const m = [{ upstream: "https://example.com/charts", url: "https://m.example/c" }];
    expect(mirroredUrl("https://example.com/charts", m)).toBe("https://m.example/c");
    expect(mirroredUrl("https://example.com/charts/x", m)).toBe("https://m.example/c/x");
    expect(mirroredUrl("https://example.com/charts2/x", m)).toBe("https://example.com/charts2/x");
  });

  test("without mirrors every source is exactly what it was", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROGRAM_SOURCES),
        fc.constantFrom<ChartMirror[] | undefined>(undefined, []),
        (s, none) => {
          if (s.kind === "manifest") expect(manifestUrl(s.url, none)).toBe(s.url);
          else {
            const { chart, version, repo } = s.ref;
            expect(helmChart(s.ref, none)).toEqual(
              repo === undefined
                ? { chart, version }
                : { chart, version, repositoryOpts: { repo } },
            );
          }
        },
      ),
    );
  });

  test("refuses a chart with neither a repository nor an oci:// reference", () => {
    expect(() => helmChart({ chart: "metallb", version: "0.16.1" })).toThrow(
      "[chart] 'metallb' needs a repository",
    );
  });
});

describe("mirrored sources back to their pinned upstream (the offline plan's local copies)", () => {
  const mirrors: ChartMirror[] = [
    { upstream: "https://charts.jetstack.io", url: "https://charts.plant.example/jetstack" },
    { upstream: "https://metallb.github.io/metallb", url: "oci://harbor.plant.example/metallb" },
    { upstream: "oci://docker.io/envoyproxy", url: "https://charts.plant.example/envoyproxy" },
    {
      upstream: "https://github.com/kubernetes-sigs/gateway-api/releases/download",
      url: "https://files.plant.example/gateway-api",
    },
  ];
  const charts = PROGRAM_SOURCES.flatMap((s) => (s.kind === "chart" ? [s.ref] : []));
  const manifests = PROGRAM_SOURCES.flatMap((s) => (s.kind === "manifest" ? [s.url] : []));
  const GATEWAY_API_URL =
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml";

  test("every program source, mirrored or not, maps back to itself", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROGRAM_SOURCES), fc.subarray(mirrors), (s, some) => {
        if (s.kind === "manifest") {
          expect(upstreamManifest(manifestUrl(s.url, some), manifests, some)).toBe(s.url);
        } else {
          expect(upstreamChart(helmChart(s.ref, some), charts, some)).toBe(s.ref);
        }
      }),
    );
  });

  test.each<[string, Parameters<typeof upstreamChart>[0]]>([
    [
      "a chart the mirror serves that no pinned chart maps to",
      { chart: "oci://harbor.plant.example/metallb/frr-k8s", version: "0.0.25" },
    ],
    [
      "a pinned chart at another version",
      { chart: "oci://harbor.plant.example/metallb/metallb", version: "0.16.2" },
    ],
    [
      "a pinned chart from another mirror",
      {
        chart: "cert-manager",
        version: "v1.21.1",
        repositoryOpts: { repo: "https://charts.plant.example/envoyproxy" },
      },
    ],
    [
      "a mirrored chart declared from upstream",
      {
        chart: "cert-manager",
        version: "v1.21.1",
        repositoryOpts: { repo: "https://charts.jetstack.io" },
      },
    ],
  ])("no upstream for %s", (_label, declared) => {
    expect(upstreamChart(declared, charts, mirrors)).toBeUndefined();
  });

  test("manifests: exact URLs only", () => {
    expect(
      upstreamManifest(
        "https://files.plant.example/gateway-api/v1.6.1/standard-install.yaml",
        manifests,
        mirrors,
      ),
    ).toBe(GATEWAY_API_URL);
    for (const url of [
      "https://files.plant.example/gateway-api/v1.7.0/standard-install.yaml",
      "https://files.plant.example/gateway-api/v1.6.1/experimental-install.yaml",
      GATEWAY_API_URL, // mirrored, so the program never fetches it from upstream
    ])
      expect([url, upstreamManifest(url, manifests, mirrors)]).toEqual([url, undefined]);
  });

  test("the plan's local copies: a mirror URL without a pinned upstream is an error naming it", () => {
    const site = readStackFile(FIXTURE).mirrors as { charts: ChartMirror[] };
    const GATEWAY_MIRROR = "https://mirror.avilla.busche-cnc.com/gateway-api";
    expect(pinnedManifest(`${GATEWAY_MIRROR}/v1.6.1/standard-install.yaml`, site.charts)).toBe(
      GATEWAY_API_URL,
    );
    expect(() =>
      pinnedManifest(`${GATEWAY_MIRROR}/v1.7.0/standard-install.yaml`, site.charts),
    ).toThrow(
      `the offline plan has no local copy of ${GATEWAY_MIRROR}/v1.7.0/standard-install.yaml ` +
        `(it is served by plant:mirrors.charts[4] (${GATEWAY_MIRROR}), but no pinned source maps ` +
        `to it through the site's mirrors): add it to MANIFEST_FOLDERS in tools/helm/sources.ts`,
    );
    const gateway: HelmChartRef = {
      chart: "oci://harbor.avilla.busche-cnc.com/envoyproxy/gateway-helm",
      version: "v1.9.0",
    };
    expect(pinnedChart(gateway, site.charts)).toBe(
      CHART_SOURCES.find((c) => c.chart === "oci://docker.io/envoyproxy/gateway-helm"),
    );
    expect(() => pinnedChart({ ...gateway, version: "v1.9.1" }, site.charts)).toThrow(
      "the offline plan has no local copy of chart " +
        "oci://harbor.avilla.busche-cnc.com/envoyproxy/gateway-helm@v1.9.1 (it is served by " +
        "plant:mirrors.charts[3] (oci://harbor.avilla.busche-cnc.com/envoyproxy), but no pinned " +
        "source maps to it through the site's mirrors): add it to CHART_SOURCES",
    );
    expect(() =>
      pinnedChart(
        {
          chart: "cert-manager",
          version: "v1.21.1",
          repositoryOpts: { repo: "https://x.example" },
        },
        site.charts,
      ),
    ).toThrow(
      "the offline plan has no local copy of chart cert-manager@v1.21.1 from https://x.example: add it to CHART_SOURCES",
    );
  });
});

/** What a Chart or ConfigFile fetches, as the program declared it. */
function sourceOf(r: PlannedResource): string {
  if (r.type === CONFIG_FILE) return String(r.inputs.file);
  const repo = (r.inputs.repositoryOpts as { repo?: string } | undefined)?.repo;
  return repo === undefined ? String(r.inputs.chart) : `${repo} ${String(r.inputs.chart)}`;
}

function catalogueSources(): string[] {
  return PROGRAM_SOURCES.map((s) => {
    if (s.kind === "manifest") return s.url;
    const c = helmChart(s.ref);
    return c.repositoryOpts ? `${c.repositoryOpts.repo} ${c.chart}` : c.chart;
  }).sort();
}

const fetching = (plan: PlanResult) =>
  plan.resources.filter((r) => r.type === CHART || r.type === CONFIG_FILE);

describe.each(SITE_STACKS)("stack %s without mirrors", (stack) => {
  test("fetches exactly the catalogued sources, from upstream", async () => {
    const plan = await sitePlan(stack);
    const used = [...new Set(fetching(plan).map(sourceOf))].sort();
    expect(used).toEqual(catalogueSources());
  });
});

/** The fixture's mirrors block on any site. */
function withMirrors(stack: string): Record<string, unknown> {
  const raw = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
  return { ...raw, mirrors: readStackFile(FIXTURE).mirrors };
}

const MIRROR_HOSTS = /^(https|oci):\/\/(charts|harbor|mirror)\.avilla\.busche-cnc\.com\//;

describe.each(SITE_STACKS)("stack %s with the example mirrors", (stack) => {
  let plain: PlanResult;
  let mirrored: PlanResult;
  const userData: Record<string, string> = {};

  beforeAll(async () => {
    plain = await sitePlan(stack);
    mirrored = await runPlan({
      stack,
      rawConfig: withMirrors(stack),
      stateOverride: (type, name, state) => {
        if (type === INSTANCE) userData[name] = unwrapSecrets(state.userData) as string;
        return state;
      },
    });
  }, 60000);

  test("every chart and manifest comes from a mirror", () => {
    const sources = fetching(mirrored).map((r) => [r.name, sourceOf(r)]);
    expect(sources.length).toBe(fetching(plain).length);
    for (const [name, source] of sources) {
      const location = source.includes(" ") ? source.split(" ")[0] : source;
      expect([name, MIRROR_HOSTS.test(location)]).toEqual([name, true]);
    }
  });

  test("every VM's user data installs RKE2 from the mirror and writes registries.yaml", () => {
    const vms = mirrored.resources.filter((r) => r.type === INSTANCE);
    expect(vms.length).toBeGreaterThan(0);
    for (const vm of vms) {
      const doc = parse(userData[String(vm.inputs.name)]) as {
        write_files: { path: string }[];
        ca_certs: { trusted: string[] };
      };
      expect(doc.write_files.map((f) => f.path)).toEqual(
        expect.arrayContaining([
          "/etc/rancher/rke2/registries.yaml",
          "/etc/rancher/rke2/mirror-ca.pem",
          "/usr/local/sbin/plant-rke2-fetch",
        ]),
      );
      expect(doc.ca_certs.trusted).toHaveLength(1);
      expect(userData[String(vm.inputs.name)]).not.toContain("github");
    }
  });

  test("nothing else changes: same resources, same inputs apart from sources and user data", () => {
    const strip = (r: PlannedResource) => {
      const inputs: Record<string, unknown> = { ...r.inputs };
      if (r.type === CHART) {
        delete inputs.chart;
        delete inputs.repositoryOpts;
      }
      if (r.type === CONFIG_FILE) delete inputs.file;
      const digests = { ...r.secretDigests };
      if (r.type === INSTANCE) delete digests.userData;
      return { ...r, inputs, secretDigests: digests };
    };
    expect(mirrored.resources.map(strip)).toEqual(plain.resources.map(strip));
    expect(mirrored.outputs).toEqual(plain.outputs);
    // The charts render from the same pinned copies, so the dropped hooks are the same too.
    const hook = ({ chartRef: _ref, ...rest }: PlanResult["hooks"][number]) => rest;
    expect(mirrored.hooks.map(hook)).toEqual(plain.hooks.map(hook));
    const vm = mirrored.resources.find((r) => r.type === INSTANCE);
    const before = plain.resources.find((r) => r.urn === vm?.urn);
    expect(vm?.secretDigests?.userData).not.toBe(before?.secretDigests?.userData);
  });
});
