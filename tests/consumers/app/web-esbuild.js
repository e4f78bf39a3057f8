// A browser app bundled by esbuild, which does not copy assets that a module
// names with `new URL(..., import.meta.url)`: the app imports the .wasm with
// `--loader:.wasm=file` (esbuild copies it to the output and gives its URL,
// relative to the page unless `--public-path` says where the output is served)
// and hands that URL to init().
import * as permsnap from "permsnap";
import wasmUrl from "permsnap/permsnap_wasm_bg.wasm";
import { describeError, report, runVectors } from "./run.js";

try {
  await permsnap.init(wasmUrl);
  report({ vectors: await runVectors(permsnap) });
} catch (e) {
  report({ error: describeError(e) });
}
