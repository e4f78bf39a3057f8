// Edge build: no expiry timers. A server or edge function loads a snapshot
// per request (thousands a second, each load checks the time); a timer per
// load would keep every one alive until its expiry. Long-lived permissions
// belong in the browser build's session.

/** @internal No timer in the edge build. */
export function armExpiry<T extends object>(_target: T, _ms: number, _expire: (target: T) => void): void {}
