// Helpers the package's own modules share: turning wasm errors and bad
// arguments into `PermsnapError`, reading the app's clock, and what the
// Verifier and Permissions of both implementations (the wasm-bindgen
// builds' and the browser entry's small core) share. Not part of the API: no entry re-exports
// this module and the package's `exports` map does not reach it.

import { PermsnapError } from "./errors.js";
import type { ErrorCode, Explanation } from "./types.js";

/** @internal `JSON.parse`, refusing with `code`, and refusing an object
 *  that names a key twice, as the Rust reader does (`strict_json.rs`):
 *  `JSON.parse` keeps the last of the two, so `{"d": "<seed>", "d": null}`
 *  would say one thing to a reviewer and another here (attack review,
 *  session 15). */
export function parseJson(text: string, code: ErrorCode): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PermsnapError(code, `not JSON: ${(e as Error).message}`, { cause: e });
  }
  const twice = repeatedKey(text);
  if (twice !== undefined) throw new PermsnapError(code, `the key \`${twice}\` is written twice in one object`);
  return value;
}

/** The first key an object of `json` (valid JSON text) names twice, as
 *  decoded (`"d"` and `"\u0064"` are one key). */
function repeatedKey(json: string): string | undefined {
  // One entry per open object (its keys) or array (null).
  const open: (Set<string> | null)[] = [];
  let key = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c ? 2 : 1;
      const keys = open[open.length - 1];
      if (key && keys) {
        const k = JSON.parse(json.slice(i, j + 1)) as string;
        if (keys.has(k)) return k;
        keys.add(k);
        key = false;
      }
      i = j;
    } else if (c === 0x7b) {
      open.push(new Set());
      key = true;
    } else if (c === 0x5b) {
      open.push(null);
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
    } else if (c === 0x2c) {
      key = open[open.length - 1] !== null;
    }
  }
  return undefined;
}

/** @internal Reads an options object strictly: anything but a plain object
 *  (or `undefined`) and any key not in `known` is an error, so a misspelt
 *  option cannot be silently ignored. Known keys whose value is `undefined`
 *  count as absent. The result has no prototype (nor has the one for
 *  `undefined`): a key the app left out reads `undefined`, whatever an
 *  `Object.prototype` polluted elsewhere in the page holds; keep it so
 *  (`Object.assign(Object.create(null), ...)`, not a spread, to add keys). */
export function strictOptions(options: unknown, known: readonly string[], what: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (options === undefined) return out;
  // A Proxy's trap or a getter that throws is the app's error, typed (it
  // escaped as is: attack review, session 20).
  try {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new PermsnapError("invalid_argument", `${what} are an object`);
    }
    for (const k of plainKeys(options, what, "invalid_argument")) {
      if (!known.includes(k)) {
        throw new PermsnapError("invalid_argument", `unknown key \`${k}\` in ${what} (known: ${known.join(", ")})`);
      }
      const v = (options as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = v;
    }
  } catch (e) {
    unreadableAs(e, what);
  }
  return out;
}

/** @internal The names of `canAll` / `canAny`: an array, or any iterable
 *  of them (a `Set`), but not one string (whose characters would be read
 *  as names); an iterator or Proxy of the app that throws is
 *  `invalid_argument` (attack review, session 20). */
export function nameList<T>(v: Iterable<T>, what: string): T[] {
  try {
    if (typeof v !== "object" || v === null || typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
      throw new PermsnapError("invalid_argument", `${what} is an array of permission names, not ${v === null ? "null" : typeof v}`);
    }
    return Array.from(v);
  } catch (e) {
    unreadableAs(e, what);
  }
}

/** @internal What permissions past their expiry answer in `error`. */
export function expiredError(): PermsnapError {
  return new PermsnapError("expired", "the snapshot expired: everything is denied until a fresh one is loaded");
}

/** @internal A weak reference, where the runtime has `WeakRef`; a strong
 *  one where it has none (workerd before compatibility date 2025-05-05,
 *  or without `enable_weak_ref`): the same answers, held longer. */
export interface Ref<T> {
  deref(): T | undefined;
}

/** @internal A `Ref` to `x`. */
export function weakRef<T extends object>(x: T): Ref<T> {
  return typeof WeakRef === "function" ? new WeakRef(x) : { deref: () => x };
}

/** @internal A `FinalizationRegistry` calling `cleanup`, where the runtime
 *  has one; where it has none (as `weakRef`), one that never calls it:
 *  what is not freed stays in the WebAssembly memory until the instance
 *  goes. Importing the package must not fail there (review, session 27:
 *  `permsnap` in such a Worker threw on import). */
export function finalizer<T>(cleanup: (held: T) => void): Pick<FinalizationRegistry<T>, "register" | "unregister"> {
  return typeof FinalizationRegistry === "function" ? new FinalizationRegistry(cleanup) : { register() {}, unregister: () => false };
}

/** @internal The permissions in `refs` still alive (what `withIds` made
 *  from a `Permissions`, held weakly). */
export function alive<T extends object>(refs: readonly Ref<T>[] | undefined): T[] {
  const out: T[] = [];
  for (const ref of refs ?? []) {
    const d = ref.deref();
    if (d !== undefined) out.push(d);
  }
  return out;
}

/** @internal Marks `p` as a session's current permissions (`on`, in
 *  `graced`), or no longer (then `due(p)`: it checks itself on its next
 *  use), and what `withIds` made of it (`derived`), at every depth. The
 *  session's `grace` hook of both entries' `Permissions`. */
export function graceAll<T extends object>(graced: WeakSet<T>, p: T, on: boolean, due: (p: T) => void, derived: (p: T) => readonly Ref<T>[] | undefined): void {
  if (on) {
    graced.add(p);
  } else {
    graced.delete(p);
    due(p);
  }
  for (const d of alive(derived(p))) graceAll(graced, d, on, due, derived);
}

/** A lone surrogate: UTF-16 that is not text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** @internal `v` as an account id: a non-empty string that is text. One
 *  with a lone surrogate is written as U+FFFD on its way to UTF-8, so it
 *  named another, real account (`acme\uD800` accepted the snapshots of
 *  `acme\uFFFD`: attack review, session 21); the issuer refuses it. */
export function accountId(v: unknown, what: string): string {
  if (typeof v !== "string" || v === "") throw new PermsnapError("invalid_argument", `${what} is a non-empty string`);
  if (LONE_SURROGATE.test(v)) throw new PermsnapError("invalid_argument", `${what} holds a lone surrogate: it is not text`);
  return v;
}

/** @internal What `explain(name)` answers for permissions refused with
 *  `e` (the caller checked `name`). */
export function refusedExplanation(name: string, e: PermsnapError): Explanation {
  return { permission: name, allowed: false, reason: { code: "refused", error: e.code }, stepUp: false, message: `snapshot refused: ${e.message}` };
}

/** @internal `e`, thrown while reading the app's `what` (a getter or
 *  Proxy trap of it threw), as `invalid_argument` with `e` as its cause;
 *  a `PermsnapError` as it is. */
export function unreadableAs(e: unknown, what: string): never {
  if (e instanceof PermsnapError) throw e;
  throw new PermsnapError("invalid_argument", `${what} could not be read: a getter or Proxy trap threw (the \`cause\`)`, { cause: e });
}

/** The keys of a plain object, refusing one that would be read
 *  differently than it looks: one whose prototype carries keys
 *  (`Object.create({ keep })`, a class instance, a `Map`), or that holds a
 *  symbol or non-enumerable key. A plain object of another realm (an
 *  iframe, a `vm` context) is plain. */
function plainKeys(v: object, what: string, code: ErrorCode): string[] {
  const proto = Object.getPrototypeOf(v);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    throw new PermsnapError(code, `${what} hold ${typeof name === "string" && name !== "Object" ? `a ${name}` : "an object with a prototype"}: expected plain objects`);
  }
  const keys = Object.keys(v);
  if (keys.length !== Reflect.ownKeys(v).length) {
    throw new PermsnapError(code, `${what} hold a symbol or non-enumerable key`);
  }
  return keys;
}

/** @internal `v` when it is a string, else `invalid_argument` naming
 *  `what` (not the engine's `TypeError` from inside wasm-bindgen's glue). */
export function text(v: unknown, what: string): string {
  if (typeof v !== "string") throw new PermsnapError("invalid_argument", `${what} is a string, not ${v === null ? "null" : typeof v}`);
  return v;
}

/** @internal Refuses arguments beyond the `max` a function takes: a
 *  second options object (`guard(gate, req, refresher, { signedIn })`,
 *  `new Verifier(c, k, { tenant }, { maxFeedAge })`) would be dropped
 *  without a word, and what it asked for (a binding, a limit) not done. */
export function noExtra(count: number, max: number, what: string): void {
  if (count > max) {
    throw new PermsnapError("invalid_argument", `${what} takes ${max} argument${max === 1 ? "" : "s"}, not ${count}: put every option in one object`);
  }
}

/** @internal A copy of JSON-shaped data (a JWKS, revocations, options)
 *  made before it reaches wasm: plain objects become objects holding their
 *  own enumerable keys (the outermost one without a prototype, for the
 *  wrapper's own reads; wasm reads own keys only), arrays fresh arrays,
 *  `Uint8Array`s and primitives stay as they are. Refused with `code`: a
 *  value that is not plain data (a `Map`, a `Date`, a class instance, a
 *  function, a symbol or non-enumerable key, an array with holes), nesting
 *  deeper than 16, or a getter or proxy of the app that throws (its error
 *  as `cause`). So an `Object.prototype` polluted elsewhere in the page
 *  adds nothing, not even through an array's hole, and the app's getters
 *  and proxies run here, in JavaScript, never while a wasm object is
 *  borrowed (an exception there would leave it unusable). */
export function plainData(value: unknown, what: string, code: ErrorCode = "invalid_argument", functions: readonly string[] = []): unknown {
  try {
    return copyPlain(value, what, code, 0, functions);
  } catch (e) {
    if (e instanceof PermsnapError) throw e;
    throw new PermsnapError(code, `${what} could not be read: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** `functions`: the top-level keys that may hold a function (`clock`). */
function copyPlain(v: unknown, what: string, code: ErrorCode, depth: number, functions: readonly string[] = []): unknown {
  if (v === null || typeof v !== "object") {
    if (typeof v === "function" || typeof v === "symbol") {
      throw new PermsnapError(code, `${what} hold a ${typeof v}: expected plain data (objects, arrays, strings, numbers)`);
    }
    return v;
  }
  if (isBytes(v)) return v;
  if (depth >= 16) throw new PermsnapError(code, `${what} are nested too deeply`);
  if (Array.isArray(v)) {
    const n = v.length;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (!Object.hasOwn(v, i)) throw new PermsnapError(code, `${what} hold an array with a hole (index ${i})`);
      out[i] = copyPlain(v[i], what, code, depth + 1);
    }
    return out;
  }
  const keys = plainKeys(v, what, code);
  const out: Record<string, unknown> = depth === 0 ? Object.create(null) : {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const x = (v as Record<string, unknown>)[k];
    const copy = typeof x === "function" && depth === 0 && functions.includes(k) ? x : copyPlain(x, what, code, depth + 1);
    // Defined, not assigned: an own key `__proto__` (an account id, in
    // `minEpoch`) set the copy's prototype and was lost (attack review,
    // session 21).
    Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const encoder = new TextEncoder();
/** Reused for every snapshot text (wasm copies it before anything else
 *  runs): the longest snapshot's text fits. */
const scratch = new Uint8Array(8192);
const NOT_INPUT = "expected a base64url string or a Uint8Array";
/** More than any input the package reads takes (an id list is at most
 *  8 MiB, its text about 11 MiB): refused before it reaches wasm, whose
 *  allocator cannot return an error for gigabytes (it traps). */
export const MAX_INPUT = 16 << 20;

/** The refusal of an input of `size` bytes or characters over `MAX_INPUT`. */
export function tooLarge(size: number): PermsnapError {
  return new PermsnapError("too_large", `the input is ${size} bytes or characters, over the ${MAX_INPUT} that any snapshot, notice or id list fits in`);
}

/** @internal A snapshot argument as wasm takes it: text as UTF-8 bytes (in
 *  a buffer reused by the next call: pass it to wasm at once, with nothing
 *  of the app's running in between), bytes as an exact copy
 *  (`ownBytes`); anything else refused. */
export function inputBytes(input: unknown): Uint8Array {
  if (typeof input === "string") {
    if (input.length > MAX_INPUT) throw tooLarge(input.length);
    const { read, written } = encoder.encodeInto(input, scratch);
    return read === input.length ? scratch.subarray(0, written) : encoder.encode(input);
  }
  if (isBytes(input)) return ownBytes(input);
  throw new PermsnapError("invalid_argument", NOT_INPUT);
}

/** @internal A copy of `bytes` made from the array's own storage: a
 *  subclass or a proxy may report another `length` than it holds, and
 *  wasm would read past what was copied; a `Buffer` may change during an
 *  await. Anything else as it is, for wasm to refuse; text or bytes over
 *  `MAX_INPUT` refused here (`too_large`). */
export function ownBytes<T>(input: T): T | Uint8Array {
  if (typeof input === "string" && input.length > MAX_INPUT) throw tooLarge(input.length);
  if (!isBytes(input)) return input;
  let copy: Uint8Array;
  try {
    copy = new Uint8Array(input);
  } catch {
    throw new PermsnapError("invalid_argument", NOT_INPUT);
  }
  if (copy.length > MAX_INPUT) throw tooLarge(copy.length);
  return copy;
}

/** @internal Calls into wasm: an error it throws arrives as a
 *  `PermsnapError` (see `rethrow`). */
export function wasmCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    rethrow(e);
  }
}

/** @internal Re-throws a wasm error as a `PermsnapError` (the wasm error
 *  kept as `cause`). */
export function rethrow(e: unknown): never {
  if (e instanceof Error && e.name === "PermsnapError") {
    throw new PermsnapError((e as Error & { code: ErrorCode }).code, e.message, { cause: e });
  }
  throw e;
}

/** @internal `v` with every object and array in it frozen: data handed
 *  out and read again later. */
export function frozen<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
}

/** @internal `unknown_permission` for `name`, in both entries' `can`.
 *  Not String(name): a symbol has no conversion to text, and an object's
 *  own `toString` may throw, which would escape untyped (attack review,
 *  session 19). */
export function unknownPermission(name: unknown): never {
  if (typeof name !== "string") {
    throw new PermsnapError("unknown_permission", `a permission is a name or a Permission made by \`verifier.permission(name)\` of this entry, not ${name === null ? "null" : typeof name} (one of another permsnap entry or build is not one)`);
  }
  throw new PermsnapError("unknown_permission", `unknown permission \`${name}\`: it is not in the catalog (check the spelling)`);
}

/** @internal The length of `v` (a list `list` took), or
 *  `invalid_argument` when a Proxy's trap or a getter throws reading it
 *  (attack review, session 23). */
export function lengthOf(v: readonly unknown[], what: string): number {
  try {
    return v.length;
  } catch (e) {
    unreadableAs(e, what);
  }
}

/** @internal `v instanceof Uint8Array`, or `invalid_argument` when that
 *  cannot be told: a Proxy whose `getPrototypeOf` trap throws (attack
 *  review, session 23). */
export function isBytes(v: unknown): v is Uint8Array {
  if (typeof v !== "object" || v === null) return false;
  try {
    return v instanceof Uint8Array;
  } catch (e) {
    unreadableAs(e, "the argument");
  }
}

/** @internal `v` when it is an array, else `invalid_argument`. */
export function list<T>(v: readonly T[], what: string): readonly T[] {
  let array: boolean;
  try {
    array = Array.isArray(v); // a revoked Proxy throws
  } catch (e) {
    unreadableAs(e, what);
  }
  if (!array) throw new PermsnapError("invalid_argument", `${what} is an array, not ${v === null ? "null" : typeof v}`);
  return v;
}

/** @internal A record's getter, `toJSON` or Proxy trap threw `e`:
 *  `invalid_argument` (the app's error kept as `cause`), as every error of
 *  the package is typed. Nothing partial is returned. */
export function unreadable(e: unknown): never {
  if (e instanceof PermsnapError) throw e;
  throw new PermsnapError("invalid_argument", "a record could not be read: a getter, `toJSON` or Proxy trap of it threw (the `cause`)", { cause: e });
}

/** @internal `s`, as the engine's one shared copy of that text (the key
 *  of a property is interned; `Object.keys` gives it back): `can("x")`
 *  with a literal then compares pointers. */
export function interned(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

/** @internal What a verifier's `clock` answers, read once and as a number
 *  of seconds since the Unix epoch: a clock that throws (typed: attack
 *  review, session 19), or answers `undefined` (a `return` left out), NaN
 *  or a negative number is refused, never replaced by the platform's
 *  clock, which the app's was there to correct (review, session 14). */
export function readClock(clock: () => unknown): number {
  let t: unknown;
  try {
    t = clock();
  } catch (e) {
    throw new PermsnapError("invalid_argument", "`clock` threw", { cause: e });
  }
  if (typeof t !== "number" || !Number.isFinite(t) || t < 0) {
    throw new PermsnapError("invalid_argument", `\`clock\` returned ${typeof t === "number" ? String(t) : typeof t}, not a number of seconds since the Unix epoch`);
  }
  return t;
}

// Why an entry's API is not usable yet, shared by the loaders of both
// kinds of build (init.ts: wasm-bindgen; browser/wasm.ts: the small core).
// A Node entry that could not initialise itself (nodeinit.ts: no .wasm
// beside a bundle) says why, with the error it met as the `cause`, and how
// `init()` reads its .wasm instead (a URL of a file cannot be fetched
// there).

let missing = "call init() or initSync() first";
let missingCause: unknown;
let nodeSource: (() => Promise<ArrayBufferView>) | undefined;

/** @internal `e`'s message, whatever was thrown. */
export function describe(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "an error that cannot be printed";
  }
}

/** @internal An entry that could not initialise itself (nodeinit.ts)
 *  says why, with the error it met; `source`, when given, is what `init()`
 *  without arguments reads the module from instead. */
export function cannotInitialize(why: string, cause?: unknown, source?: () => Promise<ArrayBufferView>): void {
  missing = why;
  missingCause = cause;
  if (source) nodeSource = source;
}

/** @internal Where `init()` without arguments reads the module from, when
 *  a Node entry said so (`cannotInitialize`). */
export function nodeFile(): (() => Promise<ArrayBufferView>) | undefined {
  return nodeSource;
}

/** @internal The error for an API used before initialisation: `what`
 *  cannot be done yet, and why. */
export function notInitialized(what = "permsnap's WebAssembly module is not loaded"): PermsnapError {
  return new PermsnapError("not_initialized", `${what}: ${missing}`, missingCause === undefined ? undefined : { cause: missingCause });
}
