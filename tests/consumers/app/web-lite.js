// A browser app on permsnap/lite, for Vite: it sees the entry's
// `new URL("./permsnap_lite.wasm", import.meta.url)`, emits the .wasm and
// rewrites the URL, so a plain init() works. Every vector case with an
// account (the entry takes no revocation list nor id lists) is verified:
// what it allows, or the refusal's code.
import * as lite from "permsnap/lite";
import vectors from "./vectors.json";
import { describeError, report } from "./run.js";

try {
  await lite.init();
  const out = {};
  for (const c of vectors.cases) {
    if (typeof c.expected_tenant !== "string" || c.revoked_ids || c.id_lists) continue;
    const v = new lite.Verifier(vectors.catalogs[c.catalog], vectors.key.jwks, { tenant: c.expected_tenant, leeway: vectors.leeway, clock: () => c.now });
    try {
      out[c.name] = (await v.verify(c.snapshot)).allowed();
    } catch (e) {
      if (!(e instanceof lite.PermsnapError)) throw e;
      out[c.name] = e.code;
    }
  }
  report({ lite: out });
} catch (e) {
  report({ error: describeError(e) });
}
