#!/usr/bin/env bash
# Sets up, builds the release page and runs the benchmark in headless Chromium: ratios measured
# side by side in one run. Writes tests/bench/results.md. Exits 1 if a budget is exceeded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
trunk build --release
node tests/bench/run.mjs
