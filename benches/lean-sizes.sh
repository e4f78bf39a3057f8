#!/usr/bin/env bash
# The small core (lean/, #16) by feature set, as the build would ship it
# (cargo's `lean` profile, then wasm-opt -Oz with the build's flags): what
# the signature in WebAssembly (`curve`) and the edge's route gate (`edge`)
# add to the browser's core. Prints a table; not a test.
#   benches/lean-sizes.sh        (after scripts/bootstrap.sh or
#                                 scripts/build-pkg.sh: needs wasm-opt)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh >/dev/null
flags="--strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '| %-40s | %9s | %9s |\n' "small core" "raw" "gzip -9"
printf '|%s|%s|%s|\n' "------------------------------------------" "----------:" "----------:"
for features in "" curve edge; do
  cargo build --quiet --profile lean --target wasm32-unknown-unknown -p permsnap-lean ${features:+--features "$features"}
  # shellcheck disable=SC2086
  wasm-opt -Oz $flags target/wasm32-unknown-unknown/lean/permsnap_lean.wasm -o "$out/core.wasm"
  case "$features" in
    "") what="browser (signatures: WebCrypto)" ;;
    curve) what="+ curve (signatures in WebAssembly)" ;;
    edge) what="+ edge (route tables, routing, deciding)" ;;
  esac
  printf '| %-40s | %9d | %9d |\n' "$what" "$(wc -c < "$out/core.wasm")" "$(gzip -9nc < "$out/core.wasm" | wc -c)"
done
