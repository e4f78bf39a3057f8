// Benchmarks of the built npm package in Node: prints a table. Not a test.
//   node benches/js-bench.mjs        (after scripts/build-pkg.sh)
// The same scenario runs in headless Chromium: benches/browser-bench.mjs.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { runBench, table } from "./bench-core.js";
import { joseBaseline } from "./jose-baseline.js";
import * as jose from "jose";

const root = new URL("../", import.meta.url);
const { Verifier } = await import(new URL("pkg/node.js", root));
const vectors = JSON.parse(readFileSync(new URL("vectors/vectors.json", root), "utf8"));
const { rows, snapshotBytes } = await runBench({ Verifier, vectors, clock: () => performance.now(), jose: await joseBaseline(jose, vectors) });

const gz = (f) => gzipSync(readFileSync(new URL(`pkg/${f}`, root)), { level: 9 }).length;
// What the browser entry downloads: the wasm and every module of it (as
// scripts/check-size.sh counts), without the other runtimes' entries, React
// or the issuer's browser stub. The target is #16's 16 KB.
const download = readdirSync(new URL("pkg/", root))
  .filter((f) => f === "permsnap_wasm_bg.wasm" || (f.endsWith(".js") && !["node.js", "workerd.js", "react.js", "browser-issuer.js"].includes(f)))
  .reduce((sum, f) => sum + gz(f), 0);
const rustc = (() => { try { return execFileSync("rustc", ["--version"]).toString().trim(); } catch { return "rustc ?"; } })();
console.log(`permsnap JS benchmark — Node ${process.version}, ${rustc}, ${os.cpus()[0].model} x${os.cpus().length}, median of 9 rounds`);
console.log(`snapshot: Sitee Marketing Professional, ${snapshotBytes} bytes`);
console.log(table(rows));
console.log(`| browser download, wasm + every module, gzip -9 | ${(download / 1000).toFixed(1)} KB | 16 KB ${download <= 16_000 ? "✓" : "✗"} |`);
