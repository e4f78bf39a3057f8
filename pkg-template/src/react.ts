// permsnap/react: a provider for the current person's permissions, a
// `useCan` hook and a `<Can>` component. React is a peer dependency; this
// file is not part of the main entry, so apps without React never load it.
// Written without JSX so the package needs no build step of its own.

import { createContext, createElement, Fragment, useContext, type ReactNode } from "react";
import type { Permissions } from "./index.js";

const Context = createContext<Permissions | null>(null);

export interface PermissionsProviderProps {
  /** What `verifier.load(...)` or `verifier.loadOrDeny(...)` returned; `null`
   *  while signing in: everything is denied. */
  permissions: Permissions | null;
  children?: ReactNode;
}

/** Makes `permissions` available to `useCan`, `usePermissions` and `<Can>` below it. */
export function PermissionsProvider({ permissions, children }: PermissionsProviderProps) {
  return createElement(Context.Provider, { value: permissions }, children);
}

/** The permissions of the nearest provider (`null` when there are none). */
export function usePermissions(): Permissions | null {
  return useContext(Context);
}

/** May the person do `name`? Denied when there is no provider or no
 *  permissions yet; an unknown name throws, as `can` does. */
export function useCan(name: string): boolean {
  const p = useContext(Context);
  return p ? p.can(name) : false;
}

export interface CanProps {
  /** All of these permissions (a name or a list). */
  do?: string | readonly string[];
  /** Any one of these permissions. */
  any?: readonly string[];
  /** Rendered when not allowed (default: nothing). */
  fallback?: ReactNode;
  children?: ReactNode;
}

/** Renders `children` only when the person has the permissions asked for. */
export function Can({ do: all, any, fallback = null, children }: CanProps) {
  const p = useContext(Context);
  const names = all === undefined ? [] : typeof all === "string" ? [all] : all;
  const ok = p !== null && p.canAll(names) && (any === undefined || any.length === 0 || p.canAny(any));
  return createElement(Fragment, null, ok ? children : fallback);
}
