// Where the browser build's wasm goes, by what an app uses: the wasm cut
// down to the exports of each step (wasm-metadce, then wasm-opt -Oz as the
// build does), raw and gzip -9, each step adding to the one before. The
// baseline for any design of a smaller browser build: what the Verifier
// constructor alone costs, what a first `can()` needs, what the rest adds.
// Not a test.
//   node benches/size-breakdown.mjs [pkg | pkg/sync | pkg/edge]   (after
//   scripts/build-pkg.sh, which installs the binaryen npm package whose
//   wasm-metadce and wasm-opt this runs; pkg: the browser entry's small
//   core, pkg/sync: the same with `curve`)
//   node benches/size-breakdown.mjs lean   the small core (lean/, #16) as
//   cargo builds it, before wasm-opt, built here first
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("../", import.meta.url));
const lean = process.argv[2] === "lean";
const dir = lean ? join(root, "lean") : process.argv[2] ?? join(root, "pkg");
if (lean) {
  execFileSync("cargo", ["build", "--quiet", "--profile", "lean", "--target", "wasm32-unknown-unknown", "-p", "permsnap-lean"], { cwd: root, stdio: "inherit" });
}
const wasmFile = lean ? join(root, "target/wasm32-unknown-unknown/lean/permsnap_lean.wasm") : join(dir, "permsnap_wasm_bg.wasm");
if (!existsSync(wasmFile)) {
  console.error(`size-breakdown: ${wasmFile} is not built (scripts/build-pkg.sh)`);
  process.exit(1);
}
const wasm = readFileSync(wasmFile);
// binaryen's tools as the build runs them (the repository's npm package).
const env = { ...process.env, PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH}` };
const module = new WebAssembly.Module(wasm);
const exports = WebAssembly.Module.exports(module).map((e) => e.name);
const imports = WebAssembly.Module.imports(module);

// Each step: the exports it adds. Every export of the build belongs to one
// step; a new export stops the bench until it is placed (so the table
// never leaves one out unnoticed).
const steps = [
  // Data segments are part of the memory: what stays when nothing else does.
  ["static data (messages, names, constants)", (n) => n === "memory" || n === "__data_end" || n === "__heap_base"],
  ["+ wasm-bindgen runtime (allocator, externref table, start)", (n) => /^(__wbindgen_|__externref_|__abort_handler|__instance_terminated)/.test(n)],
  ["+ new Verifier (catalog, keys, options), and freeing it", (n) => n === "verifier_new" || n === "__wbg_verifier_free"],
  ["+ load and can() (verify, decode, decide)", (n) => n === "__wbg_permissions_free" || /^verifier_(load|loadFor|permissionNames|fingerprint|leeway|tenantMode|keyReport|setJwks)$/.test(n) || /^permissions_(allowedBits|version|id|subject|tenant|issuedAt|expiresAt|notBefore|epoch|roles|apps|features|hasApp|hasFeature|isOwner|isPrincipal|isSharedAccount|needsStepUp|stepUpActions)$/.test(n)],
  ["+ records (scope, filter, redact)", (n) => /^verifier_(kindNames|fieldNames)$/.test(n) || /^permissions_(scope|permissionScope|filter|filterFor|redaction|hiddenFields)$/.test(n)],
  ["+ revocation (notices, lists, recheck)", (n) => /^verifier_(applyNotice|setRevocations|denyAll|recheck)$/.test(n)],
  ["+ explain, summary, record ids", (n) => /^permissions_(explain|summary|withIds|missingIds|filterIndexes)$/.test(n)],
  // The small core's (`lean`): no wasm-bindgen, results read from memory.
  ["+ its runtime (input buffer, results)", (n) => n === "ps_input" || n === "ps_out"],
  ["+ read a compiled catalog (in place, names, its SHA-512 fingerprint)", (n) => /^ps_(catalog|name|drop_catalog)$/.test(n)],
  ["+ strict keys and signature shapes (the platform checks the equation)", (n) => n === "ps_key" || n === "ps_shape"],
  ["+ Ed25519 in WebAssembly (`curve`, permsnap/sync: trusted keys, the equation with a table per key)", (n) => /^ps_(trust|verify|drop_key)$/.test(n)],
  ["+ load and decide (split, read, fit, check, effective set; a kept load checked again)", (n) => /^ps_(split|load|recheck|drop|bit)$/.test(n)],
  ["+ records (kinds, fields, scopes, filters, hidden fields)", (n) => /^ps_(kind|field|subject|scope|permission_scope|filter|clause|hidden)$/.test(n)],
  ["+ revocation notices (read; JavaScript keeps what they revoke)", (n) => /^ps_(claims|notice|notice_split|notice_id|notice_staff)$/.test(n)],
  ["+ explain, claims, id lists (roles, issue data, SHA-512 of a list)", (n) => /^ps_(explain|role|issued|with_ids)$/.test(n)],
  // The edge build's own (`pkg/edge`).
  ["+ feeds and the route guard (edge build)", (n) => /^verifier_(applyFeed|feedAt)$/.test(n) || /^gate_/.test(n) || n === "__wbg_gate_free"],
];
const unplaced = exports.filter((n) => !steps.some(([, has]) => has(n)));
if (unplaced.length) {
  console.error(`size-breakdown: ${wasmFile} has exports in no step (a verifier build's new export? place it in benches/size-breakdown.mjs): ${unplaced.join(", ")}`);
  process.exit(1);
}

const features = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];
const work = mkdtempSync(join(tmpdir(), "permsnap-size-"));
/** The build's wasm with only `keep` exported, optimised as the build is. */
function cut(keep) {
  const graph = [{ name: "root", root: true, reaches: keep.map((n) => `e_${n}`) }];
  for (const n of exports) graph.push({ name: `e_${n}`, export: n });
  for (const i of imports) graph.push({ name: `i_${i.module}_${i.name}`, import: [i.module, i.name] });
  const g = join(work, "graph.json"), a = join(work, "a.wasm"), b = join(work, "b.wasm");
  writeFileSync(g, JSON.stringify(graph));
  execFileSync("wasm-metadce", [...features, "-f", g, wasmFile, "-o", a], { env, stdio: ["ignore", "ignore", "inherit"] });
  execFileSync("wasm-opt", ["-Oz", ...features, a, "-o", b], { env, stdio: ["ignore", "ignore", "inherit"] });
  const bytes = readFileSync(b);
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n) => (n / 1000).toFixed(1);
const rows = [];
const keep = [];
let before = null;
try {
  for (const [label, has] of steps) {
    const adds = exports.filter(has);
    if (adds.length === 0) continue;
    keep.push(...adds);
    const size = cut(keep);
    rows.push(`| ${label} | ${keep.length} | ${kb(size.raw)} | ${kb(size.gz)} | ${before ? `+${kb(size.gz - before.gz)}` : ""} |`);
    before = size;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const whole = { raw: wasm.length, gz: gzipSync(wasm, { level: 9 }).length };
console.log(`${dir}: wasm ${kb(whole.raw)} KB raw, ${kb(whole.gz)} KB gzip -9 as built\n`);
console.log("| the wasm with the exports of | exports | KB raw | KB gzip | step adds |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
