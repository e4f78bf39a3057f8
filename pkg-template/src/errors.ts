// The one error class of the package. (The helpers turning wasm errors and
// bad arguments into it are in internal.ts, which no entry exports.)

import type { ErrorCode } from "./types.js";

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
