#!/usr/bin/env bash
# Installs, idempotently, every tool the build and the tests need, and only what is missing.
# Safe to run again: each step checks the version that is there first.
# Facts behind the choices: shared/toolchain.md (Trunk 0.21.14; wasm-bindgen-cli equal to
# Cargo.lock; wasm-opt from npm's binaryen, never Debian's; Debian's Chromium + chromedriver).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf '\033[1;31msetup: %s\033[0m\n' "$*" >&2; exit 1; }

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

command -v cargo >/dev/null || die "cargo not found. Install Rust with rustup (https://rustup.rs) and run this again."
command -v rustup >/dev/null || die "rustup not found: the wasm32 target is added with rustup."
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm not found. Install Node.js 20 or newer."

# 1. Debian packages: Chromium and its driver, and Firefox ESR, for the browser tests.
MISSING=()
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || MISSING+=(chromium chromium-driver)
[ -x /usr/bin/firefox-esr ] || MISSING+=(firefox-esr)
if [ ${#MISSING[@]} -gt 0 ]; then
  [ -f /etc/debian_version ] || die "${MISSING[*]} missing and this is not Debian: install them (at /usr/bin) yourself."
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "${MISSING[*]} missing, and installing needs root (or sudo)."
    SUDO=sudo
  fi
  say "installing Debian's ${MISSING[*]} (headless browsers for the tests, ~15 s each)…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi

# 2. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the Rust target wasm32-unknown-unknown…"
  rustup target add wasm32-unknown-unknown
fi

# 3. Trunk (builds the page and the worker). From source: ~6 minutes and ~2 GB of RAM once.
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION from crates.io (compiles from source: ~6 minutes, once)…"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# 4. wasm-bindgen-cli, exactly the version in Cargo.lock (the CLI and the crate must match).
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$WBG_VERSION" ] || die "cannot read the wasm-bindgen version from Cargo.lock."
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ] ||
   [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (must equal Cargo.lock; compiles: ~2 minutes, once)…"
  # Without --locked on purpose: a dependency pinned in its lock file is missing from the registry.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi
grep -q "wasm_bindgen = \"$WBG_VERSION\"" Trunk.toml ||
  die "Trunk.toml's [tools] wasm_bindgen differs from Cargo.lock's wasm-bindgen $WBG_VERSION: make them equal."

# 5. npm packages: binaryen (wasm-opt for Trunk), terser (minifies the JavaScript glue),
#    playwright-core (drives Debian's Chromium) and puppeteer-core (drives Debian's Firefox over
#    WebDriver BiDi). Neither driver downloads a browser.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen, terser, playwright-core, puppeteer-core)…"
  npm ci --no-audit --no-fund --loglevel=error
fi
[ "$(command -v wasm-opt)" = "$PWD/node_modules/.bin/wasm-opt" ] ||
  die "wasm-opt on PATH is not npm's binaryen ($(command -v wasm-opt)): Debian's binaryen breaks the output."

say "ready: $(trunk --version), wasm-bindgen $WBG_VERSION, $(wasm-opt --version | cut -d' ' -f1-3), $(/usr/bin/chromium --version 2>/dev/null | head -n1), $(/usr/bin/firefox-esr --version 2>/dev/null | head -n1)"
