#!/usr/bin/env bash
# Installs everything permsnap's build, demo and tests need, skipping what is there.
# Idempotent: safe to run on every invocation of the demo or test command.
#   scripts/bootstrap.sh          toolchain + npm dev tools (enough for the demo)
#   scripts/bootstrap.sh --test   also browsers, drivers and test-only tools
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "bootstrap: cannot read the wasm-bindgen pin from Cargo.toml" >&2; exit 1; }
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

say() { printf '\033[1mbootstrap:\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# --- Rust: wasm target, wasm-bindgen-cli (pinned), wasm-pack -------------------
command -v cargo >/dev/null || { echo "bootstrap: cargo not found; install Rust with rustup first" >&2; exit 1; }
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches the Cargo.toml pin)"
  # Not --locked: the CLI's lock file names a crate version the registry copy here lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack"
  cargo install --locked wasm-pack
fi

# --- npm dev tools (binaryen's wasm-opt, typescript, playwright-core, runtimes) --
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the lock file names the workerd and Deno
  # binaries of every platform, and registry mirrors often carry only this
  # machine's; `npm install` follows the lock and skips the missing optional
  # ones (it leaves the lock file as it is).
  say "installing npm dev tools (npm install, from package-lock.json)"
  npm install --no-audit --no-fund
fi

if [ "$WANT_TEST" = 1 ]; then
  # --- browsers and drivers ----------------------------------------------------
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox >/dev/null || command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v geckodriver >/dev/null; then
    say "installing geckodriver"
    cargo install --locked geckodriver || cargo install geckodriver
  fi
fi
say "ready"
