#!/usr/bin/env bash
# The whole test suite, in three tiers (README: Tests):
#   unit  pure code on fakes and captured output: no process, no root, no network; in parallel.
#         test/support/no-child-processes.ts makes a started process fail the test.
#   tool  the real tools on what we render (keepalived -t, haproxy -c, sh and shellcheck,
#         openssl, Harbor's prepare, helm, facts.sh): each test in its own temporary folders and
#         network namespaces, so two files at a time.
#   e2e   the real tool against the lab, one file at a time: the suites share the lab's addresses.
# Each end-to-end suite brings its lab up and down; the trap makes sure nothing is left behind
# even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# A moved or deleted test leaves its compiled file behind in dist/test/: build the tests afresh.
rm -rf dist/test
scripts/setup.sh
# The layers (README: Architecture): every import points down, no exceptions. And one format.
node_modules/.bin/depcruise src --config .dependency-cruiser.cjs --output-type err
node_modules/.bin/prettier --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bin/*.js" .dependency-cruiser.cjs
trap 'scripts/lab.sh down >/dev/null 2>&1 || true' EXIT
shopt -s globstar nullglob
cores=$(nproc)
node --test --import ./dist/test/support/no-child-processes.js --test-concurrency="$((cores > 1 ? cores : 2))" --test-reporter=spec dist/test/unit/**/*.test.js
node --test --test-concurrency=2 --test-reporter=spec dist/test/tool/**/*.test.js
node --test --test-concurrency=1 --test-reporter=spec dist/test/e2e/**/*.test.js
