// Inputs whose change replaces a resource (or moves/renames something that holds state), per
// type. Generic over types, so it covers resources as areas add them. `*` = any input.

export interface ReplaceRule {
  /** Dotted input paths; a changed path under one of them triggers replacement. */
  readonly paths: readonly string[];
  /** Paths where a larger storage quantity is an in-place resize, not a replacement. */
  readonly growOnly?: readonly string[];
}

const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];

export const REPLACE_RULES: Readonly<Record<string, ReplaceRule>> = {
  "openstack:compute/instance:Instance": {
    paths: [
      "userData",
      "imageId",
      "imageName",
      "networks",
      "schedulerHints",
      "availabilityZone",
      "availabilityZoneHints",
      "keyPair",
      "blockDevices",
      "configDrive",
    ],
  },
  "openstack:compute/serverGroup:ServerGroup": { paths: ["name", "policies", "rules"] },
  "openstack:networking/port:Port": { paths: ["networkId", "fixedIps"] },
  "openstack:networking/network:Network": { paths: ["segments", "external", "valueSpecs"] },
  "openstack:networking/subnet:Subnet": {
    paths: ["networkId", "cidr", "ipVersion", "allocationPools"],
  },
  "openstack:objectstorage/container:Container": { paths: ["name", "region", "storagePolicy"] },
  "openstack:blockstorage/volume:Volume": {
    paths: ["volumeType", "imageId", "availabilityZone", "size"],
    growOnly: ["size"],
  },
  "openstack:identity/project:Project": { paths: ["name", "domainId"] },
  "tls:index/privateKey:PrivateKey": { paths: ["*"] },
  "tls:index/selfSignedCert:SelfSignedCert": { paths: ["*"] },
  "random:index/randomPassword:RandomPassword": { paths: ["*"] },
  "kubernetes:apps/v1:Deployment": { paths: [...K8S_IDENTITY, "spec.selector"] },
  "kubernetes:apps/v1:StatefulSet": {
    paths: [...K8S_IDENTITY, "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
  },
  "kubernetes:apps/v1:DaemonSet": { paths: [...K8S_IDENTITY, "spec.selector"] },
  "kubernetes:core/v1:PersistentVolumeClaim": {
    paths: [...K8S_IDENTITY, "spec"],
    growOnly: ["spec.resources.requests.storage"],
  },
  "kubernetes:core/v1:Service": { paths: [...K8S_IDENTITY, "spec.clusterIP", "spec.clusterIPs"] },
  "kubernetes:storage.k8s.io/v1:StorageClass": {
    paths: [...K8S_IDENTITY, "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"],
  },
  "kubernetes:postgresql.cnpg.io/v1:Cluster": {
    paths: [...K8S_IDENTITY, "spec.storage", "spec.walStorage", "spec.bootstrap"],
    growOnly: ["spec.storage.size", "spec.walStorage.size"],
  },
};

/** Types the generic Kubernetes identity rule does not apply to (components, providers). */
const NOT_K8S_OBJECTS = [/^kubernetes:helm\.sh\//, /^kubernetes:yaml\//, /^kubernetes:kustomize\//];

export function replaceRuleFor(type: string): ReplaceRule | undefined {
  const rule = REPLACE_RULES[type];
  if (rule) return rule;
  if (type.startsWith("kubernetes:") && !NOT_K8S_OBJECTS.some((re) => re.test(type)))
    return { paths: K8S_IDENTITY };
  return undefined;
}
