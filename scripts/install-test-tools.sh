#!/usr/bin/env bash
# Installs the command-line tools the test suite runs: `cloud-init schema` (Debian package
# cloud-init) and `shellcheck` for generated user data, and PostgreSQL (Debian's postgresql; the
# tests start throwaway servers with initdb/pg_ctl on loopback, see test/support/postgres.ts, so
# the packaged server is not needed running). Idempotent and quiet: does nothing when all are
# there; otherwise one `apt-get update`, then one install.
set -euo pipefail

missing=()
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
# --no-install-recommends keeps cloud-init from pulling in network managers and the like.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The package starts its default cluster; the tests use their own servers, so stop it.
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
  for conf in /etc/postgresql/*/main; do
    [ -d "$conf" ] || continue
    version=$(basename "$(dirname "$conf")")
    "${sudo_cmd[@]}" pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
  done
fi
echo "install-test-tools: installed ${missing[*]}"
