// permsnap/edge type-checks without the DOM library (tsconfig.edge.json):
// its declarations name no DOM type, and a JWKS imported from JSON fits.
import { Gate, Refresher, Verifier, denial, guard, type Decision, type Jwks, type RequestLike } from "permsnap/edge";
import * as workerd from "permsnap/edge/workerd";
import catalog from "./catalog.json";
import jwks from "./jwks.json";

const keys: Jwks = jwks;
const verifier = new Verifier(catalog, keys, { tenant: "spa-lumi" });
const gate = new Gate(verifier, [
  { path: "/health", public: true },
  { methods: ["GET"], path: "/api/payments", requires: ["payments.view"] },
]);
const refresher = new Refresher(verifier, {
  jwksUrl: "https://keys.example/jwks.json",
  revocationsUrl: null, // no feed: said, not left out
  // A stub fits where the global fetch would.
  fetch: async () => ({ ok: true, status: 200, json: async () => jwks }),
});

export async function handle(request: RequestLike): Promise<number> {
  const d: Decision = await guard(gate, request, refresher);
  if (d.status === 200) return 200;
  const answer = denial(d);
  return answer.status;
}

export const workerdVerifier: typeof Verifier = workerd.Verifier;
