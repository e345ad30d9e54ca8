#!/usr/bin/env bash
# Sets up, builds the release page and runs the benchmark in headless Chromium: ratios measured
# side by side in one run. Writes tests/bench/results.md. Exits 1 if a budget is exceeded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
# The page as shipped (its size and load time are measured on this one)...
trunk build --release
# ...and the same page with the benchmark's hooks (everything else is measured on this one).
trunk build --release --features bench --dist target/bench-dist
node tests/bench/run.mjs
