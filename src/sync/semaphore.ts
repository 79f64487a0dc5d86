// A weighted semaphore: x/sync/semaphore.Weighted, following its algorithm
// (golang.org/x/sync/semaphore/semaphore.go): acquirers are served strictly first come, first
// served, and a large request at the head of the queue holds back smaller ones behind it, so
// that large requests are not starved.
//
// State: `size`, `cur` (weight held), and one core queue of waiters whose argument is the
// weight they want (BIG, with the weight kept in `big`, for weights of 2^31 - 1 or more). A
// request larger than `size` can never be met: as in x/sync, it does not join the queue (it
// would block everyone behind it) but waits on a second queue, `doomed`, that no release serves,
// until its context ends, or forever.
//
// Invariants (between calls):
//  0 <= cur <= size.
//  waiters = the number of callers queued on q; queued callers are in arrival order.
//  waiters > 0 implies the head's weight > size - cur (notify serves the head while it fits).
//  A queued caller with a context has its context's unregister function in `cancels`, under its
//   token: the release that grants it the weight unregisters it first, synchronously, so a
//   context that ends later cannot reach it (nor a later waiter that reuses its token).
//  An acquire that rejects holds nothing.
//  Uncontended acquire/release and tryAcquire touch only JS fields: no Wasm, no allocation.

import { core, T, park, wake } from "../core.js";
import { PanicError } from "../errors.js";
import type { Context } from "../context.js";
import { isContext } from "../context.js";
import { RESOLVED, newQueue, enqueue } from "./waitq.js";
import { settle } from "../preempt.js";

/** The largest weight a core waiter's argument carries; larger ones are kept in `big`. */
const BIG = 0x7fffffff;

/** The internal side of a Context that a waiter needs (context.ts). */
interface Cancellable {
  err(): Error | undefined;
  afterDone(fn: () => void): () => void;
}

const NOOP = (): void => {};

function checkWeight(k: unknown, what: string): number {
  if (typeof k !== "number") throw new TypeError(`semaphore: ${what} weight must be a number, got ${typeof k}`);
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new RangeError(`semaphore: ${what} weight must be a non-negative safe integer, got ${k}`);
  }
  return k;
}

/**
 * `golang.org/x/sync/semaphore.Weighted`: a semaphore of `size` units that callers acquire and
 * release in weights. Waiters are served in order; a large waiter at the head blocks smaller
 * ones behind it.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(4); // at most 4 jobs at once
 * for (const job of jobs) {
 *   await sem.acquire();
 *   go(async () => { try { await run(job); } finally { sem.release(); } });
 * }
 * await sem.acquire(4); // waits until every job has finished
 * ```
 */
export class Semaphore {
  readonly #size: number;
  #cur = 0;
  #waiters = 0;
  #q = 0;
  #doomed = 0;
  #cancels: Map<number, () => void> | null = null;
  #big: Map<number, number> | null = null;

  /** `semaphore.NewWeighted(n)`: a semaphore of `size` units, none held. */
  constructor(size: number) {
    if (typeof size !== "number") throw new TypeError(`semaphore: size must be a number, got ${typeof size}`);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`semaphore: size must be a non-negative safe integer, got ${size}`);
    }
    this.#size = size;
  }

  /**
   * `s.Acquire(ctx, k)`: resolves once the caller holds `k` units, waiting (state "select")
   * behind earlier waiters. With a context, rejects with `ctx.err()` if the context ends first
   * (or has ended already, even if the units are free), and then holds nothing. Without one, a
   * request larger than the semaphore waits forever, as in Go. Throws `TypeError`/`RangeError`
   * for a weight that is not a non-negative safe integer.
   *
   * @example
   * ```ts
   * const [ctx, cancel] = withTimeout(background(), 1000);
   * try { await sem.acquire(2, ctx); } catch (e) { if (e === DeadlineExceeded) giveUp(); }
   * finally { cancel(); }
   * ```
   */
  acquire(k: number = 1, ctx?: Context): Promise<void> {
    checkWeight(k, "acquire");
    const c = ctx as unknown as Cancellable | undefined | null;
    if (c != null) {
      // baton's contexts, or an object with their internal shape (tests use one).
      if (!isContext(c) && (typeof c.err !== "function" || typeof c.afterDone !== "function")) {
        throw new TypeError("semaphore: acquire: the second argument must be a Context (from background(), withCancel(), ...) or undefined");
      }
      const err = c.err();
      if (err !== undefined) return Promise.reject(err);
    }
    if (this.#size - this.#cur >= k && this.#waiters === 0) {
      this.#cur += k;
      return settle(RESOLVED, undefined);
    }
    return k > this.#size ? this.#waitDoomed(c) : this.#wait(k, c);
  }

  /** Queues the caller for k units (k <= size) and parks it. */
  #wait(k: number, c: Cancellable | undefined | null): Promise<void> {
    let q = this.#q;
    if (q === 0) q = this.#q = newQueue(this);
    const token = enqueue(q, k < BIG ? k : BIG);
    const p = park(token, "select") as Promise<void>;
    this.#waiters++;
    if (k >= BIG) (this.#big ??= new Map()).set(token, k);
    if (c != null) {
      const cancels = (this.#cancels ??= new Map());
      cancels.set(token, NOOP);
      const unregister = c.afterDone(() => this.#abandon(token, c));
      // afterDone may have called #abandon already (the context ended meanwhile).
      if (cancels.get(token) === NOOP) cancels.set(token, unregister);
    }
    return p;
  }

  /** Parks a caller whose request exceeds the size: only its context can end the wait. */
  #waitDoomed(c: Cancellable | undefined | null): Promise<void> {
    let q = this.#doomed;
    if (q === 0) q = this.#doomed = newQueue(this);
    const token = enqueue(q, 0);
    const p = park(token, "select") as Promise<void>;
    if (c != null) {
      // Nothing but this callback removes the waiter, so its token cannot be reused before.
      c.afterDone(() => {
        if (core.wqCancel(T, q, token) === 1) wake(token, Promise.reject(c.err()));
      });
    }
    return p;
  }

  /** The context of the queued waiter `token` ended: it leaves the queue, holding nothing. */
  #abandon(token: number, c: Cancellable): void {
    const q = this.#q;
    const wasHead = core.wqPeek(q) === token;
    if (core.wqCancel(T, q, token) !== 1) return; // granted already (then it was unregistered)
    this.#waiters--;
    this.#cancels!.delete(token);
    this.#big?.delete(token);
    wake(token, Promise.reject(c.err()));
    // A large waiter at the head may have held back smaller ones that now fit.
    if (wasHead && this.#size > this.#cur) this.#notify();
  }

  /** Grants waiters from the head of the queue while the head's request fits. */
  #notify(): void {
    const q = this.#q;
    while (this.#waiters !== 0) {
      const a = core.wqPeekArg(q);
      const k = a < BIG ? a : this.#big!.get(core.wqPeek(q))!;
      if (this.#size - this.#cur < k) break;
      this.#cur += k;
      this.#waiters--;
      const token = core.wqTake(T, q);
      if (a >= BIG) this.#big!.delete(token);
      const cancels = this.#cancels;
      if (cancels !== null) {
        const unregister = cancels.get(token);
        if (unregister !== undefined) {
          cancels.delete(token);
          unregister();
        }
      }
      wake(token, undefined);
    }
  }

  /**
   * `s.TryAcquire(k)`: takes `k` units if they are free and nobody waits. True if it did.
   *
   * @example
   * ```ts
   * if (sem.tryAcquire()) { try { work(); } finally { sem.release(); } } else { reject(); }
   * ```
   */
  tryAcquire(k: number = 1): boolean {
    checkWeight(k, "tryAcquire");
    if (this.#size - this.#cur >= k && this.#waiters === 0) {
      this.#cur += k;
      return true;
    }
    return false;
  }

  /**
   * `s.Release(k)`: returns `k` units and serves waiters that now fit, in order. Throws
   * `PanicError("semaphore: released more than held")` (and changes nothing) if fewer than `k`
   * are held.
   *
   * @example
   * ```ts
   * await sem.acquire(3);
   * try { await bigJob(); } finally { sem.release(3); }
   * ```
   */
  release(k: number = 1): void {
    checkWeight(k, "release");
    if (k > this.#cur) throw new PanicError("semaphore: released more than held");
    this.#cur -= k;
    if (this.#waiters !== 0) this.#notify();
  }
}
