// The platform's Ed25519 (WebCrypto), for the browser build, whose
// WebAssembly carries no curve arithmetic. WebAssembly decides everything
// else: it checks the strict rules that need no curve (canonical S and R,
// R and the key not of small order), hands over the exact key, message and
// signature (a "job"), and accepts the signature only for the job the
// platform verified (FORMAT.md, "Verification order"; the package README, "Sync or async").

import { PermsnapError } from "./errors.js";

/** Imported keys, by their 32 bytes (as a string of 32 char codes: one
 *  call, where hex text took 64 string steps, 2 µs of a 60 µs verify in
 *  Chromium): one import per key. */
const keys = new Map<string, Promise<CryptoKey>>();
/** The same keys once imported. */
const imported = new Map<string, CryptoKey>();

function unsupported(e: unknown): PermsnapError {
  return new PermsnapError(
    "unavailable",
    "this runtime has no Ed25519 in WebCrypto (Chrome 137+, Firefox 129+, Safari 17+, Node 20, Deno, workerd have it): " +
      "import `permsnap/sync`, which verifies in WebAssembly",
    { cause: e },
  );
}

/** @internal Verifies a job of the wasm verifier (`key | signature |
 *  message`) with the platform's Ed25519: true or false; throws
 *  `unavailable` where the platform has no Ed25519. */
export async function platformVerify(job: Uint8Array<ArrayBuffer>): Promise<boolean> {
  // `job` is this module's own copy (wasm hands out a new array), and
  // WebCrypto copies what it is given when called: views, not copies.
  const raw = job.subarray(0, 32);
  const id = String.fromCharCode.apply(null, raw as unknown as number[]);
  // An imported key is used as it is: no promise to wait for (a
  // microtask less per verify).
  let k = imported.get(id);
  if (k === undefined) {
    let key = keys.get(id);
    if (!key) {
      const subtle = globalThis.crypto?.subtle;
      if (!subtle) throw unsupported(new Error("no crypto.subtle (a page served over plain http from another host than localhost?)"));
      key = subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
      keys.set(id, key);
      // A refused import is not remembered: the next call tries again.
      key.then((done) => void imported.set(id, done), () => keys.delete(id));
    }
    try {
      k = await key;
    } catch (e) {
      // No Ed25519 here; or (a DataError) bytes the platform does not take
      // as a point of the curve: such a key verifies nothing.
      if ((e as { name?: unknown } | null)?.name === "NotSupportedError") throw unsupported(e);
      return false;
    }
  }
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, k, job.subarray(32, 96), job.subarray(96));
  } catch (e) {
    throw unsupported(e);
  }
}
