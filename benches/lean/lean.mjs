// The small core's JavaScript side (#16, second stage): the browser build's
// first `can()` on the small core (lean/), its signature checked by the
// platform's WebCrypto Ed25519 with the strict rules checked in wasm first
// (canonical keys and R, no small-order key or R, S below the group
// order). What benches/lean-bench.mjs measures: the download and the
// first load of the redesign, beside today's package; tests/js/lean.test.mjs
// holds its answers to today's build on every vector. Not the package's
// API yet: `can()`, `subject`, and for records `scope`, `filterSpec`,
// `hiddenFields` and `redaction` in today's shapes; refusals as codes.
//
//   const v = await LeanVerifier.create(wasmModule, catalogText, jwks, { tenant, clock });
//   const p = await v.load(snapshotText);   p.can("payments.view")   p.free()

const enc = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of a name (dropped, `\uFEFFadmin`
// read as `admin`: review, session 18).
const dec = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const DOMAIN = enc.encode("permsnap/v2 snapshot\0");

/** A refusal: `code` is its code, or (decided in wasm) the index of its
 *  code in the core's error list (permsnap::Error::CODES). */
export class Refused extends Error {
  constructor(code) {
    super(`refused (code ${code})`);
    this.code = code;
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const SIXES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SIXES[ALPHABET.charCodeAt(i)] = i;

/** Unpadded base64url, strictly (no padding, no other character, no
 *  length of 1 mod 4, zero trailing bits), or null. */
export function fromBase64url(text) {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array((text.length * 3) >> 2);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? SIXES[c] : -1;
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return (acc & ((1 << bits) - 1)) === 0 ? out : null;
}

/** One instance of the small core. */
class Core {
  constructor(module) {
    this.x = new WebAssembly.Instance(module, {}).exports;
  }
  /** Copies `parts` (byte arrays) into the input buffer. */
  input(...parts) {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const at = this.x.ps_input(n);
    if (at === 0 && n > 0) throw new Refused("too_large"); // memory cannot grow
    let o = at;
    for (const p of parts) {
      new Uint8Array(this.x.memory.buffer, o, p.length).set(p);
      o += p.length;
    }
  }
  out() {
    return new Uint32Array(this.x.memory.buffer, this.x.ps_out(), 8);
  }
  /** Calls `f`, throwing its refusal. */
  call(f, ...args) {
    const status = f(...args);
    if (status !== 0) throw new Refused(status - 1);
    return this.out();
  }
  bytes(at, len) {
    return new Uint8Array(this.x.memory.buffer, at, len).slice();
  }
  text(at, len) {
    return dec.decode(new Uint8Array(this.x.memory.buffer, at, len));
  }
}

const SCOPES = ["none", "own", "assigned", "specific", "all", "listed"];
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export class LeanVerifier {
  #core;
  #names = new Map();
  /** Kind name → { k, fields: [{ name, mask }] }. */
  #kinds = new Map();
  #keys = new Map();
  #tenant;
  #clock;
  #leeway;

  /** A verifier of `catalog` (its compiled text) with the keys of `jwks`
   *  (every key checked strictly, then imported once). */
  static async create(module, catalog, jwks, { tenant, clock = () => Date.now() / 1000, leeway = 30 }) {
    // A verifier checks one account, always; the clock's leeway is 0 to a
    // day (an unchecked `leeway: -1` wrapped to 2^32 - 1 in wasm and took
    // expired snapshots: review, session 18).
    if (typeof tenant !== "string" || tenant === "") throw new Refused("invalid_argument");
    if (!Number.isInteger(leeway) || leeway < 0 || leeway > 86_400) throw new Refused("invalid_argument");
    if (typeof catalog !== "string" || catalog.length > 1_398_102) throw new Refused("invalid_policy");
    const v = new LeanVerifier();
    const core = (v.#core = new Core(module));
    const bytes = fromBase64url(catalog.trim());
    if (bytes === null) throw new Refused("invalid_policy");
    core.input(bytes);
    const [perms, , kinds] = core.call(core.x.ps_catalog);
    for (let i = 0; i < perms; i++) {
      const [at, len] = core.call(core.x.ps_permission, i);
      v.#names.set(core.text(at, len), i);
    }
    for (let k = 0; k < kinds; k++) {
      const [n, nl, , , , , , fieldCount] = core.call(core.x.ps_kind, k);
      const name = core.text(n, nl);
      const fields = [];
      for (let j = 0; j < fieldCount; j++) {
        const [f, fl, m, ml] = core.call(core.x.ps_field, k, j);
        fields.push({ name: core.text(f, fl), mask: m === 0 ? null : core.text(m, ml) });
      }
      v.#kinds.set(name, { k, fields });
    }
    for (const k of jwks.keys) {
      const x = fromBase64url(k.x);
      if (k.kty !== "OKP" || k.crv !== "Ed25519" || x === null || x.length !== 32) throw new Refused("invalid_key");
      core.input(x);
      core.call(core.x.ps_key);
      v.#keys.set(k.kid, await crypto.subtle.importKey("raw", x, { name: "Ed25519" }, false, ["verify"]));
    }
    v.#tenant = enc.encode(tenant);
    v.#clock = clock;
    v.#leeway = leeway;
    return v;
  }

  /** Verifies a snapshot (text) and decides: `can(name)` of its
   *  permissions. */
  async load(text) {
    const core = this.#core;
    if (typeof text !== "string" || text.length > 5462) throw new Refused("too_large");
    const bytes = fromBase64url(text.trim());
    if (bytes === null) throw new Refused("bad_encoding");
    core.input(bytes);
    const [kidAt, kidLen, signedLen] = core.call(core.x.ps_split);
    const key = this.#keys.get(dec.decode(bytes.subarray(kidAt, kidAt + kidLen)));
    if (key === undefined) throw new Refused("unknown_key");
    core.call(core.x.ps_shape);
    const message = new Uint8Array(DOMAIN.length + signedLen);
    message.set(DOMAIN);
    message.set(bytes.subarray(0, signedLen), DOMAIN.length);
    const ok = await crypto.subtle.verify("Ed25519", key, bytes.subarray(signedLen), message);
    if (!ok) throw new Refused("bad_signature");
    core.input(bytes, this.#tenant);
    const [handle, at, len] = core.call(core.x.ps_load, this.#tenant.length, this.#clock(), this.#leeway);
    const effective = core.bytes(at, len);
    const names = this.#names;
    const kinds = this.#kinds;
    let freed = false;
    const live = () => {
      if (freed) throw new Refused("invalid_argument");
      return handle;
    };
    const kindOf = (name) => {
      const kind = kinds.get(name);
      if (kind === undefined) throw new Refused("unknown_kind");
      return kind;
    };
    const [s, sl] = core.call(core.x.ps_subject, handle);
    const subject = core.text(s, sl);
    const ids = (k, n) => Array.from({ length: n }, (_, j) => {
      const [p, l] = core.call(core.x.ps_scope_id, live(), k, j);
      return core.text(p, l);
    });
    const hidden = (kind) => kind.fields.filter((_, j) => core.call(core.x.ps_hidden, live(), kind.k, j)[0] === 1);
    return {
      subject,
      can(name) {
        const i = names.get(name);
        if (i === undefined) throw new Refused("unknown_permission");
        return ((effective[i >> 3] ?? 0) >> (i & 7)) & 1 ? true : false;
      },
      scope(name) {
        const { k } = kindOf(name);
        const [tag, n, digest] = core.call(core.x.ps_scope, live(), k);
        if (tag === 3) return { specific: ids(k, n) };
        if (tag === 5) return { listed: { count: n, digest: hex(core.bytes(digest, 16)) } };
        return SCOPES[tag];
      },
      filterSpec(name) {
        const { k } = kindOf(name);
        const [tag, n] = core.call(core.x.ps_scope, live(), k);
        const [all, count] = core.call(core.x.ps_filter, live(), k);
        const clauses = [];
        for (let i = 0; i < count; i++) {
          const [f, fl, byIds] = core.call(core.x.ps_clause, live(), k, i);
          clauses.push({ field: core.text(f, fl), values: byIds ? ids(k, n) : [subject] });
        }
        return { kind: name, scope: SCOPES[tag], all: all === 1, clauses };
      },
      hiddenFields(name) {
        return hidden(kindOf(name)).map((f) => f.name);
      },
      redaction(name) {
        const fields = hidden(kindOf(name));
        return {
          kind: name,
          remove: fields.filter((f) => f.mask === null).map((f) => f.name),
          mask: fields.filter((f) => f.mask !== null).map((f) => ({ field: f.name, with: f.mask })),
        };
      },
      free() {
        if (!freed) core.x.ps_drop(handle);
        freed = true;
      },
    };
  }
}
