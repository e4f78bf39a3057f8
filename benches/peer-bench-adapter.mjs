// permsnap's adapter for peer-bench (the side-by-side benchmark of JS/wasm authorization
// libraries), for format 2: the same exports as peer-bench's lib/permsnap-adapter.mjs (meta,
// artifact, load, dispose, check, filter, redact, variants), with fixtures made by the project's
// CLI in benches/peer-bench/ (make-fixtures.mjs). peer-bench's own adapter and fixtures are
// format 1 (roles inside the catalog, staff `role: "x"`), which this package no longer issues.
//
//   cd <peer-bench> && PERMSNAP_ADAPTER=<project>/benches/peer-bench-adapter.mjs \
//     PERMSNAP_PKG=<project>/pkg node run.mjs [--verify-only] [--quick] [--peers permsnap,jose,casl]
//
// PERMSNAP_PKG (required): the built package folder (scripts/build-pkg.sh's pkg/); the adapter
// imports the entry its exports map gives the `node` condition (it initialises the wasm synchronously).
// PEER_BENCH_DIR (optional): the peer-bench folder whose scenario.mjs every peer shares; default
// <project>/../shared/peer-bench. Meta paths (install size, browser bundle) are computed against
// that folder's node_modules, as lib/sizes.mjs resolves them.
//
// Artifact: the snapshot TEXT (unpadded base64url, as it travels in a cookie / Authorization
// header), issued once by `permsnap issue` from benches/peer-bench/policy.json with the scenario's
// fixed Ed25519 seed, committed. Issued at a fixed time with the default 15-minute lifetime; the
// verifier's clock is fixed 60 s after issue, so the expiry check runs on every load but the
// fixture never goes stale.
//
// Once per process (as an app does at start-up; like the jose/biscuit key import): the Verifier
// is built from the compiled catalog (version 2) + JWKS (key import, catalog parsing).
//
// load = Verifier.load(text): base64url decode, strict Ed25519 verify, postcard decode, catalog
// revision / fingerprint + shape checks, tenant / expiry checks, effective-permission table. The
// Verifier remembers verified snapshots (keyed by the exact input) and would skip the signature
// on the same text again; for the main "load" figure that cache is emptied after every load
// (dispose() calls setJwks(), which clears it; dispose is outside the timed region), so every
// timed load is a full verification. If load() is called twice without dispose(), it clears the
// cache itself first (counted in load: errs on the slow side). The cached path is the variant
// "cached reload".
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT = resolve(HERE, '..');
const FIX = join(HERE, 'peer-bench');
const BENCH_DIR = resolve(process.env.PEER_BENCH_DIR ?? join(PROJECT, '..', 'shared', 'peer-bench'));
if (!existsSync(join(BENCH_DIR, 'scenario.mjs'))) {
  throw new Error(`no scenario.mjs in ${BENCH_DIR}: set PEER_BENCH_DIR to the peer-bench folder`);
}
// The scenario by path, so that this peer sees the same data as every other peer.
const { BUSINESS_ID, APPOINTMENT_VIEW_PERM } = await import(pathToFileURL(join(BENCH_DIR, 'scenario.mjs')).href);

if (!process.env.PERMSNAP_PKG) {
  throw new Error('set PERMSNAP_PKG to the built package folder (the project\'s pkg/, made by scripts/build-pkg.sh)');
}
const PKG = resolve(process.env.PERMSNAP_PKG);
// What `import "permsnap"` loads in Node: the package's exports map, `node` condition.
const NODE_ENTRY = pathToFileURL(join(PKG, JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).exports['.'].node)).href;

export const meta = {
  name: 'permsnap',
  // peer-bench's lib/sizes.mjs looks packages up under its node_modules/: a path relative to it
  // reaches the package directory wherever PERMSNAP_PKG points (install size = the whole built
  // package: browser + edge builds, typings, source maps, as `npm install` would unpack it).
  packages: [relative(join(BENCH_DIR, 'node_modules'), PKG)],
  imports: [NODE_ENTRY], // cold start: import + synchronous wasm compile/instantiate
  signing: 'Ed25519 (strict; postcard snapshot format 2, verified in wasm)',
  // Browser: the default entry (index.js: the small core, no wasm-bindgen, WebCrypto for the
  // curve; session 22) + the .wasm, which a bundled app passes to init(url). The wasm is imported explicitly so that esbuild's `file`
  // loader emits it and it is counted.
  bundleEntry: `export { init, Verifier } from ${JSON.stringify(join(PKG, 'index.js'))};\n`
    + `export { default as wasmUrl } from ${JSON.stringify(join(PKG, 'permsnap_wasm_bg.wasm'))};`,
};

const { Verifier } = await import(NODE_ENTRY);

const catalog = JSON.parse(readFileSync(join(FIX, 'catalog.json'), 'utf8')); // what `permsnap catalog` printed
const jwks = JSON.parse(readFileSync(join(FIX, 'jwks.json'), 'utf8'));
const snapshot = JSON.parse(readFileSync(join(FIX, 'snapshot.json'), 'utf8'));
const NOW = snapshot.issued_at + 60;
const options = { tenant: BUSINESS_ID, clock: () => NOW };

const verifier = new Verifier(catalog, jwks, options);
// The catalog's names, once per process (they belong to the catalog, not to a snapshot).
const CATALOG_NAMES = new Set(verifier.permissionNames);
// Each catalog name resolved once to its handle (`verifier.permission(name)`, which throws for a
// name not in the catalog), as an app resolves the permissions it checks at start-up.
const HANDLES = new Map(verifier.permissionNames.map((n) => [n, verifier.permission(n)]));
const decoder = new TextDecoder();

export async function artifact() {
  return new TextEncoder().encode(snapshot.text);
}

let cacheHolds = false;
function clearVerifiedCache() {
  verifier.setJwks(jwks); // replaces the keyring with the same key and empties the verified cache
  cacheHolds = false;
}

export function load(bytes) {
  if (cacheHolds) clearVerifiedCache(); // only if dispose() was skipped (see top)
  const p = verifier.load(decoder.decode(bytes)); // throws PermsnapError (e.g. bad_signature)
  cacheHolds = true;
  return p;
}

export function dispose(p) {
  p.free();
  clearVerifiedCache();
}

// can() throws `unknown_permission` for a name that is not in the catalog, by design (a typo
// must not silently hide a section). The workload asks 4 non-catalog names whose expected
// answer is false, so the adapter first looks the name up among the catalog's handles (a Map
// built once per process with verifier.permission(), which throws for a name not in the
// catalog); only catalog names reach can(), as handles, which it answers without looking the
// name up again. (Variant "names": the name itself, after a catalog-name Set lookup: two
// lookups per check. Variant "try/catch unknown names": call can() and turn only
// unknown_permission for a non-catalog name into false.)
export function check(p, perm) {
  const h = HANDLES.get(perm);
  return h !== undefined && p.can(h);
}

// permsnap's filter answers from the snapshot's scope on the kind (own: owner field staffId ===
// subject), without consulting a permission; the reference (and jose/plain-js) first require
// appointments.view, so the adapter asks can() for it too (one lookup per call).
export function filter(p, records) {
  if (!p.can(APPOINTMENT_VIEW_PERM)) return [];
  return p.filter('appointments', records);
}

// The library's own redact: copies with the hidden fields (email, phone: `remove` in the
// catalog, hidden for `clients` in the snapshot) left out, key order kept.
export function redact(p, records) {
  return p.redact('clients', records);
}

// Second verifier for the cached path (kept apart so the main verifier's cache handling above
// cannot interfere): the same text again skips signature + decoding; tenant, time and
// revocations are still checked.
const cachedVerifier = new Verifier(catalog, jwks, options);

export const variants = {
  // The same snapshot loaded again, as every request of an edge worker does. check is repeated
  // so that the harness verifies the 64 answers on an object from a cache hit.
  'cached reload': {
    load: (bytes) => cachedVerifier.load(decoder.decode(bytes)),
    dispose: (p) => p.free(),
    check,
  },
  // The name passed to can(), after a catalog-name Set lookup (two lookups per check).
  names: {
    check: (p, perm) => CATALOG_NAMES.has(perm) && p.can(perm),
  },
  // Unknown names handled by catching the library's error instead of a catalog lookup first.
  'try/catch unknown names': {
    check(p, perm) {
      try {
        return p.can(perm);
      } catch (e) {
        if (e?.code === 'unknown_permission' && !CATALOG_NAMES.has(perm)) return false;
        throw e;
      }
    },
  },
};
