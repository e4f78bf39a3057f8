// A Node server gating every request with permsnap's Node middleware.
//   node examples/edge/node/server.mjs
// Environment: PORT, CATALOG (file), ROUTES (file), TENANT, JWKS_URL,
// REVOCATIONS_URL, MAX_FEED_AGE, MAX_AGE, MIN_INTERVAL. TENANT and JWKS_URL are required;
// the keys and revocations are loaded before the server listens.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import * as permsnap from "../../../pkg/edge/node.js";
import { startEdge, originAnswer } from "../app.js";

const env = process.env;
const edge = await startEdge(permsnap, {
  catalog: JSON.parse(readFileSync(env.CATALOG, "utf8")),
  routes: JSON.parse(readFileSync(env.ROUTES, "utf8")),
  tenant: env.TENANT,
  jwksUrl: env.JWKS_URL,
  revocationsUrl: env.REVOCATIONS_URL,
  maxFeedAge: env.MAX_FEED_AGE,
  maxAge: env.MAX_AGE,
  minInterval: env.MIN_INTERVAL,
});
const guard = permsnap.nodeGuard(edge.gate, edge.refresher);

const server = createServer((req, res) => {
  guard(req, res, (err) => {
    if (err) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internal", message: String(err) } }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(originAnswer(req.permsnap)));
  });
});
server.listen(Number(env.PORT ?? 8789), "127.0.0.1", () => console.log(`listening on 127.0.0.1:${server.address().port}`));
