// The Verifier's options in the browser entry and `permsnap/sync`: its
// account (exactly one of `tenant`, `tenantPerRequest`, `anyTenant`), the
// leeway and the clock. (The edge's build has its own options.ts, with
// `maxFeedAge`.)
import type { ClockOptions, TenantChoice } from "../types.js";

/** What the verifier takes: its account, the leeway and the clock (the
 *  edge's `maxFeedAge` is `permsnap/edge`'s: refused here). */
export type VerifierOptions = TenantChoice & ClockOptions;
