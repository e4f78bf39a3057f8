// The session tests (session.test.mjs) on the browser entry: signatures
// checked by the platform's WebCrypto (Node's), every verification async.
await import("./session.test.mjs?build=web");
