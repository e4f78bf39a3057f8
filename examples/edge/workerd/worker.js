// A Cloudflare Worker gating every request with permsnap (run by workerd:
// see config.capnp). The package's workerd entry, exported as
// "permsnap/edge/workerd" (with wrangler, "permsnap/edge" resolves to it too,
// through the `workerd` condition), imports the .wasm as a precompiled module
// and initialises synchronously.
import * as permsnap from "permsnap/edge/workerd";
import { createEdge, originAnswer } from "./app.js";

let edge = null;

export default {
  async fetch(request, env) {
    // No I/O outside a request in a Worker: `guard` loads the keys and
    // revocations on the first request (503 `unavailable` until it could).
    edge ??= createEdge(permsnap, {
      catalog: env.CATALOG,
      routes: env.ROUTES,
      tenant: env.TENANT,
      jwksUrl: env.JWKS_URL,
      revocationsUrl: env.REVOCATIONS_URL,
      maxFeedAge: env.MAX_FEED_AGE,
      maxAge: env.MAX_AGE,
      minInterval: env.MIN_INTERVAL,
    });
    const decision = await permsnap.guard(edge.gate, request, edge.refresher);
    if (decision.status !== 200) return permsnap.denial(decision);
    return Response.json(originAnswer(decision));
  },
};
