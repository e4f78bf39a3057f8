// The benchmark scenario, shared by the Node and headless-Chromium runners
// (benches/js-bench.mjs, benches/browser-bench.mjs). Each measurement runs
// in 9 rounds; the median round is reported (machines are noisy).
// `clock()` returns milliseconds (performance.now).
export const BUDGETS = {
  first: 100_000, // ns
  can: 10,
  filter: 300_000,
  redact: 1_500_000,
};

/** `jose` (optional): `{ verify() }`, one jose `jwtVerify` of an EdDSA JWT
 *  carrying the same person's permissions, its key imported once: the
 *  baseline the first load is compared with, in the same run. */
export async function runBench({ Verifier, vectors, clock, jose }) {
  const sitee = vectors.catalogs.sitee; // the compiled catalog, as apps ship it
  const dia = vectors.cases.find((c) => c.name === "sitee/dia"); // Sitee Marketing Professional
  const opts = { tenant: "spa-lumi", clock: () => dia.now };
  const rounds = 9;
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // `time` for a function returning a promise: each call awaited in turn.
  const timeAsync = async (iterations, f, setup) => {
    const ns = [];
    for (let r = 0; r < rounds; r++) {
      const ctx = setup ? setup() : undefined;
      const t = clock();
      for (let i = 0; i < iterations; i++) await f(i, ctx);
      ns.push(((clock() - t) * 1e6) / iterations);
    }
    return median(ns);
  };
  const time = (iterations, f, setup) => {
    const ns = [];
    for (let r = 0; r < rounds; r++) {
      const ctx = setup ? setup() : undefined;
      if (!setup) for (let i = 0; i < Math.min(iterations, 1000); i++) f(i, ctx);
      const t = clock();
      for (let i = 0; i < iterations; i++) f(i, ctx);
      ns.push(((clock() - t) * 1e6) / iterations);
    }
    return median(ns);
  };
  let sink = 0;
  const rows = [];
  // First load: fresh verifiers, no warm-up on them (the engine is warmed on another set first).
  // `verify` (the promise form every build has: the browser build checks the
  // signature with the platform's WebCrypto).
  const fresh = () => Array.from({ length: 200 }, () => new Verifier(sitee, vectors.key.jwks, opts));
  const warm = fresh();
  for (const w of warm) (await w.verify(dia.snapshot)).free();
  rows.push({ key: "first", label: "verify (signature + decode), first time", ns: await timeAsync(200, async (i, vs) => (await vs[i].verify(dia.snapshot)).free(), fresh) });
  if (jose) {
    for (let i = 0; i < 200; i++) await jose.verify();
    rows.push({ key: "jose", label: "jose jwtVerify, EdDSA JWT of the same permissions (its key imported once)", ns: await timeAsync(200, () => jose.verify()) });
  }
  const v = new Verifier(sitee, vectors.key.jwks, opts);
  const p = await v.verify(dia.snapshot);
  rows.push({ key: "again", label: "load, same snapshot again (cached, synchronous)", ns: time(20_000, () => v.load(dia.snapshot).free()) });
  // can(): the loop is written out (no callback per iteration), as an app calls it.
  const canRounds = [];
  for (let r = 0; r < rounds + 1; r++) {
    const n = 5_000_000;
    const t = clock();
    for (let i = 0; i < n; i++) if (p.can("campaigns.manage")) sink++;
    if (r > 0) canRounds.push(((clock() - t) * 1e6) / n); // round 0 warms up
  }
  rows.push({ key: "can", label: "can() from JavaScript", ns: median(canRounds) });
  const staff = ["dia", "fay", "desk", "ben", "eli", "cam", "ana"];
  const appts = Array.from({ length: 10_000 }, (_, i) => ({ id: `a${i}`, staff_id: staff[i % 7], created_by: staff[(i * 3) % 7], client_assignees: [staff[(i + 1) % 7]], starts: "2026-12-01T10:00" }));
  const clients = Array.from({ length: 10_000 }, (_, i) => ({ id: `c${i}`, name: `Client ${i}`, email: `c${i}@mail.test`, phone: `555-${i}`, created_by: staff[i % 7] }));
  rows.push({ key: "filter", label: "filter 10,000 appointments to own", ns: time(100, () => { sink += p.filter("appointments", appts).length; }) });
  rows.push({ key: "redact", label: "redact 10,000 clients (email, phone)", ns: time(40, () => { sink += p.redact("clients", clients).length; }) });
  // Calibration: how fast this machine is right now (noisy machines vary 2x).
  rows.push({ key: "plain", label: "calibration: plain JS Array.filter 10,000 (staff_id === \"dia\")", ns: time(100, () => { sink += appts.filter((r) => r.staff_id === "dia").length; }) });
  rows.push({ key: "reference", label: "Rust reference filter 10,000 (one wasm call)", ns: time(5, () => { sink += p.filterIndexesReference("appointments", appts).length; }) });
  if (sink === -1) rows.push({ key: "sink", label: "", ns: 0 });
  return { rows, snapshotBytes: (dia.snapshot.length * 3) >> 2 };
}

export function formatNs(ns) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(3)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(1)} ns`;
}

export function table(rows) {
  const lines = ["| operation | time | budget |", "|---|---|---|"];
  const jose = rows.find((r) => r.key === "jose");
  for (const r of rows) {
    const b = BUDGETS[r.key];
    const vsJose = r.key === "first" && jose ? ` (${(r.ns / jose.ns).toFixed(2)}× jose)` : "";
    lines.push(`| ${r.label} | ${formatNs(r.ns)}${vsJose} | ${b === undefined ? "" : `${formatNs(b)} ${r.ns <= b ? "✓" : "✗"}`} |`);
  }
  return lines.join("\n");
}
