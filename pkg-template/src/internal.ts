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
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (!known.includes(k)) {
      throw new PermsnapError("invalid_argument", `unknown key \`${k}\` in ${what} (known: ${known.join(", ")})`);
    }
    if (v !== undefined) out[k] = v;
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
