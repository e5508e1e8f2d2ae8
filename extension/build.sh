#!/usr/bin/env bash
# Builds Ô Che for Chrome and Firefox: dist/chrome/, dist/firefox/ and the
# installable archives dist/oche-chrome.zip and dist/oche-firefox.xpi.
#
# Installs what it needs when it is missing (and skips it when present):
# the wasm32 Rust target, the wasm-bindgen CLI at the exact version in
# Cargo.lock, and the npm tools in tests/ (binaryen's wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- tools ---------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
[ -f Cargo.lock ] || cargo generate-lockfile
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  say "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  # Not --locked: its lockfile pins a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
if [ ! -x tests/node_modules/.bin/wasm-opt ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  say "installing npm tools (tests/package.json)"
  (cd tests && npm ci --no-audit --no-fund)
fi

# --- Rust: native CLI (compiles the domain lists) and WebAssembly ----------
say "building the oche CLI (release)"
cargo build --quiet --release -p oche --bin oche
say "building the WebAssembly module"
cargo build --quiet -p oche --lib --target wasm32-unknown-unknown --profile wasm
WASM_OUT=target/wasm-pkg
rm -rf "$WASM_OUT" && mkdir -p "$WASM_OUT"
wasm-bindgen --target no-modules --no-typescript --out-dir "$WASM_OUT" target/wasm32-unknown-unknown/wasm/oche.wasm
tests/node_modules/.bin/wasm-opt -Oz --converge --strip-producers --strip-debug --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue \
  "$WASM_OUT/oche_bg.wasm" -o "$WASM_OUT/oche_bg.opt.wasm"
mv "$WASM_OUT/oche_bg.opt.wasm" "$WASM_OUT/oche_bg.wasm"
# A Node build of the same module, for the tests that compare it with the CLI
# and the benchmarks (optimised the same way, so they measure what ships).
wasm-bindgen --target nodejs --no-typescript --out-dir target/wasm-node target/wasm32-unknown-unknown/wasm/oche.wasm
tests/node_modules/.bin/wasm-opt -Oz --converge --strip-producers --strip-debug --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue \
  target/wasm-node/oche_bg.wasm -o target/wasm-node/oche_bg.opt.wasm
mv target/wasm-node/oche_bg.opt.wasm target/wasm-node/oche_bg.wasm

# --- data -------------------------------------------------------------------
mkdir -p target/ext-data/rules
target/release/oche compile-domains crate/data/domains target/ext-data/domains.bin
target/release/oche dnr-rules crate/data/domains target/ext-data/rules 2>/dev/null

# --- assemble both browsers' packages ---------------------------------------
say "assembling dist/chrome and dist/firefox"
node extension/assemble.mjs "$ROOT"

printf '\nwasm after wasm-opt -Oz --converge: %s bytes; domains.bin: %s bytes\n' \
  "$(stat -c %s "$WASM_OUT/oche_bg.wasm")" "$(stat -c %s target/ext-data/domains.bin)"
ls -l dist/oche-chrome.zip dist/oche-firefox.xpi
