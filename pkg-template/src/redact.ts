// Redaction of records in plain JavaScript, from the description wasm
// decides (`Permissions.redaction(kind)`): which fields are removed and
// which are masked. Field names may be paths (`client.email`): the objects
// along the path are copied (arrays element by element), never mutated.
//
// Copies are plain objects. A record's own `__proto__` key is copied as an
// own property (never as the copy's prototype), so a hidden field cannot be
// smuggled back in through the prototype chain.

import { PermsnapError } from "./errors.js";

export interface Redaction {
  kind: string;
  remove: string[];
  mask: Array<{ field: string; with: string }>;
}

type Rec = Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `copy[k] = v`, except that `__proto__` becomes an own property, and a
 *  `toJSON` method is left out: JSON would send what it returns (the
 *  record before redaction), not the copy. */
function put(copy: Rec, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  else if (k !== "toJSON" || typeof v !== "function") copy[k] = v;
}

/** What JSON would send of `v`: its `toJSON()` when it has one, called once
 *  as `JSON.stringify` does. An ORM's instance (Sequelize, Mongoose) keeps
 *  its fields behind getters or in an inner store, at the top of a record
 *  or inside it (`{ ...row, client: clientInstance }`): what is redacted is
 *  what it sends. */
function sent(v: unknown): unknown {
  if (typeof v === "object" && v !== null) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const out: unknown = toJSON.call(v);
      // Text (the row as JSON, say) cannot be looked into: what it holds
      // would pass unredacted.
      if (typeof out !== "object" || out === null) {
        throw new PermsnapError("invalid_argument", `a record's toJSON() gave ${out === null ? "null" : typeof out}, not an object: redact cannot look into it for hidden fields`);
      }
      return out;
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
  if (!isRecord(child)) return child;
  const copy = shallowCopy(child);
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

/** A redaction made ready for `redactOne`, once per kind and person. */
export interface RedactPlan {
  /** Top-level fields removed. */
  drop: ReadonlySet<string>;
  /** Allow-list mode (`keep`): the only top-level keys kept. */
  allow: ReadonlySet<string> | null;
  /** Top-level fields masked. */
  mask: ReadonlyArray<{ field: string; with: string }>;
  /** Fields inside nested objects (paths), removed or masked. */
  nested: ReadonlyArray<{ path: Path; action: Action }>;
}

/** The plan of `redaction` (with `options`). */
export function planRedaction(redaction: Redaction, options: RedactOptions = {}): RedactPlan {
  return {
    drop: new Set(redaction.remove.filter((f) => !f.includes("."))),
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
export function redactOne(plan: RedactPlan, record: Rec): Rec {
  // `sent`, called only when there is a `toJSON`: on a plain record the
  // missing-property read is the whole cost (a call per record was 8% of
  // a 10,000-record redact).
  let r = record;
  if (typeof r === "object" && r !== null && typeof (r as { toJSON?: unknown }).toJSON === "function") r = sent(r) as Rec;
  const copy: Rec = {};
  const { drop, allow, mask, nested } = plan;
  if (allow === null) {
    for (const k in r) if (!drop.has(k)) put(copy, k, r[k]);
  } else {
    for (const k in r) if (allow.has(k) && !drop.has(k)) put(copy, k, r[k]);
  }
  for (let j = 0; j < mask.length; j++) {
    const m = mask[j];
    if (hasOwn.call(copy, m.field)) put(copy, m.field, m.with);
  }
  for (let j = 0; j < nested.length; j++) applyAt(copy, nested[j].path, 0, nested[j].action);
  return copy;
}
