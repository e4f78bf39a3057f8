// permsnap/issuer in a browser build: refused. Signing keys and the issuer
// belong on the server; the browser verifies with `permsnap`.
throw new Error("permsnap/issuer is server-only (Node, Deno, Bun, workerd): a browser bundle must not contain the issuer or its signing key. Import `permsnap` to verify snapshots in the browser.");
