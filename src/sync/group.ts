// An errgroup: golang.org/x/sync/errgroup.Group, following its code
// (golang.org/x/sync/errgroup/errgroup.go).
//
// A Group is a WaitGroup of goroutines plus the first error one of them threw, and optionally a
// context cancelled by that error (or by wait() returning), and a limit on how many of its
// goroutines run at once. The limit is, as in x/sync, a buffered channel of that capacity: a
// goroutine holds one buffered value while it runs, so `go` over the limit waits in a channel
// send (state "chan send", as Go shows), and that goroutine's end receives the value back,
// which lets the first waiting `go` in.
//
// Invariants (between calls):
//  wg counts every goroutine from its go()/tryGo() call until it has returned, including those
//   whose go() still waits for the limit: wait() waits for them too.
//  failed is set, and err holds the error, from the first goroutine that threw or rejected;
//   later errors are dropped.
//  A running goroutine holds one value of the limit channel current when it started (sem.len
//   counts them), and gives back exactly that one.

import { spawn, spawnLater } from "../go.js";
import { chan } from "../chan.js";
import type { Chan } from "../chan.js";
import { PanicError } from "../errors.js";
import { withCancel } from "../context.js";
import type { Context } from "../context.js";
import { WaitGroup } from "./waitgroup.js";
import { RESOLVED } from "./waitq.js";
import { settle } from "../preempt.js";

/**
 * `golang.org/x/sync/errgroup.Group`: goroutines working on subtasks of a common task.
 * {@link Group.wait} waits for all of them and rejects with the first error any threw.
 *
 * @example
 * ```ts
 * const g = new Group();
 * const pages: string[] = [];
 * for (const [i, url] of urls.entries()) g.go(async () => { pages[i] = await (await fetch(url)).text(); });
 * await g.wait(); // throws the first fetch's error, if any failed
 * ```
 */
export class Group {
  readonly #wg = new WaitGroup();
  #sem: Chan<void> | null = null;
  #failed = false;
  #err: unknown = undefined;
  #cancel: (() => void) | null = null;
  readonly #finish = (): void => {
    if (this.#cancel !== null) this.#cancel();
    if (this.#failed) throw this.#err;
  };

  /**
   * `errgroup.WithContext(ctx)`: a new Group and a context derived from `ctx`, cancelled the
   * first time a goroutine of the group throws, or when {@link Group.wait} returns, whichever
   * comes first.
   *
   * @example
   * ```ts
   * const [g, ctx] = Group.withContext(background());
   * for (const url of urls) g.go(() => fetch(url, { signal: ctx.signal }));
   * await g.wait(); // one failure aborts the other fetches
   * ```
   */
  static withContext(ctx: Context): [Group, Context] {
    const [derived, cancel] = withCancel(ctx);
    const g = new Group();
    g.#cancel = cancel;
    return [g, derived];
  }

  /**
   * `g.Go(f)`: runs `fn` (sync or async) in a new goroutine. If it throws or rejects, that is the
   * group's error (the first one wins) and the group's context, if any, is cancelled; it is not
   * a panic. With a limit set ({@link Group.setLimit}) and reached, the goroutine starts only
   * once another of the group's goroutines has returned: the promise `go` returns resolves when
   * it has started (at once without a limit), so `await g.go(fn)` waits as Go's `g.Go` blocks.
   *
   * @example
   * ```ts
   * g.setLimit(2);
   * for (const f of files) await g.go(() => compress(f)); // at most 2 at a time
   * await g.wait();
   * ```
   */
  go(fn: () => unknown): Promise<void> {
    if (typeof fn !== "function") throw new TypeError("errgroup: Group.go expects a function");
    this.#wg.add(1);
    const sem = this.#sem;
    if (sem === null || sem.trySend(undefined)) {
      spawn(Group.#run, [this, fn, sem], fn, Group.prototype.go);
      return settle(RESOLVED, undefined);
    }
    return sem.send(undefined).then(spawnLater(Group.#run, [this, fn, sem], fn, Group.prototype.go));
  }

  /**
   * `g.TryGo(f)`: like {@link Group.go}, but only if that needs no waiting for the limit. True if
   * it started the goroutine.
   *
   * @example
   * ```ts
   * g.setLimit(1);
   * g.tryGo(work);  // true
   * g.tryGo(other); // false while work runs
   * ```
   */
  tryGo(fn: () => unknown): boolean {
    if (typeof fn !== "function") throw new TypeError("errgroup: Group.tryGo expects a function");
    const sem = this.#sem;
    if (sem !== null && !sem.trySend(undefined)) return false;
    this.#wg.add(1);
    spawn(Group.#run, [this, fn, sem], fn, Group.prototype.tryGo);
    return true;
  }

  /**
   * `g.SetLimit(n)`: at most `n` of the group's goroutines run at once; a negative `n` means no
   * limit. As in Go, changing a limit while goroutines started under it are still running
   * throws a `PanicError`.
   *
   * @example
   * ```ts
   * const g = new Group();
   * g.setLimit(4);
   * ```
   */
  setLimit(n: number): void {
    if (typeof n !== "number") throw new TypeError(`errgroup: setLimit expects a number, got ${typeof n}`);
    if (!Number.isSafeInteger(n)) throw new RangeError(`errgroup: setLimit expects a safe integer, got ${n}`);
    const sem = this.#sem;
    if (sem !== null && sem.len !== 0) {
      throw new PanicError(`errgroup: modify limit while ${sem.len} goroutines in the group are still active`);
    }
    this.#sem = n < 0 ? null : chan<void>(n);
  }

  /**
   * `g.Wait()`: resolves once every goroutine started with {@link Group.go} or
   * {@link Group.tryGo} has returned, or rejects with the first error one of them threw. Then
   * cancels the group's context, if it has one.
   *
   * @example
   * ```ts
   * try { await g.wait(); } catch (e) { console.error("a subtask failed:", e); }
   * ```
   */
  wait(): Promise<void> {
    return this.#wg.wait().then(this.#finish);
  }

  /** The goroutine of go/tryGo: fn, then record its error, give back the limit, done. */
  static #run(g: Group, fn: () => unknown, sem: Chan<void> | null): unknown {
    let r: unknown;
    try {
      r = fn();
    } catch (e) {
      g.#fail(e);
      g.#done(sem);
      return undefined;
    }
    if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
      return Promise.resolve(r).then(
        () => g.#done(sem),
        (e: unknown) => {
          g.#fail(e);
          g.#done(sem);
        },
      );
    }
    g.#done(sem);
    return undefined;
  }

  #fail(e: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#err = e;
    if (this.#cancel !== null) this.#cancel();
  }

  #done(sem: Chan<void> | null): void {
    if (sem !== null) sem.tryRecv();
    this.#wg.done();
  }
}
