// Browser build: a loaded snapshot's permissions turn into deny-all at its
// expiry (a tab left open overnight must not keep answering yes). Loads are
// grouped by expiry time (to a tenth of a second): one timer per group, not
// per load, so a page or a server rendering many loads pays a map lookup and
// a weak reference each. The timer holds the permissions weakly (dropping
// them still frees them) and does not keep a Node process alive.

/** Groups, by expiry time in tenths of a second (`performance.now()`). */
const groups = new Map<number, { targets: WeakRef<object>[]; expire: (target: never) => void }[]>();

/** @internal Calls `expire(target)` in `ms` milliseconds (at once when
 *  already past, at most a tenth of a second late), unless `target` was
 *  garbage-collected by then. */
export function armExpiry<T extends object>(target: T, ms: number, expire: (target: T) => void): void {
  const delay = Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 2 ** 31 - 1) : 0;
  const at = Math.ceil((performance.now() + delay) / 100);
  let list = groups.get(at);
  if (list === undefined) {
    list = [];
    groups.set(at, list);
    const timer = setTimeout(() => fire(at), Math.max(0, at * 100 - performance.now()));
    (timer as { unref?: () => void }).unref?.();
  }
  let group = list.find((g) => g.expire === expire);
  if (group === undefined) {
    group = { targets: [], expire: expire as (target: never) => void };
    list.push(group);
  }
  const targets = group.targets;
  // Forget the collected ones now and then: memory follows the live objects.
  if (targets.length >= 64 && (targets.length & (targets.length - 1)) === 0) {
    group.targets = targets.filter((r) => r.deref() !== undefined);
  }
  group.targets.push(new WeakRef(target));
}

function fire(at: number): void {
  const list = groups.get(at) ?? [];
  groups.delete(at);
  for (const { targets, expire } of list) {
    for (const ref of targets) {
      const t = ref.deref();
      if (t !== undefined) expire(t as never);
    }
  }
}
