#!/usr/bin/env bash
# wasm-bindgen-test in node, Chrome and Firefox. A browser run of tests not
# configured for the browser executes ZERO tests and still exits 0: each run's
# count is checked, and a run with no test fails.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
run() {
  local name=$1; shift
  local log="target/wasm-test-$name.log"
  echo "-- $name"
  if ! "$@" > "$log" 2>&1; then cat "$log"; echo "wasm tests failed in $name" >&2; exit 1; fi
  local passed
  passed=$(sed -n 's/.*test result: ok\. \([0-9]*\) passed.*/\1/p' "$log" | tail -n1)
  grep -E "^test result|passed" "$log" | tail -n 2
  if [ -z "$passed" ] || [ "$passed" -eq 0 ]; then
    cat "$log"; echo "wasm tests in $name executed no test" >&2; exit 1
  fi
}
FEATURES=(-- --features wasm,std-json --test wasm)
run node wasm-pack test --node --mode no-install "${FEATURES[@]}"
WASM_BINDGEN_USE_BROWSER=1 run chrome wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --mode no-install "${FEATURES[@]}"
WASM_BINDGEN_USE_BROWSER=1 run firefox wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" --mode no-install "${FEATURES[@]}"
