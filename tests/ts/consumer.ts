// A typical consumer, type-checked with `tsc --noEmit` against the built package.
import { Verifier, PermsnapError, type Explanation, type Jwks, type KeySetReport, type RecordFilter, type Scope } from "../../pkg/node.js";

interface Appointment { id: string; staff_id: string; created_by: string; starts: string }

export function visible(verifier: Verifier, snapshot: string, list: Appointment[]): Appointment[] {
  const p = verifier.loadOrDeny(snapshot);
  if (p.error) console.warn(p.error.code satisfies string);
  const why: Explanation = p.explain("payments.view");
  const scope: Scope = p.scope("appointments");
  const spec: RecordFilter = p.filterSpec("appointments");
  void why; void scope; void spec;
  const ok: boolean = p.can("calendar.view") && p.canAny(["payments.view", "documents.view"]);
  return ok ? p.filter("appointments", list) : [];
}

export function verifiers(catalog: { binary: string }, jwks: Jwks): Verifier[] {
  const one = new Verifier(catalog, jwks, { tenant: "spa-lumi", leeway: 30 });
  const many = new Verifier(catalog, jwks, { tenantPerRequest: true });
  const report: KeySetReport = many.setJwks(jwks);
  void report.ignored.map((k) => k.kid + k.reason);
  void many.loadFor("snapshot", "spa-lumi");
  // The account is never implied: each of these fails to type-check.
  // @ts-expect-error options are required
  void new Verifier(catalog, jwks);
  // @ts-expect-error a tenant choice is required
  void new Verifier(catalog, jwks, { leeway: 30 });
  // @ts-expect-error the tenant choices exclude each other
  void new Verifier(catalog, jwks, { tenant: "spa-lumi", anyTenant: true });
  return [one, many, new Verifier(catalog, jwks, { anyTenant: true })];
}

export function isPermsnap(e: unknown): e is PermsnapError {
  return e instanceof PermsnapError && typeof e.code === "string";
}
