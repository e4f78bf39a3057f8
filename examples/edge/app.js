// Shared by the three edge examples (workerd, Deno, Node): one gate in
// front of an origin. Configuration comes from the runtime's environment:
//   catalog   the compiled catalog (`permsnap catalog` output)
//   routes    the route table (routes/<preset>.json)
//   tenant    the account this edge serves (other accounts' snapshots: 401);
//             required: unset, the Verifier throws (invalid_argument)
//   jwksUrl   where the public keys are (rotation: reloaded, no restart);
//             required: unset, the Refresher throws (invalid_argument)
//   revocationsUrl  the signed revocation feed, `{ "head": "...", "notices": [...] }`
//             as `permsnap feed` prints it; required: `none` runs without one
//             (a revoked person keeps access until their snapshot expires),
//             unset or empty, the Refresher throws (invalid_argument)
//   maxFeedAge  seconds: snapshots are refused 503 `stale_feed` once the last
//             feed head applied is older (needs revocationsUrl; above maxAge)
//   maxAge    seconds before keys and notices are fetched again (default 300)
export function createEdge(permsnap, config) {
  const verifier = new permsnap.Verifier(config.catalog, { keys: [] }, {
    tenant: config.tenant,
    maxFeedAge: config.maxFeedAge ? Number(config.maxFeedAge) : undefined,
  });
  const gate = new permsnap.Gate(verifier, config.routes);
  const refresher = new permsnap.Refresher(verifier, {
    jwksUrl: config.jwksUrl,
    revocationsUrl: config.revocationsUrl === "none" ? null : config.revocationsUrl || undefined,
    maxAge: Number(config.maxAge ?? 300),
    minInterval: Number(config.minInterval ?? 30),
  });
  return { verifier, gate, refresher };
}

/** Where the runtime allows I/O at start-up (Node, Deno): load the keys and
 *  revocations before serving, so a wrong URL stops the server at once. (A
 *  Worker cannot fetch outside a request: `guard` loads them on the first
 *  request and answers 503 `unavailable` until a load completes.) */
export async function startEdge(permsnap, config) {
  const edge = createEdge(permsnap, config);
  await edge.refresher.ready();
  return edge;
}

/** What the origin behind the gate answers (the examples have no origin). */
export function originAnswer(decision) {
  return {
    ok: true, route: decision.route, subject: decision.subject ?? null, tenant: decision.tenant ?? null,
    // A shared account's action allowed by a PIN step-up: the person who
    // gave the PIN (record the action under this id) and the proof's nonce
    // (record it to accept each proof once).
    ...(decision.actor === undefined ? {} : { actor: decision.actor, nonce: decision.nonce }),
  };
}
