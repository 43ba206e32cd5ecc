#!/usr/bin/env bash
# Fetches the pinned upstream reference files the tests validate against (CRDs, the cloud-init
# schema) and the full chart packages the offline plan renders, into a folder laid out like
# ../shared. The plant CI machines already have ../shared; GitHub-hosted runners use this.
# Versions must match ../shared/README.md. Run after `npm ci`: the chart list is the program's own
# (tools/helm/sources.ts) and the charts are pulled with the pinned Helm (tools/helm/binary.ts).
set -euo pipefail
mkdir -p "${1:-../shared}"
dest="$(cd "${1:-../shared}" && pwd)"
cd "$(dirname "$0")/.."
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
  gateway.networking.k8s.io_backendtlspolicies.yaml gateway.networking.k8s.io_gatewayclasses.yaml \
  gateway.networking.k8s.io_gateways.yaml gateway.networking.k8s.io_grpcroutes.yaml \
  gateway.networking.k8s.io_httproutes.yaml gateway.networking.k8s.io_listenersets.yaml \
  gateway.networking.k8s.io_referencegrants.yaml gateway.networking.k8s.io_tcproutes.yaml \
  gateway.networking.k8s.io_tlsroutes.yaml gateway.networking.k8s.io_udproutes.yaml \
  gateway.networking.k8s.io_vap_safeupgrades.yaml
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

# The full charts, as `helm pull --untar` gives them, one folder <name>-<version> each. The offline
# plan renders the Gateway API CRDs from crds/gateway-api-v1.6.1 above: every file of upstream's
# config/crd/standard, which is what its standard-install.yaml concatenates.
if [ ! -d node_modules/ts-node ]; then
  echo "error: run npm ci first: the chart list and the pinned Helm come from the project" >&2
  exit 1
fi
ts() { node -r ./tools/register.js "$@"; }
helm="$(ts -e 'process.stdout.write(require("./tools/helm/binary").helmBinary())')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Nothing of the user's Helm setup (repositories, registry logins) is read or written.
export HELM_CACHE_HOME="$work/cache" HELM_CONFIG_HOME="$work/config" HELM_DATA_HOME="$work/data"
ts tools/helm/sources.ts >"$work/charts.txt"
while read -r chart repo version folder; do
  rm -rf "$work/pull" "$dest/charts/$folder"
  mkdir -p "$work/pull" "$dest/charts"
  if [ "$repo" = "-" ]; then
    "$helm" pull "$chart" --version "$version" --untar --untardir "$work/pull"
  else
    "$helm" pull "$chart" --repo "$repo" --version "$version" --untar --untardir "$work/pull"
  fi
  mv "$work/pull/${chart##*/}" "$dest/charts/$folder"
done <"$work/charts.txt"
echo "fetched pinned upstream files into $dest"
