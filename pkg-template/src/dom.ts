import type { Permissions } from "./index.js";

// ------------------------------------------------------------------ DOM

export interface DomOptions {
  /** Text shown in place of a hidden field (default "•••"). */
  mask?: string;
}

/** Hides every element under `root` whose `data-requires` (space-separated:
 *  all needed) or `data-requires-any` (any one) names a permission the person
 *  lacks, and masks elements with `data-field="kind.field"` bound to a hidden
 *  field. Unknown permission names throw, so a typo cannot hide a section
 *  silently. Returns how many elements were hidden and masked. */
export function applyToDom(root: ParentNode, permissions: Permissions, options: DomOptions = {}): { hidden: number; masked: number } {
  let hidden = 0;
  let masked = 0;
  const words = (s: string | null) => (s ?? "").split(/\s+/).filter(Boolean);
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("[data-requires],[data-requires-any]"))) {
    const all = words(el.getAttribute("data-requires"));
    const any = words(el.getAttribute("data-requires-any"));
    const ok = permissions.canAll(all) && (any.length === 0 || permissions.canAny(any));
    el.hidden = !ok;
    if (!ok) hidden++;
  }
  const hiddenByKind = new Map<string, Set<string>>();
  for (const el of Array.from(root.querySelectorAll<HTMLElement>("[data-field]"))) {
    const [kind, field] = (el.getAttribute("data-field") ?? "").split(".");
    let set = hiddenByKind.get(kind);
    if (!set) {
      set = new Set(permissions.hiddenFields(kind));
      hiddenByKind.set(kind, set);
    }
    if (set.has(field)) {
      el.textContent = options.mask ?? "•••";
      el.classList.add("permsnap-masked");
      masked++;
    }
  }
  return { hidden, masked };
}
