// The small core (#16) against today's browser build: what an app
// downloads for a first `can()` (JavaScript minified and bundled as a
// bundler would, plus the wasm, gzip -9), and the first load (strict
// verify + decide) of the peer-bench snapshot in Node, both verifying with
// WebCrypto. Prints a table. Not a test.
//   node benches/lean-bench.mjs      (after scripts/build-pkg.sh; then the
//   same in headless Chromium, against jose: benches/lean/bench.html)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createServer } from "node:http";
import { extname, normalize } from "node:path";
import { chromium } from "playwright-core";
import { LeanVerifier } from "./lean/lean.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` };
const work = mkdtempSync(join(tmpdir(), "permsnap-lean-"));
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => (n / 1000).toFixed(1);

// The small core's wasm, optimised as the browser build is.
execFileSync("cargo", ["build", "--quiet", "--release", "--target", "wasm32-unknown-unknown", "--manifest-path", join(root, "lean/Cargo.toml")], { stdio: "inherit" });
const leanWasm = join(work, "lean.wasm");
execFileSync("wasm-opt", ["-Oz", "--strip-producers", "--strip-target-features", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals",
  join(root, "lean/target/wasm32-unknown-unknown/release/permsnap_lean.wasm"), "-o", leanWasm], { env });

/** gzip -9 of `entry` bundled and minified for browsers (esbuild). */
function bundle(entry) {
  const src = join(work, `entry-${Math.random().toString(36).slice(2)}.mjs`);
  const out = `${src}.out.js`;
  writeFileSync(src, entry);
  execFileSync(join(bin, "esbuild"), [src, "--bundle", "--minify", "--format=esm", "--platform=browser", `--outfile=${out}`, "--external:*.wasm", "--log-level=warning"], { stdio: ["ignore", "ignore", "inherit"] });
  return gz(readFileSync(out));
}

const today = {
  js: bundle(`export { init, Verifier } from ${JSON.stringify(join(root, "pkg/index.js"))};`),
  wasm: gz(readFileSync(join(root, "pkg/permsnap_wasm_bg.wasm"))),
};
const lean = {
  js: bundle(`export { LeanVerifier } from ${JSON.stringify(join(root, "benches/lean/lean.mjs"))};`),
  wasm: gz(readFileSync(leanWasm)),
};

// The peer-bench scenario: its catalog, key and snapshot (benches/peer-bench/).
const fx = (f) => JSON.parse(readFileSync(join(root, "benches/peer-bench", f), "utf8"));
const catalog = fx("catalog.json");
const jwks = fx("jwks.json");
const snapshot = fx("snapshot.json");
const now = snapshot.issued_at + 60;
const tenant = snapshot.tenant;

const leanV = await LeanVerifier.create(new WebAssembly.Module(readFileSync(leanWasm)), catalog.binary, jwks, { tenant, clock: () => now });
const web = await import(join(root, "pkg/index.js"));
web.initSync(readFileSync(join(root, "pkg/permsnap_wasm_bg.wasm")));
const webV = new web.Verifier(catalog, jwks, { tenant, clock: () => now });

// The same answers first.
const names = webV.permissionNames;
const a = await leanV.load(snapshot.text);
const b = await webV.verify(snapshot.text);
for (const n of names) {
  if (a.can(n) !== b.can(n)) throw new Error(`lean and today's build differ on ${n}`);
}

/** Median µs of `f` over `rounds` rounds of `n` calls. */
async function time(f, n = 200, rounds = 9) {
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) await f();
    out.push(((performance.now() - t) * 1000) / n);
  }
  return out.sort((x, y) => x - y)[rounds >> 1];
}
const leanLoad = await time(async () => (await leanV.load(snapshot.text)).free());
// Today's build remembers verified texts: its key set is set again
// (which empties that cache) outside the timed call, as peer-bench does.
const webLoad = await time(async () => {
  webV.setJwks(jwks);
  return webV.verify(snapshot.text);
});
const setJwks = await time(() => webV.setJwks(jwks));

// Headless Chromium: the repository, and the small core's wasm as /lean.wasm.
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  const file = path === "/lean.wasm" ? leanWasm : normalize(join(root, path));
  try {
    if (file !== leanWasm && !file.startsWith(root)) throw new Error("outside");
    const body = readFileSync(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });
let inChromium;
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/benches/lean/bench.html`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 300_000 });
  inChromium = await page.evaluate(() => window.result);
} finally {
  await browser.close();
  server.close();
  rmSync(work, { recursive: true, force: true });
}
if (!inChromium.same) throw new Error("the small core's answers in Chromium differ from the vector's");

console.log("| first can(): small core (lean/) against today's browser build | today | small core |");
console.log("|---|---:|---:|");
console.log(`| JavaScript, bundled and minified, KB gzip | ${kb(today.js)} | ${kb(lean.js)} |`);
console.log(`| wasm, KB gzip | ${kb(today.wasm)} | ${kb(lean.wasm)} |`);
console.log(`| download, KB gzip | ${kb(today.js + today.wasm)} | ${kb(lean.js + lean.wasm)} |`);
console.log(`| load: WebCrypto verify + decide, Node, µs (median) | ${(webLoad - setJwks).toFixed(1)} | ${leanLoad.toFixed(1)} |`);
console.log(`| first load in headless Chromium, µs (median; jose jwtVerify ${inChromium.jose.toFixed(1)}) | ${inChromium.today.toFixed(1)} (${(inChromium.today / inChromium.jose).toFixed(2)}× jose) | ${inChromium.lean.toFixed(1)} (${(inChromium.lean / inChromium.jose).toFixed(2)}× jose) |`);
console.log(`\n${names.length} permissions compared, same answers. Today's load is timed with setJwks (${setJwks.toFixed(1)} µs) taken out.`);
