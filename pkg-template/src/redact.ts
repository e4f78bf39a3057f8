// Redaction of records in plain JavaScript, from the description wasm
// decides (`Permissions.redaction(kind)`): which fields are removed and
// which are masked. Field names may be paths (`client.email`): the objects
// along the path are copied (arrays element by element), never mutated.
//
// Copies are plain objects. A record's own `__proto__` key is left out: as
// the copy's prototype it would hand hidden fields back, and as an own key
// it does so at the next `Object.assign` or spread of the copy (attack
// review, session 15). A record is an object: an array, a string or a boxed
// primitive (a list passed as one record, a JSON column as text) is refused,
// as their items or characters would be copied unredacted.

import { PermsnapError } from "./errors.js";
import { strictOptions, unreadableAs } from "./internal.js";

export interface Redaction {
  kind: string;
  remove: string[];
  mask: Array<{ field: string; with: string }>;
}

type Rec = Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

/** `copy[k] = v`, except that a `__proto__` key and a `toJSON` method are
 *  left out: JSON would send what `toJSON` returns (the record before
 *  redaction), not the copy. */
function put(copy: Rec, k: string, v: unknown): void {
  if (k !== "__proto__" && (k !== "toJSON" || typeof v !== "function")) copy[k] = v;
}

const protoOf = Object.getPrototypeOf;

const stringValue = String.prototype.valueOf;

/** What a value is to redaction: a record to copy, an array, text or
 *  bytes (in which fields cannot be found), or anything else (kept as it
 *  is). A plain object is told at once; another object by what it is, not
 *  by what it says (`Symbol.toStringTag` can say anything): a `String`
 *  object is text, a typed array or `Buffer` bytes. (A wrapper holding a
 *  row under some key, `arguments` too, is a record like any other: only
 *  the catalog's fields are redacted in it.) */
function shapeOf(v: unknown): "record" | "array" | "text" | "bytes" | "other" {
  if (typeof v === "string") return "text";
  if (typeof v !== "object" || v === null) return "other";
  if (Array.isArray(v)) return "array";
  if (protoOf(v) === Object.prototype) return "record";
  if (ArrayBuffer.isView(v)) return "bytes";
  try {
    stringValue.call(v); // throws unless `v` is a String object, of any realm
    return "text";
  } catch {
    // not a String object
  }
  return "record";
}

/** `v` as a record of `what`, or `invalid_argument`. */
function recordOf(v: unknown, what: string): Rec {
  const shape = shapeOf(v);
  if (shape === "record") return v as Rec;
  throw new PermsnapError("invalid_argument", `${what} is ${described(v, shape)}, not an object: redact cannot look into it for hidden fields`);
}

function described(v: unknown, shape: string): string {
  if (v === null) return "null";
  if (shape === "text") return "text (a JSON column? parse it first)";
  if (shape === "bytes") return "bytes (a JSON column? decode and parse it first)";
  return shape === "array" ? "an array (a list passed as one record?)" : typeof v;
}

/** What JSON would send of `v`: its `toJSON()` when it has one, called once
 *  as `JSON.stringify` does. An ORM's instance (Sequelize, Mongoose) keeps
 *  its fields behind getters or in an inner store, at the top of a record
 *  or inside it (`{ ...row, client: clientInstance }`): what is redacted is
 *  what it sends. */
function sent(v: unknown): unknown {
  // Bytes first: a `Buffer`'s toJSON() is `{ type, data }`, its bytes a
  // record's field redact never looks into.
  if (ArrayBuffer.isView(v)) recordOf(v, "a record or field");
  if (typeof v === "object" && v !== null) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const out: unknown = toJSON.call(v);
      // Text (the row as JSON, say) cannot be looked into: what it holds
      // would pass unredacted. An array is looked into, as any array is.
      if (shapeOf(out) === "array") return out;
      return recordOf(out, "what a record's toJSON() gave");
    }
  }
  return v;
}

function shallowCopy(src: Rec): Rec {
  const copy: Rec = {};
  for (const k in src) put(copy, k, src[k]);
  return copy;
}

type Action = { remove: true } | { remove: false; with: string };

/** A field path, with each run of its parts joined once (`keys[i][j]` is
 *  `parts[i..=j]` joined with dots), not per record. */
interface Path {
  parts: readonly string[];
  keys: readonly (readonly string[])[];
}

function pathOf(field: string): Path {
  const parts = field.split(".");
  return { parts, keys: parts.map((_, i) => parts.map((_, j) => parts.slice(i, j + 1).join("."))) };
}

/** Applies `action` at `parts[i..]` inside `obj` (a copy this module owns).
 *  The rest of the path may also be one key (`"client.email"` at the top,
 *  as SQL builders flatten joined rows), or flattened part of the way
 *  (`client: { "contact.email": ... }`): each is the same field, the
 *  longest run first. */
function applyAt(obj: Rec, path: Path, i: number, action: Action): void {
  const last = path.parts.length - 1;
  for (let j = last; j >= i; j--) {
    const k = path.keys[i][j];
    if (!hasOwn.call(obj, k)) continue;
    if (j === last) {
      if (action.remove) delete obj[k];
      else put(obj, k, action.with);
    } else {
      put(obj, k, inside(obj[k], path, j + 1, action));
    }
  }
}

/** What `value` sends (`sent`) with `action` applied at `parts[i..]` in
 *  it: a record copied, an array element by element (arrays of arrays
 *  too), anything else as it is. */
function inside(value: unknown, path: Path, i: number, action: Action, depth = 0): unknown {
  const child = sent(value);
  if (Array.isArray(child)) {
    // A cycle (an array holding itself) would never end: refused, not
    // passed through unredacted.
    if (depth >= 16) throw new PermsnapError("invalid_argument", `arrays nested more than 16 deep under \`${path.keys[0][i - 1]}\`: cannot redact \`${path.keys[0][path.parts.length - 1]}\` in them`);
    return child.map((c) => inside(c, path, i, action, depth + 1));
  }
  const shape = shapeOf(child);
  // A JSON column read as text would keep the field unredacted: text that
  // may be JSON (an object, an array, or JSON text encoded again) is
  // refused; other text (a name) holds no fields.
  if (shape === "text" && /^\s*["[{]/.test(String(child))) recordOf(child, `\`${path.keys[0][i - 1]}\``);
  if (shape !== "record") return child;
  const copy = shallowCopy(child as Rec);
  applyAt(copy, path, i, action);
  return copy;
}

/** Options of `Permissions.redact`. */
export interface RedactOptions {
  /** Allow-list mode, for kinds whose shape the app knows: only these
   *  top-level keys are kept (hidden fields still go). Anything the record
   *  carries beyond them — a field the catalog never declared — is dropped. */
  keep?: readonly string[];
}

/** The options of `Permissions.redact`, read strictly and copied: `keep`
 *  an array of field names, taken before anything is planned with it (a
 *  Proxy or getter of the app that throws is `invalid_argument`: attack
 *  review, session 20). */
export function redactOptions(options: unknown): RedactOptions {
  const opts = strictOptions(options, ["keep"], "redact options");
  if (opts.keep === undefined) return {};
  let keep: unknown[] | null = null;
  try {
    keep = Array.isArray(opts.keep) ? Array.from(opts.keep as unknown[]) : null;
  } catch (e) {
    unreadableAs(e, "`keep`");
  }
  if (keep === null || !keep.every((k) => typeof k === "string")) throw new PermsnapError("invalid_argument", "`keep` is an array of field names");
  return { keep: keep as string[] };
}

/** A redaction made ready for `redactOne`, once per kind and person. */
export interface RedactPlan {
  /** Top-level fields removed, as a list: a record's few keys compared
   *  with a few names is faster than a hash lookup per key (`Set.has`),
   *  and redaction's cost is that loop. */
  drop: readonly string[];
  /** Allow-list mode (`keep`): the only top-level keys kept. */
  allow: ReadonlySet<string> | null;
  /** Top-level fields masked. */
  mask: ReadonlyArray<{ field: string; with: string }>;
  /** Fields inside nested objects (paths), removed or masked. */
  nested: ReadonlyArray<{ path: Path; action: Action }>;
}

/** `names` without repeats, each as the engine's own copy of that key
 *  (the string a `for…in` gives): names that came out of wasm are fresh
 *  strings, which `===` compares character by character (a 10,000-record
 *  redact was 15% slower with them). */
function keyStrings(names: readonly string[]): string[] {
  const keys: Rec = Object.create(null) as Rec; // `__proto__` is a key like any other
  for (const name of names) keys[name] = true;
  return Object.keys(keys);
}

/** The plan of `redaction` (with `options`). */
export function planRedaction(redaction: Redaction, options: RedactOptions = {}): RedactPlan {
  return {
    drop: keyStrings(redaction.remove.filter((f) => !f.includes("."))),
    allow: options.keep ? new Set(options.keep) : null,
    mask: redaction.mask.filter((m) => !m.field.includes(".")),
    nested: [
      ...redaction.remove.filter((f) => f.includes(".")).map((f) => ({ path: pathOf(f), action: { remove: true } as Action })),
      ...redaction.mask.filter((m) => m.field.includes(".")).map((m) => ({ path: pathOf(m.field), action: { remove: false, with: m.with } as Action })),
    ],
  };
}

/** A copy of `record` with `plan` applied. One function for every plan,
 *  its data passed in (not a closure per plan): the engine keeps one
 *  optimised copy however many kinds and people it redacts for, where a
 *  closure per plan made every plan after the first about 15% slower. */
function redactOne(plan: RedactPlan, record: Rec): Rec {
  // `sent`, called only when there is a `toJSON`: on a plain record the
  // missing-property read is the whole cost (a call per record was 8% of
  // a 10,000-record redact).
  let r = record;
  if (typeof r === "object" && r !== null && typeof (r as { toJSON?: unknown }).toJSON === "function") r = sent(r) as Rec;
  r = recordOf(r, "a record");
  const copy: Rec = {};
  const { drop, allow, mask, nested } = plan;
  const n = drop.length;
  next: for (const k in r) {
    if (allow !== null && !allow.has(k)) continue;
    for (let j = 0; j < n; j++) if (drop[j] === k) continue next;
    put(copy, k, r[k]);
  }
  for (let j = 0; j < mask.length; j++) {
    const m = mask[j];
    if (hasOwn.call(copy, m.field)) put(copy, m.field, m.with);
  }
  for (let j = 0; j < nested.length; j++) applyAt(copy, nested[j].path, 0, nested[j].action);
  return copy;
}

/** Copies of `records` with `plan` applied. */
export function redactAll(plan: RedactPlan, records: readonly Rec[]): Rec[] {
  const out: Rec[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) out[i] = redactOne(plan, records[i]);
  return out;
}
