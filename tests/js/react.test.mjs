// permsnap/react through the built package: provider, useCan, <Can>, with
// React's server renderer (no DOM needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { PermissionsProvider, Can, useCan, usePermissions } from "../../pkg/react.js";
import { verifierFor, validCases } from "./helpers.mjs";

const dia = validCases.find((c) => c.name === "sitee/dia"); // marketing: campaigns, no payments
const p = verifierFor(dia).load(dia.snapshot);

function Nav() {
  const payments = useCan("payments.view");
  const campaigns = useCan("campaigns.manage");
  return h("nav", null, payments ? "Payments " : "", campaigns ? "Campaigns" : "");
}

const page = (permissions) =>
  renderToStaticMarkup(
    h(PermissionsProvider, { permissions },
      h(Nav),
      h(Can, { do: "payments.view", fallback: h("i", null, "no payments") }, h("b", null, "payments")),
      h(Can, { do: ["campaigns.manage", "clients.view"] }, h("b", null, "campaigns")),
      h(Can, { any: ["payments.view", "billing.subscription"] }, h("b", null, "money")),
    ),
  );

test("<Can> and useCan follow the snapshot", () => {
  assert.equal(page(p), "<nav>Campaigns</nav><i>no payments</i><b>campaigns</b>");
});

test("no permissions yet, or a refusal: everything denied", () => {
  assert.equal(page(null), "<nav></nav><i>no payments</i>");
  const refused = verifierFor(dia).loadOrDeny("garbage");
  assert.equal(page(refused), "<nav></nav><i>no payments</i>");
});

// --- fail closed (issue #10, item 7): a mistake renders the fallback, is
// reported with console.error, and never throws (a throw blanks the page).

/** Renders `el` under a provider of `permissions`, capturing console.error. */
function render(t, permissions, ...children) {
  const errors = t.mock.method(console, "error", () => {});
  const html = renderToStaticMarkup(h(PermissionsProvider, { permissions }, ...children));
  const messages = errors.mock.calls.map((c) => c.arguments.join(" "));
  errors.mock.restore();
  return { html, messages };
}
const secret = () => h("b", null, "SECRET");
const no = h("i", null, "no");

test("a typo in a permission name renders the fallback and is reported, without throwing", (t) => {
  const { html, messages } = render(t, p,
    h(Can, { do: "payments.veiw", fallback: no }, secret()),
    h("p", null, "rest of the page"));
  assert.equal(html, "<i>no</i><p>rest of the page</p>");
  assert.equal(messages.length, 1);
  assert.match(messages[0], /payments\.veiw/);
  assert.match(messages[0], /unknown permission/);
});

test("a typo beside an allowed name still denies: in do, and in any", (t) => {
  // dia has campaigns.manage.
  const { html, messages } = render(t, p,
    h(Can, { do: ["campaigns.manage", "campaigns.manaeg"], fallback: no }, secret()),
    h(Can, { any: ["campaigns.manage", "clients.veiw"], fallback: no }, secret()));
  assert.equal(html, "<i>no</i><i>no</i>");
  assert.ok(messages.some((m) => m.includes("campaigns.manaeg")));
  assert.ok(messages.some((m) => m.includes("clients.veiw")));
});

test("a misspelt or unknown prop renders the fallback, naming the prop", (t) => {
  const all = [];
  for (const [props, bad] of [
    [{ permission: "campaigns.manage" }, "permission"],
    [{ requires: "campaigns.manage" }, "requires"],
    [{ do: "campaigns.manage", anyOf: ["payments.view"] }, "anyOf"],
    [{ do: "campaigns.manage", fallbak: "x" }, "fallbak"],
  ]) {
    const { html, messages } = render(t, p, h(Can, { ...props, fallback: no }, secret()));
    assert.equal(html, "<i>no</i>", JSON.stringify(props));
    assert.ok(messages.some((m) => m.includes(`\`${bad}\``)), `${bad}: ${messages}`);
    all.push(...messages);
  }
  assert.ok(all.some((m) => /needs `do`.*or `any`/.test(m)), "a <Can> asking for nothing is reported");
});

test("do/any missing, undefined, empty or of the wrong type: fallback", (t) => {
  const all = [];
  for (const props of [
    {},
    { do: undefined },
    { any: undefined },
    { do: [] },
    { any: [] },
    { do: "" },
    { do: [""] },
    { do: null },
    { do: 42 },
    { any: "campaigns.manage" },
    { do: "campaigns.manage", any: [] },
    { do: [], any: ["campaigns.manage"] },
  ]) {
    const { html, messages } = render(t, p, h(Can, { ...props, fallback: no }, secret()));
    assert.equal(html, "<i>no</i>", JSON.stringify(props));
    all.push(...messages); // each message is reported once per process, so collect
  }
  for (const m of [/<Can do>.*got undefined/, /<Can any>.*got undefined/, /<Can do>.*got \[\]/,
    /<Can any>.*got \[\]/, /<Can do>.*got ""/, /non-empty string, got ""/, /<Can do>.*got null/, /<Can do>.*got number/, /<Can any>.*got string/]) {
    assert.ok(all.some((x) => m.test(x)), `${m} in ${all.join("\n")}`);
  }
  const { messages } = render(t, p, h(Can, { do: [], fallback: no }, secret()));
  assert.deepEqual(messages, [], "each message is reported once, not on every render");
});

test("the fallback is nothing by default; children never show before permissions are loaded", (t) => {
  assert.equal(render(t, p, h(Can, { do: [] }, secret())).html, "");
  assert.equal(render(t, null, h(Can, { do: "campaigns.manage", fallback: no }, secret())).html, "<i>no</i>");
  assert.equal(render(t, undefined, h(Can, { do: "campaigns.manage", fallback: no }, secret())).html, "<i>no</i>");
  // No provider at all.
  assert.equal(renderToStaticMarkup(h(Can, { do: "campaigns.manage", fallback: no }, secret())), "<i>no</i>");
  let seen;
  const Probe = () => ((seen = useCan("campaigns.manage")), null);
  renderToStaticMarkup(h(Probe));
  assert.equal(seen, false, "useCan without a provider");
});

test("something that is not a Permissions object denies everything, reported", (t) => {
  const all = [];
  for (const fake of [{ can: () => true }, "snapshot-text", { allowed: ["campaigns.manage"] }]) {
    let seen;
    const Probe = () => ((seen = useCan("campaigns.manage")), null);
    const { html, messages } = render(t, fake, h(Can, { do: "campaigns.manage", fallback: no }, secret()), h(Probe));
    assert.equal(html, "<i>no</i>", String(fake));
    assert.equal(seen, false);
    all.push(...messages);
  }
  assert.ok(all.some((m) => /<Can>.*not a Permissions object/.test(m)), all.join("\n"));
  assert.ok(all.some((m) => /useCan.*not a Permissions object/.test(m)), all.join("\n"));
});

test("refused permissions (loadOrDeny) carry .error and deny everything", (t) => {
  const v = verifierFor(dia);
  for (const refused of [v.loadOrDeny("garbage"), v.loadOrDeny(null), v.loadOrDeny(""), v.denyAll()]) {
    assert.ok(refused.error, "refused permissions carry their error");
    let seen;
    const Probe = () => ((seen = useCan("campaigns.manage")), null);
    const { html } = render(t, refused,
      h(Can, { do: "campaigns.manage", fallback: no }, secret()),
      h(Can, { any: ["campaigns.manage", "clients.view"], fallback: no }, secret()),
      h(Probe));
    assert.equal(html, "<i>no</i><i>no</i>");
    assert.equal(seen, false);
  }
  assert.equal(v.loadOrDeny(null).error.code, "no_snapshot");
});

test("useCan: an unknown name gives false and one console.error (not a throw, not one per render)", (t) => {
  let seen = [];
  const Probe = () => (seen.push(useCan("payments.veiw2")), null);
  const first = render(t, p, h(Probe), h(Probe));
  assert.deepEqual(seen, [false, false]);
  assert.equal(first.messages.length, 1);
  assert.match(first.messages[0], /payments\.veiw2/);
  const again = render(t, p, h(Probe));
  assert.deepEqual(again.messages, []);
  seen = [];
  const Bad = () => (seen.push(useCan(undefined), useCan("")), null);
  const bad = render(t, p, h(Bad));
  assert.deepEqual(seen, [false, false]);
  assert.equal(bad.messages.length, 2);
});

test("strict props do not get in the way of correct use", (t) => {
  const { html, messages } = render(t, p,
    h(Can, { do: "campaigns.manage" }, h("b", null, "a")),
    h(Can, { do: ["campaigns.manage", "clients.view"], any: ["clients.view", "payments.view"], fallback: no }, h("b", null, "b")),
    h(Can, { any: ["payments.view", "clients.view"] }, h("b", null, "c")),
    h(Can, { do: "payments.view", children: h("b", null, "x") }),
    h(Can, { any: ["payments.view"], fallback: "none" }, secret()));
  assert.equal(html, "<b>a</b><b>b</b><b>c</b>none");
  assert.deepEqual(messages, []);
});

test("usePermissions gives the object itself", () => {
  let seen;
  const Probe = () => ((seen = usePermissions()), null);
  renderToStaticMarkup(h(PermissionsProvider, { permissions: p }, h(Probe)));
  assert.equal(seen, p);
});

test("a session that is not one (session={null}, not made yet) denies everything, reported, never a throw in a render (attack review, session 14)", (t) => {
  for (const session of [null, "session", { permissions: p }]) {
    const errors = t.mock.method(console, "error", () => {});
    const html = renderToStaticMarkup(h(PermissionsProvider, { session, permissions: p }, h(Can, { do: "campaigns.manage", fallback: no }, secret())));
    const messages = errors.mock.calls.map((c) => c.arguments.join(" "));
    errors.mock.restore();
    assert.equal(html, "<i>no</i>", String(session));
    assert.ok(messages.some((m) => /not a session/.test(m)) || session !== null, messages.join("\n"));
  }
});

test("a misspelt or unknown PermissionsProvider prop denies everything, reported; so do permissions and a session together (attack review, session 24)", (t) => {
  const cases = [
    [{ permisions: p }, /unknown prop `permisions`/],
    [{ permissions: p, tenant: "other" }, /unknown prop `tenant`/],
    [{ permissions: p, session: { subscribe: () => () => {}, permissions: p } }, /not both/],
  ];
  for (const [props, why] of cases) {
    const errors = t.mock.method(console, "error", () => {});
    const html = renderToStaticMarkup(h(PermissionsProvider, props, h(Can, { do: "campaigns.manage", fallback: no }, secret())));
    const messages = errors.mock.calls.map((c) => c.arguments.join(" "));
    errors.mock.restore();
    assert.equal(html, "<i>no</i>", JSON.stringify(Object.keys(props)));
    assert.ok(messages.some((m) => why.test(m)), messages.join("\n"));
  }
  // The same permissions under the right prop show what they allow.
  assert.equal(renderToStaticMarkup(h(PermissionsProvider, { permissions: p }, h(Can, { do: "campaigns.manage", fallback: no }, secret()))), "<b>SECRET</b>");
});
