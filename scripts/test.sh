#!/usr/bin/env bash
# Runs every check, exactly as CI does. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-features --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --features wasm -- -D warnings
cargo clippy --target wasm32-unknown-unknown --features issuer-js -- -D warnings
cargo fmt --manifest-path python/Cargo.toml -- --check
cargo clippy --manifest-path python/Cargo.toml -- -D warnings
# The small core's raw exports (lean/, #16): built for the browser target.
cargo fmt --manifest-path lean/Cargo.toml -- --check
cargo clippy --manifest-path lean/Cargo.toml --target wasm32-unknown-unknown --release -- -D warnings
# ... and with the signature in WebAssembly (`curve`: permsnap/sync) and
# the edge's feeds and gate (`edge`: permsnap/edge).
cargo clippy --manifest-path lean/Cargo.toml --target wasm32-unknown-unknown --release --features curve -- -D warnings
cargo clippy --manifest-path lean/Cargo.toml --target wasm32-unknown-unknown --release --features edge -- -D warnings
cargo clippy --manifest-path lean/Cargo.toml --features edge --tests -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --features cli --quiet

step "native tests (core, presets, vectors, CLI)"
cargo test --features cli
# The small core's edge exports (the gate, feeds), driven as JavaScript
# drives them, held to the reference.
cargo test --manifest-path lean/Cargo.toml --features edge

step "python: the issuer wheel (maturin + PyO3, abi3) and pytest: the Rust vectors byte for byte"
scripts/build-python.sh
target/py-venv/bin/python -m pytest -q python/tests

step "vectors and generated TypeScript types are committed as generated"
git diff --exit-code -- vectors/ pkg-template/src/generated.ts pkg-template/src/codes.ts || { echo "vectors/, pkg-template/src/generated.ts or codes.ts changed: commit the regenerated files" >&2; exit 1; }

step "npm package"
scripts/build-pkg.sh

step "size ratchet: each build's gzip size within scripts/size-budget.json (a budget moves only in the commit that changes the size)"
scripts/check-size.sh

step "wasm-bindgen tests: node, headless chrome, headless firefox"
scripts/wasm-tests.sh

step "JavaScript tests of the built package (node --test)"
# (The browser entry, on the small core, is built by build-pkg.sh with the
# rest; tests/js/browser.test.mjs holds it to the build verifying in wasm.)
node --test tests/js/

step "TypeScript consumer type-checks against the package (with codegen's typed names)"
target/debug/permsnap codegen presets/sitee.json --module ../../pkg/index.js > tests/ts/sitee.generated.ts
tsc --noEmit -p tests/ts/tsconfig.json

step "edge: workerd, Deno and Node examples for real; vector parity across runtimes (Node, Deno, Bun, workerd)"
node --test tests/edge/

step "consumers: the packed package installed in an app, built by esbuild (browser, Node), Vite, webpack, run in Chromium, Node and Bun; publint, attw, tsc without DOM"
node --test tests/consumers/

step "attack suite: the package behind Express, Hono and workerd with real handlers"
node --test tests/attacks/

if [ -f tests/e2e/demo.test.mjs ]; then
  step "end-to-end: the demo in headless Chromium"
  node --test tests/e2e/
fi
step "fuzz smoke: 15 s per target on arbitrary input (nightly): snapshots, catalogs, notices, paths, route tables, feeds"
if rustup toolchain list | grep -q '^nightly'; then
  command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz || cargo install cargo-fuzz
  for target in decode_verify gate_paths route_tables revocation_feed; do
    (cd fuzz && cargo +nightly fuzz run "$target" -- -max_total_time=15 -print_final_stats=1 2>&1 | grep -E "number_of_executed_units|SUMMARY|panicked" | sed "s/^/$target: /")
  done
  # A crash exits non-zero and leaves its input in fuzz/artifacts/: pipefail fails the run.
else
  echo "skipped: no nightly toolchain here (rustup toolchain install nightly)"
fi
echo
echo "all checks passed"
