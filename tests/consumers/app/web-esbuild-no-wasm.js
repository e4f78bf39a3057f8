// The same app without the loader: init() fetches a .wasm the bundle does not
// have (404). It must fail with a PermsnapError that says what to do.
import * as permsnap from "permsnap";
import { describeError, report } from "./run.js";

try {
  await permsnap.init();
  report({ error: null });
} catch (e) {
  report({ error: describeError(e), isPermsnapError: e instanceof permsnap.PermsnapError });
}
