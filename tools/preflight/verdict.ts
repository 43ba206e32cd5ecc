// Judges each planned object against what its cluster holds: what the program would do (create,
// import, update), what is there, and whether `pulumi up` would get through. Pure.
import { kubernetesImportId } from "../../config/kube-scope";
import { ClusterExpectation, ExpectedContainer, ExpectedObject } from "./expected";
import {
  ClusterObservation,
  HelmRelease,
  Observation,
  ObservedMetadata,
  objectKey,
} from "./inspect";

/**
 * ok: nothing stands in the way · adopt: an existing object is imported · conflict: the create
 * would fail with AlreadyExists (or an adopt entry is not applied) · adopt-missing: an import
 * would fail, there is nothing to import · unmatched: an adopt entry names nothing the program
 * declares · unchecked: the cluster did not answer for it · info: context, never a finding.
 */
export type Verdict =
  "ok" | "adopt" | "conflict" | "adopt-missing" | "unmatched" | "unchecked" | "info";

export const PROBLEM_VERDICTS: ReadonlySet<Verdict> = new Set([
  "conflict",
  "adopt-missing",
  "unmatched",
]);

export interface Row {
  readonly cluster: string;
  readonly kind: string;
  readonly apiVersion?: string;
  readonly name: string;
  readonly namespace?: string;
  /** `program`, `chart <resource>`, `file <resource>`, `adopt entry`. */
  readonly declaredBy: string;
  /** What `pulumi up` would do with it. */
  readonly action: string;
  /** What the cluster holds, in words. */
  readonly found: string;
  readonly verdict: Verdict;
  /** The verdict in words. */
  readonly detail: string;
  /** Config key of the adopt entry that names it. */
  readonly adoptKey?: string;
  readonly observation?: Observation;
  /** `<namespace>/<release>` when the object belongs to a Helm release (`meta.helm.sh/release-*`). */
  readonly helmRelease?: string;
}

/** Objects this stack already holds: `<cluster>|<kind>|<id>`. */
export interface StackState {
  readonly source: string;
  readonly objects: ReadonlySet<string>;
}

export function stateKey(cluster: string, kind: string, id: string): string {
  return `${cluster}|${kind}|${id}`;
}

export function objectLabel(o: { kind: string; name: string; namespace?: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

function writtenByPulumi(md: ObservedMetadata): boolean {
  return (
    md.labels["app.kubernetes.io/managed-by"] === "pulumi" ||
    md.managers.some((m) => m.startsWith("pulumi-kubernetes"))
  );
}

/** What is there, in words: managed-by label, Helm release, owners, field managers. */
export function describeFound(o: Observation | undefined): string {
  if (!o) return "not checked";
  switch (o.state) {
    case "absent":
      return "absent";
    case "not-served":
      return "absent (its API is not served yet)";
    case "unknown":
      return `unknown: ${o.error}`;
    case "present": {
      const md = o.metadata;
      const parts: string[] = [];
      const managedBy = md.labels["app.kubernetes.io/managed-by"];
      if (managedBy) parts.push(`managed-by=${managedBy}`);
      const release = md.annotations["meta.helm.sh/release-name"];
      if (release)
        parts.push(
          `Helm release ${md.annotations["meta.helm.sh/release-namespace"] ?? "?"}/${release}`,
        );
      if (md.owners.length > 0)
        parts.push(`owner ${md.owners.map((x) => `${x.kind}/${x.name}`).join(", ")}`);
      const bundle = md.annotations["gateway.networking.k8s.io/bundle-version"];
      if (bundle)
        parts.push(
          `Gateway API ${bundle} ${md.annotations["gateway.networking.k8s.io/channel"] ?? ""}`.trimEnd(),
        );
      if (md.annotations["objectset.rio.cattle.io/id"])
        parts.push(`applied by ${md.annotations["objectset.rio.cattle.io/id"]}`);
      if (md.managers.length > 0)
        parts.push(
          `written by ${md.managers.slice(0, 3).join(", ")}${md.managers.length > 3 ? ", …" : ""}`,
        );
      return parts.length > 0 ? `present: ${parts.join("; ")}` : "present";
    }
  }
}

function judgeObject(
  c: ClusterExpectation,
  o: ExpectedObject,
  observation: Observation | undefined,
  state: StackState | undefined,
): Row {
  const declaredBy =
    o.declaredBy.kind === "program" ? "program" : `${o.declaredBy.kind} ${o.declaredBy.resource}`;
  const adoptKey = o.adopt ? `plant:clusters[${c.index}].adopt[${o.adopt.index}]` : undefined;
  const present = observation?.state === "present";
  const base = {
    cluster: c.cluster,
    kind: o.kind,
    apiVersion: o.apiVersion,
    name: o.name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    declaredBy,
    found: describeFound(observation),
    ...(adoptKey ? { adoptKey } : {}),
    ...(observation ? { observation } : {}),
    ...(present && observation.metadata.annotations["meta.helm.sh/release-name"]
      ? {
          helmRelease: `${observation.metadata.annotations["meta.helm.sh/release-namespace"] ?? "?"}/${observation.metadata.annotations["meta.helm.sh/release-name"]}`,
        }
      : {}),
  };
  if (state?.objects.has(stateKey(c.cluster, o.kind, kubernetesImportId(o)))) {
    return present || observation?.state === "unknown"
      ? { ...base, action: "update", verdict: "ok", detail: "ok: the stack already manages it" }
      : {
          ...base,
          action: "update",
          verdict: "ok",
          detail: "ok: in the stack, gone from the cluster (run `pulumi refresh`)",
        };
  }
  if (o.patch) {
    if (!observation || observation.state === "unknown")
      return { ...base, action: "patch", verdict: "unchecked", detail: "UNCHECKED" };
    return present
      ? {
          ...base,
          action: "patch",
          verdict: "ok",
          detail: "ok: the patch changes the existing object",
        }
      : {
          ...base,
          action: "patch",
          verdict: "conflict",
          detail: "PATCH WOULD FAIL: there is nothing to patch",
        };
  }
  if (!observation || observation.state === "unknown")
    return {
      ...base,
      action: o.adopt ? "import" : "create",
      verdict: "unchecked",
      detail: "UNCHECKED",
    };
  // The program applies an adopt entry as `import` on its own objects; a Chart/ConfigFile's
  // children get it from the engine transform their container carries.
  const applied =
    o.declaredBy.kind === "program" ? o.importId !== undefined : (o.containerTransforms ?? 0) > 0;
  if (o.adopt && !applied) {
    return {
      ...base,
      action: "create",
      verdict: "conflict",
      detail: `CONFLICT: ${adoptKey} is not applied to it (the program does not register it with \`import\`)`,
    };
  }
  if (o.adopt) {
    return present
      ? {
          ...base,
          action: "import",
          verdict: "adopt",
          detail: `adopt: import, then update (${adoptKey})`,
        }
      : {
          ...base,
          action: "import",
          verdict: "adopt-missing",
          detail: `IMPORT WOULD FAIL: nothing to import; remove ${adoptKey}`,
        };
  }
  if (!present) return { ...base, action: "create", verdict: "ok", detail: "ok" };
  if (!state && writtenByPulumi(observation.metadata)) {
    return {
      ...base,
      action: "create",
      verdict: "ok",
      detail: "ok if this stack created it (written by Pulumi; the stack's state was not read)",
    };
  }
  return {
    ...base,
    action: "create",
    verdict: "conflict",
    detail: "CONFLICT: create would fail (AlreadyExists)",
  };
}

function describeReleases(
  releases: readonly HelmRelease[] | string | undefined,
  ns: string,
): string {
  if (releases === undefined) return "not checked";
  if (typeof releases === "string") return `unknown: ${releases}`;
  if (releases.length === 0) return `no Helm release in ${ns}`;
  return `Helm release${releases.length > 1 ? "s" : ""} ${releases
    .map((r) => `${r.name} (revision ${r.revision}, ${r.status})`)
    .join(", ")}`;
}

function judgeContainer(
  c: ClusterExpectation,
  k: ExpectedContainer,
  observed: ClusterObservation | undefined,
): Row {
  const chart = k.type.startsWith("kubernetes:helm.sh/");
  const declaredBy = chart ? `chart ${k.resource}` : `file ${k.resource}`;
  const base = {
    cluster: c.cluster,
    kind: chart ? "Chart" : "ConfigFile",
    name: k.release ?? k.resource,
    ...(k.namespace ? { namespace: k.namespace } : {}),
    declaredBy,
    action: k.contentsKnown ? `render ${k.objects} objects` : "render (contents not in the plan)",
  };
  if (!chart || !k.namespace) {
    return {
      ...base,
      found: "-",
      verdict: "info",
      detail: k.contentsKnown ? "its objects are listed" : "contents not checked",
    };
  }
  const releases = observed?.releases.get(k.namespace);
  const found = describeReleases(releases, k.namespace);
  if (releases === undefined || typeof releases === "string")
    return {
      ...base,
      found,
      verdict: observed ? "unchecked" : "info",
      detail: observed ? "UNCHECKED" : "-",
    };
  if (k.contentsKnown || releases.length === 0)
    return {
      ...base,
      found,
      verdict: "info",
      detail: k.contentsKnown ? "its objects are listed" : "no Helm release in the way",
    };
  return {
    ...base,
    found,
    verdict: "conflict",
    detail:
      "CONFLICT: a Helm release is installed here and the chart's objects (not in the offline plan) would collide",
  };
}

function judgeUnmatched(c: ClusterExpectation, observed: ClusterObservation | undefined): Row[] {
  const unknownCharts = c.containers.filter((k) => !k.contentsKnown).map((k) => k.resource);
  return c.unmatchedAdopt.map((a) => {
    const adoptKey = `plant:clusters[${c.index}].adopt[${a.index}]`;
    const base = {
      cluster: c.cluster,
      kind: a.entry.kind,
      name: a.entry.name,
      ...(a.entry.namespace ? { namespace: a.entry.namespace } : {}),
      declaredBy: "adopt entry",
      action: "-",
      found: observed ? "not looked up" : "not checked",
      adoptKey,
    };
    return unknownCharts.length > 0
      ? {
          ...base,
          verdict: "info" as const,
          detail: `${adoptKey} names nothing in the plan; if one of ${unknownCharts.join(", ")} renders it, that chart's transform imports it`,
        }
      : {
          ...base,
          verdict: "unmatched" as const,
          detail: `UNMATCHED: ${adoptKey} names nothing the program declares in cluster ${c.cluster}; fix or remove it`,
        };
  });
}

/** Every row of one cluster; `observed` is undefined when the cluster was not asked. */
export function judgeCluster(
  c: ClusterExpectation,
  observed: ClusterObservation | undefined,
  state: StackState | undefined,
): Row[] {
  return [
    ...c.objects.map((o) => judgeObject(c, o, observed?.objects.get(objectKey(o)), state)),
    ...c.containers.map((k) => judgeContainer(c, k, observed)),
    ...judgeUnmatched(c, observed),
  ];
}
