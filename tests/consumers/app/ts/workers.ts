// A Worker (tsconfig.workers.json, workers-types style globals): `permsnap/edge`
// resolves to the workerd entry, and `denial` returns the Worker's own
// Response type, so the fetch handler's return type holds.
import { Gate, Refresher, Verifier, denial, guard } from "permsnap/edge";
import wasm from "permsnap/edge/permsnap_wasm_bg.wasm";
import catalog from "./catalog.json";

interface Env {
  JWKS_URL: string;
}

let edge: { gate: Gate; refresher: Refresher } | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!edge) {
      const verifier = new Verifier(catalog, { keys: [] }, { tenant: "spa-lumi" });
      edge = { gate: new Gate(verifier, [{ path: "/health", public: true }]), refresher: new Refresher(verifier, { jwksUrl: env.JWKS_URL, revocationsUrl: null }) };
    }
    const d = await guard(edge.gate, request, edge.refresher);
    if (d.status !== 200) return denial(d);
    return fetch(request);
  },
};

// The .wasm imported by a Worker is a compiled module.
export const compiled: WebAssembly.Module | string | Uint8Array = wasm;
