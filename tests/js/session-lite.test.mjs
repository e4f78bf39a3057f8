// The session tests (session.test.mjs) on permsnap/lite: the small core,
// signatures and catalog fingerprints checked by the platform's WebCrypto
// (Node's), every verification async.
await import("./session.test.mjs?build=lite");
