#!/usr/bin/env node
// Regenerates the format 2 fixtures of permsnap's peer-bench adapter (benches/peer-bench-adapter.mjs)
// from peer-bench's scenario.mjs with the project's CLI. The issuer is Rust only (signing is not in
// the wasm/npm package), so the snapshot is issued here, once, and committed, as a backend would
// set it in a cookie. Made the way peer-bench's fixtures/permsnap/make-fixtures.mjs makes the
// format 1 ones (same seed, same kid derivation, same issue time and lifetime).
//
//   PERMSNAP_CLI=target/debug/permsnap node benches/peer-bench/make-fixtures.mjs
//   (from the project root; PERMSNAP_CLI defaults to <project>/target/debug/permsnap, built by
//   `cargo build --features cli`; PEER_BENCH_DIR defaults to <project>/../shared/peer-bench)
//
// Writes, next to this file:
//   policy.json    the scenario as a format 2 permsnap policy: the catalog (60 scenario
//                  permissions, sections = name prefixes, kinds appointments / clients) holds no
//                  roles; the account's role "Marketing Professional" (the 25) is top-level in
//                  `roles`; staff-0004 holds it (`roles: [...]`) with own-scope appointments (owner
//                  field staffId) and client email/phone hidden, removed
//   jwks.json      public key (Ed25519 from scenario ED25519_SEED_HEX; kid derived as `permsnap
//                  keygen` derives it). The private key is written to a temp dir only.
//   catalog.json   `permsnap catalog policy.json` (compiled catalog, version 2; the verifier reads `binary`)
//   snapshot.json  { text, issued_at, lifetime, ... }: `permsnap issue` at a fixed time with the
//                  default 15-minute lifetime (the adapter's verifier clock is fixed inside it)
// The snapshot id is random (8 bytes), so re-running changes the text but not its length.
import { writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createHash } from 'node:crypto';
import { join, dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT = resolve(HERE, '..', '..');
const BENCH_DIR = resolve(process.env.PEER_BENCH_DIR ?? join(PROJECT, '..', 'shared', 'peer-bench'));
if (!existsSync(join(BENCH_DIR, 'scenario.mjs'))) {
  throw new Error(`no scenario.mjs in ${BENCH_DIR}: set PEER_BENCH_DIR to the peer-bench folder`);
}
const S = await import(pathToFileURL(join(BENCH_DIR, 'scenario.mjs')).href);

const CLI = resolve(process.env.PERMSNAP_CLI ?? join(PROJECT, 'target', 'debug', 'permsnap'));
if (!existsSync(CLI)) throw new Error(`no permsnap CLI at ${CLI}: cargo build --features cli, or set PERMSNAP_CLI`);
const ISSUED_AT = 1_700_000_000; // fixed issue time (same iat as the jose peer's JWT)
const LIFETIME = 900; // permsnap's default lifetime (15 minutes)

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const section = (p) => p.split('.')[0];
const title = (s) => s.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');

// ------------------------------------------------------------------ policy (format 2)
const sections = [...new Set(S.PERMISSIONS.map(section))];
const policy = {
  tenant: S.BUSINESS_ID,
  // The product's schema only: no roles in the catalog (format 2).
  catalog: {
    name: 'peer-bench',
    sections: sections.map((id) => ({ id, name: title(id) })),
    permissions: S.PERMISSIONS.map((name) => ({
      name,
      section: section(name),
      // seeing appointments / clients acts on records of that kind: a `none` scope denies it
      ...(name === S.APPOINTMENT_VIEW_PERM ? { scope_kind: 'appointments' } : {}),
      ...(name === 'clients.view' ? { scope_kind: 'clients' } : {}),
    })),
    kinds: [
      { name: 'appointments', owner_fields: ['staffId'] },
      { name: 'clients', fields: S.CLIENT_FIELDS.filter((f) => S.STAFF.hiddenClientFields.includes(f)).map((f) => ({ name: f, redact: 'remove' })) },
    ],
  },
  // The account's roles (its database, not the catalog).
  roles: [
    { id: S.ROLE_ID, name: S.ROLE_NAME, permissions: [...S.ROLE_PERMISSIONS], scopes: { '*': 'all' } },
  ],
  staff: [
    {
      id: S.STAFF.id,
      roles: [S.STAFF.role],
      // RESTRICTED view: own appointments only (owner field staffId); the record's own scope wins
      // over the role's `*: all` (FORMAT.md, "Several roles")
      scopes: { appointments: S.STAFF.viewMode === 'restricted' ? 'own' : 'all' },
      hidden_fields: { clients: [...S.STAFF.hiddenClientFields] },
    },
  ],
};
writeFileSync(join(HERE, 'policy.json'), JSON.stringify(policy, null, 2) + '\n');

// ------------------------------------------------------------------ keys (fixed seed)
const seed = Buffer.from(S.ED25519_SEED_HEX, 'hex');
const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
const x = createPublicKey(priv).export({ format: 'jwk' }).x;
const kid = b64u(createHash('sha512').update(Buffer.from(x, 'base64url')).digest().subarray(0, 3)); // permsnap's derive_kid
const jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }] };
writeFileSync(join(HERE, 'jwks.json'), JSON.stringify(jwks, null, 2) + '\n');

const tmp = mkdtempSync(join(tmpdir(), 'permsnap-fixtures-'));
try {
  const keyFile = join(tmp, 'issuer.key');
  writeFileSync(keyFile, JSON.stringify({ kty: 'OKP', crv: 'Ed25519', kid, x, d: b64u(seed) }), { mode: 0o600 });
  const run = (...args) => execFileSync(CLI, args, { encoding: 'utf8', cwd: HERE });

  run('validate', 'policy.json');
  const catalog = run('catalog', 'policy.json');
  const compiled = JSON.parse(catalog); // must be JSON
  if (Buffer.from(compiled.binary, 'base64url').subarray(0, 4).toString('latin1') !== 'PSC\x02') {
    throw new Error('the CLI did not print a version 2 compiled catalog');
  }
  writeFileSync(join(HERE, 'catalog.json'), catalog.trim() + '\n');

  const text = run('issue', '--policy', 'policy.json', '--staff', S.STAFF.id, '--key', keyFile,
    '--now', String(ISSUED_AT), '--lifetime', String(LIFETIME)).trim();
  const binary = Buffer.from(text, 'base64url');
  if (binary.subarray(0, 4).toString('latin1') !== 'PSN\x02') throw new Error('the CLI did not issue a version 2 snapshot');
  // the CLI's own verifier must accept it with the committed public files
  run('verify', text, '--jwks', 'jwks.json', '--catalog', 'catalog.json', '--tenant', S.BUSINESS_ID, '--now', String(ISSUED_AT + 60));
  const inspected = JSON.parse(run('--json', 'inspect', text, '--catalog', 'catalog.json'));
  writeFileSync(join(HERE, 'snapshot.json'), JSON.stringify({
    text,
    staff: S.STAFF.id,
    tenant: S.BUSINESS_ID,
    issued_at: ISSUED_AT,
    lifetime: LIFETIME,
    format: binary[3],
    text_bytes: text.length,
    binary_bytes: binary.length,
    kid,
    issued_with: run('--version').trim(),
    inspect: inspected,
  }, null, 2) + '\n');
  console.log(`kid ${kid}; format ${binary[3]} snapshot: ${text.length} chars of text, ${binary.length} bytes binary`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
