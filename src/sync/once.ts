// sync.Once: runs a function at most once.
//
// As in Go, a fast path reads `done`, and a slow path serializes on an internal Mutex: the
// first caller runs fn while holding it, and concurrent callers wait on it (state
// "sync.Mutex.Lock") until fn has finished, then find `done` set and return.
//
// Invariants (between calls):
//  done is set once fn has returned, thrown, or settled its promise, and never cleared.
//  While fn runs, the internal mutex is held by the caller running it.
//  A caller that ran fn gets fn's error (sync throw or rejection) as its rejection; every other
//  caller resolves, whatever fn did: a Once whose function throws has still run.

import { Mutex } from "./mutex.js";
import { RESOLVED } from "./waitq.js";
import { settle } from "../preempt.js";

/**
 * Go's `sync.Once`: {@link Once.do} runs its function at most once per Once.
 *
 * @example
 * ```ts
 * const once = new Once();
 * let config: Config;
 * const getConfig = async () => { await once.do(async () => { config = await load(); }); return config; };
 * ```
 */
export class Once {
  #done = false;
  readonly #m = new Mutex();

  /**
   * `once.Do(f)`: calls `fn` (sync or async) if and only if `do` is being called for the first
   * time on this Once. Callers that come while `fn` runs wait for it to finish. The caller that
   * ran `fn` gets its error, if it threw or rejected; `fn` is then still done and never runs
   * again, and the other callers resolve normally. As in Go, calling `do` from inside `fn` on the
   * same Once waits forever.
   *
   * @example
   * ```ts
   * const once = new Once();
   * await Promise.all([once.do(init), once.do(init)]); // init ran once, and has finished
   * ```
   */
  do(fn: () => unknown): Promise<void> {
    if (this.#done) return settle(RESOLVED, undefined);
    if (typeof fn !== "function") throw new TypeError("sync: Once.do expects a function");
    if (this.#m.tryLock()) return this.#run(fn);
    return this.#m.lock().then(() => {
      if (this.#done) {
        this.#m.unlock();
        return undefined;
      }
      return this.#run(fn);
    });
  }

  /** Runs fn with the mutex held; marks done and unlocks however fn ends. */
  #run(fn: () => unknown): Promise<void> {
    let r: unknown;
    try {
      r = fn();
    } catch (e) {
      this.#finish();
      return Promise.reject(e);
    }
    if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
      return Promise.resolve(r).then(
        () => this.#finish(),
        (e: unknown) => {
          this.#finish();
          throw e;
        },
      );
    }
    this.#finish();
    return settle(RESOLVED, undefined);
  }

  #finish(): void {
    this.#done = true;
    this.#m.unlock();
  }
}
