// A browser app for Vite and webpack: they see `new URL("…wasm", import.meta.url)`
// in the package, emit the .wasm and rewrite the URL, so a plain init() works.
import * as permsnap from "permsnap";
import { describeError, report, runVectors } from "./run.js";

try {
  await permsnap.init();
  report({ vectors: await runVectors(permsnap) });
} catch (e) {
  report({ error: describeError(e) });
}
