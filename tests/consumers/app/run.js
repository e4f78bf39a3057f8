// The app every consumer builds: the committed vectors, run through the
// package as the consumer resolved it (tests/edge/parity.js is copied beside).
import { parity } from "./parity.js";
import vectors from "./vectors.json";

export async function runVectors(permsnap) {
  return parity(permsnap, vectors);
}

/** Browser pages: hands the outcome to the test (an error as plain data). */
export function report(outcome) {
  globalThis.__permsnap = outcome;
}

export function describeError(e) {
  return { name: e?.name, code: e?.code, message: String(e?.message), cause: e?.cause ? String(e.cause) : null };
}
