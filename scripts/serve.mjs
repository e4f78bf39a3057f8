// The demo's backend: serves www/ and the npm package, and issues real signed
// snapshots with the `permsnap` CLI (the issuer), like a real backend would
// after sign-in. Listens on 127.0.0.1 only.
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = process.env.PERMSNAP_CLI ?? join(root, "target/debug/permsnap");
const keyDir = process.env.PERMSNAP_DEMO_KEYS ?? join(root, ".demo");
const port = Number(process.env.PORT ?? 8787);
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".ts": "text/plain" };

// The demo server is also an edge: /edge/... goes through permsnap's Node
// middleware (the edge build), with the preset's route table.
const edgePkg = await import("../pkg/edge/node.js");
const gates = new Map();
async function edgeGuard(preset) {
  if (!gates.has(preset)) {
    const p = await policy(preset);
    const jwks = JSON.parse(await readFile(join(keyDir, "jwks.json"), "utf8"));
    const verifier = new edgePkg.Verifier(await catalogDoc(preset), jwks, { tenant: p.tenant });
    gates.set(preset, edgePkg.nodeGuard(new edgePkg.Gate(verifier, await routes(preset))));
  }
  return gates.get(preset);
}
// What `permsnap catalog` prints for a preset, compiled once per preset.
const catalogs = new Map();
function catalogDoc(preset) {
  if (!catalogs.has(preset)) {
    const doc = run(cli, ["--json", "catalog", join(root, "presets", `${preset}.json`)]).then(({ stdout }) => JSON.parse(stdout));
    doc.catch(() => catalogs.delete(preset));
    catalogs.set(preset, doc);
  }
  return catalogs.get(preset);
}
async function routes(preset) {
  return JSON.parse(await readFile(join(root, "routes", `${preset}.json`), "utf8"));
}

const presets = (await readdir(join(root, "presets"))).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
const order = ["sitee", "ecwid", "shopify-partner", "amilia", "lightspeed"];
presets.sort((a, b) => order.indexOf(a) - order.indexOf(b));

async function policy(name) {
  if (!presets.includes(name)) throw Object.assign(new Error(`no preset ${name}`), { status: 404 });
  return JSON.parse(await readFile(join(root, "presets", `${name}.json`), "utf8"));
}

const json = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
};

async function api(url, res) {
  const preset = url.searchParams.get("preset") ?? "sitee";
  switch (url.pathname) {
    case "/api/presets":
      return json(res, 200, presets);
    case "/api/catalog": {
      // The public part only (the staff list never leaves the backend): the
      // compiled catalog the verifier loads, and the definition for labels.
      const p = await policy(preset);
      const doc = await catalogDoc(preset);
      return json(res, 200, { tenant: p.tenant, fingerprint: doc.fingerprint, binary: doc.binary, catalog: doc.catalog });
    }
    case "/api/staff": {
      const p = await policy(preset);
      return json(res, 200, p.staff.map((s) => ({ id: s.id, name: s.name, roles: s.roles ?? [], active: s.active !== false })));
    }
    case "/api/routes":
      await policy(preset); // 404 for an unknown preset
      return json(res, 200, await routes(preset));
    case "/api/jwks":
      return json(res, 200, JSON.parse(await readFile(join(keyDir, "jwks.json"), "utf8")));
    case "/api/snapshot": {
      const staff = url.searchParams.get("staff") ?? "";
      try {
        const { stdout } = await run(cli, ["--json", "issue", "--policy", join(root, "presets", `${preset}.json`), "--staff", staff, "--key", join(keyDir, "issuer.key")]);
        const out = JSON.parse(stdout);
        return json(res, 200, { snapshot: out.snapshot, bytes: out.bytes });
      } catch (e) {
        const out = JSON.parse(e.stdout || "{}");
        return json(res, 403, out.error ?? { code: "issuer_failed", message: String(e) });
      }
    }
    default:
      return json(res, 404, { code: "not_found" });
  }
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname.startsWith("/api/")) return await api(url, res);
    if (url.pathname.startsWith("/edge/")) {
      const guard = await edgeGuard(url.searchParams.get("preset") ?? "sitee");
      req.url = req.url.slice("/edge".length);
      return guard(req, res, (err) => {
        if (err) return json(res, 500, { code: "error", message: String(err) });
        json(res, 200, { ok: true, route: req.permsnap.route, subject: req.permsnap.subject });
      });
    }
    let path = url.pathname === "/" ? "/index.html" : url.pathname;
    const base = path.startsWith("/pkg/") ? root : join(root, "www");
    const file = normalize(join(base, path));
    if (!file.startsWith(normalize(base))) return json(res, 403, { code: "forbidden" });
    const body = await readFile(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(body);
  } catch (e) {
    json(res, e.status ?? (e.code === "ENOENT" ? 404 : 500), { code: "error", message: e.message });
  }
});
server.listen(port, "127.0.0.1", () => {
  console.log(`permsnap demo: http://127.0.0.1:${server.address().port}/  (Ctrl-C to stop)`);
});
