// Pinned images: every container of every workload kind, and a CNPG Cluster's imageName.
// Own copy of the config schema's rule: the pack is deployed on its own, without the program.
import { containers, CNPG_CLUSTER, podSpec } from "./workloads";
import { asObj, label, PlainResource, str, Violation } from "./types";

/** Why an image reference is not pinned, or undefined when it is (repo:tag or repo@sha256:…). */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const last = image.split("/").pop() ?? "";
  const colon = last.lastIndexOf(":");
  if (colon < 0) return "has no tag";
  const tag = last.slice(colon + 1);
  if (tag === "latest") return "uses the tag 'latest'";
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return `has an invalid tag '${tag}'`;
  return undefined;
}

export function pinnedImageViolations(r: PlainResource): Violation[] {
  const found: { where: string; image: string | undefined }[] = [];
  if (r.type === CNPG_CLUSTER) {
    found.push({ where: "spec.imageName", image: str(asObj(r.props.spec).imageName) });
  } else {
    const pod = podSpec(r);
    if (!pod) return [];
    for (const c of containers(pod)) found.push({ where: c.where, image: str(c.spec.image) });
  }
  return found.flatMap(({ where, image }) => {
    if (image === undefined)
      return [
        { message: `${label(r)} ${where}: no image set: pin repo:tag or repo@sha256:<digest>` },
      ];
    const problem = imagePinProblem(image);
    return problem
      ? [
          {
            message: `${label(r)} ${where}: image ${image} ${problem}: pin repo:tag or repo@sha256:<digest>`,
          },
        ]
      : [];
  });
}

const CHART_TYPES = [
  "kubernetes:helm.sh/v3:Chart",
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:helm.sh/v3:Release",
];
const MANIFEST_TYPES = ["kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml:ConfigFile"];
const EXACT_VERSION = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;

/** Helm charts at an exact version; remote manifests from a versioned URL (not a branch or `latest`). */
export function pinnedChartViolations(r: PlainResource): Violation[] {
  if (CHART_TYPES.includes(r.type)) {
    const version = str(r.props.version);
    const chart = str(r.props.chart) ?? r.name ?? "?";
    if (version === undefined || !EXACT_VERSION.test(version)) {
      return [
        {
          message: `Helm chart ${chart} has version ${version ?? "(none)"}: pin an exact release like 1.2.3`,
        },
      ];
    }
  }
  if (MANIFEST_TYPES.includes(r.type)) {
    const file = str(r.props.file) ?? "";
    const remote = /^https?:\/\//.test(file);
    if (remote && (/\/(latest|main|master|HEAD)\//.test(file) || !/\d+\.\d+\.\d+/.test(file))) {
      return [{ message: `manifest ${file} is not a versioned release URL: pin a release tag` }];
    }
  }
  return [];
}
