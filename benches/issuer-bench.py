"""Issue rate of the Python issuer (one thread): a Sitee record with one
role and switches, as a backend issues on every sign-in and refresh. Prints
a table; no assertion (timings belong in benches, not tests).

    target/py-venv/bin/python benches/issuer-bench.py   (after scripts/build-python.sh)
"""

import json
import pathlib
import time

from permsnap import Issuer, generate_key

ROOT = pathlib.Path(__file__).resolve().parents[1]
policy = json.loads((ROOT / "presets" / "sitee.json").read_text())
key = generate_key(kid="bench")
issuer = Issuer(policy["catalog"], key["private_jwk"], ignore=["email", "created_at"])
issuer.set_account("spa-lumi", policy["roles"])
row = {"id": "u42", "roles": ["user"], "version": 7, "remove": ["payments.view", "payments.charge"],
       "hidden_fields": {"clients": ["email", "phone"]}, "email": "u42@example.com", "created_at": "2026-01-01"}
now = int(time.time())


def per_call(n, f):
    for _ in range(min(n, 1000)):
        f()
    rounds = []
    for _ in range(5):
        t = time.perf_counter_ns()
        for _ in range(n):
            f()
        rounds.append((time.perf_counter_ns() - t) / n)
    return sorted(rounds)[2]


ns = per_call(5000, lambda: issuer.issue("spa-lumi", row, now=now))
print("permsnap Python issuer, one thread, median of 5 rounds")
print(f"{'operation':<52} {'µs/call':>9} {'per second':>12}")
print(f"{'issue (dict row in, signed text out)':<52} {ns / 1000:>9.2f} {1e9 / ns:>12.0f}")
