// A typical consumer, type-checked with `tsc --noEmit` against the built package.
import { Verifier, PermsnapError, type Explanation, type RecordFilter, type Scope } from "../../pkg/node.js";

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

export function isPermsnap(e: unknown): e is PermsnapError {
  return e instanceof PermsnapError && typeof e.code === "string";
}
