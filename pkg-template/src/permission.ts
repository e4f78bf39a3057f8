// A permission resolved once by name (`verifier.permission(name)`, which
// throws for a name not in the catalog): `can(handle)` then reads the
// answer without looking the name up again. A typo fails where the handle
// is made (an app's start-up), not at the first check that reaches it.

import type { PermissionName } from "./types.js";

/** @internal Makes the handle of permission `name`, at `index` in the
 *  catalog of `scope` (what a verifier and its permissions share). */
export let permissionHandle: (scope: object, name: string, index: number) => Permission;

/** @internal `h`'s index when it is a handle made in `scope`; -1 for a
 *  handle of another verifier (look its name up); -2 for anything that is
 *  not a handle of this build. */
export let handleIndex: (h: unknown, scope: object) => number;

/** @internal `h`'s name when it is a handle of this build, else undefined. */
export let handleName: (h: unknown) => string | undefined;

/** A permission of a verifier's catalog, from `verifier.permission(name)`.
 *  Any `Permissions` answers it as it answers its name: those of the same
 *  verifier without looking the name up; a handle of another verifier is
 *  answered by its name (`unknown_permission` when that catalog has no
 *  such permission). */
export class Permission {
  /** The permission's name in the catalog. */
  readonly name: PermissionName;
  #scope: object;
  #index: number;

  private constructor(scope: object, name: string, index: number) {
    this.#scope = scope;
    this.#index = index;
    this.name = name as PermissionName;
    Object.freeze(this);
  }

  static {
    permissionHandle = (scope, name, index) => new Permission(scope, name, index);
    handleIndex = (h, scope) => {
      if (typeof h !== "object" || h === null || !(#index in h)) return -2;
      return h.#scope === scope ? h.#index : -1;
    };
    handleName = (h) => (typeof h === "object" && h !== null && #index in h ? h.name : undefined);
  }
}
