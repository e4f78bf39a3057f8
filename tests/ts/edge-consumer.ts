// A Worker-style consumer of permsnap/edge and a React consumer, type-checked
// with `tsc --noEmit` against the built package.
import { Verifier, Gate, Refresher, guard, denial, honoGuard, nodeGuard, type Decision, type DecisionCode, type ErrorCode, type RouteDef } from "../../pkg/edge/index.js";
import { PermissionsProvider, Can, useCan } from "../../pkg/react.js";
import type { Permissions } from "../../pkg/index.js";
import { createElement, type ReactElement } from "react";

const routes: RouteDef[] = [
  { methods: ["GET"], path: "/api/payments", requires: ["payments.view"] },
  { methods: ["GET"], path: "/api/me", authenticated: true },
  { path: "/health", public: true },
];

export function makeWorker(catalog: { binary: string }) {
  const verifier = new Verifier(catalog, { keys: [] }, { tenant: "spa-lumi" });
  const gate = new Gate(verifier, routes, { cookie: "permsnap" });
  const refresher = new Refresher(verifier, { jwksUrl: "https://example.test/jwks", revocationsUrl: null, maxAge: 300, maxStale: 3600 });
  // @ts-expect-error an edge with no key URL verifies nothing: `jwksUrl` is required
  void new Refresher(verifier, { revocationsUrl: "https://example.test/revocations" });
  // @ts-expect-error no feed is said (`revocationsUrl: null`), never left out
  void new Refresher(verifier, { jwksUrl: "https://example.test/jwks" });
  // An edge that never decides on revocations it may have missed.
  const fed = new Verifier(catalog, { keys: [] }, { tenant: "spa-lumi", maxFeedAge: 600 });
  // @ts-expect-error maxFeedAge is a number of seconds
  void new Verifier(catalog, { keys: [] }, { tenant: "spa-lumi", maxFeedAge: "600" });
  // @ts-expect-error format 1 snapshots are the Rust verifier's and the CLI's (refused here at run time too)
  void new Verifier(catalog, { keys: [] }, { tenant: "spa-lumi", format1Catalog: catalog });
  const feedRefresher = new Refresher(fed, { jwksUrl: "https://example.test/jwks", revocationsUrl: "https://example.test/feed", maxAge: 60 });
  void feedRefresher.onStaleFeed();
  const stale: Decision["code"] = "stale_feed";
  void stale;
  return {
    ready: (): Promise<void> => refresher.ready(),
    async fetch(request: Request): Promise<Response> {
      const d: Decision = await guard(gate, request, refresher);
      if (d.status !== 200) return denial(d);
      return Response.json({ subject: d.subject ?? null });
    },
    hono: honoGuard(gate, refresher),
    node: nodeGuard(gate),
  };
}

/** One edge, many accounts: the account comes from the host name. */
export function makeMultiTenantGate(catalog: { binary: string }): Gate {
  const verifier = new Verifier(catalog, { keys: [] }, { tenantPerRequest: true });
  return new Gate(verifier, routes, { tenantOf: (request) => request.headers.get("host")?.split(".")[0] ?? null });
}

function Toolbar(): ReactElement {
  const canCharge: boolean = useCan("payments.charge");
  return createElement("div", null, canCharge ? "charge" : null);
}

export function App(permissions: Permissions | null): ReactElement {
  return createElement(PermissionsProvider, { permissions },
    createElement(Toolbar),
    createElement(Can, { do: ["payments.view"], fallback: "no" }, "yes"));
}

/** Decision codes are typed: the gate's own codes or a refusal's error code. */
export function retry(d: Decision): boolean {
  const code: DecisionCode | ErrorCode = d.code;
  // @ts-expect-error not a decision code
  const typo: Decision["code"] = "forbiden";
  void typo;
  return code === "expired" || code === "unknown_key" || code === "step_up_required";
}
