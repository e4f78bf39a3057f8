// Helpers the package's own modules share: turning wasm errors and bad
// arguments into `PermsnapError`. Not part of the API: no entry re-exports
// this module and the package's `exports` map does not reach it.

import { PermsnapError } from "./errors.js";
import type { ErrorCode } from "./types.js";

/** @internal `JSON.parse`, refusing with `code`. */
export function parseJson(text: string, code: ErrorCode): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PermsnapError(code, `not JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** @internal Reads an options object strictly: anything but a plain object
 *  (or `undefined`) and any key not in `known` is an error, so a misspelt
 *  option cannot be silently ignored. Keys whose value is `undefined` count
 *  as absent. */
export function strictOptions(options: unknown, known: readonly string[], what: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new PermsnapError("invalid_argument", `${what} are an object`);
  }
  // Only own, enumerable, string keys count: an object whose prototype
  // carries options (`Object.create({ keep })`) or that hides one behind a
  // symbol or a non-enumerable key would be read differently than it looks.
  const proto = Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) {
    throw new PermsnapError("invalid_argument", `${what} are a plain object (not a class instance or an object with a prototype)`);
  }
  for (const k of Reflect.ownKeys(options)) {
    if (typeof k === "symbol" || !Object.getOwnPropertyDescriptor(options, k)?.enumerable) {
      throw new PermsnapError("invalid_argument", `${what} hold a symbol or non-enumerable key`);
    }
  }
  // No prototype: a key the app left out reads `undefined`, whatever an
  // `Object.prototype` polluted elsewhere in the page holds.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(options)) {
    if (!known.includes(k)) {
      throw new PermsnapError("invalid_argument", `unknown key \`${k}\` in ${what} (known: ${known.join(", ")})`);
    }
    if (v !== undefined) out[k] = v;
  }
  return out;
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
 *  made before it reaches wasm: plain objects become objects without a
 *  prototype holding their own enumerable keys, arrays fresh arrays,
 *  `Uint8Array`s and primitives stay as they are. Refused with `code`: a
 *  value that is not plain data (a `Map`, a `Date`, a class instance, a
 *  function, a symbol or non-enumerable key), nesting deeper than 16, or a
 *  getter, proxy or iterator of the app that throws (its error as
 *  `cause`). So wasm reads only own data — nothing an `Object.prototype`
 *  polluted elsewhere holds — and none of the app's code runs while a wasm
 *  object is borrowed (an exception there would leave it unusable). */
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
  if (v instanceof Uint8Array) return v;
  if (depth >= 16) throw new PermsnapError(code, `${what} are nested too deeply`);
  if (Array.isArray(v)) {
    const n = v.length;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(copyPlain(v[i], what, code, depth + 1));
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new PermsnapError(code, `${what} hold a ${(v as object).constructor?.name ?? "non-plain object"}: expected plain objects`);
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (typeof k === "symbol" || !d?.enumerable) {
      throw new PermsnapError(code, `${what} hold a symbol or non-enumerable key`);
    }
    if (!("value" in d)) throw new PermsnapError(code, `${what} hold a getter (\`${k}\`): expected plain data`);
    out[k] = typeof d.value === "function" && functions.includes(k) ? d.value : copyPlain(d.value, what, code, depth + 1);
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
const MAX_INPUT = 16 << 20;

function tooLarge(size: number): PermsnapError {
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
  if (input instanceof Uint8Array) return ownBytes(input);
  throw new PermsnapError("invalid_argument", NOT_INPUT);
}

/** @internal A copy of `bytes` made from the array's own storage: a
 *  subclass or a proxy may report another `length` than it holds, and
 *  wasm would read past what was copied; a `Buffer` may change during an
 *  await. Anything else as it is, for wasm to refuse; text or bytes over
 *  `MAX_INPUT` refused here (`too_large`). */
export function ownBytes<T>(input: T): T | Uint8Array {
  if (typeof input === "string" && input.length > MAX_INPUT) throw tooLarge(input.length);
  if (!(input instanceof Uint8Array)) return input;
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
