// The one error class of the package, and the internal helpers that turn
// wasm errors and bad arguments into it. Internal helpers are exported for
// the package's own modules only: index.ts re-exports `PermsnapError` and
// `ErrorCode`, nothing else of this file.

const ERROR_BRAND = Symbol.for("permsnap.PermsnapError");

/** Every error permsnap throws. `code` is stable; `message` is for people.
 *  `instanceof PermsnapError` holds across the package's entries
 *  (`permsnap`, `permsnap/edge`), which each carry their own copy. */
export class PermsnapError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermsnapError";
    this.code = code;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
  }
}

/** Stable error codes. */
export type ErrorCode =
  | "no_snapshot" | "bad_encoding" | "truncated" | "too_large" | "bad_magic" | "unsupported_version"
  | "unknown_key" | "bad_signature" | "malformed" | "expired" | "not_yet_valid"
  | "wrong_tenant" | "wrong_catalog" | "revoked" | "unknown_permission" | "unknown_kind"
  | "invalid_key" | "invalid_policy" | "invalid_argument" | "not_initialized" | "unavailable";

export function parseJson(text: string, code: ErrorCode): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PermsnapError(code, `not JSON: ${(e as Error).message}`);
  }
}

/** Reads an options object strictly: anything but a plain object
 *  (or `undefined`) and any key not in `known` is an error, so a misspelt
 *  option cannot be silently ignored. Keys whose value is `undefined` count
 *  as absent. */
export function strictOptions(options: unknown, known: readonly string[], what: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new PermsnapError("invalid_argument", `${what} are an object`);
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

/** Re-throws a wasm error as a `PermsnapError`. */
export function rethrow(e: unknown): never {
  if (e instanceof Error && e.name === "PermsnapError") {
    throw new PermsnapError((e as Error & { code: ErrorCode }).code, e.message, { cause: e });
  }
  throw e;
}

