// Benchmarks of the built npm package in Node: prints a table. Not a test.
//   node benches/js-bench.mjs        (after scripts/build-pkg.sh)
// The same scenario runs in headless Chromium: benches/browser-bench.mjs.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { runBench, table } from "./bench-core.js";

const root = new URL("../", import.meta.url);
const { Verifier } = await import(new URL("pkg/node.js", root));
const vectors = JSON.parse(readFileSync(new URL("vectors/vectors.json", root), "utf8"));
const { rows, snapshotBytes } = runBench({ Verifier, vectors, clock: () => performance.now() });

const gz = (f) => gzipSync(readFileSync(new URL(`pkg/${f}`, root)), { level: 9 }).length;
const download = gz("permsnap_wasm_bg.wasm") + gz("permsnap_wasm.js") + gz("index.js");
const rustc = (() => { try { return execFileSync("rustc", ["--version"]).toString().trim(); } catch { return "rustc ?"; } })();
console.log(`permsnap JS benchmark — Node ${process.version}, ${rustc}, ${os.cpus()[0].model} x${os.cpus().length}, median of 9 rounds`);
console.log(`snapshot: Sitee Marketing Professional, ${snapshotBytes} bytes`);
console.log(table(rows));
console.log(`| browser download, wasm + glue + wrapper, gzip -9 | ${(download / 1024).toFixed(1)} KiB | 40 KB ${download <= 40_000 ? "✓" : "✗"} |`);
