// A Deno server gating every request with permsnap, as Hono middleware.
//   deno run --allow-net=127.0.0.1 --allow-read --allow-env examples/edge/deno/server.js
// Environment: PORT, CATALOG (file), ROUTES (file), TENANT, JWKS_URL,
// REVOCATIONS_URL, MAX_FEED_AGE, MAX_AGE, MIN_INTERVAL. TENANT and JWKS_URL are required;
// the keys and revocations are loaded before the server listens.
import { Hono } from "hono";
import * as permsnap from "../../../pkg/edge/index.js";
import { startEdge, originAnswer } from "../app.js";

await permsnap.init(await Deno.readFile(new URL("../../../pkg/edge/permsnap_wasm_bg.wasm", import.meta.url)));

const env = (k) => Deno.env.get(k);
const edge = await startEdge(permsnap, {
  catalog: JSON.parse(await Deno.readTextFile(env("CATALOG"))),
  routes: JSON.parse(await Deno.readTextFile(env("ROUTES"))),
  tenant: env("TENANT"),
  jwksUrl: env("JWKS_URL"),
  revocationsUrl: env("REVOCATIONS_URL"),
  maxFeedAge: env("MAX_FEED_AGE"),
  maxAge: env("MAX_AGE"),
  minInterval: env("MIN_INTERVAL"),
});

const app = new Hono();
app.use("*", permsnap.honoGuard(edge.gate, edge.refresher));
app.all("*", (c) => c.json(originAnswer(c.get("permsnap"))));

Deno.serve({ hostname: "127.0.0.1", port: Number(env("PORT") ?? 8788), onListen: ({ port }) => console.log(`listening on 127.0.0.1:${port}`) }, app.fetch);
