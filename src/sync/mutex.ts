// sync.Mutex: a mutual exclusion lock whose waiters are served first come, first served.
//
// Invariants (between calls):
//  locked is false implies waiters = 0: unlock hands a contended lock to the first waiter
//   directly (locked stays true), so a new lock() can never overtake a queued one.
//  waiters = the number of callers queued on q (core.wqLen(q)); q = 0 until the first lock()
//   that must wait.
//  An uncontended lock()/unlock() pair touches only `locked`: no Wasm call, no allocation
//   (lock() returns the shared resolved promise).
//
// Go's Mutex alternates a normal mode, where a woken waiter competes with newcomers, and a
// starvation mode, where ownership is handed off FIFO. A JS thread runs one goroutine at a time,
// so the throughput that normal mode buys does not arise: this lock is always in hand-off mode.

import { PanicError } from "../errors.js";
import { RESOLVED, newQueue, parkOn, wakeFirst } from "./waitq.js";
import { settle } from "../preempt.js";
import type { Locker } from "./waitq.js";

/**
 * Go's `sync.Mutex`: a mutual exclusion lock. The zero value (`new Mutex()`) is unlocked. It is
 * not tied to a goroutine: one goroutine may lock it and another unlock it. Waiters are served in
 * the order they called {@link Mutex.lock}.
 *
 * @example
 * ```ts
 * const mu = new Mutex();
 * let n = 0;
 * const wg = new WaitGroup();
 * for (let i = 0; i < 10; i++) wg.go(async () => { await mu.lock(); n++; mu.unlock(); });
 * await wg.wait(); // n === 10
 * ```
 */
export class Mutex implements Locker {
  #locked = false;
  #waiters = 0;
  #q = 0;

  /**
   * `mu.Lock()`: resolves once the caller holds the lock. If it is held, the caller waits
   * (state "sync.Mutex.Lock") behind everyone already waiting.
   *
   * @example
   * ```ts
   * await mu.lock();
   * try { balance += amount; } finally { mu.unlock(); }
   * ```
   */
  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return settle(RESOLVED, undefined);
    }
    let q = this.#q;
    if (q === 0) q = this.#q = newQueue(this);
    const p = parkOn(q, 0, "sync.Mutex.Lock");
    this.#waiters++;
    return p;
  }

  /**
   * `mu.TryLock()`: takes the lock if it is free, without waiting. True if it did.
   *
   * @example
   * ```ts
   * if (mu.tryLock()) { try { flush(); } finally { mu.unlock(); } }
   * ```
   */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /**
   * `mu.Unlock()`: releases the lock, handing it to the first waiter if there is one. Throws
   * `PanicError("sync: unlock of unlocked mutex")` if the mutex is not locked.
   *
   * @example
   * ```ts
   * await mu.lock();
   * mu.unlock();
   * mu.unlock(); // throws PanicError
   * ```
   */
  unlock(): void {
    if (!this.#locked) throw new PanicError("sync: unlock of unlocked mutex");
    if (this.#waiters === 0) {
      this.#locked = false;
      return;
    }
    this.#waiters--;
    wakeFirst(this.#q); // the lock stays held: it now belongs to the woken waiter
  }
}
