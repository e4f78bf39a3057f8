// A permission resolved once by name (`verifier.permission(name)`, which
// throws for a name not in the catalog): `can(handle)` then reads the
// answer without looking the name up again. A typo fails where the handle
// is made (an app's start-up), not at the first check that reaches it.

import { PermsnapError } from "./errors.js";
import { text, unknownPermission } from "./internal.js";
import type { PermissionName } from "./types.js";

/** Only this module makes handles (`new` of the class, or of a subclass,
 *  without it is refused). */
const MAKING = Symbol("making");
const define = Object.defineProperty;
const freeze = Object.freeze;

/** @internal `verifier.permission(name)`: the handle of `name` kept in
 *  `handles`, made on the first ask with its index in the catalog of
 *  `scope` (what a verifier and its permissions share), which `indexOf`
 *  finds (-1: `unknown_permission`). */
export let permissionOf: (handles: Map<string, Permission>, scope: object, name: unknown, indexOf: (name: string) => number) => Permission;

/** @internal `h`'s index when it is a handle made in `scope`; -1 for a
 *  handle of another verifier (look its name up); -2 for anything that is
 *  not a handle of this build. */
export let handleIndex: (h: unknown, scope: object) => number;

/** @internal The permission name `x` stands for: `x` itself, or a
 *  handle's name; anything else as it is (refused by the caller as no
 *  name). */
export let nameOf: (x: unknown) => unknown;

/** A permission of a verifier's catalog, from `verifier.permission(name)`.
 *  Every method of `Permissions` that takes a permission name takes it
 *  too: those of the same verifier answer it without looking the name up;
 *  a handle of another verifier is answered by its name
 *  (`unknown_permission` when that catalog has no such permission). */
export class Permission {
  /** The permission's name in the catalog. */
  declare readonly name: PermissionName;
  #scope: object;
  #index: number;

  private constructor(making: symbol, scope: object, name: string, index: number) {
    if (making !== MAKING) throw new PermsnapError("invalid_argument", "a Permission comes from `verifier.permission(name)`");
    this.#scope = scope;
    this.#index = index;
    define(this, "name", { value: name, enumerable: true });
    freeze(this);
  }

  static {
    permissionOf = (handles, scope, name, indexOf) => {
      let h = handles.get(name as string);
      if (h === undefined) {
        const i = indexOf(text(name, "a permission name"));
        if (i < 0) unknownPermission(name);
        handles.set(name as string, (h = new Permission(MAKING, scope, name as string, i)));
      }
      return h;
    };
    handleIndex = (h, scope) => {
      if (typeof h !== "object" || h === null || !(#index in h)) return -2;
      return h.#scope === scope ? h.#index : -1;
    };
    nameOf = (x) => (typeof x === "object" && x !== null && #index in x ? x.name : x);
  }
}
