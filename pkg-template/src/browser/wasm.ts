// The browser entry: its WebAssembly module (the small core, lean/), loaded
// and instantiated once per page (each instance reserves its own memory:
// one per Verifier ran a browser out of memory). The core has no
// wasm-bindgen: JavaScript writes an input into its memory, calls a
// function, and reads up to eight result words; a call answers 0 or, for a
// refusal, the index of its code in `CORE_ERROR_CODES` plus 1. Catalogs and
// loaded snapshots are handles into it.

import { PermsnapError } from "../errors.js";
import { CORE_ERROR_CODES } from "../codes.js";
import type { ErrorCode, WasmModule, WasmSource } from "../types.js";

/** The core's exports, every one of them: a module with other exports is
 *  not this entry's (another build's .wasm, another version) and is
 *  refused before it is used. */
const EXPORTS = "__data_end __heap_base memory ps_bit ps_catalog ps_claims ps_clause ps_drop ps_drop_catalog ps_explain ps_field ps_filter ps_hidden ps_input ps_issued ps_key ps_kind ps_load ps_name ps_notice ps_notice_id ps_notice_split ps_notice_staff ps_out ps_permission_scope ps_role ps_scope ps_shape ps_split ps_subject ps_with_ids";

type Fn = (...args: number[]) => number;
export type Exports = { memory: WebAssembly.Memory } & Record<string, Fn>;

let compiled: WebAssembly.Module | undefined;

/** What to do about a refusal, where the code alone does not say (a
 *  message is the code's words and the detail: the browser entry keeps
 *  its texts short, every page downloads them). */
const ADVICE: Partial<Record<ErrorCode, string>> = {
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

/** Not initialised: before `init()`, or (`e`) why it could not load. */
function notInitialized(e?: unknown): PermsnapError {
  return new PermsnapError(
    "not_initialized",
    e === undefined
      ? "permsnap's WebAssembly module is not loaded: call init() or initSync() first"
      : `could not load permsnap's WebAssembly module: ${e instanceof Error ? e.message : String(e)}. A bundler that does not emit it (esbuild): import the package's permsnap_wasm_bg.wasm with --loader:.wasm=file and pass its URL to init()`,
    e === undefined ? undefined : { cause: e },
  );
}

function thisModule(m: WebAssembly.Module): WebAssembly.Module {
  if (WebAssembly.Module.exports(m).map((e) => e.name).sort().join(" ") !== EXPORTS) {
    throw new PermsnapError("not_initialized", "this .wasm is not the browser entry's (another permsnap build or version): load permsnap/permsnap_wasm_bg.wasm");
  }
  return m;
}

/** Loads the module: the package's `permsnap_wasm_bg.wasm` beside this file
 *  by default, or from a URL, a `Response`, bytes or a compiled
 *  `WebAssembly.Module`. Idempotent. */
export async function init(source?: WasmSource): Promise<void> {
  if (compiled) return;
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
    throw notInitialized(e);
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
    throw notInitialized(e);
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

  private constructor(m: WebAssembly.Module) {
    this.x = new WebAssembly.Instance(m, {}).exports as unknown as Exports;
  }

  /** The instance, made on first use. */
  static get(): Core {
    if (!compiled) throw notInitialized();
    return (instance ??= new Core(compiled));
  }

  /** Copies `parts` into the core's input buffer. */
  input(...parts: Uint8Array[]): void {
    let n = 0;
    for (const p of parts) n += p.length;
    let at = this.x.ps_input(n);
    if (at === 0 && n > 0) throw refusal("too_large", "the WebAssembly memory cannot grow");
    for (const p of parts) {
      new Uint8Array(this.x.memory.buffer, at, p.length).set(p);
      at += p.length;
    }
  }

  /** Calls export `f`; its result words, or its refusal thrown. */
  call(f: string, ...args: number[]): Uint32Array {
    const status = this.x[f](...args);
    if (status !== 0) throw refusal(status);
    return new Uint32Array(this.x.memory.buffer, this.x.ps_out(), 8);
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
