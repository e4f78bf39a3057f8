// A browser app on permsnap/lite with the DOM library (tsconfig.web.json):
// the catalog and the JWKS from JSON, the .wasm from the entry's export;
// what a Permissions answers is typed as in the default entry.
import { PermsnapError, Verifier, applyToDom, createSession, init, type Jwks, type KeySetReport, type Permissions, type RecordFilter, type Redaction, type Scope } from "permsnap/lite";
import wasmUrl from "permsnap/lite/permsnap_lite.wasm";
import catalog from "./catalog.json" with { type: "json" };
import jwks from "./jwks.json" with { type: "json" };

export async function startLite(snapshot: string): Promise<Permissions> {
  await init(wasmUrl);
  const keys: Jwks = jwks;
  const verifier = new Verifier(catalog, keys, { tenant: "spa-lumi", leeway: 30 });
  const me = await verifier.verifyOrDeny(snapshot);
  if (me.error instanceof PermsnapError && me.error.code === "not_initialized") throw me.error;
  const scope: Scope = me.scope("appointments");
  const spec: RecordFilter = me.filterSpec("appointments");
  const redaction: Redaction = me.redaction("clients");
  const rows: { id: string; staffId: string }[] = me.filter("appointments", [{ id: "a1", staffId: "dia" }]);
  const forPerm: RecordFilter = me.filterSpecFor("payments.view");
  const claims: [string | null, string[], boolean, number] = [me.subject, me.roles, me.isOwner, me.issuedAt];
  const report: KeySetReport = verifier.setJwks(keys);
  void [scope, spec, redaction, rows, forPerm, claims, report, me.can("payments.view"), me.hasFeature("x"), me.apps(), verifier.load(snapshot)];
  return me;
}

/** The page's session on permsnap/lite, driving the DOM helper. */
export async function startSession(): Promise<Permissions> {
  await init(wasmUrl);
  const session = createSession({ catalog, jwks, tenant: "spa-lumi", fetchSnapshot: "/api/permsnap/snapshot" });
  const watch = applyToDom(document.body, session);
  const me = await session.ready;
  watch.stop();
  return me;
}
