#!/usr/bin/env bash
# Builds the npm package into pkg/ from three builds of the small core
# (lean/: a catalog and a snapshot read in place, the decision; no
# wasm-bindgen) and two wasm-bindgen builds (wasm-pack, web target, no
# network), each with its TypeScript wrapper:
#   pkg/        the browser entry (`permsnap` in browsers, #16): the small
#               core, signatures checked by the platform's WebCrypto;
#   pkg/sync/   the same JavaScript on the small core with `curve`
#               (signatures checked in WebAssembly, synchronous loads):
#               `permsnap` in Node, Deno, Bun and workerd, `permsnap/sync`
#               in browsers without Ed25519 or wanting synchronous loads;
#   pkg/edge/   the same JavaScript on the small core with `edge` (`curve`,
#               revocation feeds, the route gate), the gate's driver and
#               the middleware (permsnap/edge), so browsers never download
#               the router;
#   pkg/issuer/ the issuer (server only).
# And, not shipped, target/reference/: the same API on the wasm-bindgen
# build of the crate (`wasm,ed25519`), which the JavaScript tests hold the
# small core's entries to.
set -euo pipefail
# Installs what the build needs (wasm-pack, wasm-bindgen, tsc, esbuild...),
# skipping what is there: a fresh clone builds with this one command.
"$(dirname "$0")/bootstrap.sh"
source "$(dirname "$0")/env.sh"
cd "$ROOT"

wasm_build() { # features out-dir [cargo profile]
  local profile="${3:-release}"
  wasm-pack build --profile "$profile" --target web --mode no-install --no-opt \
    --out-dir "$2" --out-name permsnap_wasm --no-pack . -- --features "$1"
  # wasm-opt as the profile's level asks: -Oz for size, -O3 for speed.
  # The producers and target-features sections are for tools, not runtimes.
  local level=-O3
  [ "$profile" = release ] || level=-Oz
  wasm-opt "$level" --strip-producers --strip-target-features $WASM_FEATURES \
    "$2/permsnap_wasm_bg.wasm" -o "$2/permsnap_wasm_bg.wasm"
}
# What the wasm uses beyond the MVP (rustc's default target features).
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals"

# The TypeScript sources of each build (under pkg-template/src, without
# `.ts`): the shared core, then the entries and helpers of one build only.
# Each build has its own entry files (index, node, workerd): the edge build
# carries neither the DOM helper nor React, the browser build no router.
CORE_TS="generated types errors internal init permission verifier permissions filter redact core"
REFERENCE_TS="$CORE_TS expiry session unclobbered dom react reference/index nodeinit node workerd"
# The browser entry: the small core's JavaScript side (its modules under
# browser/), with the shared error, filter and redaction modules, and the
# session, DOM helper and React components, compiled against its
# verifier.ts and permissions.ts (flattened, `browser/verifier.ts` is the
# `./verifier.js` that session.ts imports).
LEAN_TS="generated types codes errors internal platform expiry filter redact permission browser/wasm browser/text browser/curve browser/keys browser/permissions browser/verifier"
BROWSER_TS="$LEAN_TS browser/options session unclobbered dom react browser/index"
# permsnap/sync: the same sources on the core with `curve`, and the Node
# and workerd entries (browser/init.ts gives nodeinit.ts the core's
# loader).
SYNC_TS="$BROWSER_TS browser/init nodeinit node workerd"
# permsnap/edge: the small core's sources on the core with `edge`, its
# options (`maxFeedAge`), the gate, refresher and middleware, no page
# tools.
EDGE_TS="$LEAN_TS edge/options plain edge/gate edge/refresher edge/middleware edge/index browser/init nodeinit edge/node edge/workerd"
# The issuer (permsnap/issuer): server-only, its own wasm build.
ISSUER_TS="generated types errors internal init plain issuer/http issuer/index nodeinit issuer/node issuer/workerd"

# assemble <wasm-dir> <dest> <sources...>: compiles the sources against that
# wasm build's bindings into <dest>, a flat directory (as the package is):
# `edge/gate.ts` becomes `gate.ts` there, its `../x.js` imports `./x.js`.
# (<wasm-dir> "-": no wasm-bindgen output, the browser entry.)
assemble() {
  local wasm="$1" dest="$2"; shift 2
  local build="target/pkg-build/$(basename "$dest")" src flat
  rm -rf "$build"
  mkdir -p "$build" "$dest"
  for src in "$@"; do
    flat="$build/$(basename "$src").ts"
    [ ! -e "$flat" ] || { echo "build-pkg.sh: two sources named $(basename "$src").ts in one build" >&2; exit 1; }
    case "$src" in
      */*) sed -e 's#from "\.\./browser/#from "./#' -e 's#from "\.\./#from "./#' "pkg-template/src/$src.ts" > "$flat" ;;
      *) cp "pkg-template/src/$src.ts" "$flat" ;;
    esac
  done
  cp pkg-template/src/wasm-module.d.ts pkg-template/tsconfig.json "$build"/
  [ "$wasm" = - ] || cp "$wasm"/permsnap_wasm.js "$wasm"/permsnap_wasm.d.ts "$build"/
  sed -i "s#\"outDir\": \"OUT\"#\"outDir\": \"$(realpath "$dest")\"#" "$build/tsconfig.json"
  tsc -p "$build/tsconfig.json"
  # Type-only modules compile to an empty `export {}`: only their .d.ts ship.
  if grep -lE 'from *"\./(types|generated)\.js"' "$dest"/*.js; then
    echo "build-pkg.sh: the modules above import types.js/generated.js at run time" >&2; exit 1
  fi
  rm -f "$dest"/types.js "$dest"/generated.js "$dest"/wasm-module.d.ts "$dest"/wasm-module.js
  [ "$wasm" != - ] || return 0
  cp "$wasm"/permsnap_wasm.js "$wasm"/permsnap_wasm.d.ts \
     "$wasm"/permsnap_wasm_bg.wasm "$wasm"/permsnap_wasm_bg.wasm.d.ts "$dest"/
  # The types of the .wasm's own export ("permsnap/permsnap_wasm_bg.wasm").
  # (No ambient `declare module "*.wasm"` ships: it needed the DOM lib and
  # would clash with an app's own.)
  cp pkg-template/wasm-asset.d.ts "$dest"/
}

wasm_build wasm,ed25519 target/wasm-reference
wasm_build issuer-js target/wasm-issuer
# The small core: plain wasm exports (a workspace member, Cargo.toml's
# `lean` profile: size first): without `curve`, with it, and with `edge`
# (`curve`, feeds and the route gate). The producers and
# target-features sections are for tools, not browsers.
lean_build() { # features out-dir [cargo profile, wasm-opt level]
  local profile="${3:-lean}" level="${4:--Oz}"
  cargo build --quiet --profile "$profile" --target wasm32-unknown-unknown -p permsnap-lean --no-default-features ${1:+--features "$1"}
  mkdir -p "$2"
  wasm-opt "$level" --strip-producers --strip-target-features $WASM_FEATURES \
    "target/wasm32-unknown-unknown/$profile/permsnap_lean.wasm" -o "$2/permsnap_wasm_bg.wasm"
}
lean_build "" target/wasm-browser
lean_build curve target/wasm-sync
# The edge's core routes every request: Cargo.toml's `lean-edge` (speed
# beside size) and wasm-opt -Os.
lean_build edge target/wasm-edge lean-edge -Os

rm -rf pkg target/pkg-build
# Every entry's module is its directory's permsnap_wasm_bg.wasm
# (`permsnap/permsnap_wasm_bg.wasm` for bundlers), this one too.
assemble - pkg $BROWSER_TS
cp target/wasm-browser/permsnap_wasm_bg.wasm pkg-template/wasm-asset.d.ts pkg/
assemble - pkg/sync $SYNC_TS
cp target/wasm-sync/permsnap_wasm_bg.wasm pkg-template/wasm-asset.d.ts pkg/sync/
rm -rf target/reference
assemble target/wasm-reference target/reference $REFERENCE_TS
# `permsnap` in Node, Deno, Bun and workerd is the build verifying in
# WebAssembly (synchronous loads; in Node its verify is faster than the
# platform's). The exports map sends `permsnap` there directly (a module
# hop less: about 1.5 ms of a cold import); the root node.js and workerd.js
# re-export it for code importing those files by path.
for entry in node workerd; do
  echo "export * from \"./sync/$entry.js\";" > "pkg/$entry.js"
  echo "export * from \"./sync/$entry.js\";" > "pkg/$entry.d.ts"
done
assemble - pkg/edge $EDGE_TS
cp target/wasm-edge/permsnap_wasm_bg.wasm pkg-template/wasm-asset.d.ts pkg/edge/
assemble target/wasm-issuer pkg/issuer $ISSUER_TS
cp pkg-template/browser-issuer.js pkg/
cp pkg-template/package.json pkg-template/README.md pkg/
cp pkg-template/permsnap.css pkg/
cp LICENSE-MIT LICENSE-APACHE pkg-template/permsnap.css.d.ts pkg/

# Minify the JavaScript (the .d.ts keep every doc comment): about 5 KB less
# gzip for browsers. Linked source maps point back to the compiled wrapper.
# --keep-names: stack traces and `err.constructor.name` say `PermsnapError`,
# `Verifier`..., not `O` (about 0.3 KB gzip). Not for the wasm-bindgen glue,
# whose helpers no user calls (it would cost 0.4 KB more).
# WASM_ID (init.ts): which build's .wasm a directory's modules load, so that
# init() refuses another's, computed by that directory's own init.js
# (`wasmId`, before it is minified).
wasm_id() { # dir
  node --input-type=module -e 'const { readFileSync } = await import("node:fs");
    const { wasmId } = await import(process.argv[1] + "/init.js");
    console.log(wasmId(new WebAssembly.Module(readFileSync(process.argv[1] + "/permsnap_wasm_bg.wasm"))))' "$(realpath "$1")"
}
for dir in pkg/issuer target/reference; do
  id=$(wasm_id "$dir")
  for js in "$dir"/*.js; do
    keep=--keep-names
    [ "$(basename "$js")" != permsnap_wasm.js ] || keep=
    esbuild "$js" --minify $keep --format=esm --sourcemap --sources-content=true \
      --define:WASM_ID="\"$id\"" --log-level=warning --allow-overwrite --outfile="$js"
  done
done
# The small core's entries: LEAN_EXPORTS (browser/wasm.ts) is the export
# list of the directory's own .wasm, so that init() refuses another's. The
# browser entry without --keep-names: every page downloads it (its errors
# say `PermsnapError` all the same: the class sets its name).
lean_exports() { # dir
  node --input-type=module -e 'const { readFileSync } = await import("node:fs");
    const m = new WebAssembly.Module(readFileSync(process.argv[1] + "/permsnap_wasm_bg.wasm"));
    console.log(WebAssembly.Module.exports(m).map((e) => e.name).sort().join(" "))' "$(realpath "$1")"
}
for dir in pkg pkg/sync pkg/edge; do
  exports=$(lean_exports "$dir")
  # LEAN_FEEDS (browser/verifier.ts): the core applies feeds and gates
  # routes (permsnap/edge); the other builds' minified code drops those
  # parts.
  feeds=false
  case " $exports " in *" ps_feed "*) feeds=true ;; esac
  # The browser entry without --keep-names and with short refusals.
  keep= wordy=false
  [ "$dir" = pkg ] || keep=--keep-names wordy=true
  for js in "$dir"/*.js; do
    esbuild "$js" --minify $keep --format=esm --sourcemap --sources-content=true \
      --define:LEAN_EXPORTS="\"$exports\"" --define:LEAN_WORDY="$wordy" --define:LEAN_FEEDS="$feeds" --log-level=warning --allow-overwrite --outfile="$js"
  done
done
if grep -l "WASM_ID\|LEAN_EXPORTS\|LEAN_WORDY\|LEAN_FEEDS" pkg/*.js pkg/sync/*.js pkg/edge/*.js pkg/issuer/*.js target/reference/*.js; then
  echo "build-pkg.sh: WASM_ID, LEAN_EXPORTS, LEAN_WORDY or LEAN_FEEDS was not defined in the modules above" >&2; exit 1
fi

# The Node entries (Node, Deno, Bun: the `node` condition) as one module
# each: Node's ES module loader spends more on walking a graph of small
# files than on the code (cold import of `permsnap` 31-38 ms as separate
# modules, 18-21 ms bundled). Browsers keep separate modules (their
# bundlers, not the package, decide); workerd entries are bundled by
# wrangler. Each bundle carries its own copy of the shared classes, as the
# builds already do: `instanceof PermsnapError` and the Verifier checks go by
# branded symbols, not by module identity.
for js in pkg/sync/node.js pkg/edge/node.js pkg/issuer/node.js target/reference/node.js; do
  esbuild "$js" --bundle --platform=node --format=esm --minify --keep-names --sourcemap --sources-content=true \
    --log-level=warning --allow-overwrite --outfile="$js"
done

# The gzip size of each build, printed beside its committed budget
# (scripts/size-budget.json). scripts/test.sh runs the same check strictly:
# growth fails CI unless the budget moves in the same commit.
scripts/check-size.sh --warn
