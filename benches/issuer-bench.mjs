// Issue rate of permsnap/issuer in this JavaScript runtime (one thread):
// a Sitee record with one role and switches, as a backend issues on every
// sign-in and refresh, against the platform's own Ed25519 signature (Node's
// crypto.sign, the floor of any JS issuer) and a plain JSON sign. Prints a
// table; no assertion (timings belong in benches, not tests).
//   node benches/issuer-bench.mjs          (after scripts/build-pkg.sh)
import { readFileSync } from "node:fs";
import { generateKeyPairSync, sign } from "node:crypto";

const root = new URL("../", import.meta.url);
const { Issuer, generateKey } = await import(new URL("pkg/issuer/node.js", root));
const policy = JSON.parse(readFileSync(new URL("presets/sitee.json", root), "utf8"));
const key = generateKey({ kid: "bench" });
const issuer = new Issuer(policy.catalog, key.privateJwk, { ignore: ["email", "created_at"] });
issuer.setAccount("spa-lumi", policy.roles);

const row = { id: "u42", roles: ["user"], version: 7, remove: ["payments.view", "payments.charge"], hidden_fields: { clients: ["email", "phone"] }, email: "u42@example.com", created_at: "2026-01-01" };
const now = Math.floor(Date.now() / 1000);

function perSecond(n, f) {
  for (let i = 0; i < Math.min(n, 2000); i++) f(i); // warm-up
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(i);
    rounds.push(Number(process.hrtime.bigint() - t) / n);
  }
  rounds.sort((a, b) => a - b);
  return rounds[2]; // median ns per call
}

const { privateKey } = generateKeyPairSync("ed25519");
const message = Buffer.alloc(140, 7);
const notice = { tenant: "spa-lumi", ids: ["00000000000000aa"], now };
const rows = [
  ["permsnap/issuer: issue (record in, signed text out)", perSecond(5000, () => issuer.issue("spa-lumi", row, { now }))],
  ["permsnap/issuer: revoke (a small notice: mostly the signature)", perSecond(5000, () => issuer.revoke(notice))],
  ["node:crypto Ed25519 sign of 140 bytes (the floor)", perSecond(5000, () => sign(null, message, privateKey))],
];
const floor = rows[rows.length - 1][1];
console.log(`permsnap/issuer, ${process.release.name} ${process.version}, one thread, median of 5 rounds`);
console.log(`${"operation".padEnd(64)} ${"µs/call".padStart(9)} ${"per second".padStart(12)} ${"× floor".padStart(8)}`);
for (const [name, ns] of rows) {
  console.log(`${name.padEnd(64)} ${(ns / 1000).toFixed(2).padStart(9)} ${Math.round(1e9 / ns).toString().padStart(12)} ${(ns / floor).toFixed(2).padStart(8)}`);
}
