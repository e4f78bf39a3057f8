// Plain data to JSON text for the Rust readers: route tables (the edge
// gate) and records, roles and options (the issuer). Not in the browser
// build, which reads no such input.

import { PermsnapError } from "./errors.js";
import type { ErrorCode } from "./types.js";

/** @internal `value` as JSON text, after checking it is plain data: only
 *  plain objects, arrays, strings, finite numbers, booleans and `null`
 *  (and `Date`s, written as their ISO text). A member left
 *  `undefined` (a mistyped constant), a getter, a function or a class
 *  instance would vanish or change in `JSON.stringify` and could loosen a
 *  rule: refused with `code`, naming where (`what.key[3]`). What is
 *  written is a copy made of the values checked, not `value` again: an
 *  array's own `toJSON` or a Proxy's `get` trap answering otherwise than
 *  its property descriptors dropped a record's `remove` from what was
 *  signed (attack review, session 23). A getter or trap that throws is
 *  `code` too, the app's error as `cause`. */
export function plainJson(value: unknown, what: string, code: ErrorCode): string {
  const copy = (v: unknown, at: string, depth = 0): unknown => {
    if (depth > 32) throw new PermsnapError(code, `${at}: nested too deep (a cycle?)`);
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new PermsnapError(code, `${at} is not a finite number`);
      // Past 2^53 a JavaScript number has already lost its last digits: a
      // counter `version` and `version + 1` read the same (attack review,
      // session 18).
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
        throw new PermsnapError(code, `${at} is ${v}, past 2^53 - 1: a JavaScript number cannot hold that integer exactly`);
      }
      return v;
    }
    if (v instanceof Date) {
      // The date itself (the intrinsic `toISOString`, not a `toJSON` of the
      // object's own); an invalid one `null`, as JSON writes it (a MySQL
      // zero date in an ignored column).
      return Number.isFinite(Date.prototype.getTime.call(v)) ? Date.prototype.toISOString.call(v) : null;
    }
    if (Array.isArray(v)) {
      const n = v.length;
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        if (!(i in v)) throw new PermsnapError(code, `${at}[${i}] is a hole`);
        out[i] = copy(v[i], `${at}[${i}]`, depth + 1);
      }
      return out;
    }
    if (typeof v !== "object") throw new PermsnapError(code, `${at} is ${v === undefined ? "undefined" : `a ${typeof v}`}: only plain JSON data`);
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new PermsnapError(code, `${at} is not a plain object (a class instance or an object with a prototype)`);
    }
    // No prototype: a `__proto__` key is a key like any other.
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Reflect.ownKeys(v)) {
      if (typeof key === "symbol") throw new PermsnapError(code, `${at} has a symbol key`);
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (!d || !("value" in d)) throw new PermsnapError(code, `${at}.${key} is a getter: only plain JSON data`);
      if (!d.enumerable) throw new PermsnapError(code, `${at}.${key} is not enumerable`);
      out[key] = copy(d.value, `${at}.${key}`, depth + 1);
    }
    return out;
  };
  try {
    return JSON.stringify(copy(value, what));
  } catch (e) {
    if (e instanceof PermsnapError) throw e;
    throw new PermsnapError(code, `${what} could not be read: a getter or Proxy trap threw (the \`cause\`)`, { cause: e });
  }
}
