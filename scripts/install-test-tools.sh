#!/usr/bin/env bash
# Installs the command-line validators the test suite runs on generated user data:
# `cloud-init schema` (Debian package cloud-init) and `shellcheck`. Idempotent and quiet:
# does nothing when both are on PATH; otherwise one `apt-get update`, then one install.
set -euo pipefail

missing=()
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)

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
echo "install-test-tools: installed ${missing[*]}"
