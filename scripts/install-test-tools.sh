#!/usr/bin/env bash
# Installs what the test suite runs besides node: `cloud-init schema` (Debian package cloud-init)
# and `shellcheck` for generated user data, and Debian's PostgreSQL server binaries for the drills'
# real-PostgreSQL tests (test/support/pg-local.ts starts and stops its own servers in temporary
# folders; no system cluster is created or started). Idempotent and quiet: does nothing when all
# are present; otherwise one `apt-get update`, then one install.
set -euo pipefail

missing=()
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # postgresql-common would otherwise create and start a cluster `main` on port 5432.
  "${sudo_cmd[@]}" mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | "${sudo_cmd[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
# --no-install-recommends keeps cloud-init from pulling in network managers and the like.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-test-tools: installed ${missing[*]}"
