#!/usr/bin/env bash
# Fetches the pinned upstream reference files the tests validate against (CRDs, chart value
# schemas, the cloud-init schema) into a folder laid out like ../shared. The plant CI machines
# already have ../shared; GitHub-hosted runners use this. Versions must match ../shared/README.md.
set -euo pipefail
dest="${1:-../shared}"
gh="https://raw.githubusercontent.com"

fetch() { # fetch <dest-subdir> <base-url> <file>...
  local dir="$dest/$1" base="$2"
  shift 2
  mkdir -p "$dir"
  for f in "$@"; do curl -fsSL --retry 3 -o "$dir/$f" "$base/$f"; done
}

fetch crds/metallb-v0.16.1 "$gh/metallb/metallb/v0.16.1/config/crd/bases" \
  metallb.io_ipaddresspools.yaml metallb.io_l2advertisements.yaml
fetch crds/gateway-api-v1.6.1 "$gh/kubernetes-sigs/gateway-api/v1.6.1/config/crd/standard" \
  gateway.networking.k8s.io_gatewayclasses.yaml gateway.networking.k8s.io_gateways.yaml \
  gateway.networking.k8s.io_httproutes.yaml gateway.networking.k8s.io_referencegrants.yaml \
  gateway.networking.k8s.io_grpcroutes.yaml gateway.networking.k8s.io_backendtlspolicies.yaml
fetch crds/envoy-gateway-v1.9.0 "$gh/envoyproxy/gateway/v1.9.0/charts/gateway-helm/crds/generated" \
  gateway.envoyproxy.io_envoyproxies.yaml gateway.envoyproxy.io_backendtrafficpolicies.yaml \
  gateway.envoyproxy.io_clienttrafficpolicies.yaml gateway.envoyproxy.io_securitypolicies.yaml
fetch crds/cert-manager-v1.21.1 "$gh/cert-manager/cert-manager/v1.21.1/deploy/crds" \
  cert-manager.io_clusterissuers.yaml cert-manager.io_issuers.yaml cert-manager.io_certificates.yaml \
  cert-manager.io_certificaterequests.yaml
fetch crds/cloudnative-pg-v1.30.0 "$gh/cloudnative-pg/cloudnative-pg/v1.30.0/config/crd/bases" \
  postgresql.cnpg.io_clusters.yaml postgresql.cnpg.io_poolers.yaml postgresql.cnpg.io_scheduledbackups.yaml \
  postgresql.cnpg.io_backups.yaml postgresql.cnpg.io_databases.yaml postgresql.cnpg.io_databaseroles.yaml
fetch crds/plugin-barman-cloud-v0.13.0 "$gh/cloudnative-pg/plugin-barman-cloud/v0.13.0/config/crd/bases" \
  barmancloud.cnpg.io_objectstores.yaml
fetch schemas/cloud-init-26.2 "$gh/canonical/cloud-init/26.2/cloudinit/config/schemas" \
  schema-cloud-config-v1.json
fetch charts/metallb-0.16.1 "$gh/metallb/metallb/v0.16.1/charts/metallb" values.schema.json values.yaml Chart.yaml
fetch charts/cloudnative-pg-0.29.0 "$gh/cloudnative-pg/charts/cloudnative-pg-v0.29.0/charts/cloudnative-pg" \
  values.schema.json values.yaml Chart.yaml
fetch charts/plugin-barman-cloud-0.7.0 "$gh/cloudnative-pg/charts/plugin-barman-cloud-v0.7.0/charts/plugin-barman-cloud" \
  values.schema.json values.yaml Chart.yaml
fetch charts/gateway-helm-v1.9.0 "$gh/envoyproxy/gateway/v1.9.0/charts/gateway-helm" values.yaml Chart.yaml
echo "fetched pinned upstream files into $dest"
