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

test("a typo in a permission name throws instead of hiding silently", () => {
  assert.throws(() => renderToStaticMarkup(h(PermissionsProvider, { permissions: p }, h(Can, { do: "payments.veiw" }, "x"))), /unknown permission/);
});

test("usePermissions gives the object itself", () => {
  let seen;
  const Probe = () => ((seen = usePermissions()), null);
  renderToStaticMarkup(h(PermissionsProvider, { permissions: p }, h(Probe)));
  assert.equal(seen, p);
});
