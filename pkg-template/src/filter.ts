// The record filter in plain JavaScript, from the description wasm decides
// (`Permissions.filterSpec(kind)`); the Rust core applies the same
// description (tests check both agree).

import type { RecordFilter } from "./types.js";

type Rec = Record<string, unknown>;

/** A filter description and the function applying it to a list. */
export interface CompiledFilter { spec: RecordFilter; run: (records: readonly Rec[]) => Rec[] }

/** Turns a filter description into a fast runner, with the semantics of
 *  `RecordFilter::matches` in the Rust core: a clause matches when the
 *  record's field is a string among the values, a number whose decimal form
 *  is among them, or an array holding such an element.
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
  const one = (x: unknown, i: number): boolean =>
    (typeof x === "string" && sets[i].has(x)) || (typeof x === "number" && sets[i].has(String(x)));
  /** Clause `i` on value `v`, once `v === ones[i]` has failed. */
  const hit = (v: unknown, i: number): boolean => {
    if (typeof v === "string") return ones[i] === NONE && sets[i].has(v);
    if (typeof v === "number") return one(v, i);
    if (Array.isArray(v)) {
      for (const x of v) if (one(x, i)) return true;
    }
    return false;
  };
  const [f0, f1, f2] = fields;
  const [o0, o1, o2] = ones;
  let run: (records: readonly Rec[]) => Rec[];
  if (n === 1) {
    run = (records) => {
      const out: Rec[] = [];
      for (let j = 0; j < records.length; j++) {
        const r = records[j];
        const a = r?.[f0];
        if (a === o0 || hit(a, 0)) out.push(r);
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
        if (a === o0 || b === o1 || hit(a, 0) || hit(b, 1)) out.push(r);
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
        if (a === o0 || b === o1 || c === o2 || hit(a, 0) || hit(b, 1) || hit(c, 2)) out.push(r);
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
          if (v === ones[i] || hit(v, i)) {
            out.push(r);
            break;
          }
        }
      }
      return out;
    };
  }
  // A field name `Object.prototype` holds (polluted by other code of the
  // page or server, or a built-in name): `r[field]` would read that value
  // for every record without the field of its own, so these records are
  // read field by field, own values only, unless the record's own class
  // gives it (an ORM's getter).
  const fast = run;
  const safe = (records: readonly Rec[]): Rec[] => {
    const out: Rec[] = [];
    for (let j = 0; j < records.length; j++) {
      const r = records[j];
      for (let i = 0; i < n; i++) {
        const v = fieldOf(r, fields[i]);
        if (v === ones[i] || hit(v, i)) {
          out.push(r);
          break;
        }
      }
    }
    return out;
  };
  return { spec, run: (records) => (fields.some((f) => f in Object.prototype) ? safe(records) : fast(records)) };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** `r[field]`, except a value `Object.prototype` gives: undefined. */
function fieldOf(r: Rec | null | undefined, field: string): unknown {
  if (r === null || r === undefined) return undefined;
  const v = r[field];
  return v !== undefined && !hasOwn.call(r, field) && v === (Object.prototype as Rec)[field] ? undefined : v;
}
