// The Verifier's options in `permsnap/edge` (the browser entry's
// verifier.ts, built for the edge: this file replaces browser/options.ts).
import type { ClockOptions, FeedOptions, TenantChoice } from "../types.js";

/** What the edge's verifier takes: its account (exactly one of `tenant`,
 *  `tenantPerRequest`, `anyTenant`), the leeway, the clock, and the age
 *  past which its revocation feed is stale (`maxFeedAge`). */
export type VerifierOptions = TenantChoice & ClockOptions & FeedOptions;
