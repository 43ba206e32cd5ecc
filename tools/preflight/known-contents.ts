// What a ConfigFile the program declares will create, when the offline plan cannot see it (the
// provider reads the file at deploy time). Only the Gateway API standard install is declared this
// way; the list is checked against the upstream copy in ../shared (test/preflight/expected.test.ts).
import { GATEWAY_API } from "../../components/ingress/versions";

export interface KnownObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** The objects of Gateway API `standard-install.yaml` at the pinned version. */
export const GATEWAY_API_STANDARD_INSTALL: readonly KnownObject[] = [
  ...[
    "backendtlspolicies",
    "gatewayclasses",
    "gateways",
    "grpcroutes",
    "httproutes",
    "listenersets",
    "referencegrants",
    "tcproutes",
    "tlsroutes",
    "udproutes",
  ].map((plural) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    name: `${plural}.${GATEWAY_API_GROUP}`,
  })),
  {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    name: `safe-upgrades.${GATEWAY_API_GROUP}`,
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    name: `safe-upgrades.${GATEWAY_API_GROUP}`,
  },
];

/** The objects a ConfigFile's `file` holds, when known; undefined otherwise. */
export function knownFileContents(file: unknown): readonly KnownObject[] | undefined {
  if (typeof file !== "string") return undefined;
  // The release URL, or the same file under a mirror: …/<version>/standard-install.yaml.
  if (
    file === GATEWAY_API.standardInstallUrl ||
    file.endsWith(`/${GATEWAY_API.version}/standard-install.yaml`)
  )
    return GATEWAY_API_STANDARD_INSTALL;
  return undefined;
}
