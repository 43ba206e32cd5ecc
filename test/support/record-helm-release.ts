// Writes a hand-installed Helm release into a recorded-answers fixture of test/fixtures/preflight:
// every object the chart renders (hooks left out: Helm deletes cert-manager's startupapicheck
// hook objects once they succeed) answered as PartialObjectMetadata the way `helm install`
// leaves it — Helm's ownership annotations (meta.helm.sh/release-name, -namespace), field
// manager `helm`, and the controllers that write status or CA bundles afterwards. Paths come
// from the fixture's own API discovery, so a kind the cluster does not serve is an error here.
// Rerun after changing the release: `node -r ./tools/register.js
// test/support/record-helm-release.ts && npx prettier --write test/fixtures/preflight`.
import * as fs from "fs";
import * as path from "path";
import { K8sObject, renderChart } from "../../tools/helm/render";

export interface HelmReleaseSpec {
  readonly chart: string;
  readonly version: string;
  readonly release: string;
  readonly namespace: string;
  /** The values the release was installed with. */
  readonly values: Record<string, unknown>;
  /** The cluster's version at install time (`--kube-version`). */
  readonly kubeVersion: string;
  readonly installed: string;
  readonly upgraded: string;
  /** The objects' uids: this prefix and a twelve-digit counter. */
  readonly uidPrefix: string;
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Kind → resource of every group/version the answers' discovery lists. */
function discovery(answers: Record<string, unknown>): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const body of Object.values(answers)) {
    const list = body as {
      kind?: string;
      groupVersion?: string;
      resources?: { name: string; kind: string; namespaced: boolean }[];
    };
    if (list.kind !== "APIResourceList" || !list.groupVersion) continue;
    for (const r of list.resources ?? [])
      if (!r.name.includes("/"))
        out.set(`${list.groupVersion}|${r.kind}`, { plural: r.name, namespaced: r.namespaced });
  }
  return out;
}

/** Who writes an object after Helm: status subresources, the CA bundles cainjector injects. */
function laterManagers(o: K8sObject): string[] {
  const annotations = ((o.metadata as { annotations?: Record<string, string> }).annotations ??
    {}) as Record<string, string>;
  if (o.kind === "Deployment") return ["kube-controller-manager"];
  if (o.kind === "CustomResourceDefinition") return ["kube-apiserver"];
  if (Object.keys(annotations).some((a) => a.startsWith("cert-manager.io/inject-ca-from")))
    return ["cainjector"];
  return [];
}

/** The answers the release's objects give: API path → PartialObjectMetadata. */
export function helmReleaseAnswers(
  spec: HelmReleaseSpec,
  served: Record<string, unknown>,
): Record<string, unknown> {
  const kinds = discovery(served);
  const render = renderChart({
    chart: spec.chart,
    version: spec.version,
    release: spec.release,
    namespace: spec.namespace,
    values: spec.values,
    includeCrds: true,
    kubeVersion: spec.kubeVersion,
    sensitive: false,
  });
  const answers: Record<string, unknown> = {};
  render.objects.forEach(({ object: o }, i) => {
    const apiVersion = String(o.apiVersion);
    const resource = kinds.get(`${apiVersion}|${String(o.kind)}`);
    if (!resource) throw new Error(`the fixture does not serve ${apiVersion} ${String(o.kind)}`);
    const md = o.metadata as {
      name: string;
      namespace?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    const namespace = resource.namespaced ? (md.namespace ?? spec.namespace) : undefined;
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const where = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    const field = (manager: string, time: string, subresource?: string) => ({
      manager,
      operation: "Update",
      apiVersion,
      time,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": {} },
      ...(subresource ? { subresource } : {}),
    });
    answers[`${base}${where}/${resource.plural}/${encodeURIComponent(md.name)}`] = {
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: {
        name: md.name,
        ...(namespace ? { namespace } : {}),
        uid: `${spec.uidPrefix}${String(i).padStart(12, "0")}`,
        resourceVersion: "48213",
        creationTimestamp: spec.installed,
        labels: md.labels ?? {},
        annotations: {
          ...(md.annotations ?? {}),
          "meta.helm.sh/release-name": spec.release,
          "meta.helm.sh/release-namespace": spec.namespace,
        },
        managedFields: [
          field("helm", spec.upgraded),
          ...laterManagers(o).map((m) =>
            field(m, spec.upgraded, m === "cainjector" ? undefined : "status"),
          ),
        ],
      },
    };
  });
  return answers;
}

/** Whether an answer is an object of the release (by Helm's ownership annotations). */
export function ofRelease(body: unknown, release: string, namespace: string): boolean {
  const annotations = (body as { metadata?: { annotations?: Record<string, string> } })?.metadata
    ?.annotations;
  return (
    annotations?.["meta.helm.sh/release-name"] === release &&
    annotations?.["meta.helm.sh/release-namespace"] === namespace
  );
}

/**
 * The answers after `helm uninstall`: the release's objects are gone, except those it keeps
 * (`helm.sh/resource-policy: keep`, e.g. cert-manager's CRDs), and so are its release records.
 */
export function afterUninstall(
  answers: Record<string, unknown>,
  release: string,
  namespace: string,
): Record<string, unknown> {
  const kept = Object.entries(answers).filter(([, body]) => {
    if (!ofRelease(body, release, namespace)) return true;
    const md = (body as { metadata: { annotations: Record<string, string> } }).metadata;
    return md.annotations["helm.sh/resource-policy"] === "keep";
  });
  return {
    ...Object.fromEntries(kept),
    [`/api/v1/namespaces/${namespace}/secrets?labelSelector=owner%3Dhelm`]: {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata: {},
      items: [],
    },
  };
}

/** cert-manager as installed by hand at the Avilla OptiPlex cluster (optiplex-k3s.json). */
export const OPTIPLEX_CERT_MANAGER: HelmReleaseSpec = {
  chart: "cert-manager",
  version: "v1.21.1",
  release: "cert-manager",
  namespace: "cert-manager",
  // cert-manager's documented install: `--set crds.enabled=true` (crds.keep stays true).
  values: { crds: { enabled: true } },
  kubeVersion: "v1.32.5+k3s1",
  installed: "2025-03-11T09:12:44Z",
  upgraded: "2025-09-30T13:01:10Z",
  uidPrefix: "1b7d3c55-0000-4000-8001-",
};

if (require.main === module) {
  const file = path.resolve(__dirname, "../fixtures/preflight/optiplex-k3s.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { answers: Record<string, unknown> };
  const spec = OPTIPLEX_CERT_MANAGER;
  const others = Object.entries(doc.answers).filter(
    ([, body]) => !ofRelease(body, spec.release, spec.namespace),
  );
  doc.answers = { ...Object.fromEntries(others), ...helmReleaseAnswers(spec, doc.answers) };
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
