// The small core's JavaScript side: its WebAssembly module (lean/), loaded
// and instantiated once per page or process (each instance reserves its
// own memory: one per Verifier ran a browser out of memory). The core has
// no wasm-bindgen: JavaScript writes an input into its memory, calls a
// function, and reads up to eight result words; a call answers 0 or, for a
// refusal, the index of its code in `CORE_ERROR_CODES` plus 1. Catalogs,
// loaded snapshots and (`curve`) trusted keys are handles into it.
//
// Three builds run this file: the browser entry (signatures left to the
// platform's WebCrypto), `permsnap/sync`, `permsnap` in Node, Deno, Bun
// and workerd (lean's feature `curve`: `ps_trust`, `ps_verify`), and
// `permsnap/edge` (lean's `edge`: `curve`, feeds and the route gate).

import { PermsnapError } from "../errors.js";
import { CORE_ERROR_CODES } from "../codes.js";
import type { ErrorCode, WasmModule, WasmSource } from "../types.js";
import { describe, finalizer, nodeFile, notInitialized } from "../internal.js";

/** The exports of this build's core, sorted, space-separated: defined by
 *  scripts/build-pkg.sh (esbuild `--define`) from the build's own .wasm. A
 *  module with other exports is another build's or version's, refused
 *  before it is used. */
declare const LEAN_EXPORTS: string;


type Fn = (...args: number[]) => number;
/** The core's exports: its memory (its buffer is all this reads: typed
 *  without the `WebAssembly` namespace, which an edge app's TypeScript
 *  may not declare) and its functions. */
export type Exports = { memory: { readonly buffer: ArrayBuffer } } & Record<string, Fn>;

let compiled: WebAssembly.Module | undefined;

/** Whether this build words its refusals in full: `permsnap/sync`, read
 *  in server logs, where the browser entry keeps its texts short (every
 *  page downloads them). Defined by scripts/build-pkg.sh (esbuild
 *  `--define`), so the browser entry's minified code carries one table. */
declare const LEAN_WORDY: boolean;

/** What a refusal means and what to do about it, where the code alone
 *  does not say (a message is the code's words, the detail, then this). */
const ADVICE: Partial<Record<ErrorCode, string>> = LEAN_WORDY
  ? {
      bad_encoding: "the text is not base64url (of a permsnap document)",
      truncated: "the document is cut short",
      too_large: "the document is over the format's limit",
      bad_magic: "not the permsnap document expected here (snapshots start with `PSN`, notices `PSR`)",
      unsupported_version: "a format version this build does not read: update permsnap",
      unknown_key: "check the JWKS: load the issuer's current keys",
      bad_signature: "the signature does not verify: the document was altered or signed with another key",
      malformed: "the payload does not decode",
      expired: "the snapshot expired: ask the backend for a fresh one",
      not_yet_valid: "the snapshot is not valid yet: check the clocks",
      wrong_tenant: "issued for another account than this verifier's or this request's",
      wrong_catalog: "issued for another catalog: deploy the current catalog",
      async_required: "await verify() first",
    }
  : {
      unknown_key: "check the JWKS",
      wrong_catalog: "deploy the current catalog",
      async_required: "await verify() first",
    };

/** A refusal with code `code` (a name, or a core status), `detail` said
 *  after the code's text. */
export function refusal(code: ErrorCode | number, detail = ""): PermsnapError {
  // Any other status (the core's "no catalog, no such snapshot") is a
  // use after `free()`.
  const c = typeof code === "number" ? (CORE_ERROR_CODES[code - 1] ?? "invalid_argument") : code;
  return new PermsnapError(c, [c.replace(/_/g, " "), detail, ADVICE[c]].filter(Boolean).join(": "));
}

/** The module could not be loaded: `e` says why. */
function loadFailed(e: unknown): PermsnapError {
  return new PermsnapError(
    "not_initialized",
    `could not load permsnap's WebAssembly module: ${describe(e)}. A bundler that does not emit it (esbuild): import the package's permsnap_wasm_bg.wasm with --loader:.wasm=file and pass its URL to init()`,
    { cause: e },
  );
}

function thisModule(m: WebAssembly.Module): WebAssembly.Module {
  if (WebAssembly.Module.exports(m).map((e) => e.name).sort().join(" ") !== LEAN_EXPORTS) {
    throw new PermsnapError("not_initialized", "this .wasm is not this entry's (another permsnap build or version): load the entry's own permsnap_wasm_bg.wasm");
  }
  return m;
}

/** Loads the module: the package's `permsnap_wasm_bg.wasm` beside this file
 *  by default, or from a URL, a `Response`, bytes or a compiled
 *  `WebAssembly.Module`. Idempotent. */
export async function init(source?: WasmSource): Promise<void> {
  if (compiled) return;
  const file = source === undefined ? nodeFile() : undefined;
  if (file !== undefined) return initSync(await file());
  let m: WebAssembly.Module;
  try {
    if (source instanceof WebAssembly.Module) m = source;
    else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) m = await WebAssembly.compile(source as BufferSource);
    else {
      const r = (await (typeof Response !== "undefined" && source instanceof Response ? source : fetch((source ?? new URL("./permsnap_wasm_bg.wasm", import.meta.url)) as RequestInfo | URL))) as Response;
      if (!r.ok) throw new Error(`${r.status} ${r.statusText} from ${r.url}`);
      m = await WebAssembly.compile(await r.arrayBuffer());
    }
  } catch (e) {
    throw loadFailed(e);
  }
  compiled = thisModule(m);
}

/** Loads the module synchronously from a compiled `WebAssembly.Module` or
 *  its bytes (workerd, Node, tests). Idempotent. */
export function initSync(module: WasmModule | ArrayBuffer | ArrayBufferView): void {
  if (compiled) return;
  let m: WebAssembly.Module;
  try {
    m = module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module as BufferSource);
  } catch (e) {
    throw loadFailed(e);
  }
  compiled = thisModule(m);
}

/** True once `init` or `initSync` has run. */
export function isInitialized(): boolean {
  return compiled !== undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

let instance: Core | undefined;

/** The page's instance of the core. */
export class Core {
  readonly x: Exports;
  /** Whether this build's core checks signatures itself (lean's `curve`:
   *  `permsnap/sync`), where the browser entry leaves them to WebCrypto. */
  readonly curve: boolean;

  /** Why this instance stopped (a trap), once it has. */
  #stopped: PermsnapError | undefined;

  private constructor(m: WebAssembly.Module) {
    // A copy of the exports object (the instance's own is frozen).
    this.x = { ...new WebAssembly.Instance(m, {}).exports } as unknown as Exports;
    this.curve = typeof this.x.ps_verify === "function";
  }

  /** The instance, made on first use, and made anew after one trapped. */
  static get(): Core {
    if (!compiled) throw notInitialized();
    return (instance ??= new Core(compiled));
  }

  /** Calls export `f` and returns its status, as it is (a refusal's too).
   *  A trap (out of memory, a bug) leaves the instance's state unusable
   *  (its state stays borrowed, every later call would answer "busy"):
   *  this instance then refuses every call with `unavailable`, and the
   *  verifiers made after it get a new one (review, session 28). */
  raw(f: string, ...args: number[]): number {
    if (this.#stopped) throw this.#stopped;
    try {
      return this.x[f](...args);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      this.#stopped = new PermsnapError("unavailable", `permsnap's WebAssembly instance stopped (${e.message}): the verifiers and gates made before it no longer answer; make them again`, { cause: e });
      if (instance === this) instance = undefined;
      throw this.#stopped;
    }
  }

  /** Copies `parts` into the core's input buffer. */
  input(...parts: Uint8Array[]): void {
    let n = 0;
    for (const p of parts) n += p.length;
    let at = this.raw("ps_input", n);
    if (at === 0 && n > 0) throw refusal("too_large", "the WebAssembly memory cannot grow");
    for (const p of parts) {
      new Uint8Array(this.x.memory.buffer, at, p.length).set(p);
      at += p.length;
    }
  }

  /** Calls export `f`; its result words (until the next call: read them
   *  at once), or its refusal thrown. */
  call(f: string, ...args: number[]): Uint32Array {
    const status = this.raw(f, ...args);
    if (status !== 0) throw refusal(status);
    return this.out();
  }

  #out: Uint32Array | undefined;

  /** The eight result words, in place: one view, made again only when the
   *  memory grew (its old buffer is then another). */
  out(): Uint32Array {
    let o = this.#out;
    if (o === undefined || o.buffer !== this.x.memory.buffer) o = this.#out = new Uint32Array(this.x.memory.buffer, this.x.ps_out(), 8);
    return o;
  }

  /** A copy of `len` bytes at `at`. */
  bytes(at: number, len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, at, len).slice();
  }

  /** The texts of postcard's `seq<string>` in `len` bytes at `at` (a
   *  `specific` scope's ids, checked by the core when it read them): read
   *  at once, not one call per id (10,000 ids). */
  texts(at: number, len: number): string[] {
    const b = new Uint8Array(this.x.memory.buffer, at, len);
    let i = 0;
    const varint = (): number => {
      let v = 0;
      for (let shift = 0; ; shift += 7) {
        if (i >= b.length || shift > 28) throw refusal("malformed", "a list of ids");
        const x = b[i++];
        v += (x & 0x7f) * 2 ** shift;
        if (x < 0x80) return v;
      }
    };
    const n = varint();
    const out: string[] = [];
    for (let j = 0; j < n; j++) {
      const l = varint();
      if (i + l > b.length) throw refusal("malformed", "a list of ids");
      out.push(utf8.decode(b.subarray(i, (i += l))));
    }
    return out;
  }

  /** The UTF-8 text of `len` bytes at `at`. */
  text(at: number, len: number): string {
    return utf8.decode(new Uint8Array(this.x.memory.buffer, at, len));
  }
}

/** What the finalizer of a `Loaded` frees: the handle, while held. */
interface LoadState {
  core: Core;
  handle: number;
  holders: number;
}

/** A loaded snapshot's handle in the core, and its holders: a verifier's
 *  kept load and each `Permissions` handed out from it (or what `withIds`
 *  made). Each holder lets go once (`letGo`); the core frees the handle
 *  when the last one has, or, when holders were collected without letting
 *  go, once nothing references this object. One finalizer per load, not
 *  per `Permissions`: a cached load hands out objects at no registration
 *  (about a quarter of its time in Node). */
export interface Loaded {
  readonly state: LoadState;
}

const loadedHandles = finalizer<LoadState>((s) => {
  if (s.holders === 0) return;
  s.holders = 0;
  s.core.x.ps_drop(s.handle);
});

/** Loaded snapshot `handle`, held once by its maker. */
export function loaded(core: Core, handle: number): Loaded {
  const state = { core, handle, holders: 1 };
  const l = { state };
  loadedHandles.register(l, state, l);
  return l;
}

/** One more holder of `l`. */
export function hold(l: Loaded): void {
  l.state.holders++;
}

/** A holder lets go of `l`: the core frees it after the last one. */
export function letGo(l: Loaded): void {
  const s = l.state;
  if (s.holders === 0) return;
  if (--s.holders > 0) return;
  loadedHandles.unregister(l);
  s.core.x.ps_drop(s.handle);
}
