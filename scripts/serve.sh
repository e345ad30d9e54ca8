#!/usr/bin/env bash
# Sets up, builds the release page and serves it on http://127.0.0.1:8080 (PORT to change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
trunk build --release
exec node scripts/static-server.mjs dist --port "${PORT:-8080}"
