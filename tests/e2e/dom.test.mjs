// applyToDom fails closed, in headless Chromium (issue #10, item 8): unknown
// names hide instead of throwing, CSS cannot reveal a denied element, the
// app's own `hidden` is respected, watch mode follows the page, masked fields
// keep no trace of the value, refused snapshots hide everything, and
// permsnap.css hides protected markup before any script runs.
// Serves pkg/ from a tiny static server on 127.0.0.1; needs a built package.
// Screenshot: test-output/dom-fail-closed.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, servePkg } from "./browsers.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
// The browser entry (the small core) and its React components.
const dir = "pkg";
const wasmUrl = "/pkg/permsnap_wasm_bg.wasm";
const out = join(root, "test-output");
mkdirSync(out, { recursive: true });
const vectors = JSON.parse(readFileSync(join(root, "vectors/vectors.json"), "utf8"));
const kase = (name) => {
  const c = vectors.cases.find((x) => x.name === name);
  return { catalog: vectors.catalogs[c.catalog], jwks: vectors.key.jwks, snapshot: c.snapshot, now: c.now, tenant: c.expected_tenant };
};
const dia = kase("sitee/dia"); // marketing: campaigns.manage + clients.view, no payments
const fay = kase("sitee/fay"); // user, restricted view, payments off: calendar.view + clients.view; email/phone masked
const ben = kase("sitee/ben"); // admin: payments, sees email/phone

// Markup protected by permsnap.css, checked before any script runs.
const cssPage = `<!doctype html><meta charset="utf-8"><title>permsnap.css</title>
<link rel="stylesheet" href="/pkg/permsnap.css">
<style>.row { display: flex !important; gap: 8px } body { font: 16px sans-serif }</style>
<body>
  <h1 id="title">Public title</h1>
  <div class="row" id="pay" data-requires="payments.view">Payments (denied for dia)</div>
  <div class="row" id="camp" data-requires="campaigns.manage">Campaigns (allowed for dia)</div>
  <nav id="any" data-requires-any="payments.view billing.subscription">Money</nav>
  <p>Email: <span id="email" data-field="clients.email">zoe@mail.test</span></p>
</body>`;

let server, browser, base;

// A React app on a session (what an app's bundler makes of it): the
// provider must re-render on each swap, applyToDom must follow the session.
const reactEntry = `
import { createElement as h } from "react";
import { createRoot, hydrateRoot } from "react-dom/client";
import { flushSync } from "react-dom";
import * as lib from "${join(root, dir, "react.js")}";
import { init, createSession, applyToDom, Verifier } from "${join(root, dir, "index.js")}";
import { appTree } from "${join(root, "tests/e2e/react-app.mjs")}";
window.startApp = async ({ catalog, jwks, tenant, snapshots }) => {
  await init("${wasmUrl}");
  let next = 0;
  // Each fetch gives the next snapshot, fresh (the token echoed), so its
  // issuedAt sets the session's clock: the vectors' time.
  const session = createSession({ catalog, jwks, tenant, fetchSnapshot: async ({ fresh }) => ({ ...snapshots[Math.min(next++, snapshots.length - 1)], fresh }) });
  const root = createRoot(document.querySelector("#app"));
  flushSync(() => root.render(appTree(h, lib, session)));
  const watch = applyToDom(document.querySelector("#plain"), session);
  window.session = session;
  window.watch = watch;
  await session.ready;
};
// Given permissions (no session) that expire a second after they load: the
// provider must render again at their expiry.
window.renderExpiring = async ({ catalog, jwks, tenant, snapshot, now }) => {
  await init("${wasmUrl}");
  const exp = (await new Verifier(catalog, jwks, { tenant, clock: () => now }).verify(snapshot)).expiresAt;
  const p = await new Verifier(catalog, jwks, { tenant, leeway: 0, clock: () => exp - 1 }).verify(snapshot);
  const root = createRoot(document.querySelector("#expiring"));
  flushSync(() => root.render(h(lib.PermissionsProvider, { permissions: p },
    h(lib.Can, { do: "campaigns.manage", fallback: h("i", { id: "no" }, "no campaigns") }, h("b", { id: "yes" }, "campaigns")))));
};
// A session closed (a sign-out or teardown path) a moment after the first
// render: the provider must render deny-all then, not at expiry.
window.renderSessionClosing = async ({ catalog, jwks, tenant, issued }) => {
  await init("${wasmUrl}");
  const session = createSession({ catalog, jwks, tenant, leeway: 0, fetchSnapshot: async ({ fresh }) => ({ ...issued, fresh }) });
  await session.ready;
  const root = createRoot(document.querySelector("#expiring"));
  flushSync(() => root.render(h(lib.PermissionsProvider, { session },
    h(lib.Can, { do: "campaigns.manage", fallback: h("i", null, "no campaigns") }, h("b", null, "campaigns")))));
  setTimeout(() => session.close(), 300);
};
// Server rendering: the page holds the server's HTML and the snapshot it
// was rendered with; the client's session starts from it (\`initial\`).
window.hydrateApp = async ({ catalog, jwks, tenant, initial }) => {
  await init("${wasmUrl}");
  const session = createSession({ catalog, jwks, tenant, initial, fetchSnapshot: async () => initial });
  // The browser build verifies \`initial\` with the platform's WebCrypto
  // (asynchronous): hydrate once it is in force.
  await session.ready;
  const recoverable = [];
  hydrateRoot(document.querySelector("#app"), appTree(h, lib, session), { onRecoverableError: (e) => recoverable.push(String(e && e.message || e)) });
  await new Promise((r) => setTimeout(r, 100));
  return recoverable;
};
// React rendering a select whose options a watch denies.
window.renderOptions = (el) => {
  const root = createRoot(el);
  return (amount, extra) => flushSync(() => root.render(h("select", { id: "rs", defaultValue: "a" },
    h("option", { value: "a" }, "Public"),
    h("option", { id: "ro", value: "p", "data-requires": "payments.view" }, "Refund ", amount, extra ? h("b", null, "!") : null))));
};
`;

before(async () => {
  const esbuild = await import("esbuild");
  const built = await esbuild.build({ stdin: { contents: reactEntry, resolveDir: root, loader: "js" }, bundle: true, format: "esm", write: false, logLevel: "warning", define: { "process.env.NODE_ENV": '"production"' } });
  const reactBundle = built.outputFiles[0].text;
  const html = { type: "text/html; charset=utf-8" };
  ({ server, base } = await servePkg({
    "/favicon.ico": () => ({ status: 204 }),
    "/react-session.js": () => ({ type: "text/javascript", body: reactBundle }),
    "/blank.html": () => ({ ...html, body: `<!doctype html><meta charset="utf-8"><title>dom</title><body></body>` }),
    "/css.html": () => ({ ...html, body: cssPage }),
  }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server ? server.close(r) : r());
});

/** A page with the package loaded: `window.ps` (the module), `window.load(case)`
 *  (verified Permissions), `window.refused()`, `window.tick()`; console.error
 *  and page errors collected. */
async function open(path = "/blank.html") {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  const consoleErrors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  await page.goto(base + path);
  await page.evaluate(async (dir) => {
    const ps = await import(`/${dir}/index.js`);
    await ps.init();
    window.ps = ps;
    const verifier = (c) => new ps.Verifier(c.catalog, c.jwks, { tenant: c.tenant, clock: () => c.now });
    // The browser build verifies with the platform's WebCrypto: asynchronously.
    window.load = (c) => verifier(c).verify(c.snapshot);
    window.refused = (c) => verifier(c).verifyOrDeny(c.snapshot.slice(0, -4) + "AAAA");
    window.tick = () => new Promise((r) => setTimeout(r, 0));
  }, dir);
  return { page, errors, consoleErrors };
}

test("an unknown permission name hides its element, is reported, and does not stop the pass", async () => {
  const { page, errors, consoleErrors } = await open();
  const r = await page.evaluate(async (dia) => {
    document.body.innerHTML = `
      <a id="typo" data-requires="payments.veiw">typo first in the page</a>
      <a id="pay" data-requires="payments.view">Payments</a>
      <a id="camp" data-requires="campaigns.manage">Campaigns</a>
      <a id="mixed" data-requires-any="campaigns.manage clients.veiw">typo beside an allowed name</a>
      <a id="empty" data-requires="">empty</a>
      <a id="emptyany" data-requires-any=" ">empty any</a>
      <a id="both" data-requires="campaigns.manage" data-requires-any="payments.view">both attributes</a>`;
    let result, thrown = null;
    try { result = ps.applyToDom(document.body, (await load(dia))); } catch (e) { thrown = e.message; }
    const shown = Object.fromEntries([...document.querySelectorAll("a")].map((a) => [a.id, a.checkVisibility()]));
    return { result, thrown, shown };
  }, dia);
  assert.equal(r.thrown, null);
  assert.deepEqual(r.shown, { typo: false, pay: false, camp: true, mixed: false, empty: false, emptyany: false, both: false });
  assert.equal(r.result.hidden, 6);
  assert.equal(r.result.masked, 0);
  assert.equal(r.result.problems.length, 4, r.result.problems.join("\n"));
  assert.ok(r.result.problems.some((m) => m.includes("payments.veiw") && m.includes('id="typo"')));
  assert.ok(r.result.problems.some((m) => m.includes("clients.veiw")));
  assert.ok(r.result.problems.some((m) => /data-requires is empty/.test(m)));
  assert.ok(r.result.problems.some((m) => /data-requires-any is empty/.test(m)));
  assert.equal(consoleErrors.length, 4, consoleErrors.join("\n"));
  assert.ok(consoleErrors.every((m) => m.startsWith("permsnap applyToDom:")));
  assert.deepEqual(errors, []);
  await page.close();
});

test("no CSS rule can show a denied element: hidden + inline display:none !important + inert", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (dia) => {
    document.head.insertAdjacentHTML("beforeend", `<style>
      .flex { display: flex !important; } [hidden] { display: block !important; } #pay { display: grid !important; }</style>`);
    document.body.innerHTML = `
      <div id="pay" class="flex" data-requires="payments.view"><button id="paybtn">Charge</button></div>
      <div id="camp" class="flex" data-requires="campaigns.manage">Campaigns</div>`;
    ps.applyToDom(document.body, (await load(dia)));
    const pay = document.querySelector("#pay");
    document.querySelector("#paybtn").focus();
    return {
      payShown: pay.checkVisibility(), payDisplay: getComputedStyle(pay).display,
      payAttrs: { hidden: pay.hidden, inert: pay.inert, mark: pay.dataset.permsnap, style: pay.getAttribute("style") },
      focused: document.activeElement?.id ?? null,
      camp: { shown: document.querySelector("#camp").checkVisibility(), display: getComputedStyle(document.querySelector("#camp")).display, mark: document.querySelector("#camp").dataset.permsnap },
    };
  }, dia);
  assert.equal(r.payShown, false);
  assert.equal(r.payDisplay, "none");
  assert.deepEqual(r.payAttrs, { hidden: true, inert: true, mark: "denied", style: "display: none !important;" });
  assert.notEqual(r.focused, "paybtn", "a denied element cannot take focus");
  assert.deepEqual(r.camp, { shown: true, display: "flex", mark: "allowed" });
  await page.close();
});

test("a denied <option selected> is unselected and disabled: its text is neither shown as the select's value nor submitted (attack review, session 13)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (dia) => {
    document.body.innerHTML = `<form><select id="sel" name="view"><option>public</option>
      <option id="secret" data-requires="payments.view" selected>SECRET OPTION</option></select></form>`;
    ps.applyToDom(document.body, (await load(dia)));
    const sel = document.querySelector("#sel");
    return { value: sel.value, submitted: new FormData(sel.form).get("view"), disabled: document.querySelector("#secret").disabled };
  }, dia);
  assert.deepEqual(r, { value: "public", submitted: "public", disabled: true });
  await page.close();
});

test("a denied <optgroup>'s options are unselected and disabled, and an option a script selects again shows a blank label; allowed, they are given back (attack review, session 16)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async ({ dia, ben }) => {
    document.body.innerHTML = `<form><select id="sel" name="action"><option value="view">View</option>
      <optgroup id="og" label="Money" data-requires="payments.view"><option id="refund" value="refund" selected>Refund 4111-SECRET</option></optgroup>
      <option id="charge" value="charge" label="Charge 4111" data-requires="payments.view">Charge</option></select></form>`;
    const sel = document.querySelector("#sel");
    const w = ps.applyToDom(document.body, await load(dia), { watch: true });
    const first = { value: sel.value, submitted: new FormData(sel.form).get("action") };
    // A framework's controlled <select> (React, Vue) writes the value back:
    // a property write, which no mutation record reports.
    const shown = [];
    for (const value of ["refund", "charge"]) {
      sel.value = value;
      await new Promise((r) => setTimeout(r, 20));
      shown.push({ label: sel.selectedOptions[0]?.label, submitted: new FormData(sel.form).get("action") });
    }
    // Added to the denied group later, or relabelled there by the app.
    const late = document.createElement("option");
    late.value = "late";
    late.textContent = "Refund 4111-LATE";
    document.querySelector("#og").append(late);
    document.querySelector("#refund").setAttribute("label", "Refund 4111-RELABELED");
    await new Promise((r) => setTimeout(r, 20));
    for (const value of ["late", "refund"]) {
      sel.value = value;
      shown.push({ label: sel.selectedOptions[0]?.label, submitted: new FormData(sel.form).get("action") });
    }
    // A customisable select shows a copy of the selected option's content
    // (`<selectedcontent>`), not its label.
    document.body.insertAdjacentHTML("beforeend", `<style>.base, .base::picker(select) { appearance: base-select }</style>
      <select id="base" class="base"><button><selectedcontent></selectedcontent></button><option value="v">View</option>
      <option id="bsec" value="sec" data-requires="payments.view"><b>Revenue SECRET-CS</b></option></select>`);
    await new Promise((r) => setTimeout(r, 20));
    const base = document.querySelector("#base");
    base.value = "sec";
    await new Promise((r) => setTimeout(r, 20));
    const selectedcontent = base.querySelector("selectedcontent").checkVisibility() ? base.querySelector("selectedcontent").textContent : "";
    // Not watched: permsnap.css keeps the copy from showing.
    if (![...document.styleSheets].some((s) => s.href?.endsWith("permsnap.css"))) {
      await new Promise((ok) => document.head.appendChild(Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/pkg/permsnap.css", onload: ok })));
    }
    document.body.insertAdjacentHTML("beforeend", `<select id="once" class="base"><button><selectedcontent></selectedcontent></button><option value="v">View</option>
      <option value="sec" data-requires="payments.view"><b>Revenue ONCE</b></option></select>
      <select id="wrap" class="base"><button><selectedcontent></selectedcontent></button><option value="v">View</option>
      <div data-requires="payments.view"><option value="sec"><b>Revenue WRAPPED</b></option></div></select>`);
    ps.applyToDom(document.querySelector("#once"), await load(dia));
    ps.applyToDom(document.querySelector("#wrap"), await load(dia));
    const once = document.querySelector("#once"), wrap = document.querySelector("#wrap");
    once.value = "sec";
    wrap.value = "sec";
    await new Promise((r) => setTimeout(r, 20));
    const onceShown = [once, wrap].some((s) => s.querySelector("selectedcontent").checkVisibility() && /ONCE|WRAPPED/.test(s.querySelector("selectedcontent").textContent));
    w.update(await load(ben));
    await new Promise((r) => setTimeout(r, 20));
    const sc = base.querySelector("selectedcontent");
    const refilled = sc.checkVisibility() ? sc.textContent : "(hidden)";
    const refund = document.querySelector("#refund"), charge = document.querySelector("#charge");
    const after = {
      refund: [refund.label, refund.disabled], late: [late.label, late.text], charge: [charge.label, charge.disabled],
      og: document.querySelector("#og").disabled, bsec: document.querySelector("#bsec").innerHTML,
    };
    w.stop();
    return { first, shown, selectedcontent, onceShown, refilled, after };
  }, { dia, ben });
  assert.deepEqual(r.first, { value: "view", submitted: "view" });
  assert.deepEqual(r.shown, [
    { label: " ", submitted: null }, { label: " ", submitted: null },
    { label: " ", submitted: null }, { label: " ", submitted: null },
  ]);
  assert.doesNotMatch(r.selectedcontent, /SECRET/);
  assert.equal(r.onceShown, false);
  assert.equal(r.refilled, "Revenue SECRET-CS", "allowed again, the select shows it");
  assert.deepEqual(r.after, {
    refund: ["Refund 4111-RELABELED", false], late: ["Refund 4111-LATE", "Refund 4111-LATE"], charge: ["Charge 4111", false],
    og: false, bsec: "<b>Revenue SECRET-CS</b>",
  });
  await page.close();
});

test("React re-rendering a denied <option> keeps working (its content is React's), and the option allowed shows what React rendered last (attack review, session 16)", async () => {
  const { page, errors } = await open();
  const r = await page.evaluate(async ({ fay, ben }) => {
    await import("/react-session.js");
    const app = document.createElement("div");
    document.body.replaceChildren(app);
    const render = window.renderOptions(app);
    const steps = [];
    const step = (name, f) => { try { f(); steps.push(name); } catch (e) { steps.push(`${name} threw ${e.message}`); } };
    step("initial", () => render("$100", false));
    const w = ps.applyToDom(app, await load(fay), { watch: true });
    const settle = () => new Promise((ok) => setTimeout(ok, 20));
    for (const [amount, extra] of [["$200", false], ["$200", true], ["$300", false]]) {
      step(`${amount} ${extra}`, () => render(amount, extra));
      await settle();
    }
    const sel = document.querySelector("#rs");
    sel.value = "p";
    const denied = { label: sel.selectedOptions[0]?.label };
    w.update(await load(ben));
    step("allowed", () => render("$400", true));
    await settle();
    const option = document.querySelector("#ro");
    w.stop();
    return { steps, label: denied.label, allowed: [option.text, option.label, option.disabled] };
  }, { fay, ben });
  assert.deepEqual(r.steps, ["initial", "$200 false", "$200 true", "$300 false", "allowed"]);
  assert.equal(r.label, " ");
  assert.deepEqual(r.allowed, ["Refund $400!", "Refund $400!", false]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a denied element a component's own `!important` styles keep displayed (`:host`, `::slotted`) is made invisible and reported, and given back when allowed (attack review, session 16)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async ({ dia, ben }) => {
    // A component whose shadow root holds `css` and a slot.
    const component = (mode, css) => class extends HTMLElement {
      constructor() {
        super();
        this.attachShadow({ mode }).innerHTML = `<style>${css}</style><slot></slot>`;
      }
    };
    const Panel = component("closed", ":host { display: block !important }");
    const Frame = component("open", "::slotted(*) { display: flex !important }");
    const Forcing = component("open", "::slotted(*) { display: block !important; visibility: visible !important; opacity: 1 !important; content-visibility: visible !important }");
    // A component that assigns its children's slots itself (tabs).
    class Tabs extends HTMLElement {
      constructor() {
        super();
        this.attachShadow({ mode: "open" }).innerHTML = '<style>::slotted(*) { display: inline-block !important }</style><slot name="nav"></slot>';
        const assign = () => { for (const c of this.children) if (c.getAttribute("slot") !== "nav") c.setAttribute("slot", "nav"); };
        new MutationObserver(assign).observe(this, { subtree: true, attributes: true, attributeFilter: ["slot"], childList: true });
        queueMicrotask(assign);
      }
    }
    const Contents = component("open", ":host { display: contents !important }");
    customElements.define("x-panel", Panel);
    customElements.define("x-frame", Frame);
    customElements.define("x-forcing", Forcing);
    customElements.define("x-tabs", Tabs);
    customElements.define("x-contents", Contents);
    document.body.innerHTML = `<x-panel id="host" data-requires="payments.view">Revenue $1,234,567</x-panel>
      <x-frame><div id="slotted" data-requires="payments.view" style="color: red">Refund 4111-SECRET</div></x-frame>
      <x-forcing><div id="forced" data-requires="payments.view" slot="">Refund 4111-FORCED</div></x-forcing>
      <div id="plain"><p id="closed" data-requires="payments.view">Revenue CLOSED</p></div>
      <x-late id="late" data-requires="payments.view">Revenue LATE</x-late>
      <x-tabs><div id="tab" data-requires="payments.view">Refunds TAB</div></x-tabs>
      <x-contents id="contents" data-requires="payments.view"><p style="visibility: visible">CONTENTS</p></x-contents>
      <x-panel id="ok" data-requires="campaigns.manage">Campaigns</x-panel>`;
    // A closed shadow root on a plain element: nothing tells it apart.
    document.querySelector("#plain").attachShadow({ mode: "closed" }).innerHTML = "<style>::slotted(*) { display: block !important }</style><slot></slot>";
    const seen = (id) => document.getElementById(id).checkVisibility({ visibilityProperty: true, opacityProperty: true });
    const w = ps.applyToDom(document.body, await load(dia), { watch: true });
    // A component defined after the pass (loaded lazily).
    customElements.define("x-late", class extends Panel {});
    await new Promise((r) => setTimeout(r, 100)); // the tabs take their slot back: no endless turns
    const ids = ["host", "slotted", "forced", "closed", "late", "tab", "ok"];
    const denied = { ...Object.fromEntries(ids.map((id) => [id, seen(id)])), problems: w.problems };
    w.update(await load(ben));
    const allowed = {
      ...Object.fromEntries(ids.map((id) => [id, seen(id)])),
      style: document.getElementById("slotted").getAttribute("style"), hostStyle: document.getElementById("host").getAttribute("style"),
      slots: [document.getElementById("slotted").getAttribute("slot"), document.getElementById("forced").getAttribute("slot")],
    };
    w.stop();
    return { denied, allowed };
  }, { dia, ben });
  assert.deepEqual(r.denied, { host: false, slotted: false, forced: false, closed: false, late: false, tab: false, ok: true, problems: r.denied.problems });
  assert.equal(r.denied.problems.filter((m) => m.includes("own `!important` styles keep it displayed: made invisible")).length, 6, r.denied.problems.join("\n"));
  // An element without a box (`display: contents`) cannot be hidden from
  // outside: said so.
  assert.ok(r.denied.problems.some((m) => m.includes('id="contents"') && m.includes("could not be hidden")), r.denied.problems.join("\n"));
  assert.deepEqual(r.allowed, { host: true, slotted: true, forced: true, closed: true, late: true, tab: true, ok: true, style: "color: red;", hostStyle: null, slots: [null, ""] });
  await page.close();
});

test("an attribute that looks like permsnap's but is not (a typo) with a permission or field in it hides its element and is reported (attack review, session 16)", async () => {
  const { page, consoleErrors } = await open();
  const r = await page.evaluate(async (ben) => {
    document.body.innerHTML = `<div id="a" data-require="payments.view">REVENUE</div>
      <div id="b" data-requires-all="payments.view">REVENUE</div>
      <div id="c" data-requries="payments.view">REVENUE</div>
      <span id="d" data-feild="clients.email">zoe@mail.test</span>
      <span id="e" data-fields="clients.phone">555-0101</span>
      <input id="f" data-required="true" value="kept"><span id="g" data-field-label="Email">kept</span>
      <span id="h" data-field-id="user.email" data-fieldset="profile.contact" data-requirements="Node 18.x" data-fid="3.14"
        data-file="report.pdf" data-fill="brand.primary" data-feed="blog.rss" data-fired="ga.event" data-filter="status.open">kept</span>
      <div id="j" data_requires="payments.view">REVENUE</div>
      <span id="k1" data-fileds="clients.email">zoe@mail.test</span><span id="k2" data-flied="clients.email">zoe@mail.test</span>
      <span id="k3" field="clients.email">zoe@mail.test</span><div id="k4" date-requires="payments.view">REVENUE</div>
      <div id="k5" data--requires="payments.view">REVENUE</div><div id="k6" data-requiresall="payments.view">REVENUE</div>
      <div id="k7" data-require="payments.view,">REVENUE</div>
      <span id="k8" data-fied="clients.email">zoe@mail.test</span><span id="k9" data-fïeld="clients.email">zoe@mail.test</span>
      <svg><text id="i" y="15">REVENUE SVG</text></svg>`;
    // An SVG element keeps its attribute names' case (JSX, setAttribute):
    // `data-Requires` is not found by getAttribute("data-requires").
    document.getElementById("i").setAttribute("data-Requires", "payments.view");
    const w = ps.applyToDom(document.body, await load(ben), { watch: true });
    const ids = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"];
    const seen = () => Object.fromEntries(ids.map((id) => [id, document.getElementById(id).checkVisibility()]));
    const denied = seen();
    const problems = w.problems;
    // The typo fixed (and one made later): followed by the watch.
    const a = document.getElementById("a");
    a.removeAttribute("data-require");
    a.setAttribute("data-requires", "payments.view");
    document.getElementById("g").setAttribute("data-require-any", "payments.view");
    await new Promise((r) => setTimeout(r, 20));
    const later = seen();
    w.stop();
    return { denied, problems, later };
  }, ben);
  const misspelt = { k1: false, k2: false, k3: false, k4: false, k5: false, k6: false, k7: false, k8: false, k9: false };
  assert.deepEqual(r.denied, { a: false, b: false, c: false, d: false, e: false, f: true, g: true, h: true, i: false, j: false, ...misspelt });
  assert.equal(r.problems.length, 16, r.problems.join("\n"));
  assert.ok(r.problems.every((m) => m.includes("is not a permsnap attribute")));
  assert.deepEqual(r.later, { a: true, b: false, c: false, d: false, e: false, f: true, g: false, h: true, i: false, j: false, ...misspelt });
  assert.ok(consoleErrors.some((m) => m.includes("`data-feild` is not a permsnap attribute")));
  await page.close();
});

test("permsnap undoes only what it did: the app's own hidden, inert and inline display survive deny/allow", async () => {
  const { page } = await open();
  const r = await page.evaluate(async ({ dia, ben }) => {
    document.body.innerHTML = `
      <div id="apphidden" hidden data-requires="campaigns.manage">hidden by the app</div>
      <div id="appinert" inert data-requires="campaigns.manage">inert by the app</div>
      <div id="grid" style="display: grid; color: red" data-requires="payments.view">grid</div>
      <div id="imp" style="display: flex !important" data-requires="payments.view">important</div>
      <div id="plain" data-requires="payments.view">plain</div>`;
    const state = () => Object.fromEntries([...document.body.children].map((e) => [e.id,
      { shown: e.checkVisibility(), hidden: e.hasAttribute("hidden"), inert: e.hasAttribute("inert"), style: e.getAttribute("style"), mark: e.dataset.permsnap ?? null }]));
    const p = (await load(dia));
    ps.applyToDom(document.body, p); // campaigns allowed, payments denied
    const first = state();
    ps.applyToDom(document.body, (await refused(dia))); // everything denied
    const denied = state();
    ps.applyToDom(document.body, (await load(ben))); // ben: payments allowed; campaigns?
    const allowed = state();
    return { first, denied, allowed, benCamp: (await load(ben)).can("campaigns.manage") };
  }, { dia, ben });
  assert.deepEqual(r.first.apphidden, { shown: false, hidden: true, inert: false, style: null, mark: "allowed" });
  assert.deepEqual(r.first.appinert, { shown: true, hidden: false, inert: true, style: null, mark: "allowed" });
  assert.equal(r.first.grid.shown, false);
  assert.equal(r.denied.apphidden.shown, false);
  assert.equal(r.denied.appinert.shown, false);
  // Allowed again: exactly the app's own state.
  assert.deepEqual(r.allowed.grid, { shown: true, hidden: false, inert: false, style: "display: grid; color: red;", mark: "allowed" });
  assert.deepEqual(r.allowed.imp, { shown: true, hidden: false, inert: false, style: "display: flex !important;", mark: "allowed" });
  assert.deepEqual(r.allowed.plain, { shown: true, hidden: false, inert: false, style: null, mark: "allowed" });
  if (r.benCamp) {
    assert.deepEqual(r.allowed.apphidden, { shown: false, hidden: true, inert: false, style: null, mark: "allowed" }, "the app's hidden stays");
    assert.deepEqual(r.allowed.appinert, { shown: true, hidden: false, inert: true, style: null, mark: "allowed" }, "the app's inert stays");
  }
  await page.close();
});

test("watch mode: later elements, changed attributes, re-rendered fields, un-hiding attempts; update() and stop()", async () => {
  const { page, errors } = await open();
  const r = await page.evaluate(async ({ fay, ben }) => {
    const box = document.createElement("main");
    box.innerHTML = `<a id="camp" data-requires="calendar.view">Calendar</a>
      <span id="email" data-field="clients.email">zoe@mail.test</span>`;
    document.body.append(box);
    const w = ps.applyToDom(box, (await load(fay)), { watch: true });
    const seen = {};
    seen.initial = { hidden: w.hidden, masked: w.masked, watching: w.watching };

    box.insertAdjacentHTML("beforeend", `<section id="late" data-requires="payments.view"><b>late payments</b></section>
      <div id="wrap"><span id="lateEmail" data-field="clients.email" title="x@y.z">x@y.z</span><a id="lateTypo" data-requires="stafff.manage">t</a></div>`);
    await tick();
    seen.late = { shown: box.querySelector("#late").checkVisibility(), email: box.querySelector("#lateEmail").outerHTML,
      typoShown: box.querySelector("#lateTypo").checkVisibility(), problems: w.problems };

    box.querySelector("#camp").setAttribute("data-requires", "payments.view");
    await tick();
    seen.changed = box.querySelector("#camp").checkVisibility();

    const late = box.querySelector("#late");
    late.hidden = false; late.removeAttribute("inert"); late.style.display = "block"; late.dataset.permsnap = "allowed";
    await tick();
    seen.unhide = { shown: late.checkVisibility(), hidden: late.hidden, inert: late.inert };

    box.querySelector("#email").textContent = "zoe@mail.test"; // a framework re-rendering the value
    box.querySelector("#email").setAttribute("href", "mailto:zoe@mail.test");
    await tick();
    seen.rerender = box.querySelector("#email").outerHTML;

    seen.refused = w.update((await refused(fay)));
    seen.refusedCamp = box.querySelector("#camp").checkVisibility();
    seen.ben = w.update((await load(ben)));
    seen.benLate = box.querySelector("#late").checkVisibility();

    w.stop();
    box.insertAdjacentHTML("beforeend", `<a id="afterStop" data-requires="payments.veiw">after stop</a>`);
    await tick();
    seen.afterStop = { mark: box.querySelector("#afterStop").dataset.permsnap ?? null, watching: w.watching };
    return seen;
  }, { fay, ben });
  assert.deepEqual(r.initial, { hidden: 0, masked: 1, watching: true });
  assert.equal(r.late.shown, false, "an element added later is hidden");
  assert.equal(r.late.typoShown, false);
  assert.ok(!r.late.email.includes("x@y.z"), r.late.email);
  assert.ok(r.late.problems.some((m) => m.includes("stafff.manage")), r.late.problems.join("\n"));
  assert.equal(r.changed, false, "a data-requires changed to a denied permission hides");
  assert.deepEqual(r.unhide, { shown: false, hidden: true, inert: true });
  assert.ok(!r.rerender.includes("zoe"), r.rerender);
  assert.equal(r.refused.hidden, 3);
  assert.equal(r.refusedCamp, false);
  assert.equal(r.ben.problems.length, 1, "the typo, again");
  assert.equal(r.benLate, true, "update() with permissions that allow shows again");
  assert.deepEqual(r.afterStop, { mark: null, watching: false });
  assert.deepEqual(errors, []);
  await page.close();
});

// From an attack review: what the watch missed. A component filling its
// open shadow root after the first pass; a framework writing `.value` (no
// mutation record); a same-origin iframe's elements (another window's
// classes); permissions expiring while watched.
test("watch mode reaches shadow roots filled later, keeps masked controls masked, masks an iframe's controls, and hides at expiry", async () => {
  const { page, errors } = await open();
  const r = await page.evaluate(async ({ fay, dia, ben }) => {
    const seen = {};
    const box = document.createElement("main");
    box.innerHTML = `<div id="host"></div><input id="in" data-field="clients.email" value="zoe@mail.test">
      <textarea id="ta" data-field="clients.phone">555-0101</textarea>`;
    document.body.append(box);
    const shadow = box.querySelector("#host").attachShadow({ mode: "open" });
    const w = ps.applyToDom(box, await load(fay), { watch: true });
    // The component renders into its shadow root later.
    shadow.innerHTML = `<button id="pay" data-requires="payments.view">Pay</button><span id="mail" data-field="clients.email">zoe@mail.test</span>`;
    await tick();
    seen.shadow = { payShown: shadow.querySelector("#pay").checkVisibility(), mail: shadow.querySelector("#mail").textContent };
    // A framework re-renders the masked controls through the property.
    box.querySelector("#in").value = "zoe@mail.test";
    box.querySelector("#ta").value = "555-0101";
    await tick();
    seen.values = [box.querySelector("#in").value, box.querySelector("#ta").value];
    // A write through the class's own setter (past the pin) is undone at
    // the next pass.
    const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
    native.set.call(box.querySelector("#in"), "zoe@mail.test");
    w.update(await load(fay));
    seen.bypass = native.get.call(box.querySelector("#in"));
    // A framework's own `value` property (React's value tracker) is put
    // back when the field is shown again.
    const tracked = Object.assign(document.createElement("input"), { id: "tracked", value: "zoe@mail.test" });
    tracked.dataset.field = "clients.email";
    const tracker = { get() { return native.get.call(this); }, set(v) { native.set.call(this, v); }, configurable: true };
    Object.defineProperty(tracked, "value", tracker);
    box.append(tracked);
    await tick();
    seen.trackedMasked = tracked.value;
    w.update(await load(ben)); // ben sees emails
    seen.trackerBack = Object.getOwnPropertyDescriptor(tracked, "value")?.get === tracker.get;
    tracked.value = "shown again";
    seen.trackedShown = native.get.call(tracked);
    w.stop();

    // A same-origin iframe: its elements are not this window's HTMLInputElement.
    const frame = document.createElement("iframe");
    document.body.append(frame);
    const doc = frame.contentDocument;
    doc.body.innerHTML = `<input id="fin" data-field="clients.email" value="zoe@mail.test"><textarea id="fta" data-field="clients.phone">555-0101</textarea>`;
    const fr = ps.applyToDom(doc.body, await load(fay));
    seen.frame = { masked: fr.masked, values: [doc.querySelector("#fin").value, doc.querySelector("#fta").value] };

    // Permissions that expire a second from now, watched.
    const v0 = new ps.Verifier(dia.catalog, dia.jwks, { tenant: dia.tenant, clock: () => dia.now });
    const exp = (await v0.verify(dia.snapshot)).expiresAt;
    const v = new ps.Verifier(dia.catalog, dia.jwks, { tenant: dia.tenant, leeway: 0, clock: () => exp - 1 });
    const p = await v.verify(dia.snapshot);
    const exp2 = document.createElement("section");
    exp2.innerHTML = `<a id="camp" data-requires="campaigns.manage">Campaigns</a>`;
    document.body.append(exp2);
    const we = ps.applyToDom(exp2, p, { watch: true });
    seen.beforeExpiry = exp2.querySelector("#camp").checkVisibility();
    await new Promise((r) => setTimeout(r, 1400));
    seen.afterExpiry = { shown: exp2.querySelector("#camp").checkVisibility(), can: p.can("campaigns.manage"), hidden: we.hidden };
    we.stop();
    return seen;
  }, { fay, dia, ben });
  assert.deepEqual(r.shadow, { payShown: false, mail: "•••" }, "content rendered into a shadow root later is hidden and masked");
  assert.deepEqual(r.values, ["•••", "•••"], "a masked control keeps its mask when .value is written");
  assert.equal(r.bypass, "•••", "a write past the pin is undone at the next pass");
  assert.deepEqual([r.trackedMasked, r.trackerBack, r.trackedShown], ["•••", true, "shown again"], "the framework's own value property is put back");
  assert.deepEqual(r.frame, { masked: 2, values: ["•••", "•••"] }, "an iframe's controls are masked");
  assert.equal(r.beforeExpiry, true);
  assert.deepEqual(r.afterExpiry, { shown: false, can: false, hidden: 1 }, "at expiry the watch hides what the permissions showed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a masked field keeps no trace of the value: text, href, title, value, aria-*, data-*", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (fay) => {
    document.body.innerHTML = `<form id="f">
      <a id="mail" class="contact" lang="en" data-field="clients.email" href="mailto:zoe@mail.test" title="zoe@mail.test"
         data-email="zoe@mail.test" aria-label="zoe@mail.test" onclick="void 'zoe@mail.test'"><img alt="zoe@mail.test" src="/zoe@mail.test.png">zoe@mail.test</a>
      <input id="in" type="email" name="email" data-field="clients.email" value="zoe@mail.test" placeholder="zoe@mail.test">
      <input id="chk" type="checkbox" name="x" data-field="clients.phone" value="555-0101" checked>
      <textarea id="ta" name="phone" data-field="clients.phone">555-0101</textarea>
      <select id="sel" name="phone2" data-field="clients.phone"><option value="555-0101" selected>555-0101</option></select>
      <output id="out" data-field="clients.phone">555-0101</output>
      <span id="name" data-field="clients.phone" data-requires="clients.view">555-0101</span>
    </form>`;
    document.querySelector("#in").value = "zoe@mail.test (edited)";
    const result = ps.applyToDom(document.body, (await load(fay)), { mask: "hidden" });
    const form = document.querySelector("#f");
    return {
      result,
      html: form.outerHTML,
      values: ["in", "chk", "ta", "sel", "out"].map((id) => form.querySelector("#" + id).value),
      submitted: [...new FormData(form).entries()],
      mail: { id: form.querySelector("#mail").id, class: form.querySelector("#mail").className, lang: form.querySelector("#mail").lang,
        text: form.querySelector("#mail").textContent, attrs: form.querySelector("#mail").getAttributeNames().sort() },
      nameStillProtected: form.querySelector("#name").getAttribute("data-requires"),
    };
  }, fay);
  assert.equal(r.result.masked, 7);
  assert.deepEqual(r.result.problems, []);
  assert.ok(!/zoe|555/.test(r.html), r.html);
  assert.deepEqual(r.values, ["hidden", "hidden", "hidden", "hidden", "hidden"]);
  assert.ok(r.submitted.every(([, v]) => !/zoe|555/.test(v)), JSON.stringify(r.submitted));
  assert.deepEqual(r.mail, { id: "mail", class: "contact permsnap-masked", lang: "en", text: "hidden",
    attrs: ["class", "data-field", "data-permsnap-field", "id", "lang"] });
  assert.equal(r.nameStillProtected, "clients.view", "permsnap's own attributes survive the scrub");
  await page.close();
});

test("a masked field shows nothing of the value through its open shadow root, its style or a loaded frame (attack review, session 13)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (fay) => {
    document.head.insertAdjacentHTML("beforeend", "<style>#card::after { content: var(--phone); }</style>");
    document.body.innerHTML = `
      <x-phone id="comp" data-field="clients.phone"></x-phone>
      <span id="card" data-field="clients.phone" style="width: 120px; --phone: '555-0101'; background-image: url('/card?phone=555-0101')">x</span>
      <iframe id="frame" data-field="clients.phone" srcdoc="<p>555-0101</p>"></iframe>
      <ul><li id="li" data-field="clients.phone" style="display: list-item; list-style-position: inside; list-style-type: '555-0101 '; counter-reset: phone 5550101; width: calc(10px + 2em)">x</li></ul>
      <iframe id="written" data-field="clients.phone"></iframe>`;
    // A frame the app filled by script (no src to remove).
    document.querySelector("#written").contentDocument.body.textContent = "555-0101";
    const comp = document.querySelector("#comp");
    comp.attachShadow({ mode: "open" }).innerHTML = "<b>555-0101</b>";
    const frame = document.querySelector("#frame");
    const loaded = () => new Promise((ok) => { frame.addEventListener("load", ok, { once: true }); setTimeout(ok, 2000); });
    if (!frame.contentDocument?.body?.textContent.includes("555")) await loaded();
    const before = frame.contentDocument.body.textContent;
    const navigated = loaded();
    const w = ps.applyToDom(document.body, await load(fay), { watch: true });
    await navigated;
    const shadowAtFirst = comp.shadowRoot.textContent;
    // The component renders the value again into its shadow root.
    comp.shadowRoot.innerHTML = "<b>555-0101</b>";
    await tick();
    const card = document.querySelector("#card");
    const out = {
      before,
      shadowAtFirst,
      shadow: comp.shadowRoot.textContent,
      style: card.getAttribute("style"),
      after: getComputedStyle(card, "::after").content,
      background: getComputedStyle(card).backgroundImage,
      frame: frame.contentDocument?.body?.textContent ?? "",
      li: document.querySelector("#li").getAttribute("style"),
      marker: getComputedStyle(document.querySelector("#li")).listStyleType,
      written: document.querySelector("#written").contentDocument?.body?.textContent ?? "",
    };
    w.stop();
    return out;
  }, fay);
  assert.equal(r.before, "555-0101", "the frame had loaded the value");
  assert.equal(r.shadowAtFirst, "•••");
  assert.equal(r.shadow, "•••", "a re-render into the shadow root is masked again");
  assert.equal(r.style, "width: 120px;", "the layout stays, the custom property and the URL go");
  assert.ok(!/555/.test(r.after) && !/555/.test(r.background), JSON.stringify(r));
  assert.equal(r.frame, "", "the frame no longer shows the value");
  assert.match(r.li, /^display: list-item; width: calc\((10px \+ 2em|2em \+ 10px)\);$/, "strings and counters go, plain layout stays");
  assert.ok(!/555/.test(r.marker), r.marker);
  assert.equal(r.written, "", "a frame filled by script is emptied too");
  await page.close();
});

test("markup cannot stop a pass: forms whose controls shadow the DOM's own names are handled like any element, and a sign-out still hides everything (attack review, session 14)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (ben) => {
    document.body.innerHTML = `<div id="root">
      <form id="f1"><input name="shadowRoot"><input name="shadowRoot"><input name="querySelectorAll"><input name="nodeType"></form>
      <form id="f2" data-requires="payments.view"><input name="matches"><input name="hasAttribute"><input name="getAttribute"><input name="setAttribute"><input name="style">PAY</form>
      <form id="f3" data-field="clients.phone" title="555-0101" action="mailto:555-0101"><input name="attributes"><input name="classList"><input name="getAttributeNames">555-0101</form>
      <button id="pay" data-requires="payments.view">Pay</button>
      <span id="ph" data-field="clients.phone">555-0101</span></div>`;
    const root = document.querySelector("#root");
    const w = ps.applyToDom(root, await load(ben), { watch: true });
    const shown = (id) => document.getElementById(id).checkVisibility();
    const signedIn = { f2: shown("f2"), pay: shown("pay"), ph: document.querySelector("#ph").textContent };
    let threw = null;
    let result = null;
    try {
      result = w.update(null);
    } catch (e) {
      threw = String(e);
    }
    const f3 = document.querySelector("#f3");
    const after = { threw, hidden: result?.hidden, f2: shown("f2"), pay: shown("pay"), ph: document.querySelector("#ph").textContent,
      f3: { text: f3.textContent, title: f3.getAttribute("title"), action: f3.getAttribute("action") } };
    w.stop();
    // A document whose named form shadows `querySelectorAll`.
    document.body.insertAdjacentHTML("beforeend", `<form name="querySelectorAll"></form><form name="nodeType"></form><p id="doc" data-requires="payments.view">x</p>`);
    let documentPass = null;
    try {
      documentPass = ps.applyToDom(document, null).hidden;
    } catch (e) {
      documentPass = String(e);
    }
    return { signedIn, after, documentPass, docShown: shown("doc") };
  }, ben);
  assert.deepEqual(r.signedIn, { f2: true, pay: true, ph: "555-0101" });
  assert.deepEqual(r.after, { threw: null, hidden: 2, f2: false, pay: false, ph: "•••", f3: { text: "•••", title: null, action: null } });
  assert.ok(typeof r.documentPass === "number" && r.documentPass >= 3, String(r.documentPass));
  assert.equal(r.docShown, false);
  await page.close();
});

test("a page of 130,000 protected elements is passed over, a sign-out hides them all; a frame or control shaped by its own markup is masked (attack review, session 14)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async ({ ben, fay }) => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    const w = ps.applyToDom(root, await load(ben), { watch: true });
    // An infinite scroll: rows arrive in batches, each handled as it comes.
    for (let b = 0; b < 130; b++) {
      root.insertAdjacentHTML("beforeend", "<i data-requires=\"payments.view\">PAY</i>".repeat(1000));
      await tick();
    }
    const before = root.querySelectorAll('[data-permsnap="allowed"]').length;
    let threw = null;
    try {
      w.update(null);
    } catch (e) {
      threw = String(e);
    }
    const stillAllowed = root.querySelectorAll('[data-permsnap="allowed"]').length;
    w.stop();
    // A frame the app filled with a user's HTML naming images `body` and
    // `head`; a control whose prototype the page replaced.
    root.innerHTML = `<iframe id="fr" data-field="clients.phone"></iframe><input id="in" data-field="clients.phone">`;
    const fr = document.querySelector("#fr");
    fr.contentDocument.body.innerHTML = "<img name=body><img name=head><p>555-0101 SECRET</p>";
    const input = document.querySelector("#in");
    input.value = "555-0101";
    Object.setPrototypeOf(input, HTMLElement.prototype);
    ps.applyToDom(root, await load(fay));
    await new Promise((ok) => setTimeout(ok, 300));
    const shown = HTMLInputElement.prototype.__lookupGetter__("value").call(input);
    return { before, threw, stillAllowed, frame: fr.contentDocument?.body?.textContent ?? "", frameVisibility: getComputedStyle(fr).visibility, input: shown };
  }, { ben, fay });
  assert.equal(r.before, 130_000);
  assert.deepEqual([r.threw, r.stillAllowed], [null, 0]);
  assert.ok(!/555/.test(r.frame) || r.frameVisibility === "hidden", JSON.stringify(r));
  assert.equal(r.frameVisibility, "hidden");
  assert.equal(r.input, "•••");
  await page.close();
});

test("a masked canvas or stream shows nothing; overlapping watches with different masks settle (attack review, session 14)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (fay) => {
    document.body.innerHTML = `<div id="outer"><div id="inner">
      <span id="ph" data-field="clients.phone">555-0101</span>
      <canvas id="cv" data-field="clients.phone"></canvas>
      <video id="v" data-field="clients.phone" muted></video></div></div>`;
    const cv = document.querySelector("#cv");
    cv.getContext("2d").fillText("555-0101", 10, 10);
    const source = document.createElement("canvas");
    source.getContext("2d").fillText("555-0101", 10, 10);
    const v = document.querySelector("#v");
    v.srcObject = source.captureStream();
    const p = await load(fay);
    const outer = ps.applyToDom(document.querySelector("#outer"), p, { watch: true });
    const inner = ps.applyToDom(document.querySelector("#inner"), p, { watch: true, mask: "—" });
    // The app renders the phone again: both watches see it.
    document.querySelector("#ph").textContent = "555-0101";
    await new Promise((ok) => setTimeout(ok, 200));
    let changes = 0;
    const count = new MutationObserver((records) => { changes += records.length; });
    count.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    await new Promise((ok) => setTimeout(ok, 300));
    count.disconnect();
    const out = { ph: document.querySelector("#ph").textContent, changes, canvas: getComputedStyle(cv).visibility,
      video: getComputedStyle(v).visibility, stream: v.srcObject === null };
    outer.stop();
    inner.stop();
    return out;
  }, fay);
  assert.ok(["•••", "—"].includes(r.ph), r.ph);
  assert.equal(r.changes, 0, "the two watches kept rewriting each other");
  assert.deepEqual([r.canvas, r.video, r.stream], ["hidden", "hidden", true]);
  await page.close();
});

test("a masked <img> shows nothing, even inside a <picture> whose <source> still holds the image (attack review, session 16)", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (fay) => {
    const svg = "data:image/svg+xml," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="20"><text y="15">555-0101</text></svg>');
    document.body.innerHTML = `<picture><source srcset="${svg}"><img id="pic" data-field="clients.phone" src="${svg}" alt="555-0101"></picture>
      <img id="bare" data-field="clients.phone" src="${svg}" alt="555-0101">`;
    await Promise.all([...document.images].map((i) => i.decode().catch(() => {})));
    ps.applyToDom(document.body, await load(fay));
    const v = (id) => document.getElementById(id).checkVisibility({ visibilityProperty: true });
    return { pic: v("pic"), bare: v("bare"), alt: document.getElementById("pic").getAttribute("alt") };
  }, fay);
  assert.deepEqual(r, { pic: false, bare: false, alt: null });
  await page.close();
});

test("fields the catalog does not declare, unknown kinds and malformed data-field are masked and reported", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (ben) => {
    document.body.innerHTML = `
      <span id="email" data-field="clients.email">zoe@mail.test</span>
      <span id="sub" data-field="clients.email.domain">mail.test</span>
      <span id="name" data-field="clients.name">Zoe</span>
      <span id="nested" data-field="appointments.client.email">zoe@mail.test</span>
      <span id="kind" data-field="invoices.total">42</span>
      <span id="nodot" data-field="clients">Zoe</span>
      <span id="empty" data-field="">Zoe</span>
      <span id="trailing" data-field="clients.">Zoe</span>`;
    const result = ps.applyToDom(document.body, (await load(ben))); // ben sees emails
    return { result, text: Object.fromEntries([...document.querySelectorAll("span")].map((s) => [s.id, s.textContent])),
      marks: [...document.querySelectorAll("span")].map((s) => s.dataset.permsnapField) };
  }, ben);
  assert.deepEqual(r.text, { email: "zoe@mail.test", sub: "mail.test", name: "•••", nested: "•••", kind: "•••", nodot: "•••", empty: "•••", trailing: "•••" });
  assert.deepEqual(r.marks, ["shown", "shown", "masked", "masked", "masked", "masked", "masked", "masked"]);
  assert.equal(r.result.masked, 6);
  const p = r.result.problems.join("\n");
  assert.match(p, /field `name` of `clients` is not declared/);
  assert.match(p, /field `client\.email` of `appointments` is not declared/);
  assert.match(p, /kind `invoices`.*unknown record kind/);
  assert.equal(r.result.problems.filter((m) => m.includes("is not `kind.field`")).length, 3);
  await page.close();
});

test("refused snapshot, null permissions, or not a Permissions object: everything hidden and masked", async () => {
  const { page, errors } = await open();
  const r = await page.evaluate(async (ben) => {
    const markup = `<a data-requires="payments.view">a</a><a data-requires-any="payments.view clients.view">b</a>
      <a data-requires="calendar.view">c</a><span data-field="clients.email">zoe@mail.test</span>`;
    const run = (p) => {
      document.body.innerHTML = markup;
      const result = ps.applyToDom(document.body, p);
      return { result, shown: [...document.querySelectorAll("a")].filter((a) => a.checkVisibility()).length, text: document.body.textContent.replace(/\s+/g, "") };
    };
    const refusedP = (await refused(ben));
    return { code: refusedP.error.code, ok: run((await load(ben))), refused: run(refusedP), nothing: run(null), fake: run({ can: () => true }) };
  }, ben);
  assert.equal(r.code, "bad_signature");
  assert.equal(r.ok.shown, 3);
  for (const k of ["refused", "nothing", "fake"]) {
    assert.equal(r[k].shown, 0, k);
    assert.equal(r[k].result.hidden, 3, k);
    assert.equal(r[k].result.masked, 1, k);
    assert.ok(!r[k].text.includes("zoe"), k);
  }
  assert.deepEqual(r.refused.result.problems, []);
  assert.deepEqual(r.nothing.result.problems, []);
  assert.match(r.fake.result.problems[0], /expected a Permissions object/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("options are strict: an unknown key throws invalid_argument, after hiding everything", async () => {
  const { page } = await open();
  const r = await page.evaluate(async (dia) => {
    document.body.innerHTML = `<a data-requires="campaigns.manage">c</a><span data-field="clients.email">zoe@mail.test</span>`;
    const codes = [];
    for (const o of [{ wach: true }, { mask: 3 }, { watch: "yes" }, "x"]) {
      try { ps.applyToDom(document.body, (await load(dia)), o); codes.push("none"); } catch (e) { codes.push(e.code, e instanceof ps.PermsnapError); }
    }
    let root = "none";
    try { ps.applyToDom(null, (await load(dia))); } catch (e) { root = e.code; }
    return { codes, shown: document.querySelector("a").checkVisibility(), text: document.body.textContent, root };
  }, dia);
  assert.deepEqual(r.codes, ["invalid_argument", true, "invalid_argument", true, "invalid_argument", true, "invalid_argument", true]);
  assert.equal(r.shown, false);
  assert.ok(!r.text.includes("zoe"));
  assert.equal(r.root, "invalid_argument");
  await page.close();
});

test("permsnap.css hides protected markup before applyToDom runs, and defers to permsnap's marks after", async () => {
  const { page } = await open("/css.html");
  const visible = (sel) => page.locator(sel).isVisible();
  const before = {};
  for (const id of ["title", "pay", "camp", "any", "email"]) before[id] = await visible("#" + id);
  assert.deepEqual(before, { title: true, pay: false, camp: false, any: false, email: false });
  await page.evaluate(async (dia) => {
    ps.applyToDom(document.body, (await load(dia)));
    document.body.insertAdjacentHTML("beforeend", `<div class="row" id="late" data-requires="campaigns.manage">late, unwatched</div>`);
  }, dia);
  const afterApply = {};
  for (const id of ["title", "pay", "camp", "any", "email", "late"]) afterApply[id] = await visible("#" + id);
  assert.deepEqual(afterApply, { title: true, pay: false, camp: true, any: false, email: true, late: false });
  assert.equal(await page.locator("#camp").evaluate((e) => getComputedStyle(e).display), "flex", "the app's CSS applies once allowed");
  // A Marketing Professional sees clients' contact details (no per-person
  // settings for the role): shown as is once allowed (masking: the fay tests).
  assert.equal(await page.locator("#email").textContent(), "zoe@mail.test");
  await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", `
    <h2>permsnap fail-closed (dia: marketing)</h2>
    <p>Shown: the title, Campaigns, the late section (allowed) and the email (dia may see it).
    Hidden: Payments, Money, and a typo here: [<a data-requires="payments.veiw">payments.veiw</a>].</p>`));
  await page.evaluate(async (dia) => ps.applyToDom(document.body, (await load(dia))), dia);
  await page.screenshot({ path: join(out, "dom-fail-closed.png"), fullPage: true });
  await page.close();
});

test("server rendering with a session: the client's first render (initial) hydrates without a mismatch", async () => {
  const { createElement: h } = await import("react");
  const { renderToString } = await import("react-dom/server");
  const lib = await import(join(root, "pkg/react.js"));
  const web = await import(join(root, "pkg/node.js"));
  const { appTree } = await import(join(root, "tests/e2e/react-app.mjs"));
  // A snapshot issued now (the vectors' test key), as a server renders with.
  const { issuer, account } = await siteeIssuer();
  const initial = issuer.issue(account.tenant, { id: "dia", roles: ["marketing"] }).snapshot;
  const options = { catalog: vectors.catalogs.sitee, jwks: vectors.key.jwks, tenant: account.tenant };
  const server = web.createSession({ ...options, initial, fetchSnapshot: async () => initial });
  const html = renderToString(appTree(h, lib, server));
  server.close();
  assert.match(html, /dia.*no payments.*campaigns/s, html);
  const { page, errors, consoleErrors } = await open();
  const recoverable = await page.evaluate(async ([html, o]) => {
    document.body.innerHTML = `<div id="app">${html}</div>`;
    await import("/react-session.js");
    return window.hydrateApp(o);
  }, [html, { ...options, initial }]);
  assert.deepEqual(recoverable, [], "no hydration mismatch");
  assert.equal(await page.locator("#who").textContent(), "dia");
  assert.equal(await page.locator("#campaigns").isVisible(), true);
  assert.equal(await page.locator("#pay").count(), 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test("a session drives React and the DOM: the provider re-renders on each swap, applyToDom follows", async () => {
  const { page, errors } = await open();
  const snap = (c) => ({ snapshot: c.snapshot, issuedAt: c.now }); // the session's clock: the vectors' time
  const r = await page.evaluate(async ([dia, ben]) => {
    document.body.innerHTML = `<div id="app"></div><div id="plain"><a id="camp" data-requires="campaigns.manage">Campaigns</a><a id="paylink" data-requires="payments.view">Payments</a></div>`;
    await import("/react-session.js");
    await window.startApp({ catalog: dia.catalog, jwks: dia.jwks, tenant: dia.tenant, snapshots: [dia.s, ben.s] });
    await new Promise((r) => setTimeout(r, 50));
    const seen = () => ({ who: document.querySelector("#who")?.textContent, pay: !!document.querySelector("#pay"), nopay: !!document.querySelector("#nopay"),
      camp: document.querySelector("#camp").checkVisibility(), paylink: document.querySelector("#paylink").checkVisibility() });
    const first = seen();
    await window.session.refresh(); // ben's snapshot arrives
    await new Promise((r) => setTimeout(r, 50));
    return { first, second: seen() };
  }, [{ ...dia, s: snap(dia) }, { ...ben, s: snap(ben) }]);
  assert.deepEqual(r.first, { who: "dia", pay: false, nopay: true, camp: true, paylink: false });
  assert.deepEqual(r.second, { who: "ben", pay: true, nopay: false, camp: true, paylink: true }, "re-rendered and re-applied after the swap");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a session's provider renders deny-all when the session is closed, long before expiry", async () => {
  // The attack review of session 12: SessionProvider followed swaps only,
  // and after session.close() the permissions kept showing until expiry.
  // Since session 17, close() itself denies everything (attack review):
  // the provider follows it at once.
  const { issuer, account } = await siteeIssuer();
  const { snapshot, issuedAt } = issuer.issue(account.tenant, { id: "dia", roles: ["marketing"] }, { lifetime: 900 });
  await campaignsGoAtExpiry("renderSessionClosing", { catalog: vectors.catalogs.sitee, jwks: vectors.key.jwks, tenant: account.tenant, issued: { snapshot, issuedAt } }, 1000);
});

test("a provider of given permissions renders again when they expire (no session needed)", async () => {
  await campaignsGoAtExpiry("renderExpiring", dia, 1400);
});

/** The Sitee issuer with the vectors' test key and account. */
async function siteeIssuer() {
  const { Issuer } = await import(join(root, "pkg/issuer/node.js"));
  const issuer = new Issuer(vectors.catalogs.sitee.definition, { ...vectors.key.jwks.keys[0], d: Buffer.from(vectors.key.seed_hex, "hex").toString("base64url") });
  const account = vectors.issue.accounts.sitee;
  issuer.setAccount(account.tenant, account.roles);
  return { issuer, account };
}

/** Renders dia's campaigns with the page's `render(arg)` (a React provider
 *  whose permissions expire, or whose session closes, within `wait` ms) and
 *  checks they are gone after it. */
async function campaignsGoAtExpiry(render, arg, wait) {
  const { page, errors } = await open();
  const r = await page.evaluate(async ([render, arg, wait]) => {
    document.body.innerHTML = `<div id="expiring"></div>`;
    await import("/react-session.js");
    await window[render](arg);
    const before = document.querySelector("#expiring").textContent;
    await new Promise((r) => setTimeout(r, wait));
    return { before, after: document.querySelector("#expiring").textContent };
  }, [render, arg, wait]);
  assert.deepEqual(r, { before: "campaigns", after: "no campaigns" });
  assert.deepEqual(errors, []);
  await page.close();
}
