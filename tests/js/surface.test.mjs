// The package's public surface: exactly these names per entry; the package's
// internals (wasm access, error helpers, factories) reachable from none; the
// edge build without the DOM helper or React.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { root } from "./helpers.mjs";

const CORE = ["Permissions", "PermsnapError", "Verifier", "init", "initSync", "isInitialized"];
const BROWSER = [...CORE, "applyToDom", "createSession", "Session"].sort();
const EDGE = [...CORE, "Gate", "Refresher", "denial", "guard", "honoGuard", "nodeGuard", "requestTarget"].sort();
const ISSUER = ["Issuer", "PermsnapError", "expressSnapshot", "generateKey", "honoSnapshot", "init", "initSync", "isInitialized", "snapshotHandler"].sort();
const INTERNAL = /\b(rethrow|strictOptions|parseJson|inputBytes|permissionsFrom|expirePermissions|armExpiry|wasmVerifierOf|verifierClock|verifierFeedLimit|_wasm|_now|_from|CatalogInfo)\b/;

const keys = async (entry) => Object.keys(await import(join(root, "pkg", entry))).sort();

test("each entry exports exactly its public names", async () => {
  assert.deepEqual(await keys("index.js"), BROWSER);
  assert.deepEqual(await keys("node.js"), BROWSER);
  assert.deepEqual(await keys("edge/index.js"), EDGE);
  assert.deepEqual(await keys("edge/node.js"), EDGE);
  assert.deepEqual(await keys("issuer/node.js"), ISSUER);
  assert.deepEqual(await keys("issuer/index.js"), ISSUER);
});

test("no internal is reachable from a public class or declared in a public .d.ts", async () => {
  for (const entry of ["index.js", "node.js", "edge/node.js"]) {
    const m = await import(join(root, "pkg", entry));
    for (const name of ["Verifier", "Permissions", "PermsnapError", "Gate", "Refresher"]) {
      const cls = m[name];
      if (!cls) continue;
      const own = [...Object.getOwnPropertyNames(cls), ...Object.getOwnPropertyNames(cls.prototype)];
      assert.deepEqual(own.filter((k) => k.startsWith("_")), [], `${entry} ${name}`);
    }
  }
  for (const dir of ["pkg", "pkg/edge", "pkg/issuer"]) {
    for (const f of readdirSync(join(root, dir)).filter((f) => f.endsWith(".d.ts"))) {
      if (f.startsWith("permsnap_wasm")) continue; // wasm-bindgen's own glue
      assert.doesNotMatch(readFileSync(join(root, dir, f), "utf8"), INTERNAL, `${dir}/${f}`);
    }
  }
  const exportsMap = JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8")).exports;
  for (const key of Object.keys(exportsMap)) {
    assert.ok(!key.includes("*") && !/internal|verifier|permissions|errors/.test(key), `exports map reaches ${key}`);
  }
});

test("the edge build carries neither the DOM helper nor React; the browser build no router", () => {
  const edge = readdirSync(join(root, "pkg/edge"));
  for (const f of ["dom.js", "dom.d.ts", "react.js", "react.d.ts", "session.js"]) assert.ok(!edge.includes(f), `pkg/edge/${f}`);
  // Permissions an edge holds past a request turn to deny-all at their
  // expiry there too (one timer per tenth of a second of expiry times, as
  // in permsnap/sync: a server's loads share them).
  for (const dir of ["pkg", "pkg/sync", "pkg/edge"]) assert.match(readFileSync(join(root, dir, "expiry.js"), "utf8"), /setTimeout/, dir);
  for (const f of edge.filter((f) => f.endsWith(".js"))) {
    const js = readFileSync(join(root, "pkg/edge", f), "utf8");
    assert.doesNotMatch(js, /applyToDom|from\s*"react"|MutationObserver/, `pkg/edge/${f}`);
  }
  const browser = readdirSync(join(root, "pkg"));
  for (const f of ["gate.js", "refresher.js", "middleware.js"]) assert.ok(!browser.includes(f), `pkg/${f}`);
});

test("entry sources only re-export", () => {
  for (const f of ["browser/index.ts", "reference/index.ts", "core.ts", "edge/index.ts"]) {
    const code = readFileSync(join(root, "pkg-template/src", f), "utf8")
      .replace(/\/\/.*$/gm, "")
      .replace(/\/\*[\s\S]*?\*\//g, "");
    // Every statement is `export ... from "...";`.
    const statements = code.split(";").map((s) => s.trim()).filter(Boolean);
    for (const s of statements) assert.match(s, /^export\s[\s\S]*\sfrom\s+"[^"]+"$/, `${f}: ${s}`);
  }
});

test("the published file list holds every module an entry imports", () => {
  const [{ files }] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: join(root, "pkg"), encoding: "utf8" }));
  const packed = new Set(files.map((f) => f.path));
  for (const f of packed) {
    if (!f.endsWith(".js") && !f.endsWith(".d.ts")) continue;
    // (Doc comments of the .d.ts files show imports in examples.)
    const text = readFileSync(join(root, "pkg", f), "utf8").replace(f.endsWith(".d.ts") ? /\/\*[\s\S]*?\*\//g : /$^/, "");
    for (const [, spec] of text.matchAll(/(?:from|import)\s*["'](\.[^"']+)["']/g)) {
      const target = join(dirname(f), spec);
      const candidates = f.endsWith(".d.ts") ? [target, target.replace(/\.js$/, ".d.ts"), `${target}.d.ts`] : [target];
      assert.ok(candidates.some((c) => packed.has(c)), `${f} imports ${spec}, which is not published`);
    }
  }
  for (const f of ["index.js", "node.js", "workerd.js", "react.js", "edge/index.js", "edge/node.js", "edge/workerd.js", "permsnap.css"]) {
    assert.ok(packed.has(f), f);
  }
});
