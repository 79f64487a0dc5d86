// Wait queues of the sync primitives: the facade's side of assembly/waitq.ts.
//
// Every primitive in this directory keeps its state (locked flag, reader count, counter,
// available weight) in plain JS fields, so that an operation that need not wait calls no Wasm
// and allocates nothing. Only a caller that must wait touches the core: it is appended to the
// primitive's core wait queue (a FIFO of waiter records holding the caller's slot token and a
// 31-bit argument), and parks in the slot table (core.ts) under that token with Go's wait reason,
// which is what the goroutine dump and the deadlock check read. Whoever releases the primitive
// takes the head of the queue and settles its promise at once (wake); the woken goroutine
// continues in a later microtask.
//
// Invariants:
//  A primitive's queue address is 0 until its first contended operation; from then on it is a
//  live core queue that is freed only after the primitive has been garbage collected.
//  Each primitive counts its queued waiters in a JS field, equal to core.wqLen of its queue, so
//  that its release path calls the core only when someone waits.
//
// Freeing: a collected primitive's queue is freed by the next newQueue (or freeDeadQueues), as
// channels are (core.ts, Reclaimer). A waiter still queued on a collected primitive could never
// have been woken; its record goes with the queue.

import { core, T, ensureCore, peekToken, park, wake, K_WAIT, RESOLVED, Reclaimer } from "../core.js";
import { coreFailure } from "../errors.js";

export { RESOLVED };

const queues = new Reclaimer((q) => core.wqFree(T, q));

/** Frees the core queues of sync primitives that have been garbage collected. */
export function freeDeadQueues(): void {
  queues.sweep();
}

/** A new core wait queue, freed once `owner` is garbage collected. Throws when the core's memory
 *  is exhausted. */
export function newQueue(owner: object): number {
  if (core === undefined) ensureCore();
  queues.sweep();
  const q = core.wqNew(T);
  if (q === 0) throw coreFailure(7);
  queues.register(owner, q);
  return q;
}

/** Appends the caller to queue q with argument `arg` (0 ≤ arg < 2^31) and returns its token,
 *  without parking it yet: follow at once with park(token, reason), before anything that
 *  may wake or park another caller (which would move the slot peekToken chose). */
export function enqueue(q: number, arg: number): number {
  const token = peekToken(K_WAIT);
  if (core.wqPark(T, q, token, arg) !== 0) throw coreFailure(7);
  return token;
}

/** Appends the caller to queue q with argument `arg` and parks it with wait reason `reason`:
 *  the promise settles when a waker takes it off the queue. */
export function parkOn(q: number, arg: number, reason: string): Promise<any> {
  return park(enqueue(q, arg), reason);
}

/** Takes the first waiter off queue q and resolves its wait with `v`. False if none waited. */
export function wakeFirst(q: number, v?: unknown): boolean {
  const token = core.wqTake(T, q);
  if (token < 0) return false;
  wake(token, v);
  return true;
}

/** Anything with Go's `sync.Locker` methods: a {@link Mutex}, an {@link RWMutex}, or the reader
 *  view an RWMutex's `rLocker()` gives. `lock` may return a promise (it waits) or nothing.
 *
 * @example
 * ```ts
 * async function withLock(l: Locker, fn: () => void) { await l.lock(); try { fn(); } finally { l.unlock(); } }
 * ```
 */
export interface Locker {
  /** Takes the lock, waiting while another holds it. */
  lock(): Promise<void> | void;
  /** Releases the lock. */
  unlock(): void;
}
