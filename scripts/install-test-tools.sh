#!/usr/bin/env bash
# Installs the command-line tools the tests run: the validators of generated user data
# (`cloud-init schema` from Debian's cloud-init, `shellcheck`); PostgreSQL (Debian's postgresql:
# the tests start throwaway servers with initdb/pg_ctl on loopback in temporary folders,
# test/support/pg-local.ts; no system cluster is left running), and for `npm run test:db-tls`
# PgBouncer, psql and openssl. Idempotent and quiet: does nothing when all are there; otherwise
# one `apt-get update`, then one install.
set -euo pipefail

missing=()
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 ||
  missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v pgbouncer >/dev/null 2>&1 || command -v /usr/sbin/pgbouncer >/dev/null 2>&1 ||
  missing+=(pgbouncer)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

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
# The package starts its default cluster; the tests use their own servers, so stop it.
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
  for conf in /etc/postgresql/*/main; do
    [ -d "$conf" ] || continue
    version=$(basename "$(dirname "$conf")")
    "${sudo_cmd[@]}" pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
  done
fi
echo "install-test-tools: installed ${missing[*]}"
