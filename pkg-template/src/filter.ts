// The record filter in plain JavaScript, from the description wasm decides
// (`Permissions.filterSpec(kind)`); the Rust core applies the same
// description (tests check both agree).

import type { RecordFilter } from "./types.js";

type Rec = Record<string, unknown>;

/** A filter description and the function applying it to a list. */
export interface CompiledFilter { spec: RecordFilter; run: (records: readonly Rec[]) => Rec[] }

/** Turns a filter description into a fast runner, with the semantics of
 *  `RecordFilter::matches` in the Rust core: a clause matches when the
 *  record's field (its own, `owned`) is a string among the values, a safe
 *  integer whose decimal form is among them, or an array holding such an
 *  element.
 *
 *  Speed: a scope has one to three clauses (owner fields, assignee, ids),
 *  usually with one accepted value (the person's id). For up to three
 *  clauses the loop is written out with one property read per clause at its
 *  own site and a plain `===` first, so V8 keeps every read monomorphic;
 *  anything else (numbers, arrays, several values) takes `hit`. The
 *  repetition of the 1/2/3-clause loops below is deliberate: folding them
 *  into the general loop makes the reads polymorphic and filtering slower. */
export function compileFilter(spec: RecordFilter): CompiledFilter {
  const n = spec.clauses.length;
  const fields = spec.clauses.map((c) => c.field);
  // A clause's single accepted value, or a value no record field can hold.
  const NONE = Symbol("none");
  const ones: Array<string | symbol> = spec.clauses.map((c) => (c.values.length === 1 ? c.values[0] : NONE));
  const sets = spec.clauses.map((c) => new Set(c.values));
  // A number matches only as a safe integer: `JSON.parse` rounds larger
  // ones (a 64-bit id `9007199254740993` reads as ...992, another record's),
  // and `NaN` or `1e21` are no ids (attack review, session 15).
  const one = (x: unknown, i: number): boolean =>
    (typeof x === "string" && sets[i].has(x)) || (typeof x === "number" && Number.isSafeInteger(x) && sets[i].has(String(x)));
  /** Clause `i` on value `v`, once `v === ones[i]` has failed. */
  const hit = (v: unknown, i: number): boolean => {
    if (typeof v === "string") return ones[i] === NONE && sets[i].has(v);
    if (typeof v === "number") return one(v, i);
    if (Array.isArray(v)) {
      // By index, the items the array holds itself: a hole would read a
      // polluted prototype's value, its own iterator could yield others.
      const len: unknown = v.length;
      const n = typeof len === "number" && len >= 0 ? Math.floor(Math.min(len, MAX_ITEMS)) : 0;
      for (let k = 0; k < n; k++) if (hasOwn.call(v, k) && one(v[k], i)) return true;
    }
    return false;
  };
  const [f0, f1, f2] = fields;
  const [o0, o1, o2] = ones;
  // A matching value counts only when the record holds it (`owned`); read
  // on a match only, a check that costs nothing on the records left out.
  let run: (records: readonly Rec[]) => Rec[];
  if (n === 1) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r?.[f0];
        if ((a === o0 || hit(a, 0)) && owned(r, f0)) out.push(r);
      }
      return out;
    };
  } else if (n === 2) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r?.[f0];
        const b = r?.[f1];
        if (((a === o0 || hit(a, 0)) && owned(r, f0)) || ((b === o1 || hit(b, 1)) && owned(r, f1))) out.push(r);
      }
      return out;
    };
  } else if (n === 3) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r?.[f0];
        const b = r?.[f1];
        const c = r?.[f2];
        if (((a === o0 || hit(a, 0)) && owned(r, f0)) || ((b === o1 || hit(b, 1)) && owned(r, f1)) || ((c === o2 || hit(c, 2)) && owned(r, f2))) out.push(r);
      }
      return out;
    };
  } else {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        for (let i = 0; i < n; i++) {
          const v = r?.[fields[i]];
          if ((v === ones[i] || hit(v, i)) && owned(r, fields[i])) {
            out.push(r);
            break;
          }
        }
      }
      return out;
    };
  }
  return { spec, run };
}

const hasOwn = Object.prototype.hasOwnProperty;
const protoOf = Object.getPrototypeOf;
const ownDescriptor = Object.getOwnPropertyDescriptor;

/** The most items of an array field read (an assignee list): a Proxy
 *  claiming a length of billions is not walked. As in the Rust reference. */
const MAX_ITEMS = 65_536;

/** Does record `r` hold `field` itself, or through a getter of its own
 *  class (an ORM's model)? Not when only a root prototype holds it (an
 *  `Object.prototype` other code may have polluted, this realm's or
 *  another's: an iframe's, a `vm` context's, jsdom's), nor as a plain
 *  value planted on a class's prototype (a merge through
 *  `constructor.prototype`): either would be every such record's. A record
 *  that is no object holds nothing; a chain longer than 64 (a Proxy
 *  inventing prototypes) is not followed. */
function owned(r: unknown, field: string): boolean {
  if (typeof r !== "object" || r === null) return false;
  if (hasOwn.call(r, field)) return true;
  let p: object | null = protoOf(r);
  for (let depth = 0; p !== null && depth < 64; depth++) {
    const d = ownDescriptor(p, field);
    const next: object | null = protoOf(p);
    // `get` of the descriptor itself: a data descriptor has none, and its
    // prototype's (polluted) must not answer for it.
    if (d !== undefined) return next !== null && hasOwn.call(d, "get") && typeof d.get === "function";
    p = next;
  }
  return false;
}
