# Sourced by the scripts: puts the project's tools first on PATH.
# npm's binaryen (wasm-opt 132) must come before any system wasm-opt: Debian's
# v108 cannot read what rustc 1.95 emits.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
