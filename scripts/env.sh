# Sourced by the scripts: tools from this checkout and from cargo come first on PATH, so that
# npm's wasm-opt wins over any other (Debian's binaryen 108 silently breaks the output).
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
