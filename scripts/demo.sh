#!/usr/bin/env bash
# The demo: installs what is missing, builds the CLI and the npm package,
# creates a development key, and serves the staff dashboard on
# http://127.0.0.1:${PORT:-8787} until interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
source scripts/env.sh
cargo build --features cli
[ -f pkg/permsnap_wasm_bg.wasm ] && [ -z "$(find src pkg-template Cargo.toml -newer pkg/permsnap_wasm_bg.wasm -print -quit)" ] || scripts/build-pkg.sh
if [ ! -f .demo/issuer.key ]; then
  target/debug/permsnap keygen --out .demo
fi
exec node scripts/serve.mjs
