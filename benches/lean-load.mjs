// First load on the small core with its `curve` feature (#16), on
// peer-bench's snapshot: base64url decoded, split, signature checked in
// WebAssembly (the key's own table once built), read and decided against
// the catalog. Three rows, interleaved: the core alone (its exports called
// directly), `permsnap` in Node (since session 27 that core behind its
// JavaScript: `Verifier.load`, a `Permissions` object), and the reference
// build it replaced there (the crate behind wasm-bindgen, target/reference/).
// Prints a table; not a test.
//   node benches/lean-load.mjs   (after scripts/build-pkg.sh: needs pkg/,
//                                 target/reference/ and the binaryen npm
//                                 package's wasm-opt)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const fixtures = join(root, "benches/peer-bench");
const read = (f) => JSON.parse(readFileSync(join(fixtures, f), "utf8"));
const catalog = read("catalog.json");
const jwks = read("jwks.json");
const snapshot = read("snapshot.json");
const NOW = snapshot.issued_at + 60;

// The small core with the curve, built and optimised as the build would.
execFileSync("cargo", ["build", "--quiet", "--profile", "lean", "--target", "wasm32-unknown-unknown", "-p", "permsnap-lean", "--features", "curve"], { cwd: root, stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "lean-load-"));
const wasmFile = join(dir, "core.wasm");
execFileSync(join(root, "node_modules/.bin/wasm-opt"), [
  "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals",
  join(root, "target/wasm32-unknown-unknown/lean/permsnap_lean.wasm"), "-o", wasmFile,
]);
const module = new WebAssembly.Module(readFileSync(wasmFile));
rmSync(dir, { recursive: true });
const x = new WebAssembly.Instance(module, {}).exports;

const input = (...parts) => {
  let at = x.ps_input(parts.reduce((n, p) => n + p.length, 0));
  for (const p of parts) {
    new Uint8Array(x.memory.buffer, at, p.length).set(p);
    at += p.length;
  }
};
const call = (f, ...args) => {
  const status = x[f](...args);
  if (status !== 0) throw new Error(`${f}: ${status}`);
  return new Uint32Array(x.memory.buffer, x.ps_out(), 8);
};

input(Buffer.from(catalog.binary, "base64url"));
const c = call("ps_catalog")[4];
input(Buffer.from(jwks.keys[0].x, "base64url"));
const k = call("ps_trust")[0];
const tenant = new TextEncoder().encode(snapshot.tenant);

function leanLoad() {
  const bytes = Buffer.from(snapshot.text, "base64url");
  input(bytes);
  const signed = call("ps_split")[2];
  call("ps_verify", k, 0, signed);
  input(bytes, tenant);
  const handle = call("ps_load", c, tenant.length, 0, NOW, 30)[0];
  x.ps_drop(handle);
}

// A Verifier's load, as peer-bench loads it: its verified cache emptied
// before each load (the key's table kept).
function loader({ Verifier }) {
  const verifier = new Verifier(catalog, jwks, { tenant: snapshot.tenant, clock: () => NOW });
  return () => {
    verifier.setJwks(jwks);
    verifier.load(snapshot.text).free();
  };
}
const pkg = JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8"));
const nodeLoad = loader(await import(pathToFileURL(join(root, "pkg", pkg.exports["."].node)).href));
const referenceLoad = loader(await import(pathToFileURL(join(root, "target/reference/node.js")).href));

function median(f, n) {
  for (let i = 0; i < 200; i++) f(); // past the key table's build (64 verifies)
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[n >> 1] * 1000;
}

const rounds = [];
for (let r = 0; r < 5; r++) rounds.push([median(leanLoad, 400), median(nodeLoad, 400), median(referenceLoad, 400)]);
const mid = (i) => rounds.map((x) => x[i]).sort((a, b) => a - b)[2];
console.log(`first load, ${process.version}, median of 5 interleaved rounds of 400`);
console.log("| core | load µs |");
console.log("|---|---:|");
console.log(`| small core + curve (split, verify, read, decide) | ${mid(0).toFixed(1)} |`);
console.log(`| \`permsnap\` in Node (that core + its JavaScript, \`Verifier.load\`) | ${mid(1).toFixed(1)} |`);
console.log(`| the reference build it replaced there (\`Verifier.load\`) | ${mid(2).toFixed(1)} |`);
