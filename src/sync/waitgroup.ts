// sync.WaitGroup: waits for a collection of goroutines to finish.
//
// Invariants (between calls):
//  counter >= 0 (an add that would make it negative throws and changes nothing).
//  waiters > 0 implies counter > 0: the add that brings the counter to zero wakes every waiter,
//   synchronously, before it returns.
//  waiters = the number of callers queued on q (core.wqLen(q)); q = 0 until the first wait()
//   that must wait. add/done/wait with nobody waiting call no Wasm.

import { spawn } from "../go.js";
import { PanicError } from "../errors.js";
import { RESOLVED, newQueue, parkOn, wakeFirst } from "./waitq.js";
import { settle } from "../preempt.js";

/**
 * Go's `sync.WaitGroup` (with Go 1.25's `Go` method): a counter of outstanding tasks that
 * {@link WaitGroup.wait} waits to reach zero.
 *
 * @example
 * ```ts
 * const wg = new WaitGroup();
 * for (const url of urls) wg.go(async () => { await fetch(url); });
 * await wg.wait(); // every fetch has finished
 * ```
 */
export class WaitGroup {
  #counter = 0;
  #waiters = 0;
  #q = 0;

  /**
   * `wg.Add(n)`: adds `n` (which may be negative) to the counter. When it reaches zero, every
   * waiter is released. Throws `PanicError("sync: negative WaitGroup counter")` if it would go
   * below zero, and `RangeError` if `n` is not a safe integer.
   *
   * @example
   * ```ts
   * wg.add(2);
   * go(async () => { try { await a(); } finally { wg.done(); } });
   * go(async () => { try { await b(); } finally { wg.done(); } });
   * await wg.wait();
   * ```
   */
  add(n: number): void {
    if (typeof n !== "number") throw new TypeError(`sync: WaitGroup.add expects a number, got ${typeof n}`);
    if (!Number.isSafeInteger(n)) throw new RangeError(`sync: WaitGroup.add expects a safe integer, got ${n}`);
    const c = this.#counter + n;
    if (c < 0) throw new PanicError("sync: negative WaitGroup counter");
    this.#counter = c;
    if (c === 0 && this.#waiters !== 0) {
      const q = this.#q;
      while (this.#waiters !== 0) {
        this.#waiters--;
        wakeFirst(q);
      }
    }
  }

  /**
   * `wg.Done()`: `add(-1)`.
   *
   * @example
   * ```ts
   * wg.add(1);
   * go(() => { work(); wg.done(); });
   * ```
   */
  done(): void {
    this.add(-1);
  }

  /**
   * `wg.Wait()`: resolves once the counter is zero (at once if it is). A waiting caller shows
   * as "sync.WaitGroup.Wait".
   *
   * @example
   * ```ts
   * await wg.wait();
   * ```
   */
  wait(): Promise<void> {
    if (this.#counter === 0) return settle(RESOLVED, undefined);
    let q = this.#q;
    if (q === 0) q = this.#q = newQueue(this);
    const p = parkOn(q, 0, "sync.WaitGroup.Wait");
    this.#waiters++;
    return p;
  }

  /**
   * Go 1.25's `wg.Go(f)`: `add(1)`, then runs `fn` as a goroutine (see {@link go}) and calls
   * `done()` when it returns or its promise settles, even if it throws. An error it throws is
   * still a panic of that goroutine.
   *
   * @example
   * ```ts
   * const wg = new WaitGroup();
   * const results: number[] = [];
   * for (let i = 0; i < 3; i++) wg.go(async () => { results.push(await compute(i)); });
   * await wg.wait();
   * ```
   */
  go(fn: () => unknown): void {
    if (typeof fn !== "function") throw new TypeError("sync: WaitGroup.go expects a function");
    this.add(1);
    spawn(runThenDone, [this, fn], fn, WaitGroup.prototype.go);
  }
}

/** The goroutine of WaitGroup.go: fn, then wg.done() however fn ends. */
function runThenDone(wg: WaitGroup, fn: () => unknown): unknown {
  let r: unknown;
  try {
    r = fn();
  } catch (e) {
    wg.done();
    throw e;
  }
  if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
    return Promise.resolve(r).then(
      () => wg.done(),
      (e: unknown) => {
        wg.done();
        throw e;
      },
    );
  }
  wg.done();
  return undefined;
}
