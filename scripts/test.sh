#!/usr/bin/env bash
# Sets up, then runs every test: formatting and lints, native unit tests, the release build,
# the size check, browser tests (wasm-bindgen-test in headless Chromium) and end-to-end tests
# (Playwright driving Chromium, puppeteer-core driving Firefox).
#
#   ./scripts/test.sh          the README's test command, and what CI runs
#   LOAD=1 ./scripts/test.sh   the same with both cores kept busy by two busy loops for the whole
#                              run (scripts/load.mjs, stopped by its process id at the end,
#                              whatever the outcome): the suite must pass on a busy machine
#
# Each step's output is kept in target/test-logs/. The run ends with each step's duration, and
# a failed run ends with one line naming the failing step, test and why.
set -euo pipefail
cd "$(dirname "$0")/.."

LOGS=target/test-logs
mkdir -p "$LOGS"
rm -f "$LOGS"/*
RUN_START=$(date +%s)
STEPS=()

if [ "${LOAD:-0}" = 1 ]; then
  node scripts/load.mjs "${LOAD_THREADS:-2}" &
  LOAD_PID=$!
  trap 'kill "$LOAD_PID" 2>/dev/null || true' EXIT
fi

summary() {
  printf '\n\033[1m== where the minutes went%s\033[0m\n' "$([ "${LOAD:-0}" = 1 ] && echo ' (LOAD=1: both cores busy)')"
  for s in "${STEPS[@]}"; do printf '  %s\n' "$s"; done
  printf '  %-58s %5ss\n' "total" "$(($(date +%s) - RUN_START))"
}

# Why a step failed, in one line, from its log: the failing test and its message where the
# runner names them (node:test through tests/e2e/failures-reporter.mjs, cargo test and
# wasm-bindgen-test by their "---- name ----" blocks), otherwise the first error line.
why() {
  local log=$1 name msg
  if [ -s "$log.failures" ]; then
    head -n1 "$log.failures"
    return
  fi
  name=$(grep -m1 -oE '^---- [^ ]+ (stdout|output) ----' "$log" | awk '{print $2}' || true)
  msg=$(grep -m1 -A1 'panicked at' "$log" | tail -n1 | sed 's/^ *//' || true)
  if [ -n "$name" ]; then
    echo "$name: ${msg:-see its output above}"
  elif grep -q 'Failed to detect test as having been run' "$log"; then
    echo "the browser tests did not finish within WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-?} s (last finished: $(grep -oE '^test [^ ]+ \.\.\. ok' "$log" | tail -n1 | awk '{print $2}'))"
  else
    grep -m1 -E '^(error|Error|Diff in|warning: )|FAIL|failed' "$log" || tail -n1 "$log"
  fi
}

# step NAME COMMAND...: runs COMMAND, its output shown and kept in $LOGS/NAME.log, and times it.
step() {
  local name=$1
  shift
  local t0=$SECONDS log
  log="$LOGS/$(echo "$name" | tr -cs 'a-zA-Z0-9' '-' | sed 's/-$//').log"
  export STEP_LOG=$log
  printf '\n\033[1m== %s\033[0m\n' "$name"
  if "$@" 2>&1 | tee "$log"; then
    STEPS+=("$(printf '%-58s %5ss' "$name" $((SECONDS - t0)))")
  else
    STEPS+=("$(printf '%-58s %5ss  FAILED' "$name" $((SECONDS - t0)))")
    summary
    printf '\n\033[1;31mFAILED: %s: %s\033[0m\n' "$name" "$(why "$log")"
    exit 1
  fi
}

# A node:test run that also writes its failing tests to the step's log + .failures, one line
# each (see why()).
node_tests() {
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./tests/e2e/failures-reporter.mjs \
    --test-reporter-destination="$STEP_LOG.failures" "$@"
}

step "setup" bash scripts/setup.sh
source scripts/env.sh
# wasm-bindgen-test-runner waits this long for the whole browser test file, which runs in one
# page (about 15 s idle): its default of 20 s left no margin on a busy machine.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

step "format" cargo fmt --all -- --check
step "clippy, native" cargo clippy --all-targets -- -D warnings
step "clippy, wasm32" cargo clippy --all-targets --all-features --target wasm32-unknown-unknown -- -D warnings
step "native unit tests" cargo test
step "release build (trunk)" trunk build --release
step "size check (gzip of what the page loads)" node scripts/size-budget.mjs dist
step "integrity hashes of the build" node scripts/check-integrity.mjs dist
# The worker tests load the Trunk-built worker from dist/, served by the runner from the crate root.
step "browser tests (wasm-bindgen-test, Chromium)" cargo test --target wasm32-unknown-unknown --test browser
# Files that measure no time run side by side; those that do run one at a time, alone.
step "e2e, no timing, in parallel (Playwright, Chromium)" node_tests --test-concurrency=3 \
  tests/e2e/share.test.mjs tests/e2e/hardening.test.mjs tests/e2e/results.test.mjs tests/e2e/embed.test.mjs
step "e2e, timed, one file at a time (Playwright, Chromium)" node_tests --test-concurrency=1 \
  tests/e2e/foundation.test.mjs tests/e2e/async-patterns.test.mjs tests/e2e/parallel-cpu.test.mjs \
  tests/e2e/program.test.mjs tests/e2e/soak.test.mjs
step "e2e in Firefox (puppeteer-core, WebDriver BiDi)" node_tests --test-concurrency=1 \
  tests/firefox/firefox.test.mjs
summary
printf '\n\033[1;32mAll tests passed.\033[0m\n'
