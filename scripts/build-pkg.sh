#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (web target, no network), then
# the TypeScript wrapper compiled against the generated .d.ts.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

wasm-pack build --release --target web --mode no-install \
  --out-dir target/wasm-web --out-name permsnap_wasm --no-pack . -- --features wasm

build=target/pkg-build
rm -rf "$build" pkg
mkdir -p "$build" pkg
cp pkg-template/src/*.ts pkg-template/tsconfig.json "$build"/
cp target/wasm-web/permsnap_wasm.js target/wasm-web/permsnap_wasm.d.ts "$build"/
sed -i 's#"outDir": "OUT"#"outDir": "../../pkg"#' "$build/tsconfig.json"
tsc -p "$build/tsconfig.json"
rm -f pkg/wasm-module.d.ts pkg/wasm-module.js
cp target/wasm-web/permsnap_wasm.js target/wasm-web/permsnap_wasm.d.ts \
   target/wasm-web/permsnap_wasm_bg.wasm target/wasm-web/permsnap_wasm_bg.wasm.d.ts pkg/
cp pkg-template/package.json pkg-template/README.md pkg/
# workerd.d.ts refers to the *.wasm module declaration: ship it inline.
sed -i '1i /// <reference types="./wasm-module" />' pkg/workerd.d.ts 2>/dev/null || true
cp pkg-template/src/wasm-module.d.ts pkg/wasm-module.d.ts

wasm=$(wc -c < pkg/permsnap_wasm_bg.wasm)
gz=$(( $(gzip -9c pkg/permsnap_wasm_bg.wasm | wc -c) + $(gzip -9c pkg/permsnap_wasm.js | wc -c) + $(gzip -9c pkg/index.js | wc -c) ))
echo "pkg/: wasm ${wasm} bytes; browser download (wasm + glue + wrapper) gzip ${gz} bytes"
