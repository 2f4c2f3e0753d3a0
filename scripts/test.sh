#!/usr/bin/env bash
# The whole test suite: unit tests (pure, seconds) and end-to-end tests against the lab
# (real sshd, keepalived, MariaDB, Redis in network namespaces). Each end-to-end suite
# brings its lab up and down; the trap makes sure nothing is left behind even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The layers (README: Architecture): every import points down, no exceptions. And one format.
node_modules/.bin/depcruise src --config .dependency-cruiser.cjs --output-type err
node_modules/.bin/prettier --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bin/*.js" .dependency-cruiser.cjs
trap 'scripts/lab.sh down >/dev/null 2>&1 || true' EXIT
shopt -s globstar nullglob
tests=(dist/test/unit/**/*.test.js dist/test/e2e/**/*.test.js)
# One runner invocation, one file at a time: the end-to-end suites share the lab's addresses.
node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
