// permsnap/react: a provider for the current person's permissions, a
// `useCan` hook and a `<Can>` component. React is a peer dependency; this
// file is not part of the main entry, so apps without React never load it.
// Written without JSX so the package needs no build step of its own.
//
// Fails closed: `<Can>` renders its `fallback` (never its children) unless
// loaded, verified permissions allow. No provider, `null` permissions (still
// signing in), refused permissions (`loadOrDeny`'s `.error`), a misspelt or
// empty prop, an unknown permission name: all deny. Mistakes in the markup
// are reported with `console.error` (once per message), never thrown, so a
// typo cannot blank the page.

import { createContext, createElement, Fragment, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from "react";
import type { Permissions } from "./permissions.js";
import type { Session } from "./session.js";
import type { PermissionName } from "./types.js";
import { expiryListeners } from "./expiry.js";

/** The permissions, in a box made anew when they expire in place (the same
 *  object, now denying): consumers re-render on a new box. */
interface Current { permissions: Permissions | null }
const NONE: Current = { permissions: null };
const Context = createContext<Current>(NONE);

export type PermissionsProviderProps = {
  children?: ReactNode;
} & (
  | {
      /** What `await verifier.verify(...)` / `verifyOrDeny(...)` gave (or
       *  `load*` where verification is synchronous);
       *  `null` while signing in: everything is denied. */
      permissions: Permissions | null;
      session?: never;
    }
  | {
      /** A session (`createSession`): everything below re-renders on each
       *  swap (a refresh, a revocation, the expiry). With server rendering,
       *  create it with `initial` (the snapshot the server rendered with)
       *  and render after `await session.ready`, so that the first render
       *  on the client answers the same. */
      session: Session;
      permissions?: never;
    }
);

// `ref`: React 19 hands it to function components as a prop.
const PROVIDER_PROPS = new Set(["permissions", "session", "children", "ref"]);

/** Makes the permissions (given, or a session's current ones) available
 *  to `useCan`, `usePermissions` and `<Can>` below it. */
export function PermissionsProvider(props: PermissionsProviderProps) {
  // A misspelt prop (`permisions=`) or one it does not take (`tenant=`)
  // denied or was ignored without a word, where `<Can>` reports its own
  // (attack review, session 24): reported, and everything is denied.
  const unknown = Object.keys(props).filter((k) => !PROVIDER_PROPS.has(k));
  if (unknown.length > 0) {
    complain(`PermissionsProvider: unknown prop${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `\`${k}\``).join(", ")} (known: permissions, session, children): everything is denied`);
    return createElement(PlainProvider, { permissions: null }, props.children);
  }
  if (props.session === undefined) return createElement(PlainProvider, { permissions: props.permissions ?? null }, props.children);
  // `session={null}` (a session not made yet) or anything else that cannot
  // be subscribed to: everything below is denied, never a throw in the
  // middle of a render (attack review, session 14).
  const s = props.session as Partial<Session> | null;
  if (s === null || typeof s !== "object" || typeof s.subscribe !== "function" || !("permissions" in s)) {
    complain("PermissionsProvider's `session` is not a session (createSession): everything is denied");
    return createElement(PlainProvider, { permissions: null }, props.children);
  }
  // Both given (past the types, from JavaScript): which one the page
  // meant cannot be told (the session won).
  const { permissions, children } = props as { permissions?: unknown; children?: ReactNode };
  if (permissions !== undefined) {
    complain("PermissionsProvider takes `permissions` or `session`, not both: everything is denied");
    return createElement(PlainProvider, { permissions: null }, children);
  }
  return createElement(SessionProvider, { session: props.session }, props.children);
}

/** Given permissions: everything below renders again when they expire
 *  (what they allowed stops showing at once, not at the next render). */
function PlainProvider({ permissions, children }: { permissions: Permissions | null; children?: ReactNode }) {
  const subscribe = useCallback((changed: () => void) => {
    expiryListeners.add(changed);
    return () => void expiryListeners.delete(changed);
  }, []);
  const error = useCallback(() => errorOf(permissions), [permissions]);
  const refused = useSyncExternalStore(subscribe, error, error);
  const value = useMemo<Current>(() => ({ permissions }), [permissions, refused]);
  return createElement(Context.Provider, { value }, children);
}

function errorOf(p: Permissions | null): unknown {
  try {
    return (p as { error?: unknown } | null)?.error ?? null;
  } catch {
    return null; // not a Permissions object: `usable` reports it
  }
}

/** A session's permissions: everything below renders again at each swap,
 *  and when the ones in force expire without one (a closed session, a
 *  refresh that never came): what they allowed stops showing at once. */
function SessionProvider({ session, children }: { session: Session; children?: ReactNode }) {
  const subscribe = useCallback((changed: () => void) => {
    expiryListeners.add(changed);
    const unsubscribe = session.subscribe(changed);
    return () => {
      expiryListeners.delete(changed);
      unsubscribe();
    };
  }, [session]);
  const current = useCallback(() => session.permissions, [session]);
  const permissions = useSyncExternalStore(subscribe, current, current);
  const error = useCallback(() => errorOf(permissions), [permissions]);
  const refused = useSyncExternalStore(subscribe, error, error);
  const value = useMemo<Current>(() => ({ permissions }), [permissions, refused]);
  return createElement(Context.Provider, { value }, children);
}

/** The permissions of the nearest provider (`null` when there are none). */
export function usePermissions(): Permissions | null {
  return useContext(Context).permissions;
}

const reported = new Set<string>();

/** console.error, once per message (renders repeat). */
function complain(message: string) {
  if (reported.has(message)) return;
  reported.add(message);
  console.error(`permsnap/react: ${message}`);
}

/** The permissions to answer from, or `null` to deny everything. */
function usable(p: unknown, where: string): Permissions | null {
  if (p === null || p === undefined) return null;
  if (typeof p !== "object" || typeof (p as Permissions).can !== "function" || !("error" in (p as object))) {
    complain(`${where}: the provider's \`permissions\` is not a Permissions object (everything denied)`);
    return null;
  }
  return p as Permissions;
}

/** `p.can(name)`; `null` (reported) when the name cannot be checked. */
function check(p: Permissions, name: unknown, where: string): boolean | null {
  if (typeof name !== "string" || name === "") {
    complain(`${where}: a permission name must be a non-empty string, got ${name === "" ? "\"\"" : typeof name} (denied)`);
    return null;
  }
  try {
    return p.can(name as PermissionName);
  } catch (e) {
    complain(`${where}: ${(e as Error)?.message ?? String(e)} (denied)`);
    return null;
  }
}

/** May the person do `name`? False without a provider or permissions, for
 *  refused permissions, and for a name not in the catalog (reported with
 *  `console.error`; never throws). */
export function useCan(name: PermissionName): boolean {
  const p = usable(useContext(Context).permissions, `useCan("${String(name)}")`);
  if (typeof name !== "string" || name === "") {
    complain(`useCan: a permission name must be a non-empty string, got ${name === "" ? "\"\"" : typeof name} (denied)`);
    return false;
  }
  if (p === null) return false;
  const r = check(p, name, `useCan("${name}")`);
  return r === true && p.error === null;
}

/** Names to check: a name or a non-empty list of names. */
type Names = PermissionName | readonly PermissionName[];

interface CanCommon {
  /** Rendered when not allowed (default: nothing). */
  fallback?: ReactNode;
  children?: ReactNode;
}

/** `<Can>` needs `do` (all of these), `any` (any one of these) or both. */
export type CanProps = CanCommon & (
  | {
      /** All of these permissions (a name or a non-empty list). */
      do: Names;
      /** Any one of these permissions (a non-empty list). */
      any?: readonly PermissionName[];
    }
  | {
      /** All of these permissions (a name or a non-empty list). */
      do?: Names;
      /** Any one of these permissions (a non-empty list). */
      any: readonly PermissionName[];
    }
);

const CAN_PROPS = new Set(["do", "any", "fallback", "children"]);

function allows(p: Permissions | null, props: Record<string, unknown>): boolean {
  let ok = true;
  for (const k of Object.keys(props)) {
    if (!CAN_PROPS.has(k)) {
      complain(`<Can>: unknown prop \`${k}\` (known: do, any, fallback, children): fallback rendered`);
      ok = false;
    }
  }
  const hasDo = "do" in props;
  const hasAny = "any" in props;
  if (!hasDo && !hasAny) {
    complain("<Can> needs `do` (all of these) or `any` (any one of these): fallback rendered");
    return false;
  }
  const list = (key: "do" | "any"): unknown[] | null => {
    const v = props[key];
    if (key === "do" && typeof v === "string" && v !== "") return [v];
    if (Array.isArray(v) && v.length > 0) return v;
    complain(`<Can ${key}>: expected ${key === "do" ? "a permission name or " : ""}a non-empty list of permission names, got ${describe(v)}: fallback rendered`);
    return null;
  };
  const all = hasDo ? list("do") : [];
  const any = hasAny ? list("any") : null;
  if (all === null || (hasAny && any === null)) ok = false;
  if (p === null) return false;
  // Check every name, so each typo is reported.
  for (const n of all ?? []) if (check(p, n, "<Can do>") !== true) ok = false;
  if (any !== null) {
    let some = false;
    for (const n of any) {
      const r = check(p, n, "<Can any>");
      if (r === null) ok = false; // a typo denies, even beside an allowed name
      else if (r) some = true;
    }
    if (!some) ok = false;
  }
  return ok && p.error === null;
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (Array.isArray(v)) return "[]";
  if (v === "") return "\"\"";
  return typeof v;
}

/** Renders `children` only when loaded, verified permissions allow what it
 *  asks (`do`: all of these; `any`: any one of these; both: both), and
 *  `fallback` otherwise. Props are strict: anything else than `do`, `any`,
 *  `fallback` and `children`, an empty `do`/`any` or an unknown permission
 *  name renders `fallback` and is reported with `console.error`. */
export function Can(props: CanProps) {
  const p = usable(useContext(Context).permissions, "<Can>");
  const ok = allows(p, props as unknown as Record<string, unknown>);
  return createElement(Fragment, null, ok ? props.children : (props.fallback ?? null));
}
