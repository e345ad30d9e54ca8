#!/usr/bin/env bash
# Sets up, then runs every test: formatting and lints, native unit tests, the release build,
# browser tests (wasm-bindgen-test in headless Chromium) and end-to-end tests (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check
step "clippy (native and wasm32)"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --all-features --target wasm32-unknown-unknown -- -D warnings
step "native unit tests"
cargo test
step "release build (trunk)"
trunk build --release
step "size check (gzip of what the page loads at start)"
node scripts/size-budget.mjs dist
step "browser tests (wasm-bindgen-test, headless Chromium)"
# The worker test loads the Trunk-built worker from dist/, served by the test runner from the
# crate root.
cargo test --target wasm32-unknown-unknown --test browser
step "end-to-end tests (Playwright, headless Chromium, release build)"
node --test tests/e2e/
