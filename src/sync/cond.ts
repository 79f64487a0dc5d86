// sync.Cond: a condition variable, a rendezvous point for goroutines waiting for an event.
//
// wait() queues the caller on the Cond's core queue *before* it unlocks L, so a signal() that
// follows the unlock (Go's notifyList ticket order) can never miss it; signal() takes the head
// of the queue, broadcast() takes them all, both synchronously. A woken waiter then re-locks L
// before its wait() resolves (waiting on L shows L's own wait reason).
//
// Invariants (between calls):
//  waiters = the number of callers queued on q (core.wqLen(q)), in the order they called
//   wait(); q = 0 until the first wait(). signal/broadcast with nobody waiting call no Wasm.
//  signal() and broadcast() wake only callers whose wait() began before them.

import { core, T, releaseSlot, park } from "../core.js";
import { newQueue, enqueue, wakeFirst } from "./waitq.js";
import type { Locker } from "./waitq.js";

/**
 * Go's `sync.Cond`: goroutines wait on it for a condition, with `L` (any {@link Locker}, such
 * as a {@link Mutex}) held while they check it.
 *
 * @example
 * ```ts
 * const mu = new Mutex();
 * const ready = new Cond(mu);
 * let queue: Job[] = [];
 * // consumer
 * await mu.lock();
 * while (queue.length === 0) await ready.wait();
 * const job = queue.shift()!;
 * mu.unlock();
 * // producer
 * await mu.lock(); queue.push(job); ready.signal(); mu.unlock();
 * ```
 */
export class Cond {
  /** The Locker held while observing or changing the condition: Go's `c.L`. */
  readonly L: Locker;
  #waiters = 0;
  #q = 0;
  readonly #relock: () => Promise<void> | void;

  /** `sync.NewCond(l)`. */
  constructor(locker: Locker) {
    if (locker === null || typeof locker !== "object" || typeof locker.lock !== "function" || typeof locker.unlock !== "function") {
      throw new TypeError("sync: Cond needs a Locker (an object with lock() and unlock())");
    }
    this.L = locker;
    this.#relock = () => locker.lock();
  }

  /**
   * `c.Wait()`: unlocks `L`, waits (state "sync.Cond.Wait") until a {@link Cond.signal} or
   * {@link Cond.broadcast} wakes it, then locks `L` again before resolving. As in Go, check the
   * condition in a loop. The caller must hold `L`; whatever `L.unlock()` throws, `wait` throws,
   * without waiting.
   *
   * @example
   * ```ts
   * await mu.lock();
   * while (!done) await cond.wait();
   * mu.unlock();
   * ```
   */
  wait(): Promise<void> {
    let q = this.#q;
    if (q === 0) q = this.#q = newQueue(this);
    // Parked (its slot taken) before L.unlock(), which may wake someone and so free a slot.
    const token = enqueue(q, 0);
    const p = park(token, "sync.Cond.Wait");
    try {
      this.L.unlock();
    } catch (e) {
      core.wqCancel(T, q, token);
      releaseSlot(token);
      throw e;
    }
    this.#waiters++;
    return p.then(this.#relock) as Promise<void>;
  }

  /**
   * `c.Signal()`: wakes the goroutine that has waited longest, if any. The caller need not hold
   * `L`.
   *
   * @example
   * ```ts
   * await mu.lock(); items.push(x); cond.signal(); mu.unlock();
   * ```
   */
  signal(): void {
    if (this.#waiters === 0) return;
    this.#waiters--;
    wakeFirst(this.#q);
  }

  /**
   * `c.Broadcast()`: wakes every waiting goroutine. The caller need not hold `L`.
   *
   * @example
   * ```ts
   * await mu.lock(); closed = true; cond.broadcast(); mu.unlock();
   * ```
   */
  broadcast(): void {
    const q = this.#q;
    while (this.#waiters !== 0) {
      this.#waiters--;
      wakeFirst(q);
    }
  }
}
