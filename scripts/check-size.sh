#!/usr/bin/env bash
# The size ratchet: prints the gzip size of what each build's entry downloads
# and compares it with the committed budget, scripts/size-budget.json.
#   scripts/check-size.sh          fails (exit 1) when a build is over its budget
#   scripts/check-size.sh --warn   only says so (scripts/build-pkg.sh uses this)
#   scripts/check-size.sh --update writes the sizes as the new budget (commit
#                                  it with the change that moved them, saying why)
# The bytes are deterministic (same toolchain, `gzip -9n`): this is not a
# timed test. A budget moves only in the commit that grows the build, saying
# why; when a build shrinks, lower its budget in the same commit too.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-}"
BUDGET=scripts/size-budget.json

gz() { gzip -9nc < "$1" | wc -c; }
# What an entry downloads: its wasm and every module of it, minus the other
# runtimes' entry files (node.js and its nodeinit.js, workerd.js), React and the
# issuer's browser stub.
entry_size() { # dir [wasm file name]
  local total=0 f
  for f in "$1/${2:-permsnap_wasm_bg.wasm}" "$1"/*.js; do
    case "$(basename "$f")" in node.js|nodeinit.js|workerd.js|react.js|browser-issuer.js) continue ;; esac
    total=$(( total + $(gz "$f") ))
  done
  echo "$total"
}
budget() { # name
  node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
    if (!Number.isInteger(b)) { console.error(`check-size: no budget for "${process.argv[2]}" in ${process.argv[1]}`); process.exit(1); }
    console.log(b)' "$BUDGET" "$1"
}

over=0
check() { # name dir what [wasm file name]
  local name="$1" dir="$2" what="$3" wasm="${4:-permsnap_wasm_bg.wasm}" size limit
  [ -f "$dir/$wasm" ] || { echo "check-size: $dir is not built (scripts/build-pkg.sh)" >&2; exit 1; }
  size=$(entry_size "$dir" "$wasm")
  if [ "$MODE" = "--update" ]; then limit=$size; else limit=$(budget "$name"); fi
  printf '%-8s %-38s gzip %7d bytes, budget %7d (%+d); wasm %d bytes raw\n' \
    "$name" "$what" "$size" "$limit" "$(( size - limit ))" "$(wc -c < "$dir/$wasm")"
  if [ "$MODE" = "--update" ]; then
    return
  elif [ "$size" -gt "$limit" ]; then
    echo "check-size: $name is $(( size - limit )) bytes over its budget ($BUDGET)." >&2
    echo "  If the growth is worth it, raise \"$name\" to $size in the same commit and say why." >&2
    over=1
  elif [ $(( limit - size )) -gt 512 ]; then
    echo "  ($name shrank: lower its budget to $size in this commit, so the ratchet holds the gain)"
  fi
}
check browser pkg "pkg/ (the small core + its wrapper)"
check sync pkg/sync "pkg/sync/ (the same, verifying in wasm)"
check edge pkg/edge "pkg/edge/ (wasm + glue + wrapper + gate)"
check issuer pkg/issuer "pkg/issuer/ (server only: wasm + glue + wrapper)"

if [ "$MODE" = "--update" ]; then
  node -e 'const fs = require("fs"); const [file, ...pairs] = process.argv.slice(1);
    const b = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const p of pairs) { const [k, v] = p.split("="); b[k] = Number(v); }
    fs.writeFileSync(file, JSON.stringify(b, null, 2) + "\n");' \
    "$BUDGET" "browser=$(entry_size pkg)" "sync=$(entry_size pkg/sync)" "edge=$(entry_size pkg/edge)" "issuer=$(entry_size pkg/issuer)"
  echo "check-size: wrote the sizes above to $BUDGET"
  exit 0
fi

if [ "$over" = 1 ]; then
  [ "$MODE" = "--warn" ] && { echo "check-size: OVER BUDGET (scripts/test.sh will fail)" >&2; exit 0; }
  exit 1
fi
