// permsnap/sync (`permsnap` in Node, Deno, Bun and workerd): the browser
// entry's JavaScript on the small core with `curve`, signatures checked in
// WebAssembly. Held to the reference build by the browser entry's own
// suite (browser.test.mjs), run here against this entry; where the two
// builds differ by design (this one verifies at once), that suite says so.
globalThis.PERMSNAP_ENTRY = "sync";
await import("./browser.test.mjs");
