// Benchmarks of the built npm package in Node: prints a table. Not a test.
//   node benches/js-bench.mjs        (after scripts/build-pkg.sh)
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import os from "node:os";

const root = new URL("../", import.meta.url);
const { Verifier } = await import(new URL("pkg/node.js", root));
const vectors = JSON.parse(readFileSync(new URL("vectors/vectors.json", root), "utf8"));
const sitee = vectors.catalogs.sitee; // the compiled catalog, as apps ship it
const dia = vectors.cases.find((c) => c.name === "sitee/dia");
const opts = { tenant: "spa-lumi", clock: () => dia.now };

function time(label, iterations, f, warmup = true) {
  if (warmup) for (let i = 0; i < Math.min(iterations, 1000); i++) f(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) f(i);
  const ns = Number(process.hrtime.bigint() - t) / iterations;
  return { label, ns };
}

const rows = [];
// First load: a fresh verifier for every load and no warm-up on them, so
// nothing is cached (the engine is warmed on another set first).
const fresh = () => Array.from({ length: 300 }, () => new Verifier(sitee, vectors.key.jwks, opts));
const warm = fresh();
for (let i = 0; i < 300; i++) warm[i].load(dia.snapshot).free();
const verifiers = fresh();
rows.push(time("load (verify + decode), first time", 300, (i) => verifiers[i].load(dia.snapshot).free(), false));
const v = new Verifier(sitee, vectors.key.jwks, opts);
rows.push(time("load, same snapshot again (cached)", 20000, () => v.load(dia.snapshot).free()));
const p = v.load(dia.snapshot);
let sink = 0;
rows.push(time("can() from JavaScript", 10_000_000, () => { sink += p.can("campaigns.manage") ? 1 : 0; }));
const staff = ["dia", "fay", "desk", "ben", "eli", "cam", "ana"];
const appts = Array.from({ length: 10000 }, (_, i) => ({ id: `a${i}`, staff_id: staff[i % 7], created_by: staff[(i * 3) % 7], client_assignees: [staff[(i + 1) % 7]], starts: "2026-12-01T10:00" }));
const clients = Array.from({ length: 10000 }, (_, i) => ({ id: `c${i}`, name: `Client ${i}`, email: `c${i}@mail.test`, phone: `555-${i}`, created_by: staff[i % 7] }));
rows.push(time("filter 10,000 appointments to own", 200, () => { sink += p.filter("appointments", appts).length; }));
rows.push(time("redact 10,000 clients (email, phone)", 100, () => { sink += p.redact("clients", clients).length; }));
rows.push(time("Rust reference filter 10,000 (one wasm call)", 20, () => { sink += p.filterIndexesReference("appointments", appts).length; }));

const gz = (f) => gzipSync(readFileSync(new URL(`pkg/${f}`, root)), { level: 9 }).length;
const download = gz("permsnap_wasm_bg.wasm") + gz("permsnap_wasm.js") + gz("index.js");

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(3)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(1)} ns`);
const rustc = (() => { try { return execFileSync("rustc", ["--version"]).toString().trim(); } catch { return "rustc ?"; } })();
console.log(`permsnap JS benchmark — Node ${process.version}, ${rustc}, ${os.cpus()[0].model} x${os.cpus().length}`);
console.log(`snapshot: Sitee Marketing Professional, ${Buffer.from(dia.snapshot, "base64url").length} bytes`);
console.log("| operation | time |");
console.log("|---|---|");
for (const r of rows) console.log(`| ${r.label} | ${fmt(r.ns)} |`);
console.log(`| browser download, wasm + glue + wrapper, gzip -9 | ${(download / 1024).toFixed(1)} KiB |`);
if (sink === -1) console.log(sink);
