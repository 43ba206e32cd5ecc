#!/usr/bin/env bash
# Typecheck and lint (one process sharing the TypeScript programs: scripts/typecheck-and-lint.js)
# side by side with the format check. Fails when any of them fails, naming it.
set -u
cd "$(dirname "$0")/.." || exit 1
pids=()
names=()
run() {
  "$@" &
  pids+=("$!")
  names+=("$*")
}
run node scripts/typecheck-and-lint.js
# --cache (content-keyed, under node_modules/.cache) only helps repeated runs; a fresh clone checks all.
run node_modules/.bin/prettier --check --cache --cache-strategy content --log-level warn .
status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "static checks: '${names[$i]}' failed" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "static checks: typecheck, lint and format passed"
exit "$status"
