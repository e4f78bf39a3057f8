// #16's per-operation ratios to plain JavaScript, measured interleaved in one
// process: peer-bench (../shared/peer-bench, run.mjs) times each peer in turn,
// so a machine that slows down during the run weighs on the last peer (this
// one); here each round times plain JS and permsnap back to back, in
// alternating order, on peer-bench's own scenario, plain-js peer and
// permsnap's adapter (benches/peer-bench-adapter.mjs). Prints a table of
// medians. Not a test.
//   node benches/peer-ab.mjs   (after scripts/build-pkg.sh, and `npm ci` in
//   the peer-bench folder; PERMSNAP_PKG defaults to pkg/, PEER_BENCH_DIR to
//   ../shared/peer-bench)
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
process.env.PERMSNAP_PKG ??= join(root, "pkg");
const benchDir = resolve(process.env.PEER_BENCH_DIR ?? join(root, "..", "shared", "peer-bench"));
const from = (file) => import(pathToFileURL(join(benchDir, file)).href);
const scenario = await from("scenario.mjs");
const plain = await from("peers/plain-js.mjs");
const permsnap = await import(new URL("peer-bench-adapter.mjs", import.meta.url));

const ours = permsnap.load(await permsnap.artifact());
const byName = permsnap.variants.names.check;
const theirs = await plain.load(await plain.artifact());
const queries = scenario.makeCheckQueries();
const known = queries.filter((q) => scenario.PERMISSIONS.includes(q));
const appointments = scenario.makeAppointments();
const clients = scenario.makeClients();

/** One operation, a function per side: each its own call sites, so that
 *  neither pays for the other's (a shared loop calling `peer.check` made
 *  both polymorphic, plain JS 2x slower). */
let n = 0;
const operations = [
  {
    name: "check (64 names, 4 not in the catalog), ns per check",
    per: queries.length * 2000,
    scale: 1e6,
    plain: () => {
      n = 0;
      for (let j = 0; j < 2000; j++) for (let i = 0; i < queries.length; i++) if (plain.check(theirs, queries[i])) n++;
      return n;
    },
    permsnap: () => {
      n = 0;
      for (let j = 0; j < 2000; j++) for (let i = 0; i < queries.length; i++) if (permsnap.check(ours, queries[i])) n++;
      return n;
    },
  },
  // The adapter's check looks the name up among its handles
  // (`verifier.permission`), then asks can() the handle; by name, it is two
  // lookups (a catalog-name Set, then can(name)). Written out, not made by
  // one function: closures of one function share their call sites' type
  // feedback, and the two checks would slow each other down (see above).
  {
    name: "check by name (catalog-name Set, then can(name)), ns per check",
    per: queries.length * 2000,
    scale: 1e6,
    plain: () => {
      n = 0;
      for (let j = 0; j < 2000; j++) for (let i = 0; i < queries.length; i++) if (plain.check(theirs, queries[i])) n++;
      return n;
    },
    permsnap: () => {
      n = 0;
      for (let j = 0; j < 2000; j++) for (let i = 0; i < queries.length; i++) if (byName(ours, queries[i])) n++;
      return n;
    },
  },
  // can() alone, on the 60 names of the catalog, against the same Set.has.
  {
    name: "can() alone, catalog names only, ns per check",
    per: known.length * 2000,
    scale: 1e6,
    plain: () => {
      n = 0;
      for (let j = 0; j < 2000; j++) for (let i = 0; i < known.length; i++) if (plain.check(theirs, known[i])) n++;
      return n;
    },
    permsnap: () => {
      n = 0;
      for (let j = 0; j < 2000; j++) for (let i = 0; i < known.length; i++) if (ours.can(known[i])) n++;
      return n;
    },
  },
  {
    name: "filter 10,000 appointments, µs",
    per: 1,
    scale: 1e3,
    plain: () => plain.filter(theirs, appointments),
    permsnap: () => permsnap.filter(ours, appointments),
  },
  {
    name: "redact 10,000 clients, µs",
    per: 1,
    scale: 1e3,
    plain: () => plain.redact(theirs, clients),
    permsnap: () => permsnap.redact(ours, clients),
  },
];

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const rows = [];
for (const op of operations) {
  // The same answers first: a ratio of different work means nothing.
  if (JSON.stringify(op.plain()) !== JSON.stringify(op.permsnap())) {
    throw new Error(`${op.name}: permsnap and plain JS answer differently`);
  }
  const times = { plain: [], permsnap: [] };
  for (let round = 0; round < 240; round++) {
    for (const side of round % 2 ? ["plain", "permsnap"] : ["permsnap", "plain"]) {
      const t = performance.now();
      op[side]();
      // The first 40 rounds warm up the engine.
      if (round >= 40) times[side].push(((performance.now() - t) / op.per) * op.scale);
    }
  }
  rows.push([op.name, median(times.plain), median(times.permsnap)]);
}

console.log(`permsnap against plain JS, interleaved in one process — Node ${process.version}, 200 rounds each, medians`);
console.log("| operation | plain JS | permsnap | ratio |");
console.log("|---|---:|---:|---:|");
for (const [name, a, b] of rows) console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}× |`);
