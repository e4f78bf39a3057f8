// A browser app with the DOM library (tsconfig.web.json): the JWKS and the
// catalog come from JSON files, the .wasm from the package's export; what a
// Permissions answers, typed; the page's session driving the DOM helper.
import { PermsnapError, Verifier, applyToDom, createSession, init, type Jwks, type KeySetReport, type Permissions, type RecordFilter, type Redaction, type Scope } from "permsnap";
import wasmUrl from "permsnap/permsnap_wasm_bg.wasm";
import catalog from "./catalog.json" with { type: "json" };
import jwks from "./jwks.json" with { type: "json" };
import "permsnap/permsnap.css";

export async function start(snapshot: string): Promise<Permissions> {
  await init(wasmUrl);
  await init(new URL("/assets/permsnap.wasm", location.href));
  const keys: Jwks = jwks;
  const verifier = new Verifier(catalog, keys, { tenant: "spa-lumi", leeway: 30 });
  // @ts-expect-error the edge's feed options are not the browser's
  void new Verifier(catalog, keys, { tenant: "spa-lumi", maxFeedAge: 60 });
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

/** The page's session, driving the DOM helper. */
export async function startSession(): Promise<Permissions> {
  await init(wasmUrl);
  const session = createSession({ catalog, jwks, tenant: "spa-lumi", fetchSnapshot: "/api/permsnap/snapshot" });
  const watch = applyToDom(document.body, session);
  const me = await session.ready;
  watch.stop();
  return me;
}
