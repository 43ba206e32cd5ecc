#!/usr/bin/env bash
# Typecheck, lint and format check side by side (they are independent; the machine has 2 cores).
# Fails when any of them fails, naming it.
set -u
cd "$(dirname "$0")/.." || exit 1
pids=()
names=()
run() {
  "$@" &
  pids+=("$!")
  names+=("$*")
}
run npx tsc --noEmit -p tsconfig.json
run npx eslint .
run npx prettier --check --log-level warn .
status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "static checks: '${names[$i]}' failed" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "static checks: typecheck, lint and format passed"
exit "$status"
