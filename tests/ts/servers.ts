// Express and Hono apps using permsnap's server helpers, type-checked with
// `tsc --noEmit` against the built package: `req.permsnap` (Express) and
// `c.get("permsnap")` (Hono) are decisions without a cast, the snapshot
// endpoints and the subject binding take each framework's own request, and
// the page's session is typed.
import express from "express";
import { Hono, type Context } from "hono";
import { Verifier, Gate, nodeGuard, honoGuard, type Decision, type PermsnapVariables } from "../../pkg/edge/index.js";
import { Issuer, expressSnapshot, honoSnapshot, snapshotHandler } from "../../pkg/issuer/index.js";
import { createSession, applyToDom, type Session } from "../../pkg/index.js";

declare const issuer: Issuer;
declare const gate: Gate;
declare function userOf(cookieHeader: string | undefined): { tenant: string; id: string } | null;
declare function recordOf(tenant: string, id: string): { id: string; roles: string[]; version: number };

export function expressApp() {
  const app = express();
  app.get("/api/permsnap", expressSnapshot({
    issuer,
    staff: (req: express.Request) => {
      const u = userOf(req.headers.cookie);
      return u && { tenant: u.tenant, record: recordOf(u.tenant, u.id) };
    },
  }));
  app.use("/api", nodeGuard(gate, { signedIn: (req: express.Request) => {
    const u = userOf(req.headers.cookie);
    return u && { tenant: u.tenant, subject: u.id };
  } }));
  app.get("/api/clients", (req, res) => {
    const d: Decision | undefined = req.permsnap;
    res.json({ by: d?.actor ?? d?.subject });
  });
  return app;
}

export function honoApp() {
  const app = new Hono<{ Variables: PermsnapVariables }>();
  app.get("/api/permsnap", honoSnapshot({ issuer, staff: (c: Context) => (c.req.header("x-user") ? { tenant: "spa-lumi", record: recordOf("spa-lumi", c.req.header("x-user") ?? "") } : null) }));
  app.use("/api/*", honoGuard(gate, { signedIn: (c: Context) => ({ tenant: "spa-lumi", subject: c.req.header("x-user") ?? "" }) }));
  app.get("/api/clients", (c) => {
    const d: Decision = c.get("permsnap");
    return c.json({ subject: d.subject ?? null });
  });
  return app;
}

export const fetchEndpoint: (request: Request) => Promise<Response> = snapshotHandler({ issuer, staff: () => null });

export function page(catalog: { binary: string }, root: HTMLElement): Session {
  const session = createSession({ catalog, jwks: { keys: [] }, tenant: "spa-lumi", fetchSnapshot: "/api/permsnap", notices: (deliver) => {
    const events = new EventSource("/api/notices");
    events.onmessage = (e) => deliver(e.data as string);
    return () => events.close();
  } });
  applyToDom(root, session).stop();
  // @ts-expect-error a misspelt option is a type error (and a run-time error)
  createSession({ catalog, jwks: { keys: [] }, tenant: "spa-lumi", fetchSnaphot: "/api/permsnap" });
  return session;
}
void Verifier;
