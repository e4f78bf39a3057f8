// The browser entry (`permsnap` in browsers: the small core, #16) against
// permsnap/sync (the same API verifying in WebAssembly, the browser default
// until session 22's move, whose wasm-bindgen sibling verifying with
// WebCrypto it replaced): what an app downloads (JavaScript minified and
// bundled as a bundler would, plus the wasm, gzip -9), and the first load
// (strict verify + decide) of the peer-bench snapshot in Node; then the
// same first load in headless Chromium against jose
// (benches/lite-bench.html). Prints a table. Not a test.
//   node benches/lite-bench.mjs      (after scripts/build-pkg.sh)
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createServer } from "node:http";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "node_modules", ".bin");
const work = mkdtempSync(join(tmpdir(), "permsnap-lite-"));
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => (n / 1000).toFixed(1);

/** gzip -9 of `entry` bundled and minified for browsers (esbuild). */
function bundle(entry) {
  const src = join(work, `entry-${Math.random().toString(36).slice(2)}.mjs`);
  const out = `${src}.out.js`;
  writeFileSync(src, entry);
  execFileSync(join(bin, "esbuild"), [src, "--bundle", "--minify", "--format=esm", "--platform=browser", `--outfile=${out}`, "--external:*.wasm", "--log-level=warning"], { stdio: ["ignore", "ignore", "inherit"] });
  return gz(readFileSync(out));
}

/** A page importing `names` from `entry`. */
const page = (names, entry) => bundle(`export { ${names} } from ${JSON.stringify(join(root, entry))};`);
const PAGE_TOOLS = "init, Verifier, createSession, applyToDom";
const today = {
  js: page("init, Verifier", "pkg/sync/index.js"),
  tools: page(PAGE_TOOLS, "pkg/sync/index.js"),
  wasm: gz(readFileSync(join(root, "pkg/sync/permsnap_wasm_bg.wasm"))),
};
const lite = {
  js: page("init, Verifier", "pkg/index.js"),
  tools: page(PAGE_TOOLS, "pkg/index.js"),
  wasm: gz(readFileSync(join(root, "pkg/permsnap_wasm_bg.wasm"))),
};

// The peer-bench scenario: its catalog, key and snapshot (benches/peer-bench/).
const fx = (f) => JSON.parse(readFileSync(join(root, "benches/peer-bench", f), "utf8"));
const catalog = fx("catalog.json");
const jwks = fx("jwks.json");
const snapshot = fx("snapshot.json");
const now = snapshot.issued_at + 60;
const tenant = snapshot.tenant;

const small = await import(join(root, "pkg/index.js"));
small.initSync(readFileSync(join(root, "pkg/permsnap_wasm_bg.wasm")));
const liteV = new small.Verifier(catalog, jwks, { tenant, clock: () => now });
const web = await import(join(root, "pkg/sync/index.js"));
web.initSync(readFileSync(join(root, "pkg/sync/permsnap_wasm_bg.wasm")));
const webV = new web.Verifier(catalog, jwks, { tenant, clock: () => now });

// The same answers first.
const names = webV.permissionNames;
const a = await liteV.verify(snapshot.text);
const b = await webV.verify(snapshot.text);
for (const n of names) {
  if (a.can(n) !== b.can(n)) throw new Error(`the browser entry and permsnap/sync differ on ${n}`);
}

/** Median µs of `f(i, ctx)` over `rounds` rounds of `n` calls, `ctx`
 *  made by `setup` before each round, outside the time. */
async function time(f, setup, n = 200, rounds = 9) {
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const ctx = await setup?.();
    const t = performance.now();
    for (let i = 0; i < n; i++) await f(i, ctx);
    out.push(((performance.now() - t) * 1000) / n);
  }
  return out.sort((x, y) => x - y)[rounds >> 1];
}
// The browser entry remembers what it verified: a fresh verifier per load
// (made before the round, its catalog fingerprinted by then).
const liteLoad = await time(async (i, vs) => (await vs[i].verify(snapshot.text)).free(), async () => {
  const vs = Array.from({ length: 200 }, () => new small.Verifier(catalog, jwks, { tenant, clock: () => now }));
  await new Promise((r) => setTimeout(r, 50));
  return vs;
});
// permsnap/sync remembers verified texts: its key set is set again
// (which empties that cache) outside the timed call, as peer-bench does.
const webLoad = await time(async () => {
  webV.setJwks(jwks);
  return webV.verify(snapshot.text);
});
const setJwks = await time(() => webV.setJwks(jwks));

// Headless Chromium: the repository.
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  const file = normalize(join(root, path));
  try {
    if (!file.startsWith(root)) throw new Error("outside");
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
  await page.goto(`http://127.0.0.1:${server.address().port}/benches/lite-bench.html`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 300_000 });
  inChromium = await page.evaluate(() => window.result);
} finally {
  await browser.close();
  server.close();
  rmSync(work, { recursive: true, force: true });
}
if (!inChromium.same) throw new Error("the browser entry's answers in Chromium differ from the vector's");

console.log("| a page importing `init`, `Verifier` | permsnap/sync | permsnap (browser entry) |");
console.log("|---|---:|---:|");
console.log(`| JavaScript, bundled and minified, KB gzip | ${kb(today.js)} | ${kb(lite.js)} |`);
console.log(`| wasm, KB gzip | ${kb(today.wasm)} | ${kb(lite.wasm)} |`);
console.log(`| download, KB gzip | ${kb(today.js + today.wasm)} | ${kb(lite.js + lite.wasm)} |`);
console.log(`| download with \`createSession\` and \`applyToDom\` too, KB gzip | ${kb(today.tools + today.wasm)} | ${kb(lite.tools + lite.wasm)} |`);
console.log(`| load: verify + decide, Node, µs (median; sync: in wasm, browser entry: WebCrypto) | ${(webLoad - setJwks).toFixed(1)} | ${liteLoad.toFixed(1)} |`);
console.log(`| first load in headless Chromium, µs (median; jose jwtVerify ${inChromium.jose.toFixed(1)}) | ${inChromium.today.toFixed(1)} (${(inChromium.today / inChromium.jose).toFixed(2)}× jose) | ${inChromium.lite.toFixed(1)} (${(inChromium.lite / inChromium.jose).toFixed(2)}× jose) |`);
console.log(`\n${names.length} permissions compared, same answers. permsnap/sync's load is timed with setJwks (${setJwks.toFixed(1)} µs) taken out.`);
