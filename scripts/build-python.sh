#!/usr/bin/env bash
# Builds the Python issuer (maturin + PyO3, abi3: one wheel for CPython
# 3.9+) into target/wheels and installs it into the project's virtualenv
# (target/py-venv), creating it and installing maturin and pytest when
# missing. Idempotent; scripts/test.sh runs it before pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/py-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.16,<2" "pytest>=8"
rm -f target/wheels/permsnap-*.whl
"$VENV/bin/maturin" build --release --quiet -m python/Cargo.toml -o target/wheels
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/permsnap-*.whl
echo "python: $(ls target/wheels/permsnap-*.whl) installed in $VENV"
