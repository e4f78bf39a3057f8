// The React tree of the session tests, shared by the server render (Node)
// and the browser bundle (Chromium), so that hydration compares like with
// like: who is signed in, and a section only payments.view opens.
export function appTree(h, { PermissionsProvider, Can, usePermissions }, session) {
  function Who() {
    const p = usePermissions();
    return h("i", { id: "who" }, p?.subject ?? p?.error?.code ?? "none");
  }
  return h(PermissionsProvider, { session },
    h(Who),
    h(Can, { do: "payments.view", fallback: h("b", { id: "nopay" }, "no payments") }, h("b", { id: "pay" }, "payments")),
    h(Can, { do: "campaigns.manage" }, h("b", { id: "campaigns" }, "campaigns")));
}
