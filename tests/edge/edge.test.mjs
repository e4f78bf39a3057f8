// The edge examples, run for real: Cloudflare workerd, Deno (Hono
// middleware) and Node (Node middleware), each started on 127.0.0.1 in
// front of a key server (JWKS + signed revocation feed) also on 127.0.0.1,
// with a maximum feed age. Snapshots, keys, notices and feed heads are made
// by the `permsnap` CLI, as a backend would: the key server signs a new
// feed head on every fetch, as an issuer re-signing its head does. Then:
// the committed vectors give the same decisions in Node, Deno, Bun and
// workerd as in Rust.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer, request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { makeConfig, permsnapModules } from "../../examples/edge/workerd/make-config.mjs";
import { parity, expectedParity } from "./parity.js";
import { issueParity, expectedIssueParity } from "./issuer-parity.js";
import { freePort } from "../attacks/fixtures.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const cliPath = join(root, "target/debug/permsnap");
const tmp = mkdtempSync(join(tmpdir(), "permsnap-edge-"));
const vectors = JSON.parse(readFileSync(join(root, "vectors/vectors.json"), "utf8"));

function cli(...args) {
  return JSON.parse(execFileSync(cliPath, ["--json", ...args], { encoding: "utf8" }));
}

// ------------------------------------------------------------ fixtures

const fx = {};
/** What the key server serves: the JWKS, and the feed of `notices` under a
 *  head signed at each fetch with `feedKey` (or, when set, the `frozen`
 *  feed document: an issuer that stopped signing). */
const keyServer = { jwks: { keys: [] }, notices: [], feedKey: "k1", frozen: null, hits: 0 };
const MAX_FEED_AGE = 5;

/** `permsnap feed`: the feed document of `notices` (of every account), its
 *  head signed now. */
const feed = (notices, key = "k1", ...extra) =>
  JSON.parse(execFileSync(cliPath, ["feed", "--key", join(tmp, key, "issuer.key"), "--all-accounts", ...extra, ...notices], { encoding: "utf8" }));
let keyServerUrl;
let keyHttp;

before(async () => {
  assert.ok(existsSync(cliPath), "build the CLI first: cargo build --features cli");
  for (const k of ["k1", "k2"]) {
    execFileSync(cliPath, ["keygen", "--out", join(tmp, k), "--kid", k]);
    fx[k] = JSON.parse(readFileSync(join(tmp, k, "jwks.json"), "utf8")).keys[0];
  }
  writeFileSync(join(tmp, "catalog.json"), JSON.stringify(cli("catalog", join(root, "presets/sitee.json"))));
  const policy = readFileSync(join(root, "presets/sitee.json"), "utf8");
  writeFileSync(join(tmp, "rival.json"), policy.replace('"spa-lumi"', '"spa-rival"'));
  const issue = (staff, key, ...extra) =>
    cli("issue", "--policy", join(root, "presets/sitee.json"), "--staff", staff, "--key", join(tmp, key, "issuer.key"), ...extra);
  const now = Math.floor(Date.now() / 1000);
  fx.dia = issue("dia", "k1").snapshot;
  fx.desk = issue("desk", "k1").snapshot;
  fx.ana = issue("ana", "k1").snapshot;
  const ben = issue("ben", "k1");
  fx.ben = ben.snapshot;
  fx.benId = ben.claims.id;
  fx.diaK2 = issue("dia", "k2").snapshot;
  fx.expired = issue("dia", "k1", "--now", String(now - 7200)).snapshot;
  const i = 60;
  fx.tampered = fx.dia.slice(0, i) + (fx.dia[i] === "A" ? "B" : "A") + fx.dia.slice(i + 1);
  fx.rival = cli("issue", "--policy", join(tmp, "rival.json"), "--staff", "dia", "--key", join(tmp, "k1", "issuer.key")).snapshot;
  fx.revokeBen = cli("revoke", "--key", join(tmp, "k1", "issuer.key"), "--tenant", "spa-lumi", "--id", fx.benId).notice;
  // Per person: every snapshot of ana issued before version 1.
  fx.revokeAna = cli("revoke", "--key", join(tmp, "k1", "issuer.key"), "--tenant", "spa-lumi", "--staff", "ana=1").notice;
  // The same two, re-signed with k2 when the issuer retires k1.
  fx.revokeK2 = [
    cli("revoke", "--key", join(tmp, "k2", "issuer.key"), "--tenant", "spa-lumi", "--id", fx.benId).notice,
    cli("revoke", "--key", join(tmp, "k2", "issuer.key"), "--tenant", "spa-lumi", "--staff", "ana=1").notice,
  ];

  keyHttp = createServer((req, res) => {
    keyServer.hits++;
    let body;
    try {
      body = req.url === "/jwks" ? keyServer.jwks
        : req.url === "/revocations" ? keyServer.frozen ?? feed(keyServer.notices, keyServer.feedKey)
        : null;
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
      return;
    }
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise((ok) => keyHttp.listen(0, "127.0.0.1", ok));
  keyServerUrl = `http://127.0.0.1:${keyHttp.address().port}`;
});

after(() => {
  keyHttp?.close();
  rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------ runtimes

function edgeEnv(port) {
  return {
    PORT: String(port),
    CATALOG: join(tmp, "catalog.json"),
    ROUTES: join(root, "routes/sitee.json"),
    TENANT: "spa-lumi",
    JWKS_URL: `${keyServerUrl}/jwks`,
    REVOCATIONS_URL: `${keyServerUrl}/revocations`,
    MAX_FEED_AGE: String(MAX_FEED_AGE),
    MAX_AGE: "1",
    MIN_INTERVAL: "0",
  };
}

const runtimes = {
  workerd(port) {
    const env = edgeEnv(port);
    const config = makeConfig(join(tmp, `worker-${port}.capnp`), { ...env, ADDRESS: `127.0.0.1:${port}` });
    return spawn(bin("workerd"), ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  },
  deno(port) {
    return spawn(bin("deno"), ["run", "--allow-net=127.0.0.1", `--allow-read=${root},${tmp}`, "--allow-env", join(root, "examples/edge/deno/server.js")], {
      env: { ...process.env, ...edgeEnv(port), DENO_NO_UPDATE_CHECK: "1" },
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
  },
  node(port) {
    return spawn(process.execPath, [join(root, "examples/edge/node/server.mjs")], {
      env: { ...process.env, ...edgeEnv(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
  },
};

async function start(name) {
  const port = await freePort();
  const child = runtimes[name](port);
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/health`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start:\n${log}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return { base, stop: () => child.kill("SIGTERM"), log: () => log };
}

async function call(base, method, path, { snapshot, cookie } = {}) {
  const headers = {};
  if (snapshot) headers.authorization = `Permsnap ${snapshot}`;
  if (cookie) headers.cookie = cookie;
  const r = await fetch(base + path, { method, headers });
  const body = await r.json();
  return { status: r.status, body, code: body.error?.code, auth: r.headers.get("www-authenticate") };
}

/** A request with a Host header of the test's own (fetch sets its own). */
function withHost(base, path, host, snapshot) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers = { host };
    if (snapshot) headers.authorization = `Permsnap ${snapshot}`;
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: "GET", headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        let code;
        try {
          code = JSON.parse(text).error?.code;
        } catch {
          // not JSON: a runtime's own refusal
        }
        resolve({ status: res.statusCode, code, text });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// ------------------------------------------------------------ the scenario

for (const name of Object.keys(runtimes)) {
  test(`${name}: route gating, key rotation and revocation`, { timeout: 120_000 }, async (t) => {
    keyServer.jwks = { keys: [fx.k1] };
    keyServer.notices = [];
    keyServer.feedKey = "k1";
    keyServer.frozen = null;
    const edge = await start(name);
    try {
      const { base } = edge;
      await t.test("allowed and denied routes", async () => {
        let r = await call(base, "GET", "/api/campaigns", { snapshot: fx.dia });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(r.body, { ok: true, route: "/api/campaigns", subject: "dia", tenant: "spa-lumi" });
        r = await call(base, "GET", "/api/payments?month=5", { snapshot: fx.dia });
        assert.equal(r.status, 403);
        assert.equal(r.code, "forbidden");
        assert.equal(r.body.error.permission, "payments.view");
        assert.equal(r.body.error.reason, "not_granted");
        r = await call(base, "GET", "/api/clients/c-1", { cookie: `lang=fr; permsnap=${fx.dia}` });
        assert.equal(r.status, 200);
        r = await call(base, "POST", "/api/payments/p-1/charge", { snapshot: fx.desk });
        assert.deepEqual([r.status, r.code], [403, "step_up_required"]);
        r = await call(base, "GET", "/nowhere", { snapshot: fx.dia });
        assert.deepEqual([r.status, r.code], [404, "no_route"]);
        r = await call(base, "DELETE", "/api/campaigns", { snapshot: fx.dia });
        assert.deepEqual([r.status, r.code], [405, "method_not_allowed"]);
      });

      await t.test("missing, expired, tampered and other-account snapshots: 401 with the code", async () => {
        for (const [snapshot, code] of [
          [undefined, "no_snapshot"],
          [fx.expired, "expired"],
          [fx.tampered, "bad_signature"],
          [fx.rival, "wrong_tenant"],
          ["garbage!", "bad_encoding"],
        ]) {
          const r = await call(base, "GET", "/api/campaigns", { snapshot });
          assert.deepEqual([r.status, r.code], [401, code], JSON.stringify(r.body));
          assert.match(r.auth ?? "", /^Permsnap/);
        }
        // Public routes need nothing.
        assert.equal((await call(base, "GET", "/health")).status, 200);
      });

      await t.test("a Host header that is not a plain host[:port] is refused before any routing (attack review, session 18)", async () => {
        // Deno and workerd paste the Host header in front of the path:
        // `Host: h#` made `http://h#/api/payments`, which the gate read as
        // `/` and Hono as `/api/payments`.
        const port = new URL(base).port;
        for (const host of ["127.0.0.1#", "127.0.0.1?", `127.0.0.1:${port}#`, `127.0.0.1:${port}?x`]) {
          const r = await withHost(base, "/api/payments", host);
          assert.equal(r.status, 400, `${host}: ${r.text}`);
          if (r.code !== undefined) assert.equal(r.code, "ambiguous_host", host);
          assert.doesNotMatch(r.text, /"ok":true/, host);
        }
        const ok = await withHost(base, "/api/campaigns", `127.0.0.1:${port}`, fx.dia);
        assert.equal(ok.status, 200, ok.text);
      });

      await t.test("a new key works once published, without a restart", async () => {
        let r = await call(base, "GET", "/api/campaigns", { snapshot: fx.diaK2 });
        assert.deepEqual([r.status, r.code], [401, "unknown_key"]);
        keyServer.jwks = { keys: [fx.k1, fx.k2] };
        r = await call(base, "GET", "/api/campaigns", { snapshot: fx.diaK2 });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      });

      await t.test("a revocation notice revokes that snapshot only; a per-person one, that person only", async () => {
        assert.equal((await call(base, "GET", "/api/staff", { snapshot: fx.ben })).status, 200);
        assert.equal((await call(base, "GET", "/api/staff", { snapshot: fx.ana })).status, 200);
        keyServer.notices = [fx.revokeBen];
        await sleep(1200); // past MAX_AGE: the edge fetches the feed again
        let r = await call(base, "GET", "/api/staff", { snapshot: fx.ben });
        assert.deepEqual([r.status, r.code], [401, "revoked"]);
        assert.equal((await call(base, "GET", "/api/campaigns", { snapshot: fx.dia })).status, 200);
        keyServer.notices = [fx.revokeBen, fx.revokeAna];
        await sleep(1200);
        r = await call(base, "GET", "/api/staff", { snapshot: fx.ana });
        assert.deepEqual([r.status, r.code], [401, "revoked"], JSON.stringify(r.body));
        assert.equal((await call(base, "GET", "/api/campaigns", { snapshot: fx.dia })).status, 200, "another person of the account");
      });

      await t.test("a feed older than MAX_FEED_AGE: 503 stale_feed until the issuer signs again", async () => {
        keyServer.frozen = feed(keyServer.notices); // the issuer stops signing heads
        await sleep((MAX_FEED_AGE + 1) * 1000);
        let r = await call(base, "GET", "/api/campaigns", { snapshot: fx.dia });
        assert.deepEqual([r.status, r.code], [503, "stale_feed"], JSON.stringify(r.body));
        assert.equal(r.auth, null, "not the snapshot's fault: no WWW-Authenticate");
        assert.equal((await call(base, "GET", "/health")).status, 200, "public routes are still served");
        // A replayed older copy does not help either.
        keyServer.frozen = feed(keyServer.notices, "k1", "--now", String(Math.floor(Date.now() / 1000) - 3600));
        await sleep(1200);
        r = await call(base, "GET", "/api/campaigns", { snapshot: fx.dia });
        assert.deepEqual([r.status, r.code], [503, "stale_feed"], JSON.stringify(r.body));
        keyServer.frozen = null;
        await sleep(1200);
        r = await call(base, "GET", "/api/campaigns", { snapshot: fx.dia });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        // The revocations stayed in force throughout.
        assert.deepEqual((await call(base, "GET", "/api/staff", { snapshot: fx.ben })).code, "revoked");
      });

      await t.test("a retired key is refused", async () => {
        keyServer.jwks = { keys: [fx.k2] };
        // The issuer signs its feed, and the notices still in it, with its current key.
        keyServer.feedKey = "k2";
        keyServer.notices = fx.revokeK2;
        await sleep(1200);
        let r = await call(base, "GET", "/api/campaigns", { snapshot: fx.dia });
        assert.deepEqual([r.status, r.code], [401, "unknown_key"]);
        r = await call(base, "GET", "/api/campaigns", { snapshot: fx.diaK2 });
        assert.equal(r.status, 200);
      });
    } catch (e) {
      e.message += `\n--- ${name} log ---\n${edge.log()}`;
      throw e;
    } finally {
      edge.stop();
    }
  });
}

test("an edge without TENANT or JWKS_URL, or with a feed age it cannot keep, refuses to start", { timeout: 60_000 }, async () => {
  const base = edgeEnv(await freePort());
  for (const missing of ["TENANT", "JWKS_URL"]) {
    const env = { ...process.env, ...base };
    delete env[missing];
    const child = spawn(process.execPath, [join(root, "examples/edge/node/server.mjs")], { env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
    const code = await new Promise((ok) => child.on("exit", (c) => ok(c)));
    clearTimeout(timer);
    assert.notEqual(code, 0, `${missing}: ${log}`);
    assert.doesNotMatch(log, /listening/, missing);
    assert.match(log, /invalid_argument/, missing);
    // The workerd config is refused before a worker could start without it.
    const { [missing]: _, ...values } = { ...base, ADDRESS: "127.0.0.1:1" };
    assert.throws(() => makeConfig(join(tmp, `no-${missing}.capnp`), values), new RegExp(`no value for ${missing}`));
  }
  // A maximum feed age with no feed to keep fresh, or one the refresher
  // would let lapse between fetches: refused at start-up, not a 503 later.
  for (const [label, change] of [["MAX_FEED_AGE without REVOCATIONS_URL", { REVOCATIONS_URL: "" }], ["MAX_AGE above MAX_FEED_AGE", { MAX_AGE: "600" }]]) {
    const child = spawn(process.execPath, [join(root, "examples/edge/node/server.mjs")], { env: { ...process.env, ...base, ...change }, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
    const code = await new Promise((ok) => child.on("exit", (c) => ok(c)));
    clearTimeout(timer);
    assert.notEqual(code, 0, `${label}: ${log}`);
    assert.match(log, /invalid_argument.*maxFeedAge|maxFeedAge[\s\S]*invalid_argument/, `${label}: ${log}`);
  }
});

// ------------------------------------------------------------ parity

/** The issuer entry's modules for a workerd config (as permsnapModules does
 *  for the edge build). */
function issuerModules(pkg) {
  const built = join(root, "pkg/issuer");
  const js = readdirSync(built).filter((f) => f.endsWith(".js"));
  const name = (f) => (f === "workerd.js" ? "permsnap/issuer/workerd" : `permsnap/issuer/${f}`);
  return [
    ...js.map((f) => `    (name = "${name(f)}", esModule = embed "${pkg}/issuer/${f}"),`),
    `    (name = "permsnap/issuer/permsnap_wasm_bg.wasm", wasm = embed "${pkg}/issuer/permsnap_wasm_bg.wasm"),`,
  ].join("\n");
}

/** Decisions over the vectors (the edge build) and, from the issuer entry,
 *  the Rust issuer's snapshots byte for byte. */
function assertParity(got, runtime) {
  const want = { ...expectedParity(vectors), ...expectedIssueParity(vectors) };
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), runtime);
  for (const [name, w] of Object.entries(want)) assert.deepEqual(got[name], w, `${runtime}: ${name}`);
}

test("parity: Node gives the vectors' decisions", async () => {
  const permsnap = await import("../../pkg/edge/node.js");
  const issuer = await import("../../pkg/issuer/node.js");
  assertParity({ ...(await parity(permsnap, vectors)), ...issueParity(issuer, vectors) }, "node");
});

test("parity: Deno gives the vectors' decisions", { timeout: 120_000 }, () => {
  const out = execFileSync(bin("deno"), ["run", `--allow-read=${root}`, join(root, "tests/edge/parity-deno.js")], {
    encoding: "utf8",
    cwd: root,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
    maxBuffer: 64 << 20,
  });
  assertParity(JSON.parse(out), "deno");
});

test("parity: Bun gives the vectors' decisions", { timeout: 120_000 }, () => {
  const out = execFileSync(bin("bun"), [join(root, "tests/edge/parity-bun.js")], { encoding: "utf8", cwd: root, maxBuffer: 64 << 20 });
  assertParity(JSON.parse(out), "bun");
});

/** Runs `worker` (with parity.js and the modules `modules` lists) in
 *  workerd at `compatibilityDate`, and answers what it answers. */
async function inWorkerd(worker, modules, compatibilityDate) {
  const port = await freePort();
  const config = join(tmp, `parity-${compatibilityDate}.capnp`);
  // Paths of `embed` are relative to the config file.
  const path = (p) => JSON.stringify(relative(tmp, join(root, p)));
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const w :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed ${path(worker)}),
    (name = "parity.js", esModule = embed ${path("tests/edge/parity.js")}),
    (name = "issuer-parity.js", esModule = embed ${path("tests/edge/issuer-parity.js")}),
${modules}
  ],
  bindings = [(name = "VECTORS", json = embed ${path("vectors/vectors.json")})],
  compatibilityDate = "${compatibilityDate}",
);
`,
  );
  const child = spawn(bin("workerd"), ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  try {
    for (let i = 0; i < 300; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`);
        const text = await r.text();
        assert.equal(r.status, 200, `workerd answered ${r.status}: ${text}\n${log}`);
        return JSON.parse(text);
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        await sleep(100);
      }
    }
    assert.fail(`workerd did not answer:\n${log}`);
  } finally {
    child.kill("SIGTERM");
  }
}

test("parity: workerd gives the vectors' decisions", { timeout: 120_000 }, async () => {
  const pkg = relative(tmp, join(root, "pkg"));
  assertParity(await inWorkerd("tests/edge/parity-worker.js", `${permsnapModules(pkg)}\n${issuerModules(pkg)}`, "2025-09-01"), "workerd");
});

test("parity: `permsnap` in workerd (permsnap/sync, the small core with curve) gives the vectors' decisions, at a compatibility date without FinalizationRegistry or WeakRef (review, session 27)", { timeout: 120_000 }, async () => {
  const pkg = relative(tmp, join(root, "pkg"));
  const js = readdirSync(join(root, "pkg/sync")).filter((f) => f.endsWith(".js"));
  const modules = [
    ...js.map((f) => `    (name = "permsnap/sync/${f === "workerd.js" ? "workerd" : f}", esModule = embed "${pkg}/sync/${f}"),`),
    `    (name = "permsnap/sync/permsnap_wasm_bg.wasm", wasm = embed "${pkg}/sync/permsnap_wasm_bg.wasm"),`,
  ].join("\n");
  for (const date of ["2024-01-01", "2025-09-01"]) {
    const got = await inWorkerd("tests/edge/parity-sync-worker.js", modules, date);
    assert.equal(got.weakRefs, date !== "2024-01-01", `${date}: the runtime's FinalizationRegistry and WeakRef`);
    delete got.weakRefs;
    const want = expectedParity(vectors, "browser");
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), date);
    for (const [name, w] of Object.entries(want)) assert.deepEqual(got[name], w, `workerd ${date}: ${name}`);
  }
});
