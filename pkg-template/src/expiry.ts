// Browser build: a loaded snapshot's permissions turn into deny-all at its
// expiry (a tab left open overnight must not keep answering yes). One timer
// per load; it holds the permissions weakly, so dropping them still frees
// them, and it does not keep a Node process alive.

/** @internal Calls `expire(target)` in `ms` milliseconds (at once when
 *  already past), unless `target` was garbage-collected by then. */
export function armExpiry<T extends object>(target: T, ms: number, expire: (target: T) => void): void {
  const ref = new WeakRef(target);
  const delay = Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 2 ** 31 - 1) : 0;
  const timer = setTimeout(() => {
    const t = ref.deref();
    if (t) expire(t);
  }, delay);
  (timer as { unref?: () => void }).unref?.();
}
