// The package as users import it: by name, through its exports map. A
// temporary project links node_modules/permsnap to pkg/ (and React for the
// react subpath), then Node, Deno and a bundler (esbuild) resolve it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const vectors = JSON.parse(readFileSync(join(root, "vectors/vectors.json"), "utf8"));
const dia = vectors.cases.find((c) => c.name === "sitee/dia");
let app;

before(() => {
  app = mkdtempSync(join(tmpdir(), "permsnap-app-"));
  mkdirSync(join(app, "node_modules"));
  symlinkSync(join(root, "pkg"), join(app, "node_modules/permsnap"), "dir");
  for (const dep of ["react", "react-dom", "scheduler"]) symlinkSync(join(root, "node_modules", dep), join(app, "node_modules", dep), "dir");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module", private: true }));
  writeFileSync(join(app, "fixture.json"), JSON.stringify({ catalog: vectors.catalogs.sitee, jwks: vectors.key.jwks, snapshot: dia.snapshot, now: dia.now, allowed: dia.expect.allowed }));
  // One program, run by Node and by Deno: the `node` condition initialises itself.
  writeFileSync(join(app, "main.js"), `
import { readFileSync } from "node:fs";
import { Verifier } from "permsnap";
import { Gate } from "permsnap/edge";
import { Can } from "permsnap/react";
import * as edge from "permsnap/edge";
const f = JSON.parse(readFileSync(new URL("./fixture.json", import.meta.url), "utf8"));
const p = new Verifier(f.catalog, f.jwks, { tenant: "spa-lumi", clock: () => f.now }).load(f.snapshot);
const ev = new edge.Verifier(f.catalog, f.jwks, { tenant: "spa-lumi", clock: () => f.now });
const d = new Gate(ev, [{ path: "/pay", requires: ["payments.view"] }]).checkParts("GET", "/pay", "Permsnap " + f.snapshot);
console.log(JSON.stringify({ same: JSON.stringify(p.allowed()) === JSON.stringify(f.allowed), gate: d.status, can: typeof Can }));
`);
});

after(() => rmSync(app, { recursive: true, force: true }));

const expected = { same: true, gate: 403, can: "function" };

test("Node resolves permsnap, permsnap/edge and permsnap/react by name", () => {
  const out = execFileSync(process.execPath, ["main.js"], { cwd: app, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), expected);
});

test("Node resolves the browser entry by name (permsnap/web), its .wasm beside it; its session and React components are there; permsnap/lite is gone", () => {
  writeFileSync(join(app, "web.mjs"), `
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Verifier, createSession, applyToDom } from "permsnap/web";
import { Can, PermissionsProvider } from "permsnap/react";
const f = JSON.parse(readFileSync(new URL("./fixture.json", import.meta.url), "utf8"));
initSync(readFileSync(fileURLToPath(new URL("./permsnap_wasm_bg.wasm", import.meta.resolve("permsnap/web")))));
const p = await new Verifier(f.catalog, f.jwks, { tenant: "spa-lumi", clock: () => f.now }).verify(f.snapshot);
let lite;
try { import.meta.resolve("permsnap/lite"); lite = "resolved"; } catch (e) { lite = e.code; }
console.log(JSON.stringify({ same: JSON.stringify(p.allowed()) === JSON.stringify(f.allowed), kinds: [createSession, applyToDom, Can, PermissionsProvider].map((x) => typeof x), lite }));
`);
  const out = execFileSync(process.execPath, ["web.mjs"], { cwd: app, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), { same: true, kinds: ["function", "function", "function", "function"], lite: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
});

test("in Node, permsnap resolves straight to the build verifying in wasm (no re-exporting module on the way)", () => {
  writeFileSync(join(app, "resolve.js"), `console.log(JSON.stringify(["permsnap", "permsnap/sync", "permsnap/edge"].map((s) => import.meta.resolve(s))));`);
  const [main, sync, edge] = JSON.parse(execFileSync(process.execPath, ["resolve.js"], { cwd: app, encoding: "utf8" }));
  assert.match(main, /\/sync\/node\.js$/);
  assert.equal(main, sync);
  assert.match(edge, /\/edge\/node\.js$/);
});

test("Deno resolves them from node_modules too", { timeout: 120_000 }, () => {
  const out = execFileSync(bin("deno"), ["run", `--allow-read=${app},${root}`, "--allow-env=NODE_ENV", "main.js"], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
  });
  assert.deepEqual(JSON.parse(out.trim().split("\n").pop()), expected);
});

test("a bundler for browsers picks the web entry (no node: imports)", () => {
  writeFileSync(join(app, "web.js"), `import { init, Verifier, applyToDom } from "permsnap"; await init(); console.log(Verifier, applyToDom);`);
  execFileSync(bin("esbuild"), ["web.js", "--bundle", "--platform=browser", "--format=esm", "--outfile=out/web.js", "--loader:.wasm=file", "--log-level=error"], { cwd: app });
  const js = readFileSync(join(app, "out/web.js"), "utf8");
  assert.ok(!js.includes("node:fs"), "no Node built-in in a browser bundle");
  assert.match(js, /permsnap_wasm_bg\.wasm/);
});

test("a bundler for Cloudflare Workers picks the workerd entry: the .wasm stays a module import", () => {
  writeFileSync(join(app, "worker.js"), `import { Verifier } from "permsnap"; export default { fetch() { return new Response(String(Verifier)); } };`);
  execFileSync(bin("esbuild"), ["worker.js", "--bundle", "--platform=neutral", "--conditions=workerd", "--format=esm", "--outfile=out/worker.js", "--external:*.wasm", "--log-level=error"], { cwd: app });
  const js = readFileSync(join(app, "out/worker.js"), "utf8");
  assert.match(js, /from\s*"[^"]*permsnap_wasm_bg\.wasm"/);
  assert.ok(!js.includes("node:fs"));
});
