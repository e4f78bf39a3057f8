// permsnap's DOM helper: hides what the person may not use and masks the
// fields they may not see, FAILING CLOSED: anything permsnap cannot decide
// (an unknown permission name, an empty attribute, a field the catalog does
// not declare, a refused snapshot, no permissions yet) is hidden or masked,
// reported, and never throws half-way through a page.
//
// Markup contract
//   data-requires="a b"      all of these permissions (space-separated)
//   data-requires-any="a b"  any one of them (both attributes: both apply)
//   data-field="kind.field"  a record field; kind is before the FIRST dot,
//                            the rest is the field (`appointments.client.email`)
//
// What permsnap writes (and the stylesheet permsnap.css reads)
//   data-permsnap="allowed"|"denied"       on [data-requires]/[data-requires-any]
//   data-permsnap-undo="hidden inert display"  what permsnap itself added to hide
//                                          the element (only that is undone)
//   data-permsnap-display="flex !important" the inline display it replaced
//   data-permsnap-label=" "                 a denied option's own label it replaced
//   data-permsnap-hid                      a <selectedcontent> it keeps from showing
//                                          a denied option
//   data-permsnap-cloak="{…}"              the inline styles it replaced to make
//                                          invisible an element a component's own
//                                          `!important` keeps displayed
//   data-permsnap-field="shown"|"masked"   on [data-field]
//
// An attribute that looks like one of these but is not (`data-require`,
// `data-requires-all`, `data-feild`) with a permission or field name in it
// hides its element and is reported: a typo must not leave it shown.
//
// Load permsnap.css (`permsnap/permsnap.css`) so that protected elements and
// fields stay hidden until permsnap has marked them: nothing shows before the
// snapshot is loaded, or on a part of the page applyToDom never saw.

import { Permissions } from "./permissions.js";
import { expiryListeners } from "./expiry.js";
import { PermsnapError } from "./errors.js";
import { noExtra, strictOptions } from "./internal.js";
import { Session } from "./session.js";
import {
  attributeNames, childNodes, classList, closest, documentBody, documentElementOf, documentHead, documentURL,
  elementId, firstChild, getAttr, hasAttr, hostOf, isConnected, localName, matches, namespaceOf, nodeType,
  ownerDocument, parentElement, parentNode, queryAll, computedStyle, removeAttr, replaceChildren, rootNode, setAttribute, setText,
  shadowRootOf, styleOf, textOf, valueAccessor,
} from "./unclobbered.js";

export interface DomOptions {
  /** Text shown in place of a hidden field (default "•••"). */
  mask?: string;
  /** Keep watching `root` (a MutationObserver): elements added later,
   *  changed `data-requires`/`data-requires-any`/`data-field` attributes,
   *  re-rendered masked fields and attempts to un-hide a denied element
   *  are handled as they happen. Returns a `DomWatch`. */
  watch?: boolean;
}

/** What one pass did. */
export interface DomResult {
  /** Protected elements denied (hidden) under `root`. */
  hidden: number;
  /** `data-field` elements masked under `root`. */
  masked: number;
  /** Markup problems (unknown names, empty attributes, undeclared fields,
   *  wrong arguments): each affected element was hidden or masked. Also
   *  written to `console.error`. Empty when the markup is sound. */
  problems: string[];
}

/** A watching `applyToDom` (`{ watch: true }`). */
export interface DomWatch {
  /** Protected elements currently denied under `root`. */
  readonly hidden: number;
  /** `data-field` elements currently masked under `root`. */
  readonly masked: number;
  /** Problems reported since the last full pass (start or `update`). */
  readonly problems: readonly string[];
  /** False once `stop()` was called. */
  readonly watching: boolean;
  /** Applies other permissions to the whole of `root` (sign-in, refresh,
   *  refusal): denied elements that are now allowed are shown again. A field
   *  once masked keeps its mask text until the app renders it again. */
  update(permissions: Permissions | null): DomResult;
  /** Stops watching. What was hidden stays hidden. */
  stop(): void;
}

const PROTECTED = "[data-requires],[data-requires-any]";
const MARK = "data-permsnap";
const UNDO = "data-permsnap-undo";
const PREV_DISPLAY = "data-permsnap-display";
const PREV_LABEL = "data-permsnap-label";
const PREV_CLOAK = "data-permsnap-cloak";
const FIELD_MARK = "data-permsnap-field";
const MASKED_CLASS = "permsnap-masked";
/** Attributes a masked element keeps; everything else may carry the value
 *  (href="mailto:…", title, value, aria-label, data-*…) and is removed. */
const SAFE_ATTRIBUTES = new Set(["id", "class", "style", "role", "hidden", "inert", "lang", "dir",
  "data-field", "data-requires", "data-requires-any"]);

const isSafe = (name: string) => {
  const n = name.toLowerCase();
  return SAFE_ATTRIBUTES.has(n) || n === MARK || n.startsWith(MARK + "-");
};
const words = (s: string | null) => (s ?? "").split(/\s+/).filter(Boolean);

interface FieldInfo { declared: readonly string[]; hidden: readonly string[] }

/** One pass's view of the permissions. */
class Pass {
  /** `null`: deny everything, names cannot be checked. */
  readonly p: Permissions | null;
  /** Everything denied (no permissions, or a refusal). */
  readonly denyAll: boolean;
  readonly problems = new Set<string>();
  readonly kinds = new Map<string, FieldInfo | null>();
  /** Elements denied in this pass (see `enforce`). */
  readonly denied: Element[] = [];
  hidden = 0;
  masked = 0;

  constructor(permissions: unknown, readonly mask: string) {
    if (permissions instanceof Permissions) {
      this.p = permissions;
      this.denyAll = permissions.error !== null;
    } else {
      this.p = null;
      this.denyAll = true;
      if (permissions !== null && permissions !== undefined) {
        this.problems.add(`expected a Permissions object (or null while loading), got ${describeValue(permissions)}: everything protected is hidden`);
      }
    }
  }

  problem(el: Element, what: string) {
    this.problems.add(`${describe(el)}: ${what}`);
  }

  /** `can(name)`, or `null` (reported) for a name that cannot be checked. */
  can(el: Element, name: string): boolean | null {
    if (this.p === null) return false;
    try {
      return this.p.can(name);
    } catch (e) {
      this.problem(el, e instanceof PermsnapError && e.code === "unknown_permission"
        ? `unknown permission \`${name}\` (hidden)`
        : `cannot check \`${name}\`: ${(e as Error)?.message ?? e} (hidden)`);
      return null;
    }
  }

  field(kind: string): FieldInfo | null {
    if (this.p === null) return null;
    if (!this.kinds.has(kind)) {
      let info: FieldInfo | null = null;
      try {
        info = { declared: this.p.fieldNames(kind), hidden: this.denyAll ? [] : this.p.hiddenFields(kind) };
      } catch (e) {
        info = null;
        this.problems.add(`data-field kind \`${kind}\`: ${(e as Error)?.message ?? e} (masked)`);
      }
      this.kinds.set(kind, info);
    }
    return this.kinds.get(kind)!;
  }
}

function describeValue(v: unknown): string {
  if (typeof v !== "object") return typeof v;
  if (v === null) return "null";
  return (v as object).constructor?.name ?? "object";
}

function describe(el: Element): string {
  let s = `<${localName(el)}`;
  const id = elementId(el);
  if (id) s += ` id="${id}"`;
  for (const a of ["data-requires", "data-requires-any", "data-field"]) {
    const v = getAttr(el, a);
    if (v !== null) s += ` ${a}="${v}"`;
  }
  return s + ">";
}

// ------------------------------------------------------- protected elements

/** Is `el` allowed? Every name is checked (and reported) even once the
 *  answer is known, so one pass reports every typo. */
function decide(el: Element, pass: Pass): boolean {
  const allAttr = getAttr(el, "data-requires");
  const anyAttr = getAttr(el, "data-requires-any");
  const all = words(allAttr);
  const any = words(anyAttr);
  let ok = !pass.denyAll;
  if (allAttr !== null && all.length === 0) {
    pass.problem(el, "data-requires is empty (hidden)");
    ok = false;
  }
  if (anyAttr !== null && any.length === 0) {
    pass.problem(el, "data-requires-any is empty (hidden)");
    ok = false;
  }
  for (const n of all) if (pass.can(el, n) !== true) ok = false;
  let some = any.length === 0;
  for (const n of any) {
    const r = pass.can(el, n);
    if (r === null) ok = false; // a typo hides, even beside an allowed name
    else if (r) some = true;
  }
  return ok && some;
}

function setAttr(el: Element, name: string, value: string) {
  if (getAttr(el, name) !== value) setAttribute(el, name, value);
}

/** Hides `el` by every means (hidden, inline `display:none !important`,
 *  inert), noting what permsnap added so that only that is undone. */
function deny(el: Element) {
  const added = new Set(words(getAttr(el, UNDO)));
  if (!hasAttr(el, "hidden")) {
    setAttribute(el, "hidden", "");
    added.add("hidden");
  }
  if (!hasAttr(el, "inert")) {
    setAttribute(el, "inert", "");
    added.add("inert");
  }
  // A hidden `<option selected>` still shows as its select's value and is
  // submitted with the form (attack review, session 13): unselected and
  // disabled too, and so are the options of a hidden `<optgroup>`. A
  // script or framework may select one again (`select.value = …`, React's
  // controlled `<select>`), which no mutation record reports: the option's
  // label is blanked, so that the select then shows nothing of it; a
  // customisable select (`appearance: base-select`) shows a copy of the
  // option's content in its `<selectedcontent>`, not displayed while a
  // denied option is selected (`guardSelected`; attack review, session
  // 16). The option's own content is the app's (React keeps it), left as
  // it is. Any other denied element (a wrapper) does the same for the
  // options it holds.
  const tag = htmlTag(el);
  if (tag === "option" || tag === "optgroup") {
    if (!hasAttr(el, "disabled")) {
      setAttribute(el, "disabled", "");
      added.add("disabled");
    }
  }
  for (const option of tag === "option" ? [el] : queryAll(el, "option")) blankOption(option);
  const style = styleOf(el);
  if (style && !(style.getPropertyValue("display") === "none" && style.getPropertyPriority("display") === "important")) {
    if (!added.has("display")) {
      const prev = style.getPropertyValue("display");
      setAttr(el, PREV_DISPLAY, prev && style.getPropertyPriority("display") ? `${prev} !important` : prev);
      added.add("display");
    }
    style.setProperty("display", "none", "important");
  }
  if (added.size > 0) setAttr(el, UNDO, Array.from(added).join(" "));
  setAttr(el, MARK, "denied");
}

/** Unselects a denied option (or one of a denied group) and blanks its
 *  label (the one it had kept in `data-permsnap-label`). Run again on a
 *  denied option the app relabelled: what the app wrote last is what is
 *  given back. */
function blankOption(option: Element) {
  (option as Element & { selected: boolean }).selected = false;
  const label = getAttr(option, "label");
  if (label !== " ") {
    if (label !== null || !hasAttr(option, PREV_LABEL)) setAttribute(option, PREV_LABEL, label === null ? "" : `=${label}`);
    setAttribute(option, "label", " ");
  }
  const select = closest(option, "select");
  if (select !== null) guardSelected(select);
}

/** Gives a blanked option its label back, unless it is denied itself or
 *  inside a denied element. */
function unblankOption(option: Element) {
  if (closest(option, `[${MARK}="denied"]`) !== null) return;
  const prev = getAttr(option, PREV_LABEL);
  if (prev === null) return;
  if (prev === "") removeAttr(option, "label");
  else setAttribute(option, "label", prev.slice(1));
  removeAttr(option, PREV_LABEL);
  const select = closest(option, "select");
  if (select !== null) guardSelected(select);
}

/** Marks a `<selectedcontent>` permsnap keeps from being displayed. */
const HID = "data-permsnap-hid";

/** Keeps the `<selectedcontent>` of a customisable select from being
 *  displayed while its chosen option is denied (itself, or by an element
 *  around it), inline as `permsnap.css` does; displayed again once it is
 *  not. The browser copies the option into it on each selection change
 *  (a mutation the watch sees); its content is left as the browser made
 *  it. */
function guardSelected(select: Element) {
  const chosen = (select as HTMLSelectElement).selectedOptions?.[0];
  const denied = chosen !== undefined && closest(chosen, `[${MARK}="denied"]`) !== null;
  for (const shown of queryAll(select, "selectedcontent")) {
    const style = styleOf(shown);
    if (style === null) continue;
    if (denied) {
      setAttr(shown, HID, "");
      if (style.getPropertyPriority("display") !== "important" || style.getPropertyValue("display") !== "none") style.setProperty("display", "none", "important");
    } else if (hasAttr(shown, HID)) {
      removeAttr(shown, HID);
      style.removeProperty("display");
      if (style.length === 0) removeAttr(shown, "style");
    }
  }
}

/** The denied option or group `node` is in, if any: what the app changes
 *  there (an option added to a denied group, a label or text written)
 *  is blanked again. */
function deniedChoice(node: Node): Element | null {
  const at = nodeType(node) === 1 ? (node as Element) : parentElement(node);
  return at === null ? null : closest(at, `option[${MARK}="denied"],optgroup[${MARK}="denied"]`);
}

/** The inline styles that make invisible what a component's own styles
 *  keep displayed: none of them can be undone by a descendant. */
const CLOAK = ["visibility", "opacity", "content-visibility"];
const CLOAKED = { visibility: "hidden", opacity: "0", "content-visibility": "hidden" } as Record<string, string>;

/** After a pass: a denied element still displayed is one whose
 *  component's shadow tree says `display: … !important` (`:host`, or
 *  `::slotted` for a child it shows), which wins over the element's own
 *  inline style (the cascade's rule for `!important` across shadow trees;
 *  attack review, session 16). It is made invisible instead (`cloak`), and
 *  reported. Every denied element is read first, then the few still
 *  displayed are written: one computation of the page's style, where a
 *  read after each write computed it again each time. */
function enforce(els: readonly Element[], pass: Pass) {
  const shown = els.filter((el) => {
    try {
      return isConnected(el) && getAttr(el, MARK) === "denied" && computedStyle(el).display !== "none";
    } catch {
      return false; // its style cannot be read: left as `deny` left it
    }
  });
  for (const el of shown) guarded(el, pass, cloak);
  for (const el of shown) {
    let seen = false;
    try {
      // No box (`display: contents`): its children still show, whatever
      // it says of itself.
      seen = computedStyle(el).display === "contents"
        || (el as Element & { checkVisibility?: (o: object) => boolean }).checkVisibility?.({ opacityProperty: true, visibilityProperty: true }) === true;
    } catch {
      // Not known: reported as made invisible.
    }
    pass.problem(el, seen
      ? "its component's own `!important` styles keep it displayed, and it could not be hidden from outside: hide it from inside the component"
      : "its component's own `!important` styles keep it displayed: made invisible instead (visibility, opacity, content-visibility, out of its slot); hide it from inside the component");
  }
}

/** Makes a denied element a component keeps displayed invisible: inline
 *  `visibility`, `opacity` and `content-visibility` (none of which a
 *  descendant can undo), and out of its slot (`slot` naming none: the
 *  child a component shows through `::slotted` is then not rendered at
 *  all, whatever the component's styles), each undone by `undo`. */
function cloak(el: Element) {
  const style = styleOf(el);
  if (style === null) return;
  const added = new Set(words(getAttr(el, UNDO)));
  if (!added.has("cloak")) {
    const prev: Record<string, string | null> = {};
    for (const p of CLOAK) {
      const v = style.getPropertyValue(p);
      if (v) prev[p] = style.getPropertyPriority(p) ? `${v} !important` : v;
    }
    prev.slot = getAttr(el, "slot");
    setAttr(el, PREV_CLOAK, JSON.stringify(prev));
    added.add("cloak");
    setAttr(el, UNDO, Array.from(added).join(" "));
  }
  for (const p of CLOAK) style.setProperty(p, CLOAKED[p], "important");
  // Once: a component that assigns its children's slots itself writes its
  // own back, and the two would take turns for ever (the page hangs).
  if (!slotted.has(el)) {
    slotted.add(el);
    setAttr(el, "slot", OUT_OF_SLOT);
  }
}

/** The slot no component has: a child given it is not rendered. */
const OUT_OF_SLOT = "permsnap-denied";
/** Elements `cloak` took out of their slot (once each, until shown). */
const slotted = new WeakSet<Element>();

/** Undoes what `deny` added (and nothing the app did itself). */
function undo(el: Element) {
  const added = words(getAttr(el, UNDO));
  if (added.includes("hidden")) removeAttr(el, "hidden");
  if (added.includes("inert")) removeAttr(el, "inert");
  if (added.includes("disabled")) removeAttr(el, "disabled");
  const blanked = htmlTag(el) === "option" ? [el] : queryAll(el, `option[${PREV_LABEL}]`);
  if (blanked.length > 0) {
    // Shown again: its options too (an option still denied itself keeps
    // its blank label). The mark goes first, as `unblankOption` reads it.
    if (getAttr(el, MARK) === "denied") removeAttr(el, MARK);
    for (const option of blanked) unblankOption(option);
  }
  const style = styleOf(el);
  if (added.includes("display") && style) {
    const prev = getAttr(el, PREV_DISPLAY) ?? "";
    const important = prev.endsWith(" !important");
    const value = important ? prev.slice(0, -" !important".length) : prev;
    if (value) style.setProperty("display", value, important ? "important" : "");
    else style.removeProperty("display");
    if (style.length === 0) removeAttr(el, "style");
  }
  removeAttr(el, PREV_DISPLAY);
  if (added.includes("cloak") && style) {
    let prev: Record<string, unknown> = {};
    try {
      prev = JSON.parse(getAttr(el, PREV_CLOAK) ?? "{}") as Record<string, unknown>;
    } catch {
      // Not what permsnap wrote: the cloak goes, nothing is put back.
    }
    for (const p of CLOAK) {
      const v = typeof prev[p] === "string" ? (prev[p] as string) : "";
      const important = v.endsWith(" !important");
      if (v) style.setProperty(p, important ? v.slice(0, -" !important".length) : v, important ? "important" : "");
      else style.removeProperty(p);
    }
    if (style.length === 0) removeAttr(el, "style");
    if (getAttr(el, "slot") === OUT_OF_SLOT) {
      if (typeof prev.slot === "string") setAttribute(el, "slot", prev.slot);
      else removeAttr(el, "slot");
    }
    slotted.delete(el);
  }
  removeAttr(el, PREV_CLOAK);
  // A masked field's own hiding (`visibility`, see `unload`) is not this one's.
  if (added.includes("visibility")) setAttr(el, UNDO, "visibility");
  else removeAttr(el, UNDO);
}

/** permsnap's own attributes. */
const KNOWN = ["data-requires", "data-requires-any", "data-field"];
/** What may follow `data` or `date` (then any `-` or `_`) in a misspelt
 *  attribute (for `requires…` its dashes left out), and how many edits
 *  from it:
 *  `requires`, `requiresany` and `requiresall` two (`require`,
 *  `reqiures`, `requires-alll`), `field` two when it holds each letter of
 *  `field` (`feild`, `fileds`, `flied`; `file`, `fill`, `feed` or
 *  `fired` are an app's). Without `data`: one edit. */
const MISSPELT: ReadonlyArray<readonly [string, number]> = [["requires", 2], ["requiresany", 2], ["requiresall", 2], ["field", 2]];
/** Permission and `kind.field` names, and nothing else: words joined by
 *  dots, separated by spaces or commas (`payments.view clients.email`;
 *  not `3.14`, `e.g.`, `Node 18.x` or a URL). */
const NAMES = /^[\s,;]*[a-z][a-z0-9_]*(\.[a-z0-9_*]+)+([\s,;]+[a-z][a-z0-9_]*(\.[a-z0-9_*]+)+)*[\s,;]*$/i;
const hasLetters = (word: string, letters: string) => Array.from(letters).every((c) => word.includes(c));

/** Edits (insert, delete, replace, swap two neighbours) from `a` to `b`,
 *  up to `max + 1`. */
function edits(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length];
}

/** An attribute of `el` that is permsnap's misspelt (`data-require`,
 *  `data-reqiures`, `data-requires-all`, `data-feild`, `data-fields`,
 *  `requires` without `data-`) and names permissions or fields, or one of
 *  permsnap's own in another case (`data-Requires` on an SVG element, where
 *  attribute names keep their case and `getAttribute` does not find it):
 *  its element is hidden, as a misspelt name is (attack review, session
 *  16). An app's own attribute (`data-required="true"`, `data-field-id`,
 *  `data-requirements`) is neither. */
function nearMiss(el: Element): string | null {
  for (const name of attributeNames(el)) {
    const n = name.toLowerCase();
    if (KNOWN.includes(n)) {
      if (name !== n) return name;
      continue;
    }
    // What can be permsnap's misspelt: `r…` or `f…` after `data` or
    // `date` and any dashes (or alone), 3 to 14 letters of it (every
    // other attribute of a page is passed over at the cost of this test).
    if (n === MARK || n.startsWith(MARK + "-")) continue;
    const prefixed = /^dat[ae][-_]*/.exec(n);
    const raw = prefixed ? n.slice(prefixed[0].length) : n;
    const first = raw.charCodeAt(0);
    if ((first !== 114 && first !== 102) || raw.length < 3 || raw.length > 14) continue;
    // `requires-any` without its dash is the same name; `field-id` is not
    // `field`.
    const rest = raw.replace(/[-_]/g, "");
    const close = MISSPELT.some(([k, max]) => {
      const most = prefixed ? max : 1;
      if (k !== "field") return edits(rest, k, most) <= most;
      const e = edits(raw, k, most);
      return e <= 1 || (e <= most && hasLetters(raw, "field"));
    });
    if (close && NAMES.test(getAttr(el, name) ?? "")) return name;
  }
  return null;
}

function protect(el: Element, pass: Pass) {
  const miss = nearMiss(el);
  if (miss !== null) {
    pass.problem(el, `\`${miss}\` is not a permsnap attribute (data-requires, data-requires-any or data-field?): hidden`);
    denied(el, pass);
    return;
  }
  if (!matches(el, PROTECTED)) {
    // No longer protected (the app removed the attributes): give it back.
    if (hasAttr(el, MARK)) {
      undo(el);
      removeAttr(el, MARK);
    }
    return;
  }
  if (decide(el, pass)) {
    undo(el);
    setAttr(el, MARK, "allowed");
  } else {
    denied(el, pass);
  }
}

/** `deny`, counted, and checked after the pass (`enforce`). */
function denied(el: Element, pass: Pass) {
  deny(el);
  pass.hidden++;
  pass.denied.push(el);
}

// ------------------------------------------------------------------ fields

const covers = (parent: string, field: string) => field === parent || field.startsWith(parent + ".");

/** Should `[data-field]` element `el` be masked? */
function mustMask(el: Element, pass: Pass): boolean {
  const spec = (getAttr(el, "data-field") ?? "").trim();
  const dot = spec.indexOf(".");
  if (dot <= 0 || dot === spec.length - 1) {
    pass.problem(el, "data-field is not `kind.field` (masked)");
    return true;
  }
  const kind = spec.slice(0, dot);
  const field = spec.slice(dot + 1);
  const info = pass.field(kind);
  if (info === null) return true;
  if (!info.declared.some((d) => covers(d, field))) {
    pass.problem(el, `field \`${field}\` of \`${kind}\` is not declared in the catalog (masked)`);
    return true;
  }
  if (pass.denyAll) return true;
  // Hidden itself, inside a hidden field, or holding one (`client` when
  // `client.email` is hidden).
  return info.hidden.some((h) => covers(h, field) || covers(field, h));
}

/** Replaces what `el` shows and removes every attribute that may carry the
 *  value. Idempotent (no mutation when already masked). */
function mask(el: Element, text: string) {
  for (const name of attributeNames(el)) if (!isSafe(name)) removeAttr(el, name);
  // By tag, not `instanceof`: an element of a same-origin iframe is of the
  // iframe's `HTMLInputElement`, not this window's.
  const tag = htmlTag(el);
  if (tag === "input") {
    pinValue(el as HTMLInputElement, text);
  } else if (tag === "select") {
    const options = (el as HTMLSelectElement).options;
    if (!(childNodes(el).length === 1 && options.length === 1 && isMask(options[0].text, text) && options[0].attributes.length === 0 && options[0].childNodes.length === 1)) {
      const o = ownerDocument(el).createElement("option");
      o.textContent = text;
      replaceChildren(el, o);
    }
  } else {
    if (!onlyMask(el, text)) setText(el, text);
    if (tag === "textarea") pinValue(el as HTMLTextAreaElement, text);
  }
  // A <template>'s markup lives in its content fragment, not its children.
  if (tag === "template" && (el as HTMLTemplateElement).content.childNodes.length > 0) (el as HTMLTemplateElement).content.replaceChildren();
  // A component showing the value from its open shadow root (rendered
  // before the mask; a closed one cannot be reached: mask from inside it)
  // shows the mask there too (attack review, session 13).
  const shadow = shadowRootOf(el);
  if (shadow && !onlyMask(shadow, text)) replaceChildren(shadow, ownerDocument(el).createTextNode(text));
  scrubStyle(el);
  // A loaded frame or media element keeps showing what it loaded: emptied.
  unload(el, tag);
  if (!classList(el).contains(MASKED_CLASS)) classList(el).add(MASKED_CLASS);
  setAttr(el, FIELD_MARK, "masked");
}

/** Mask texts of every watch on the page: one watch finding another's
 *  mask (a page-wide watch and a component's own, with another `mask`)
 *  leaves it, rather than the two rewriting each other for ever. */
const masks = new Set<string>(["•••"]);
const isMask = (shown: string | null, text: string) => shown === text || (shown !== null && masks.has(shown));

/** Whether `parent` shows one text node holding a mask. */
function onlyMask(parent: Node, text: string): boolean {
  const first = firstChild(parent);
  return childNodes(parent).length === 1 && first !== null && nodeType(first) === 3 && isMask(textOf(parent), text);
}

/** The inline style a masked element keeps: layout properties (each a
 *  longhand, as `style` lists them), with no string, URL or function but
 *  arithmetic and colours in their value. Everything else may carry the
 *  value: custom properties (a stylesheet's `content: var(--phone)`),
 *  strings (`list-style-type: '555…'`, `quotes`), counters
 *  (`counter-reset: n 5550101`), URLs (`background-image`, `cursor`). */
const LAYOUT = new RegExp("^(display|position|inset(-(block|inline))?(-(start|end))?|top|right|bottom|left|float|clear"
  + "|(min-|max-)?(width|height|inline-size|block-size)|box-sizing|z-index|visibility|opacity|overflow(-[xy])?"
  + "|(margin|padding)(-(top|right|bottom|left|block|inline)(-(start|end))?)?"
  + "|border(-(top|right|bottom|left|block|inline)(-(start|end))?)?-(width|style|color)|border-((top|bottom|start|end)-(left|right|start|end)-)?radius"
  + "|flex-(grow|shrink|basis|direction|wrap)|order|gap|row-gap|column-gap|grid-(row|column)-(start|end)"
  + "|(align|justify|place)-(items|self|content)|color|background-color|font-(size|weight|style)|line-height"
  + "|text-(align|decoration-line|transform)|vertical-align|white-space)$");
/** Words, numbers, units, colours and arithmetic: no string, URL, counter
 *  or variable. */
const PLAIN = /^[-\w.%#\s,/+*()]*$/;
const ARITHMETIC = new Set(["calc", "min", "max", "clamp", "rgb", "rgba", "hsl", "hsla"]);
const plainValue = (v: string) => PLAIN.test(v) && Array.from(v.matchAll(/([-\w]*)\(/g)).every((m) => ARITHMETIC.has(m[1].toLowerCase()));

function scrubStyle(el: Element) {
  const style = styleOf(el);
  if (!style || style.length === 0) return;
  for (let i = style.length - 1; i >= 0; i--) {
    const name = style.item(i);
    if (!LAYOUT.test(name) || !plainValue(style.getPropertyValue(name))) style.removeProperty(name);
  }
  if (style.length === 0) removeAttr(el, "style");
}

/** Empties a masked frame (whatever filled it: a `src`, a script writing
 *  its document) or media element (a `src`, `<source>` children). */
function unload(el: Element, tag: string) {
  try {
    if (tag === "iframe" || tag === "frame") {
      const frame = el as HTMLIFrameElement;
      const doc = frame.contentDocument;
      // Already blank (the pass runs again on every change): left alone.
      // Read through the interface: the frame's own markup may name an
      // image `body` or `head` (attack review, session 14).
      const body = doc && documentBody(doc);
      const head = doc && documentHead(doc);
      const blank = doc !== null && documentURL(doc) === "about:blank" && documentElementOf(doc) !== null
        && body !== null && childNodes(body).length === 0 && head !== null && childNodes(head).length === 0;
      if (!blank) frame.contentWindow?.location.replace("about:blank");
    } else if (tag === "video" || tag === "audio") {
      const media = el as HTMLMediaElement;
      // A stream (`srcObject`: a camera, a `captureStream()`) has no src.
      if (media.srcObject !== null) media.srcObject = null;
      if (media.currentSrc !== "") media.load();
    }
  } catch {
    // A frame that cannot be navigated: hidden below.
  }
  // What draws outside the DOM's text (a canvas's pixels, a frame that
  // could not be navigated, a plugin) is not shown at all while masked.
  if (REPLACED.has(tag)) {
    const style = styleOf(el);
    if (style && !(style.getPropertyValue("visibility") === "hidden" && style.getPropertyPriority("visibility") === "important")) {
      style.setProperty("visibility", "hidden", "important");
      const added = new Set(words(getAttr(el, UNDO)));
      added.add("visibility");
      setAttr(el, UNDO, Array.from(added).join(" "));
    }
  }
}

// An `<img>` too: inside a `<picture>`, its `<source>` siblings keep
// showing the image once its own `src` is gone (attack review, session 16).
const REPLACED = new Set(["canvas", "video", "audio", "iframe", "frame", "object", "embed", "img"]);

/** Shows again a replaced element `unload` hid (the field is shown). */
function reveal(el: Element) {
  const added = words(getAttr(el, UNDO));
  if (!added.includes("visibility")) return;
  const style = styleOf(el);
  if (style) {
    style.removeProperty("visibility");
    if (style.length === 0) removeAttr(el, "style");
  }
  const rest = added.filter((w) => w !== "visibility");
  if (rest.length > 0) setAttr(el, UNDO, rest.join(" "));
  else removeAttr(el, UNDO);
}

/** `el`'s tag name when it is an HTML element (of any window), else "". */
function htmlTag(el: Element): string {
  return namespaceOf(el) === "http://www.w3.org/1999/xhtml" ? localName(el) : "";
}

/** Shows `text` in a form control and keeps it there: frameworks set
 *  `.value` (Vue `:value`, Lit `.value`, Svelte), which no mutation record
 *  reports, so the masked control answers `.value` with `text` and ignores
 *  what is written to it until it is shown again (`unpinValue`). */
function pinValue(el: HTMLInputElement | HTMLTextAreaElement, text: string) {
  // The `value` accessor of its tag, whatever prototype the element was
  // given (a replaced one wrote `.value` nowhere the control shows).
  const native = valueAccessor(htmlTag(el) === "input" ? "input" : "textarea");
  const own = Object.getOwnPropertyDescriptor(el, "value");
  const pin = own?.get as { permsnap?: { text: string; before?: PropertyDescriptor } } | undefined;
  // Already pinned to `text`, and still showing it (a write through the
  // class's own setter is seen here and undone).
  if (pin?.permsnap?.text === text && native?.get?.call(el) === text) return;
  // What was there before permsnap's pin (React keeps its value tracker
  // there): put back when the field is shown again.
  const before = pin?.permsnap ? pin.permsnap.before : own;
  if (own) delete (el as { value?: unknown }).value;
  if (native.get!.call(el) !== text) native.set!.call(el, text);
  const get = Object.assign(() => text, { permsnap: { text, before } });
  Object.defineProperty(el, "value", { get, set() {}, configurable: true });
}

function unpinValue(el: Element) {
  const own = Object.getOwnPropertyDescriptor(el, "value");
  const pin = (own?.get as { permsnap?: { before?: PropertyDescriptor } } | undefined)?.permsnap;
  if (!pin) return;
  delete (el as { value?: unknown }).value;
  if (pin.before) Object.defineProperty(el, "value", pin.before);
}

function checkField(el: Element, pass: Pass) {
  if (!hasAttr(el, "data-field")) {
    if (hasAttr(el, FIELD_MARK)) {
      removeAttr(el, FIELD_MARK);
      classList(el).remove(MASKED_CLASS);
      unpinValue(el);
      reveal(el);
    }
    return;
  }
  if (mustMask(el, pass)) {
    mask(el, pass.mask);
    pass.masked++;
  } else {
    if (classList(el).contains(MASKED_CLASS)) classList(el).remove(MASKED_CLASS);
    unpinValue(el);
    reveal(el);
    setAttr(el, FIELD_MARK, "shown");
  }
}

// -------------------------------------------------------------------- passes

/** `root` and every open shadow root under it: `querySelectorAll` does not
 *  pierce them (closed ones cannot be reached: apply to them from inside the
 *  component). Found once per pass, every selector then runs in each. */
function scopes(root: ParentNode | Node, suspects?: Element[]): ParentNode[] {
  const out: ParentNode[] = [];
  const visit = (node: ParentNode) => {
    out.push(node);
    const hosts = queryAll(node as Node, "*");
    if (nodeType(node as Node) === 1) hosts.push(node as Element);
    for (const host of hosts) {
      const shadow = shadowRootOf(host);
      if (shadow) visit(shadow);
      // Elements whose only permsnap-like attribute is a typo: no selector
      // finds them (attack review, session 16).
      if (suspects && nearMiss(host) !== null && !matches(host, `${PROTECTED},[${MARK}]`)) suspects.push(host);
    }
  };
  visit(root as ParentNode);
  return out;
}

/** `sel` under `root` (in `where`, its scopes), `root` included when it matches. */
function within(root: ParentNode | Node, sel: string, where = scopes(root)): Element[] {
  const out: Element[] = [];
  if (nodeType(root as Node) === 1 && matches(root as Element, sel)) out.push(root as Element);
  // One push per element: spread into one call, a page of 125,000
  // matches passed V8's limit on arguments, and the pass threw (attack
  // review, session 14).
  for (const scope of where) for (const el of queryAll(scope as Node, sel)) out.push(el);
  return out;
}

function applyTree(root: ParentNode | Node, pass: Pass) {
  try {
    const suspects: Element[] = [];
    const where = scopes(root, suspects);
    // Only what this tree denied is checked (a watch passes over several
    // added trees with one pass).
    const start = pass.denied.length;
    for (const el of within(root, `${PROTECTED},[${MARK}]`, where)) guarded(el, pass, protect);
    // (A suspect already marked, denied by an earlier pass, is among those.)
    for (const el of suspects) guarded(el, pass, protect);
    for (const el of within(root, `[data-field],[${FIELD_MARK}]`, where)) guarded(el, pass, checkField);
    enforce(pass.denied.slice(start), pass);
  } catch (e) {
    // The pass itself failed, not one element: no mark that permsnap.css
    // reads as "shown" may stay.
    try {
      for (const el of queryAll(root as Node, `[${MARK}]`)) setAttribute(el, MARK, "denied");
      for (const el of queryAll(root as Node, `[${FIELD_MARK}]`)) removeAttr(el, FIELD_MARK);
    } catch {
      // Nothing more permsnap can do.
    }
    throw e;
  }
}

/** `step` on `el`, failing closed: an element that cannot be handled (it
 *  throws) is hidden and reported, and the pass goes on, so that no
 *  element can leave the rest of the page as it was. */
function guarded(el: Element, pass: Pass, step: (el: Element, pass: Pass) => void) {
  try {
    step(el, pass);
  } catch (e) {
    const why = (e as Error)?.message ?? String(e);
    try {
      denied(el, pass);
      pass.problem(el, `could not be handled (${why}): hidden`);
    } catch {
      pass.problem(el, `could not be handled (${why}) nor hidden`);
    }
  }
}

function report(problems: Iterable<string>, seen: Set<string>) {
  for (const m of problems) {
    if (seen.has(m)) continue;
    seen.add(m);
    console.error(`permsnap applyToDom: ${m}`);
  }
}

function readOptions(options: unknown): { mask: string; watch: boolean } {
  const o = strictOptions(options, ["mask", "watch"], "applyToDom options");
  if (o.mask !== undefined && typeof o.mask !== "string") throw new PermsnapError("invalid_argument", "`mask` is a string");
  if (o.watch !== undefined && typeof o.watch !== "boolean") throw new PermsnapError("invalid_argument", "`watch` is true or false");
  return { mask: (o.mask as string | undefined) ?? "•••", watch: o.watch === true };
}

/** Hides every element under `root` (`root` included) whose `data-requires`
 *  (space-separated: all needed) or `data-requires-any` (any one) names a
 *  permission the person lacks, and masks every `data-field="kind.field"`
 *  element bound to a field the person may not see.
 *
 *  Fails closed: an unknown or missing permission name, a field or kind the
 *  catalog does not declare, refused permissions (`permissions.error`) or
 *  `null` (not loaded yet) hide / mask the element; markup problems are
 *  reported (`problems`, `console.error`), never thrown. Only invalid
 *  options throw (`invalid_argument`), after hiding everything under `root`.
 *
 *  Hiding sets `hidden`, `inert` and an inline `display: none !important`
 *  (so no CSS rule shows a denied element); showing again removes only what
 *  permsnap added. Masking replaces the text (a form control's value, an
 *  open shadow root's content) and removes every attribute but id, class,
 *  style, role, hidden, inert, lang, dir, data-field, data-requires(-any)
 *  and data-permsnap*; of `style` it removes custom properties, `content`
 *  and URLs; a frame or media element whose `src` it removed is emptied.
 *
 *  With `{ watch: true }` returns a `DomWatch` that keeps applying the
 *  permissions to what changes under `root`, until `stop()`. Given a
 *  `Session` instead of permissions, it watches and follows the session:
 *  each swap (a refresh, a revocation, the expiry) is applied to the whole
 *  of `root`. */
export function applyToDom(root: ParentNode, session: Session, options?: DomOptions): DomWatch;
export function applyToDom(root: ParentNode, permissions: Permissions | null, options: DomOptions & { watch: true }): DomWatch;
export function applyToDom(root: ParentNode, permissions: Permissions | null, options?: DomOptions & { watch?: false }): DomResult;
export function applyToDom(root: ParentNode, permissions: Permissions | null, options?: DomOptions): DomResult | DomWatch;
export function applyToDom(root: ParentNode, permissions: Permissions | Session | null, options?: DomOptions): DomResult | DomWatch {
  if (!isDomRoot(root)) {
    throw new PermsnapError("invalid_argument", "applyToDom needs a root element or document");
  }
  if (arguments.length > 3) {
    applyTree(root, new Pass(null, "•••")); // a wrong call cannot leave the page open
    noExtra(arguments.length, 3, "applyToDom");
  }
  if (permissions instanceof Session) return followSession(root, permissions, options);
  let opts: { mask: string; watch: boolean };
  try {
    opts = readOptions(options);
    masks.add(opts.mask);
  } catch (e) {
    applyTree(root, new Pass(null, "•••")); // a wrong option cannot leave the page open
    throw e;
  }
  const seen = new Set<string>();
  let lastDenied: readonly Element[] = [];
  const run = (p: unknown): DomResult => {
    const pass = new Pass(p, opts.mask);
    applyTree(root, pass);
    report(pass.problems, seen);
    lastDenied = pass.denied;
    return { hidden: pass.hidden, masked: pass.masked, problems: Array.from(pass.problems) };
  };
  const first = run(permissions);
  if (!opts.watch) return first;

  let current: unknown = permissions;
  let problems = first.problems.slice();
  let watching = true;
  // Whether `node` is under `root`, shadow roots included (`contains`
  // stops at a shadow root's boundary).
  const under = (node: Node): boolean => {
    // Only a shadow root (node type 11 with a host) leads to its host: a
    // form's `host` may be an input named "host" (DOM clobbering).
    for (let n: Node | null = node; n; n = parentNode(n) ?? (nodeType(n) === 11 ? hostOf(n) ?? null : null)) {
      if (n === root) return true;
    }
    return false;
  };
  /** Problems of a pass made while watching, reported and kept. */
  const keep = (pass: Pass) => {
    report(pass.problems, seen);
    for (const m of pass.problems) if (!problems.includes(m)) problems.push(m);
    awaitDefinitions(pass.denied);
  };
  const observer = new MutationObserver((records) => {
    const pass = new Pass(current, opts.mask);
    const trees = new Set<Node>();
    const elements = new Set<Element>();
    /** Denied elements a shadow tree's new styles may now display. */
    const restyled = new Set<Element>();
    for (const r of records) {
      if (r.type === "childList") {
        r.addedNodes.forEach((n) => { if (nodeType(n) === 1) trees.add(n); });
      }
      if (r.type === "attributes") elements.add(r.target as Element);
      // Text re-rendered inside a field (attributes of a new child too, or
      // in the field's own shadow root): check the field again.
      const f = fieldAround(r.target);
      if (f && under(f)) elements.add(f);
      // An option added to a denied group, a label or text written in a
      // denied option: blanked again.
      const choice = deniedChoice(r.target);
      if (choice) elements.add(choice);
      // A customisable select copying a denied option again.
      const at = nodeType(r.target) === 1 ? (r.target as Element) : parentElement(r.target);
      const copy = at === null ? null : closest(at, "selectedcontent");
      const select = copy === null ? null : closest(copy, "select");
      if (select !== null && under(select)) guarded(select, pass, guardSelected);
      // A style added in a component's shadow root: its host and the
      // children it shows are checked again.
      const scope = rootNode(r.target);
      const host = nodeType(scope) === 11 ? hostOf(scope) : null;
      if (host) {
        if (getAttr(host, MARK) === "denied") restyled.add(host);
        for (const c of queryAll(host, `:scope > [${MARK}="denied"]`)) restyled.add(c);
      }
    }
    for (const t of trees) {
      if (under(t)) {
        applyTree(t, pass);
        observeShadows(t);
      }
    }
    const before = pass.denied.length;
    for (const el of elements) {
      if (under(el)) {
        guarded(el, pass, protect);
        guarded(el, pass, checkField);
      }
    }
    enforce([...pass.denied.slice(before), ...restyled], pass);
    observer.takeRecords(); // our own changes
    keep(pass);
  });
  // A custom element defined after the pass (loaded lazily) may display
  // itself or its children with `!important` styles: once defined, the
  // denied ones are checked again (`enforce`).
  const waiting = new Set<string>();
  const awaitDefinitions = (els: readonly Element[]) => {
    const registry = typeof customElements === "undefined" ? undefined : customElements;
    if (!registry) return;
    for (const el of els) {
      for (const e of [el, parentElement(el)]) {
        const tag = e === null ? "" : localName(e);
        if (!tag.includes("-") || waiting.has(tag) || registry.get(tag) !== undefined) continue;
        waiting.add(tag);
        registry.whenDefined(tag).then(() => {
          waiting.delete(tag);
          if (!watching) return;
          const pass = new Pass(current, opts.mask);
          enforce(within(root, `${tag}[${MARK}="denied"],${tag} > [${MARK}="denied"]`), pass);
          observeShadows(root as Node);
          observer.takeRecords();
          keep(pass);
        }, () => {});
      }
    }
  };
  const watchAll = { subtree: true, childList: true, attributes: true, characterData: true };
  // Open shadow roots are watched too (a component rendering into its
  // shadow root later): each one found under `root`, now and in what is
  // added. (One attached later to an element already there is reached at
  // the next pass: `update`, or a change around it.)
  const shadows = new WeakSet<ShadowRoot>();
  const observeShadows = (tree: Node) => {
    for (const scope of scopes(tree)) {
      if ((scope as Node).nodeType === 11 && (scope as ShadowRoot).host && !shadows.has(scope as ShadowRoot)) {
        shadows.add(scope as ShadowRoot);
        observer.observe(scope as Node, watchAll);
      }
    }
  };
  observer.observe(root as Node, watchAll);
  observeShadows(root as Node);
  awaitDefinitions(lastDenied);
  // Permissions that expire while watched: the page is passed over again
  // then (what they showed is hidden), as a session's swap would.
  const errorOf = (p: unknown) => (p instanceof Permissions ? p.error : null);
  let expired = errorOf(permissions);
  /** A pass over the whole root with `next` (`update`, an expiry). */
  const passAll = (next: unknown): DomResult => {
    current = next;
    expired = errorOf(next);
    const r = run(next);
    observeShadows(root as Node);
    observer.takeRecords();
    problems = r.problems.slice();
    awaitDefinitions(lastDenied);
    return r;
  };
  const onExpiry = () => {
    // A root gone from the page (a route change without `stop()`) is let go.
    if (!isConnected(root as Node)) {
      expiryListeners.delete(onExpiry);
      return;
    }
    if (errorOf(current) !== expired) passAll(current);
  };
  expiryListeners.add(onExpiry);
  const count = (sel: string) => within(root, sel).length;
  return {
    get hidden() { return count(`[${MARK}="denied"]`); },
    get masked() { return count(`[${FIELD_MARK}="masked"]`); },
    get problems() { return problems.slice(); },
    get watching() { return watching; },
    update(next: Permissions | null): DomResult {
      seen.clear();
      return passAll(next);
    },
    stop() {
      watching = false;
      observer.disconnect();
      expiryListeners.delete(onExpiry);
    },
  };
}

/** The `[data-field]` element `node` is in, crossing shadow roots up to
 *  their hosts (a component re-rendering the value in its shadow root). */
function fieldAround(node: Node): Element | null {
  let at: Element | null = nodeType(node) === 1 ? (node as Element) : parentElement(node);
  let top: Node = node;
  for (;;) {
    const f = at === null ? null : closest(at, "[data-field]");
    if (f) return f;
    const scope = rootNode(at ?? top);
    if (nodeType(scope) !== 11 || !hostOf(scope)) return null;
    at = hostOf(scope);
    top = at;
  }
}

/** An element, a document or a shadow root (by the DOM's own getter: a
 *  document's `querySelectorAll` may be a form named so). */
function isDomRoot(root: unknown): boolean {
  if (typeof root !== "object" || root === null || typeof Node === "undefined") return false;
  try {
    const type = nodeType(root);
    return type === 1 || type === 9 || type === 11;
  } catch {
    return false;
  }
}

/** applyToDom on a session: a watch whose permissions follow each swap. */
function followSession(root: ParentNode, session: Session, options?: DomOptions): DomWatch {
  if (options !== undefined && (typeof options !== "object" || options === null || (options as DomOptions).watch === false)) {
    applyTree(root, new Pass(null, "•••"));
    throw new PermsnapError("invalid_argument", "applyToDom on a session always watches: leave `watch` out");
  }
  const w = applyToDom(root, session.permissions, { ...options, watch: true });
  const unsubscribe = session.subscribe((p) => void w.update(p));
  return {
    get hidden() { return w.hidden; },
    get masked() { return w.masked; },
    get problems() { return w.problems; },
    get watching() { return w.watching; },
    update: (p) => w.update(p),
    stop() {
      unsubscribe();
      w.stop();
    },
  };
}
