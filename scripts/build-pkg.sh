#!/usr/bin/env bash
# Builds the npm package into pkg/ from two wasm builds (wasm-pack, web
# target, no network) and one TypeScript wrapper compiled against each
# generated .d.ts:
#   pkg/        the browser build (features `wasm`): verifier and decisions;
#   pkg/edge/   the edge build (features `edge`): the same plus the route
#               guard (permsnap/edge), so browsers never download the router.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

wasm_build() { # features out-dir
  wasm-pack build --release --target web --mode no-install \
    --out-dir "$2" --out-name permsnap_wasm --no-pack . -- --features "$1"
}

# assemble <wasm-dir> <dest> <extra .ts files...>
assemble() {
  local wasm="$1" dest="$2"; shift 2
  local build="target/pkg-build/$(basename "$dest")"
  rm -rf "$build"
  mkdir -p "$build" "$dest"
  cp pkg-template/src/index.ts pkg-template/src/errors.ts pkg-template/src/redact.ts pkg-template/src/node.ts pkg-template/src/workerd.ts \
     pkg-template/src/react.ts pkg-template/src/wasm-module.d.ts pkg-template/tsconfig.json "$@" "$build"/
  cp "$wasm"/permsnap_wasm.js "$wasm"/permsnap_wasm.d.ts "$build"/
  for extra in "$@"; do
    echo "export * from \"./$(basename "${extra%.ts}").js\";" >> "$build/index.ts"
  done
  sed -i "s#\"outDir\": \"OUT\"#\"outDir\": \"$(realpath "$dest")\"#" "$build/tsconfig.json"
  tsc -p "$build/tsconfig.json"
  rm -f "$dest"/wasm-module.d.ts "$dest"/wasm-module.js
  cp "$wasm"/permsnap_wasm.js "$wasm"/permsnap_wasm.d.ts \
     "$wasm"/permsnap_wasm_bg.wasm "$wasm"/permsnap_wasm_bg.wasm.d.ts "$dest"/
  # workerd.d.ts refers to the *.wasm module declaration: ship it inline.
  sed -i '1i /// <reference types="./wasm-module" />' "$dest"/workerd.d.ts
  cp pkg-template/src/wasm-module.d.ts "$dest"/wasm-module.d.ts
}

wasm_build wasm target/wasm-web
wasm_build edge target/wasm-edge

rm -rf pkg target/pkg-build
assemble target/wasm-web pkg pkg-template/src/dom.ts
assemble target/wasm-edge pkg/edge pkg-template/src/edge.ts
rm -f pkg/edge/react.js pkg/edge/react.d.ts  # React belongs to the browser build
cp pkg-template/package.json pkg-template/README.md pkg/
cp pkg-template/permsnap.css pkg/

# Minify the JavaScript (the .d.ts keep every doc comment): about 5 KB less
# gzip for browsers. Linked source maps point back to the compiled wrapper.
for js in pkg/*.js pkg/edge/*.js; do
  esbuild "$js" --minify --format=esm --sourcemap --sources-content=true \
    --log-level=warning --allow-overwrite --outfile="$js"
done

gz() { gzip -9c "$1" | wc -c; }
# What an entry downloads: its wasm and every module of it, minus the other
# runtimes' entry files (node.js, workerd.js) and React.
entry_size() { # dir
  local total=0 f
  for f in "$1"/permsnap_wasm_bg.wasm "$1"/*.js; do
    case "$(basename "$f")" in node.js|workerd.js|react.js) continue ;; esac
    total=$(( total + $(gz "$f") ))
  done
  echo "$total"
}
browser=$(entry_size pkg)
edge=$(entry_size pkg/edge)
echo "pkg/: browser download (wasm + glue + wrapper) gzip ${browser} bytes (wasm $(wc -c < pkg/permsnap_wasm_bg.wasm) bytes raw)"
echo "pkg/edge/: edge build gzip ${edge} bytes (wasm $(wc -c < pkg/edge/permsnap_wasm_bg.wasm) bytes raw)"
