// A Node app bundled by esbuild (--platform=node). The package's Node entry
// reads the .wasm beside the module that holds it: for a bundle, beside the
// bundle (copy node_modules/permsnap/permsnap_wasm_bg.wasm there).
import * as permsnap from "permsnap";
import { describeError, runVectors } from "./run.js";

// Class names survive the package's minification: stack traces say
// `new Verifier`, not `new O`.
let stack = "";
try {
  new permsnap.Verifier("", { keys: [] }, {});
} catch (e) {
  stack = String(e.stack);
}
const names = { verifier: permsnap.Verifier.name, error: permsnap.PermsnapError.name, stack };

try {
  console.log(JSON.stringify({ vectors: await runVectors(permsnap), names }));
} catch (e) {
  console.log(JSON.stringify({ error: describeError(e), isPermsnapError: e instanceof permsnap.PermsnapError }));
}
