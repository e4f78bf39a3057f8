// Browser build: a loaded snapshot's permissions turn into deny-all at its
// expiry (a tab left open overnight must not keep answering yes). Nothing
// is registered per load: expiry times are grouped to a tenth of a second,
// one timer per group; when one comes, `expiry.tick` moves on, and every
// Permissions object compares its own deadline with the clock on its next
// use (one number compared per check until then, no clock read). Dropped
// permissions are simply collected; the timers do not keep a Node process
// alive.

/** @internal Moves on each time a group's expiry time comes. */
export const expiry = { tick: 0 };

/** @internal Told each time an expiry time comes (a watching `applyToDom`
 *  or a React provider of given permissions passes over what they show
 *  again); each removes itself. One set per page, shared by every copy of
 *  this module (`permsnap/react` next to a bundle of `permsnap`), so that
 *  permissions of one copy reach listeners of another. */
export const expiryListeners: Set<() => void> = ((globalThis as Record<symbol, unknown>)[Symbol.for("permsnap.expiryListeners")] ??= new Set()) as Set<() => void>;

/** Groups with a timer, by expiry time in tenths of a second (`Date.now()`:
 *  the wall clock, as the verifier's; `performance.now()` stands still
 *  while a machine sleeps on some platforms, and answers stayed yes past
 *  expiry for as long as it slept: attack review, session 19). */
const armed = new Set<number>();

/** @internal Makes `expiry.tick` move on at `deadline` (a `Date.now()`
 *  time, at most a tenth of a second late), so that what expires then is
 *  checked on its next use. */
export function armExpiry(deadline: number): void {
  const at = Math.ceil((Number.isFinite(deadline) ? deadline : 0) / 100);
  if (armed.has(at)) return;
  armed.add(at);
  schedule(at);
}

/** @internal Something every Permissions object must check again on its
 *  next use happened (a verifier's revocations changed): the tick moves on
 *  now, and the listeners are told. */
export function recheckAll(): void {
  expiry.tick++;
  tell();
}

/** The groups whose time has come, told now as their timers would tell
 *  them; nothing when none has (an ordinary focus passes no watched page
 *  again: review, session 19). */
function due(): void {
  const now = Date.now();
  let any = false;
  for (const at of armed) {
    if (at * 100 <= now) {
      armed.delete(at);
      any = true;
    }
  }
  if (any) recheckAll();
}

// A machine that slept: its timers come late (on some platforms they count
// only the time awake), and until one comes no answer is checked against
// the clock. A page shown or focused again checks every deadline at once
// (attack review, session 19). Browsers only: elsewhere there is no page.
// (visibilitychange, fired at the document, is heard in the capture phase:
// a page's listener stopping it on its way cannot keep it from here;
// focus only at the window itself, not each element's.)
const page = globalThis as { addEventListener?: (type: string, f: () => void, capture?: boolean) => void; document?: unknown };
if (page.document !== undefined) for (const type of ["visibilitychange", "pageshow", "focus"]) page.addEventListener?.(type, due, type === "visibilitychange");

function tell(): void {
  for (const f of expiryListeners) {
    try {
      f();
    } catch {
      // one listener's failure does not keep the others from running
    }
  }
}

/** The longest a timer waits before the clock is read again: timers count
 *  the time a machine is awake (on some platforms), so a machine that
 *  slept past an expiry, with no page event on waking (a Worker, a page
 *  that stayed visible), denies at most this long after it wakes
 *  (re-review, session 19). */
const RECHECK_MS = 5000;

function schedule(at: number): void {
  const wait = Math.min(Math.max(at * 100 - Date.now(), 0), RECHECK_MS);
  const timer = setTimeout(() => {
    // Told already (a page shown again: `due`).
    if (!armed.has(at)) return;
    // A timer may fire a little early, or the wait may have been capped.
    if (Date.now() < at * 100) return schedule(at);
    armed.delete(at);
    expiry.tick++;
    tell();
  }, wait);
  (timer as { unref?: () => void }).unref?.();
}
