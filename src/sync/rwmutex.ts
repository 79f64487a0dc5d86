// sync.RWMutex: a reader/writer lock that does not starve writers.
//
// State: `readers` holding the read lock, `writer` holding the write lock, and one FIFO queue of
// waiters, each tagged by its core argument: READER (0) or WRITER (1). `queuedWriters` and
// `waiters` count what the queue holds.
//
// Rules (the batch discipline of Go's RWMutex, served in arrival order):
//  rLock proceeds at once iff no writer holds the lock and no writer waits; otherwise it queues.
//  lock proceeds at once iff nobody holds the lock (then nobody waits either, see below).
//  When the last reader leaves, the writer at the head of the queue gets the lock.
//  When a writer leaves, every reader at the head of the queue gets in, up to the next writer;
//   if there were none, the writer at the head gets the lock.
//
// Invariants (between calls):
//  writer implies readers = 0.
//  waiters > 0 implies the lock is held (writer, or readers > 0).
//  readers > 0 and waiters > 0 imply the head of the queue is a writer (readers queue only
//   behind a holding or waiting writer, and a writer's unlock admits the readers at the head).
//  Uncontended rLock/rUnlock and lock/unlock touch only JS fields: no Wasm, no allocation.

import { PanicError } from "../errors.js";
import { core } from "../core.js";
import { RESOLVED, newQueue, parkOn, wakeFirst } from "./waitq.js";
import { settle } from "../preempt.js";
import type { Locker } from "./waitq.js";

const READER = 0;
const WRITER = 1;

/**
 * Go's `sync.RWMutex`: any number of readers or one writer. A writer that waits blocks readers
 * that come after it, so writers are not starved; when a writer unlocks, the readers that queued
 * before the next writer all get in.
 *
 * @example
 * ```ts
 * const rw = new RWMutex();
 * const cache = new Map<string, number>();
 * async function get(k: string) { await rw.rLock(); try { return cache.get(k); } finally { rw.rUnlock(); } }
 * async function put(k: string, v: number) { await rw.lock(); try { cache.set(k, v); } finally { rw.unlock(); } }
 * ```
 */
export class RWMutex implements Locker {
  #readers = 0;
  #writer = false;
  #waiters = 0;
  #queuedWriters = 0;
  #q = 0;
  #rlocker: Locker | null = null;

  #queue(): number {
    let q = this.#q;
    if (q === 0) q = this.#q = newQueue(this);
    return q;
  }

  /**
   * `rw.RLock()`: resolves once the caller holds a read lock. Waits (state
   * "sync.RWMutex.RLock") while a writer holds the lock or waits for it.
   *
   * @example
   * ```ts
   * await rw.rLock();
   * try { read(); } finally { rw.rUnlock(); }
   * ```
   */
  rLock(): Promise<void> {
    if (!this.#writer && this.#queuedWriters === 0) {
      this.#readers++;
      return settle(RESOLVED, undefined);
    }
    const p = parkOn(this.#queue(), READER, "sync.RWMutex.RLock");
    this.#waiters++;
    return p;
  }

  /**
   * `rw.TryRLock()`: takes a read lock if that needs no waiting. True if it did.
   *
   * @example
   * ```ts
   * if (rw.tryRLock()) { try { read(); } finally { rw.rUnlock(); } }
   * ```
   */
  tryRLock(): boolean {
    if (this.#writer || this.#queuedWriters !== 0) return false;
    this.#readers++;
    return true;
  }

  /**
   * `rw.RUnlock()`: releases one read lock; the last reader out lets a waiting writer in.
   * Throws `PanicError("sync: RUnlock of unlocked RWMutex")` if no read lock is held.
   *
   * @example
   * ```ts
   * await rw.rLock();
   * rw.rUnlock();
   * ```
   */
  rUnlock(): void {
    if (this.#readers === 0) throw new PanicError("sync: RUnlock of unlocked RWMutex");
    if (--this.#readers === 0 && this.#waiters !== 0) {
      // The head is a writer (invariant): the lock goes to it.
      this.#writer = true;
      this.#waiters--;
      this.#queuedWriters--;
      wakeFirst(this.#q);
    }
  }

  /**
   * `rw.Lock()`: resolves once the caller holds the write lock. Waits (state
   * "sync.RWMutex.Lock") while anyone holds the lock; from then on, new readers wait too.
   *
   * @example
   * ```ts
   * await rw.lock();
   * try { write(); } finally { rw.unlock(); }
   * ```
   */
  lock(): Promise<void> {
    if (!this.#writer && this.#readers === 0) {
      this.#writer = true;
      return settle(RESOLVED, undefined);
    }
    const p = parkOn(this.#queue(), WRITER, "sync.RWMutex.Lock");
    this.#waiters++;
    this.#queuedWriters++;
    return p;
  }

  /**
   * `rw.TryLock()`: takes the write lock if nobody holds it. True if it did.
   *
   * @example
   * ```ts
   * if (rw.tryLock()) { try { write(); } finally { rw.unlock(); } }
   * ```
   */
  tryLock(): boolean {
    if (this.#writer || this.#readers !== 0) return false;
    this.#writer = true;
    return true;
  }

  /**
   * `rw.Unlock()`: releases the write lock. The readers queued before the next waiting writer
   * get in; if none, that writer does. Throws `PanicError("sync: Unlock of unlocked RWMutex")`
   * if the write lock is not held.
   *
   * @example
   * ```ts
   * await rw.lock();
   * rw.unlock();
   * ```
   */
  unlock(): void {
    if (!this.#writer) throw new PanicError("sync: Unlock of unlocked RWMutex");
    this.#writer = false;
    if (this.#waiters === 0) return;
    const q = this.#q;
    while (this.#waiters !== 0 && core.wqPeekArg(q) === READER) {
      this.#readers++;
      this.#waiters--;
      wakeFirst(q);
    }
    if (this.#readers === 0 && this.#waiters !== 0) {
      this.#writer = true;
      this.#waiters--;
      this.#queuedWriters--;
      wakeFirst(q);
    }
  }

  /**
   * `rw.RLocker()`: a {@link Locker} whose lock/unlock are this mutex's rLock/rUnlock, e.g. for a
   * {@link Cond} over readers.
   *
   * @example
   * ```ts
   * const c = new Cond(rw.rLocker());
   * ```
   */
  rLocker(): Locker {
    return (this.#rlocker ??= {
      lock: () => this.rLock(),
      unlock: () => this.rUnlock(),
    });
  }
}
