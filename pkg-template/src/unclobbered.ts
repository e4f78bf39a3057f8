// DOM access that markup cannot redirect, for the DOM helper (dom.ts).
//
// A <form> lets its controls shadow its own properties by name
// (`<input name="matches">` makes `form.matches` that input, two inputs
// named `shadowRoot` make `form.shadowRoot` a list), and a document its
// named forms and images (`<form name="querySelectorAll">`). Markup the
// app renders from its users' content is enough. Called through the
// element, such a property threw in the middle of a pass, and a sign-out
// (`update(null)`) left showing what the previous person saw (attack
// review, session 14). Every call here goes through the interfaces'
// prototypes, looked up when this module loads (page script that runs
// before permsnap is trusted; what runs after cannot swap a method out),
// or on first use where the module loads without a DOM (Node).

type Getter<T> = (o: object) => T;

const apply = Reflect.apply;
const descriptor = Object.getOwnPropertyDescriptor;
const hasDom = typeof Node !== "undefined" && typeof Element !== "undefined";

/** `resolve()` now where there is a DOM, else on first use. */
function early<T>(resolve: () => T): () => T {
  let value: T | undefined;
  if (hasDom) {
    try {
      value = resolve();
    } catch {
      // An interface this browser lacks: looked up (and failing) on use.
    }
  }
  return () => (value ??= resolve());
}

function getter<T>(proto: () => object, name: string): Getter<T> {
  const get = early(() => descriptor(proto(), name)!.get as (this: object) => T);
  return (o) => apply(get(), o, []) as T;
}

function method<A extends unknown[], R>(proto: () => object, name: string): (o: object, ...args: A) => R {
  const fn = early(() => (proto() as Record<string, (this: object, ...args: A) => R>)[name]);
  return (o, ...args) => apply(fn(), o, args) as R;
}

const node = () => Node.prototype;
const element = () => Element.prototype;

export const nodeType = getter<number>(node, "nodeType");
export const parentNode = getter<Node | null>(node, "parentNode");
export const parentElement = getter<Element | null>(node, "parentElement");
export const childNodes = getter<NodeListOf<ChildNode>>(node, "childNodes");
export const firstChild = getter<ChildNode | null>(node, "firstChild");
export const textOf = getter<string | null>(node, "textContent");
export const ownerDocument = getter<Document>(node, "ownerDocument");
export const isConnected = getter<boolean>(node, "isConnected");
export const rootNode = method<[], Node>(node, "getRootNode");
const textSetter = early(() => descriptor(Node.prototype, "textContent")!.set as (this: Node, v: string) => void);
export const setText = (n: Node, text: string): void => void apply(textSetter(), n, [text]);

const documentProto = () => Document.prototype;
export const documentURL = getter<string>(documentProto, "URL");
export const documentBody = getter<HTMLElement | null>(documentProto, "body");
export const documentHead = getter<HTMLHeadElement | null>(documentProto, "head");
export const documentElementOf = getter<Element | null>(documentProto, "documentElement");

/** The `value` accessor of `<input>` or `<textarea>` (this window's: it
 *  serves another window's elements too), whatever prototype the element
 *  was given. */
const inputValue = early(() => descriptor(HTMLInputElement.prototype, "value")!);
const textareaValue = early(() => descriptor(HTMLTextAreaElement.prototype, "value")!);
export function valueAccessor(tag: "input" | "textarea"): PropertyDescriptor {
  return tag === "input" ? inputValue() : textareaValue();
}

export const matches = method<[string], boolean>(element, "matches");
export const closest = method<[string], Element | null>(element, "closest");
export const getAttr = method<[string], string | null>(element, "getAttribute");
export const setAttribute = method<[string, string], void>(element, "setAttribute");
export const hasAttr = method<[string], boolean>(element, "hasAttribute");
export const removeAttr = method<[string], void>(element, "removeAttribute");
export const attributeNames = method<[], string[]>(element, "getAttributeNames");
export const localName = getter<string>(element, "localName");
export const namespaceOf = getter<string | null>(element, "namespaceURI");
export const elementId = getter<string>(element, "id");
export const classList = getter<DOMTokenList>(element, "classList");
export const shadowRootOf = getter<ShadowRoot | null>(element, "shadowRoot");
export const hostOf = getter<Element>(() => ShadowRoot.prototype, "host");

const elementQuery = method<[string], NodeListOf<Element>>(element, "querySelectorAll");
const documentQuery = method<[string], NodeListOf<Element>>(() => Document.prototype, "querySelectorAll");
const fragmentQuery = method<[string], NodeListOf<Element>>(() => DocumentFragment.prototype, "querySelectorAll");

/** `querySelectorAll` of an element, a document or a shadow root. */
export function queryAll(scope: Node, selector: string): Element[] {
  const type = nodeType(scope);
  const query = type === 1 ? elementQuery : type === 9 ? documentQuery : type === 11 ? fragmentQuery : null;
  return query === null ? [] : Array.from(query(scope, selector));
}

const elementReplace = method<Node[], void>(element, "replaceChildren");
const fragmentReplace = method<Node[], void>(() => DocumentFragment.prototype, "replaceChildren");

/** `replaceChildren` of an element or a shadow root. */
export function replaceChildren(parent: Node, ...nodes: Node[]): void {
  (nodeType(parent) === 11 ? fragmentReplace : elementReplace)(parent, ...nodes);
}

const getComputedStyleOf = early(() => globalThis.getComputedStyle);
/** The computed style of `el` (of any same-origin window's document). */
export const computedStyle = (el: Element): CSSStyleDeclaration => apply(getComputedStyleOf(), globalThis, [el]) as CSSStyleDeclaration;

/** The inline style of an HTML, SVG or MathML element (`null` for any
 *  other). */
export function styleOf(el: Element): CSSStyleDeclaration | null {
  for (const get of styleGetters()) {
    try {
      return apply(get, el, []) as CSSStyleDeclaration;
    } catch {
      // Not of this interface: the next one.
    }
  }
  return null;
}
const styleGetters = early(() => ["HTMLElement", "SVGElement", "MathMLElement"].flatMap((name) => {
  const proto = (globalThis as unknown as Record<string, { prototype: object } | undefined>)[name]?.prototype;
  const get = proto && descriptor(proto, "style")?.get;
  return get ? [get] : [];
}));
