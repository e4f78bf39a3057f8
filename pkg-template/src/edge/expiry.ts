// Edge build: no expiry timers. A server or edge function loads a snapshot
// per request (thousands a second, each load checks the time); long-lived
// permissions belong in the browser build's session.

/** @internal Never moves in the edge build. */
export const expiry = { tick: 0 };

/** @internal No timer in the edge build. */
export function armExpiry(_deadline: number): void {}
