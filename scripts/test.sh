#!/usr/bin/env bash
# The whole test suite, in three tiers (README: Tests):
#   unit  pure code on fakes and captured output: no process, no root, no network; in parallel.
#         test/support/no-child-processes.ts makes a started process fail the test.
#   tool  the real tools on what we render (keepalived -t, haproxy -c, sh and shellcheck,
#         openssl, Harbor's prepare, helm, facts.sh): each test in its own temporary folders and
#         network namespaces, so two files at a time.
#   e2e   the real tool against the lab: two files at a time, each slot with its own lab in a
#         network namespace of its own (the labs' addresses are fixed).
# Each end-to-end suite brings its lab up and down; the trap makes sure nothing is left behind
# even on failure. The e2e tier starts first and the other two run beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
# A moved or deleted test leaves its compiled file behind in dist/test/: build the tests afresh.
rm -rf dist/test
scripts/setup.sh
# The layers (README: Architecture): every import points down, no exceptions. And one format.
node_modules/.bin/depcruise src --config .dependency-cruiser.cjs --output-type err
node_modules/.bin/prettier --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bin/*.js" .dependency-cruiser.cjs
shopt -s globstar nullglob
# The unit and tool tiers run beside the e2e tier, which mostly waits on the lab's hosts: their
# output is kept in a file and printed when the e2e tier is done, so each tier reads as a whole.
# (The tool tiers' namespaces and addresses are their own; only the e2e suites share the lab.)
beside="$(mktemp -d)"
trap 'scripts/lab.sh down >/dev/null 2>&1 || true; rm -rf "$beside"' EXIT
(
  node --test --import ./dist/test/support/no-child-processes.js --test-concurrency=2 --test-reporter=spec dist/test/unit/**/*.test.js \
    && node --test --test-concurrency=2 --test-reporter=spec dist/test/tool/**/*.test.js
) >"$beside/unit-and-tool.log" 2>&1 &
beside_pid=$!
e2e=0
# Two suites at a time, each with a lab of its own in its own network namespace (scripts/e2e-slots.mjs).
node scripts/e2e-slots.mjs --slots "${HARBOR_HA_E2E_SLOTS:-2}" dist/test/e2e/**/*.test.js || e2e=$?
unit_and_tool=0
wait "$beside_pid" || unit_and_tool=$?
echo "--- unit and tool tiers (run beside the e2e tier) ---"
cat "$beside/unit-and-tool.log"
echo "--- exit: unit and tool $unit_and_tool, e2e $e2e ---"
[ "$unit_and_tool" -eq 0 ] && [ "$e2e" -eq 0 ]
