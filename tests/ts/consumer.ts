// A typical consumer, type-checked with `tsc --noEmit` against the built package.
import {
  Verifier, Permissions, PermsnapError,
  type Claims, type ErrorCode, type Explanation, type FeedReport, type Jwks, type KeySetReport, type MissingIds,
  type NoticeSummary, type Permission, type Reason, type RecordFilter, type Scope,
} from "../../pkg/node.js";

interface Appointment { id: string; staff_id: string; created_by: string; starts: string }

export function visible(verifier: Verifier, snapshot: string, list: Appointment[]): Appointment[] {
  const p = verifier.loadOrDeny(snapshot);
  if (p.error) console.warn(p.error.code satisfies string);
  const why: Explanation = p.explain("payments.view");
  const scope: Scope = p.scope("appointments");
  const spec: RecordFilter = p.filterSpec("appointments");
  void why; void scope; void spec;
  const calendar: Permission = verifier.permission("calendar.view");
  const ok: boolean = p.can(calendar) && p.canAny(["payments.view", verifier.permission("documents.view")]);
  // @ts-expect-error a handle comes from `verifier.permission`, not an object literal
  void p.can({ name: "calendar.view" });
  // @ts-expect-error a handle's name is read-only
  calendar.name = "payments.view";
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

/** Format 2: roles, the person's version, id lists beside the snapshot, signed feeds. */
export function formatTwo(verifier: Verifier, snapshot: string, idList: string | Uint8Array, feed: { head: string; notices: string[] }): number {
  const p = verifier.load(snapshot);
  const roles: string[] = p.roles;
  const version: number = p.version;
  const missing: MissingIds[] = p.missingIds();
  const full: Permissions = missing.length > 0 ? p.withIds(idList) : p;
  const scope: Scope = full.scope(missing[0]?.kind ?? "appointments");
  const listed = typeof scope === "object" && "listed" in scope ? scope.listed.count : 0;
  const report: FeedReport = verifier.applyFeed(feed.head, feed.notices);
  const failedCodes: ErrorCode[] = report.failed.map((f) => f.code);
  const at: number | null = verifier.feedAt;
  const notice: NoticeSummary = verifier.applyNotice(feed.notices[0]);
  const stale: ErrorCode = "stale_feed";
  const unloaded: ErrorCode = "ids_not_loaded";
  // @ts-expect-error feeds are the edge's: `maxFeedAge` is permsnap/edge's option (refused here at run time too; edge-consumer.ts types it)
  void new Verifier({ binary: "" }, { keys: [] }, { tenant: "spa-lumi", maxFeedAge: 600 });
  // @ts-expect-error format 1's single role is gone
  void p.role;
  // @ts-expect-error the claims carry `roles`
  void p.claims()?.role;
  void stale; void unloaded; void failedCodes;
  return roles.length + version + listed + (at ?? 0) + notice.staff + report.applied + report.skipped;
}

export function isPermsnap(e: unknown): e is PermsnapError {
  return e instanceof PermsnapError && typeof e.code === "string";
}

/** The async forms resolve to the same Permissions; claims and explanations are camelCase. */
export async function session(verifier: Verifier, snapshot: string | null): Promise<string> {
  const p: Permissions = await verifier.verifyOrDeny(snapshot);
  const strict: Promise<Permissions> = verifier.verify(snapshot ?? "");
  const forAccount: Promise<Permissions> = verifier.verifyFor(snapshot ?? "", "spa-lumi");
  void strict; void forAccount;
  const claims: Claims | null = p.claims();
  const stepUp: boolean = p.explain("payments.charge").stepUp;
  const reason: Reason = p.explain("payments.charge").reason;
  const refusedWith: ErrorCode | null = reason.code === "refused" ? reason.error : null;
  const notInitialized: ErrorCode = "not_initialized";
  void notInitialized;
  // @ts-expect-error the snake_case claims are gone
  void claims?.expires_at;
  // @ts-expect-error explanations are camelCase
  void p.explain("payments.charge").step_up;
  // @ts-expect-error not an error code
  const typo: ErrorCode = "not_initialised";
  void typo;
  // @ts-expect-error internals are not API
  void Verifier._wasm;
  // @ts-expect-error Permissions are made by a Verifier only
  void new Permissions();
  return `${claims?.expiresAt ?? 0} ${claims?.sharedAccount} ${claims?.hiddenFields} ${stepUp} ${refusedWith}`;
}
