// Edge build: no expiry timers. A server or edge function loads a snapshot
// per request (thousands a second, each load checks the time); long-lived
// permissions belong in the browser build's session.

/** @internal Moves only when a verifier's revocations change (`recheckAll`). */
export const expiry = { tick: 0 };

/** @internal A verifier's revocations changed: permissions held across
 *  requests check themselves again on their next use. */
export function recheckAll(): void {
  expiry.tick++;
}

/** @internal No timer in the edge build. */
export function armExpiry(_deadline: number): void {}
