// Benchmark of the workerd gate on 127.0.0.1: requests per second and
// latency of the example worker (examples/edge/workerd) against the same
// worker without the gate. Prints a table. Not a test.
//   node benches/edge-bench.mjs [seconds per run, default 5] [--v8-main-thread]
// --v8-main-thread: both workers run with V8's optimising compilers on the
// main thread (`v8Flags`). The npm workerd on the development machine never
// finishes V8's background optimisation, so without it a worker's
// JavaScript stays unoptimised (a loop of a million additions: 13 ms per
// request, 1 ms with the flags; session 29: the calibration row). Cloudflare's own runtime sets
// its flags itself: compare rows of one setting only.
// Needs: scripts/build-pkg.sh and `cargo build --features cli` first.
import { spawn, execFileSync } from "node:child_process";
import { createServer, Agent, request } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { makeConfig } from "../examples/edge/workerd/make-config.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2);
const mainThread = args.includes("--v8-main-thread");
const unknown = args.filter((a) => a.startsWith("-") && a !== "--v8-main-thread");
if (unknown.length) throw new Error(`edge-bench: unknown option ${unknown.join(" ")} (known: --v8-main-thread)`);
const seconds = Number(args.find((a) => !a.startsWith("-")) ?? 5);
if (!(seconds > 0)) throw new Error("edge-bench: seconds per run is a positive number");
const V8_FLAGS = ["--no-concurrent-recompilation", "--no-concurrent-osr"];
/** A workerd config's text with the V8 flags of this run. */
function flagged(text) {
  const anchor = "const config :Workerd.Config = (";
  if (!mainThread) return text;
  if (!text.includes(anchor)) throw new Error("edge-bench: a workerd config without its Config: cannot set v8Flags");
  return text.replace(anchor, `${anchor}\n  v8Flags = ${JSON.stringify(V8_FLAGS)},`);
}
const tmp = mkdtempSync(join(tmpdir(), "permsnap-bench-"));
const cli = (...a) => JSON.parse(execFileSync(join(root, "target/debug/permsnap"), ["--json", ...a], { encoding: "utf8" }));

execFileSync(join(root, "target/debug/permsnap"), ["keygen", "--out", join(tmp, "k"), "--kid", "k1"]);
const jwks = readFileSync(join(tmp, "k/jwks.json"), "utf8");
writeFileSync(join(tmp, "catalog.json"), JSON.stringify(cli("catalog", join(root, "presets/sitee.json"))));
const snapshot = cli("issue", "--policy", join(root, "presets/sitee.json"), "--staff", "dia", "--key", join(tmp, "k/issuer.key"), "--lifetime", "3600").snapshot;
// The signed revocation feed (no notice), its head signed once: good for
// the worker's MAX_FEED_AGE (600 s) over the whole run.
const feed = JSON.stringify(cli("feed", "--key", join(tmp, "k/issuer.key"), "--all-accounts"));

const keys = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(req.url === "/jwks" ? jwks : feed);
});
await new Promise((ok) => keys.listen(0, "127.0.0.1", ok));
const keyUrl = `http://127.0.0.1:${keys.address().port}`;

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

async function startWorkerd(config, port) {
  const child = spawn(join(root, "node_modules/.bin/workerd"), ["serve", config], { stdio: "ignore" });
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/health`);
      return child;
    } catch {
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  throw new Error("workerd did not start");
}

const gatedPort = await freePort();
const gatedConfig = makeConfig(join(tmp, "gated.capnp"), {
  ADDRESS: `127.0.0.1:${gatedPort}`, CATALOG: join(tmp, "catalog.json"), ROUTES: join(root, "routes/sitee.json"),
  TENANT: "spa-lumi", JWKS_URL: `${keyUrl}/jwks`, REVOCATIONS_URL: `${keyUrl}/revocations`, MAX_FEED_AGE: "600", MAX_AGE: "300", MIN_INTERVAL: "30",
});
writeFileSync(gatedConfig, flagged(readFileSync(gatedConfig, "utf8")));
const plainPort = await freePort();
// (/calibration: a million additions in JavaScript, which tells whether
// this workerd optimises a worker's code: about 1 ms optimised, 13 ms not.)
writeFileSync(join(tmp, "plain.js"), `export default { fetch(request) {
  const route = new URL(request.url).pathname;
  let n = 0;
  if (route === "/calibration") for (let i = 0; i < 1e6; i++) n = (n + i * 7) | 0;
  return Response.json({ ok: true, route, subject: null, tenant: n === 0 ? null : String(n) });
} };\n`);
const plainConfig = join(tmp, "plain.capnp");
writeFileSync(plainConfig, flagged(`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:${plainPort}", http = (), service = "main")],
);
const w :Workerd.Worker = (modules = [(name = "w.js", esModule = embed ${JSON.stringify(relative(tmp, join(tmp, "plain.js")))})], compatibilityDate = "2025-09-01");
`));
const gated = await startWorkerd(gatedConfig, gatedPort);
const plain = await startWorkerd(plainConfig, plainPort);

/** Keep-alive load: `concurrency` requests in flight for `seconds`. */
async function load(port, path, headers, concurrency) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const one = () =>
    new Promise((ok, fail) => {
      const t = process.hrtime.bigint();
      const req = request({ host: "127.0.0.1", port, path, headers, agent }, (res) => {
        res.resume();
        res.on("end", () => ok([res.statusCode, Number(process.hrtime.bigint() - t) / 1000]));
      });
      req.on("error", fail);
      req.end();
    });
  for (let i = 0; i < 200; i++) await one(); // warm-up (JIT, keys, snapshot cache)
  const latencies = [];
  const statuses = new Map();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const [status, us] = await one();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        latencies.push(us);
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: latencies.length / seconds, p50: pick(0.5), p99: pick(0.99), statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(" ") };
}

const auth = { authorization: `Permsnap ${snapshot}` };
const runs = [
  ["workerd, no gate", plainPort, "/api/campaigns", {}],
  ["workerd + gate, allowed (200)", gatedPort, "/api/campaigns", auth],
  ["workerd + gate, denied (403)", gatedPort, "/api/payments", auth],
  ["workerd + gate, no snapshot (401)", gatedPort, "/api/campaigns", {}],
  ["calibration: workerd, no gate, 10^6 additions in JavaScript per request", plainPort, "/calibration", {}],
];
const rows = [];
for (const c of [1, 16]) {
  for (const [label, port, path, headers] of runs) {
    // The calibration once, at 1 in flight (what it tells does not depend on it).
    if (c === 1 || path !== "/calibration") rows.push({ label, c, ...(await load(port, path, headers, c)) });
  }
}
gated.kill();
plain.kill();
keys.close();
rmSync(tmp, { recursive: true, force: true });

// In-process cost of one gate decision (cached snapshot), in Node.
const permsnap = await import("../pkg/edge/node.js");
const catalog = JSON.parse(readFileSync(join(root, "vectors/vectors.json"), "utf8")).catalogs.sitee;
const v = new permsnap.Verifier(catalog, JSON.parse(jwks), { tenant: "spa-lumi" });
const gate = new permsnap.Gate(v, JSON.parse(readFileSync(join(root, "routes/sitee.json"), "utf8")));
const N = 200_000;
for (let i = 0; i < 5000; i++) gate.checkParts("GET", "/api/campaigns", auth.authorization, null);
let t = process.hrtime.bigint();
for (let i = 0; i < N; i++) gate.checkParts("GET", "/api/campaigns", auth.authorization, null);
const checkUs = Number(process.hrtime.bigint() - t) / N / 1000;

const base1 = rows.find((r) => r.c === 1 && r.label.includes("no gate"));
const gate1 = rows.find((r) => r.c === 1 && r.label.includes("allowed"));
console.log(`permsnap edge benchmark — workerd ${execFileSync(join(root, "node_modules/.bin/workerd"), ["--version"], { encoding: "utf8" }).trim()}, Node ${process.version}, ${cpus().length}× ${cpus()[0].model.trim()}, ${seconds} s per run, load generator in Node on the same machine${mainThread ? `; workerd v8Flags ${V8_FLAGS.join(" ")}` : ""}`);
console.log("| server | concurrency | requests/s | p50 | p99 | statuses |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.label} | ${r.c} | ${Math.round(r.rps)} | ${r.p50.toFixed(0)} µs | ${r.p99.toFixed(0)} µs | ${r.statuses} |`);
console.log(`\nadded latency of the gate (p50, concurrency 1): ${(gate1.p50 - base1.p50).toFixed(0)} µs; one gate decision in-process (Node, cached snapshot): ${checkUs.toFixed(2)} µs`);
