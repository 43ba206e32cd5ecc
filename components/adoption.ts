// Taking over objects that already exist in a cluster (plant:clusters[].adopt) instead of creating
// them. pulumi-kubernetes creates with a plain POST, so an object that is already there fails the
// run with AlreadyExists; the `import` option makes the engine read the object into the stack
// first, then update it to what the program declares (the engine imports, then updates, since 3.174).
//
// Two paths, one list of entries:
// - objects the program declares itself get `import` through an in-process transformation on
//   the cluster's top-level components (so the offline plan shows it);
// - children of a Chart or ConfigFile are registered by the kubernetes provider, not by this
//   process: the transformation gives each Chart/ConfigFile an engine-side `transforms` entry that
//   sets `import` on the matching child (the engine honours `import` set by transforms since 3.199).
// Adopted objects are retained on delete: the program did not create them, and what installed them
// (the distribution, a hand install) may still count on them. They also carry
// `pulumi.com/patchForce`: the update after the import is a server-side apply, and the fields the
// previous owner wrote (helm, kubectl, the distribution) would otherwise be apply conflicts.
import * as pulumi from "@pulumi/pulumi";
import { isClusterScoped, kubernetesImportId } from "../config/kube-scope";
import { AdoptEntry } from "../config/schema";

/** Components whose children the kubernetes provider renders and registers. */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set([
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
]);

export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  /** Undefined for cluster-scoped objects. */
  readonly namespace?: string;
}

/**
 * The object a kubernetes resource registration creates, from its type token
 * (`kubernetes:<group>/<version>:<Kind>`) and its inputs; undefined for anything that creates no
 * object of its own (providers, Patch resources, Charts) or whose name is not a plain string.
 */
export function objectRefOf(
  type: string,
  props: Record<string, unknown>,
  defaultNamespace?: string,
): ObjectRef | undefined {
  const match = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!match || CONTAINER_TYPES.has(type)) return undefined;
  const typeKind = match[2];
  const kind = typeof props.kind === "string" ? props.kind : typeKind;
  // A `<Kind>Patch` changes fields of an object someone else created.
  if (typeKind === `${kind}Patch` || (typeKind.endsWith("Patch") && props.kind === undefined))
    return undefined;
  const metadata = props.metadata as { name?: unknown; namespace?: unknown } | undefined;
  if (typeof metadata?.name !== "string") return undefined;
  if (isClusterScoped(kind)) return { kind, name: metadata.name };
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : defaultNamespace;
  return { kind, name: metadata.name, ...(namespace ? { namespace } : {}) };
}

export function findAdoption(
  entries: readonly AdoptEntry[],
  ref: ObjectRef,
): AdoptEntry | undefined {
  return entries.find(
    (e) => e.kind === ref.kind && e.name === ref.name && e.namespace === ref.namespace,
  );
}

export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** The inputs of an adopted object: its own, plus the annotation that lets the apply take its fields over. */
export function adoptedProps(props: Record<string, unknown>): Record<string, unknown> {
  const metadata = (props.metadata ?? {}) as Record<string, unknown>;
  const annotations = metadata.annotations;
  const merged =
    annotations === undefined ||
    (typeof annotations === "object" && !pulumi.Output.isInstance(annotations))
      ? {
          ...(annotations as Record<string, unknown> | undefined),
          [PATCH_FORCE_ANNOTATION]: "true",
        }
      : pulumi
          .output(annotations as pulumi.Input<Record<string, string>>)
          .apply((a) => ({ ...a, [PATCH_FORCE_ANNOTATION]: "true" }));
  return { ...props, metadata: { ...metadata, annotations: merged } };
}

/** The resource options an adopted object gets. */
export function adoptedOptions(entry: AdoptEntry): { import: string; retainOnDelete: true } {
  return { import: kubernetesImportId(entry), retainOnDelete: true };
}

/** Engine-side transform for the children of one Chart/ConfigFile (namespace: the chart's). */
export function childAdoptionTransform(
  entries: readonly AdoptEntry[],
  defaultNamespace?: string,
): pulumi.ResourceTransform {
  return (args) => {
    if (!args.custom) return undefined;
    const ref = objectRefOf(args.type, args.props, defaultNamespace);
    const entry = ref && findAdoption(entries, ref);
    if (!entry) return undefined;
    return { props: adoptedProps(args.props), opts: { ...args.opts, ...adoptedOptions(entry) } };
  };
}

/** In-process transformation for everything under one cluster's top-level components. */
export function adoptionTransformation(
  entries: readonly AdoptEntry[],
): pulumi.ResourceTransformation {
  return (args) => {
    if (CONTAINER_TYPES.has(args.type)) {
      const namespace = typeof args.props.namespace === "string" ? args.props.namespace : undefined;
      const transforms = [...(args.opts.transforms ?? [])];
      transforms.push(childAdoptionTransform(entries, namespace));
      return { props: args.props, opts: { ...args.opts, transforms } };
    }
    const ref = objectRefOf(args.type, args.props);
    const entry = ref && findAdoption(entries, ref);
    if (!entry) return undefined;
    return { props: adoptedProps(args.props), opts: { ...args.opts, ...adoptedOptions(entry) } };
  };
}

/**
 * Options for a cluster's top-level components (cluster, add-ons, databases, services): nothing
 * when the cluster adopts nothing, so a site without adopt entries registers exactly as before.
 */
export function adoptionOptions(
  site: {
    readonly clusters: readonly { readonly name: string; readonly adopt: readonly AdoptEntry[] }[];
  },
  clusterName: string,
): pulumi.ComponentResourceOptions {
  const entries = site.clusters.find((c) => c.name === clusterName)?.adopt ?? [];
  return entries.length === 0 ? {} : { transformations: [adoptionTransformation(entries)] };
}
