// The built package as a newcomer meets it: packed (`npm pack ./pkg`),
// installed into a fresh app as a dependency (offline, from the tarball),
// then checked (publint, attw, tsc without the DOM library) and built and
// run by the tools an app would use: esbuild for browsers and for Node,
// Vite, webpack, and Bun. Each app runs the committed vectors through the
// package (tests/edge/parity.js) and must give the vectors' decisions; the
// browser builds run in headless Chromium. The apps are in ./app.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../e2e/browsers.mjs";
import { expectedParity } from "../edge/parity.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = fileURLToPath(new URL("./", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const vectors = JSON.parse(readFileSync(join(root, "vectors/vectors.json"), "utf8"));

let tmp; // holds the tarball, the app and the Node "deploy" directories
let app; // the consumer app: ./app plus node_modules/permsnap from the tarball
let tarball;
let http;
let base;
let browser;

/** Runs a tool; a failure shows what it printed. */
function run(cmd, args, { cwd = app } = {}) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  } catch (e) {
    const tail = (s) => (s && s.length > 4000 ? `…${s.slice(-4000)}` : s ?? "");
    throw new Error(`${[cmd, ...args].join(" ")} failed (${e.status}):\n${tail(e.stdout)}\n${tail(e.stderr)}`);
  }
}


/** The vectors' decisions, from the build the consumer must have resolved:
 *  `permsnap` is the browser build (no revocation feeds), `permsnap/edge`
 *  the edge build (feeds too). */
function assertVectors(outcome, who, build = "browser") {
  assert.ok(outcome && !outcome.error, `${who}: ${JSON.stringify(outcome?.error)}`);
  assert.deepEqual(outcome.vectors, expectedParity(vectors, build), who);
}

const MIME = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json" };

before(async () => {
  assert.ok(existsSync(join(root, "pkg/package.json")), "build the package first: scripts/build-pkg.sh");
  tmp = mkdtempSync(join(tmpdir(), "permsnap-consumers-"));
  const packed = JSON.parse(run("npm", ["pack", "./pkg", "--pack-destination", tmp, "--ignore-scripts", "--json"], { cwd: root }));
  tarball = join(tmp, packed[0].filename);
  app = join(tmp, "app");
  cpSync(join(here, "app"), app, { recursive: true });
  copyFileSync(join(root, "tests/edge/parity.js"), join(app, "parity.js"));
  copyFileSync(join(root, "vectors/vectors.json"), join(app, "vectors.json"));
  // What `permsnap catalog` and `permsnap keygen` write, for the TypeScript apps.
  writeFileSync(join(app, "ts/catalog.json"), JSON.stringify(vectors.catalogs.sitee));
  writeFileSync(join(app, "ts/jwks.json"), JSON.stringify(vectors.key.jwks));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer-app", private: true, type: "module" }));
  // A dependency like any other (its optional React peer is not installed).
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", "--ignore-scripts", "--no-package-lock", tarball]);

  http = createServer((req, res) => {
    const path = join(app, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!path.startsWith(app) || !existsSync(path)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
  await new Promise((ok) => http.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${http.address().port}`;
});

after(async () => {
  await browser?.close();
  http?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens a page in headless Chromium and returns what the app reported. */
async function openPage(path) {
  browser ??= await launchChromium();
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(base + path);
    await page.waitForFunction(() => globalThis.__permsnap !== undefined, null, { timeout: 30_000 });
    return await page.evaluate(() => globalThis.__permsnap);
  } catch (e) {
    e.message += `\npage errors: ${errors.join("\n")}`;
    throw e;
  } finally {
    await page.close();
  }
}

const wasmFiles = (dir) => readdirSync(join(app, dir), { recursive: true }).filter((f) => String(f).endsWith(".wasm"));

// ------------------------------------------------------------ the package

test("the tarball carries the licenses and the repository links", () => {
  // (That it holds every module its entries import: tests/js/surface.test.mjs.)
  const installed = join(app, "node_modules/permsnap");
  for (const f of ["LICENSE-MIT", "LICENSE-APACHE", "README.md"]) assert.ok(existsSync(join(installed, f)), f);
  const meta = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(meta.license, "MIT OR Apache-2.0");
  assert.match(meta.repository?.url ?? "", /^git\+https:\/\//);
  assert.ok(meta.homepage && meta.bugs?.url);
});

test("publint: nothing to report", () => {
  const out = run(bin("publint"), ["--strict", "pkg"], { cwd: root });
  assert.match(out, /All good!/, out);
});

test("attw (Are the types wrong?): clean under the ESM-only profile", () => {
  run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "ascii"]);
});

test("TypeScript: permsnap/edge without the DOM library, a browser app with it, a Worker with workers-types' globals; JWKS from JSON", () => {
  for (const config of ["edge", "web", "workers"]) run(bin("tsc"), ["-p", `ts/tsconfig.${config}.json`]);
});

// ------------------------------------------------------------ browsers

test("esbuild, browser bundle: the .wasm imported with --loader:.wasm=file is emitted and loads", async () => {
  run(bin("esbuild"), ["web-esbuild.js", "--bundle", "--format=esm", "--platform=browser", "--loader:.wasm=file", "--outdir=dist-esbuild", "--log-level=warning"]);
  assert.equal(wasmFiles("dist-esbuild").length, 1, "esbuild emitted the .wasm");
  writeFileSync(join(app, "dist-esbuild/index.html"), `<!doctype html><script type="module" src="./web-esbuild.js"></script>`);
  assertVectors(await openPage("/dist-esbuild/index.html"), "esbuild (browser)");
});

test("esbuild, browser bundle without the .wasm: init() rejects with PermsnapError not_initialized saying what to do", async () => {
  run(bin("esbuild"), ["web-esbuild-no-wasm.js", "--bundle", "--format=esm", "--platform=browser", "--outdir=dist-esbuild-no-wasm", "--log-level=warning"]);
  writeFileSync(join(app, "dist-esbuild-no-wasm/index.html"), `<!doctype html><script type="module" src="./web-esbuild-no-wasm.js"></script>`);
  const out = await openPage("/dist-esbuild-no-wasm/index.html");
  assert.equal(out.isPermsnapError, true, JSON.stringify(out));
  assert.equal(out.error.code, "not_initialized");
  assert.equal(out.error.name, "PermsnapError");
  assert.ok(out.error.cause, "the fetch/compile error is kept as `cause`");
  assert.match(out.error.message, /--loader:\.wasm=file/);
});

test("Vite build: the .wasm is emitted and the page runs the vectors", { timeout: 120_000 }, async () => {
  run(bin("vite"), ["build", "vite", "--outDir", "../dist-vite", "--emptyOutDir", "--base", "./", "--logLevel", "warn"]);
  assert.equal(wasmFiles("dist-vite").length, 1, "Vite emitted the .wasm");
  assertVectors(await openPage("/dist-vite/index.html"), "Vite");
});

test("webpack build: the .wasm is emitted and the page runs the vectors", { timeout: 120_000 }, async () => {
  run(bin("webpack"), ["--config", "webpack.config.mjs", "--no-color"]);
  assert.equal(wasmFiles("dist-webpack").length, 1, "webpack emitted the .wasm");
  writeFileSync(join(app, "dist-webpack/index.html"), `<!doctype html><script src="./main.js"></script>`);
  assertVectors(await openPage("/dist-webpack/index.html"), "webpack");
});

// ------------------------------------------------------------ servers

/** Bundles a Node app into its own directory, away from node_modules. */
function nodeBundle(entry, dir, ...flags) {
  const out = join(tmp, dir);
  // --target: the Node this runs on (esbuild's binary loader otherwise
  // decodes with Uint8Array.fromBase64, which Node 20 lacks).
  const target = `--target=node${process.versions.node.split(".")[0]}`;
  run(bin("esbuild"), [entry, "--bundle", "--platform=node", "--format=esm", target, `--outfile=${join(out, "server.mjs")}`, "--log-level=warning", ...flags]);
  return out;
}

test("esbuild, Node bundle with the .wasm copied beside it: runs the vectors; class names survive minification", () => {
  const dir = nodeBundle("server.js", "deploy-copy");
  copyFileSync(join(app, "node_modules/permsnap/sync/permsnap_wasm_bg.wasm"), join(dir, "permsnap_wasm_bg.wasm"));
  const out = JSON.parse(run(process.execPath, ["server.mjs"], { cwd: dir }));
  assertVectors(out, "esbuild (node)");
  assert.equal(out.names.verifier, "Verifier");
  assert.equal(out.names.error, "PermsnapError");
  assert.match(out.names.stack, /new Verifier\b/);
});

test("esbuild, Node bundle without the .wasm: importing works, the first Verifier says what is missing", () => {
  const dir = nodeBundle("server.js", "deploy-missing");
  const out = JSON.parse(run(process.execPath, ["server.mjs"], { cwd: dir }));
  assert.equal(out.isPermsnapError, true, JSON.stringify(out));
  assert.equal(out.error.code, "not_initialized");
  assert.match(out.error.message, /permsnap_wasm_bg\.wasm/);
  assert.match(out.error.message, /initSync/);
});

test("esbuild, Node bundles with the .wasm inside (--loader:.wasm=binary, initSync): permsnap and permsnap/edge", () => {
  for (const [entry, dir] of [["server-bytes.js", "deploy-bytes"], ["server-edge.js", "deploy-edge"]]) {
    const out = JSON.parse(run(process.execPath, ["server.mjs"], { cwd: nodeBundle(entry, dir, "--loader:.wasm=binary") }));
    assertVectors(out, `esbuild (node, ${entry})`, entry === "server-edge.js" ? "edge" : "browser");
  }
});

test("Bun runs the app from the installed package, by name", { timeout: 60_000 }, () => {
  const out = JSON.parse(run(bin("bun"), ["server.js"]));
  assertVectors(out, "bun");
  assert.equal(out.names.verifier, "Verifier");
});
