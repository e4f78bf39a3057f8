// A browser app with the DOM library (tsconfig.web.json): the JWKS and the
// catalog come from JSON files, the .wasm from the package's export.
import { PermsnapError, Verifier, init, type Jwks, type Permissions } from "permsnap";
import wasmUrl from "permsnap/permsnap_wasm_bg.wasm";
import catalog from "./catalog.json" with { type: "json" };
import jwks from "./jwks.json" with { type: "json" };
import "permsnap/permsnap.css";

export async function start(snapshot: string): Promise<Permissions> {
  await init(wasmUrl);
  await init(new URL("/assets/permsnap.wasm", location.href));
  const keys: Jwks = jwks;
  const verifier = new Verifier(catalog, keys, { tenant: "spa-lumi" });
  const me = await verifier.verifyOrDeny(snapshot);
  if (me.error instanceof PermsnapError && me.error.code === "not_initialized") throw me.error;
  return me;
}
