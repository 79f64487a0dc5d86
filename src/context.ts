// context: Go's context package (Background, WithCancel, WithDeadline, WithTimeout, WithValue),
// following its design (src/context/context.go): a tree of contexts in which a cancellable
// context registers with its nearest cancellable ancestor, cancelling one cancels its whole
// subtree, and a context that ends leaves its parent's child set, so that short-lived children
// under a long-lived parent leave nothing behind.
//
// Kinds: the background context (never ends; one singleton), a CancelCtx (withCancel,
// withDeadline, withTimeout, fromSignal: it can end), and a ValueCtx (withValue: a key and value
// over its parent, ending with it). A context made by someone else (a "foreign" Context) can be a
// parent too: the child follows it through its afterDone method, or else its AbortSignal.
//
// Everything a context may never need is made on first use: the done() channel, the AbortSignal,
// the child set, the afterDone callbacks. A deadline is an entry in time.ts's heap (afterFunc),
// not a setTimeout of its own, and is stopped when the context ends earlier.
//
// Order inside a cancel: err is set first; then the context leaves its parent, its deadline timer
// is stopped, a foreign parent's or signal's listener is removed; then its children are cancelled
// (depth first), so that when the context's own notifications run, its whole subtree has ended;
// then done() is closed, the afterDone callbacks run (synchronously, in registration order), and
// the signal is aborted with err as its reason (its 'abort' listeners run synchronously).
//
// Invariants (between calls):
//  err is undefined while the context is live and, once set, never changes.
//  A live CancelCtx whose nearest cancellable ancestor is a CancelCtx p is in p.children, and
//   its parentNode is p; an ended one is in no child set and has parentNode, children,
//   callbacks, timer and unlink null.
//  An ended CancelCtx's done channel (if made) is closed and its signal (if made) is aborted
//   with reason === err.
//  ctx.err() === Canceled or DeadlineExceeded (the exported singletons), or undefined.

import { recvOnlyChan, closeInternal } from "./chan.js";
import type { Chan, RecvChan } from "./chan.js";
import { afterFunc } from "./time.js";
import { watchAbort } from "./abort.js";

/** An Error whose `name` is `name` (not enumerable, as Error.prototype.name is). */
function namedError(message: string, name: string): Error {
  const e = new Error(message);
  Object.defineProperty(e, "name", { value: name, writable: true, enumerable: false, configurable: true });
  return e;
}

/**
 * The error of a context that was cancelled: Go's `context.Canceled` (message
 * `context canceled`). Compare by identity. Its `name` is `"AbortError"`, as the Web names an
 * abort: `ctx.signal` aborts with it, so a `fetch` given `ctx.signal` rejects with it, and code
 * that checks `err.name === "AbortError"` recognises it.
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withCancel(background());
 * cancel();
 * ctx.err() === Canceled; // true
 * Canceled.name; // "AbortError"
 * ```
 */
export const Canceled: Error = namedError("context canceled", "AbortError");

/**
 * The error of a context whose deadline passed: Go's `context.DeadlineExceeded` (message
 * `context deadline exceeded`). Compare by identity. Its `name` is `"TimeoutError"`, as the Web
 * names the reason of `AbortSignal.timeout()`.
 *
 * @example
 * ```ts
 * const [ctx] = withTimeout(background(), 10);
 * await ctx.done().recv();
 * ctx.err() === DeadlineExceeded; // true
 * DeadlineExceeded.name; // "TimeoutError"
 * ```
 */
export const DeadlineExceeded: Error = namedError("context deadline exceeded", "TimeoutError");

/**
 * Cancels a context: Go's `context.CancelFunc`. Idempotent; after the first call it does nothing.
 * Call it once the work is done, to release the context's resources (its place in its parent,
 * its deadline timer).
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeout(background(), 5000);
 * try { await work(ctx); } finally { cancel(); }
 * ```
 */
export type CancelFunc = () => void;

/**
 * A context: Go's `context.Context`. It carries a cancellation signal, a deadline and values
 * across API boundaries and goroutines. Make one with {@link background}, {@link withCancel},
 * {@link withTimeout}, {@link withDeadline}, {@link withValue} or {@link fromSignal}.
 *
 * @example
 * ```ts
 * async function worker(ctx: Context, jobs: RecvChan<Job>) {
 *   const stop = recv(ctx.done()), job = recv(jobs);
 *   while ((await select([stop, job])) === 1) await run(job.value!);
 *   return ctx.err(); // Canceled or DeadlineExceeded
 * }
 * ```
 */
export interface Context {
  /** `ctx.Done()`: a channel closed when the context ends; usable in `select`. The background
   *  context's is never closed. */
  done(): RecvChan<void>;
  /** `ctx.Err()`: undefined while the context is live, then {@link Canceled} or
   *  {@link DeadlineExceeded}. */
  err(): Error | undefined;
  /** `ctx.Value(key)`: the value for `key` from the nearest {@link withValue} up the chain, or
   *  undefined. Keys compare with `===`. */
  value(key: unknown): unknown;
  /** `ctx.Deadline()`: when the context will end by itself (epoch ms, as `Date.now()`), the
   *  earliest deadline along the chain; undefined if none. */
  deadline(): number | undefined;
  /** An AbortSignal aborted when the context ends, with `err()` as its reason, for `fetch` and
   *  other Web APIs. Made on first read. */
  readonly signal: AbortSignal;
  /** @internal Calls `fn` once when the context ends (synchronously, inside the cancel), or at
   *  once if it has ended; returns a function that unregisters it. `fn` must not throw. */
  afterDone(fn: () => void): () => void;
}

const NOOP = (): void => {};

function reportLater(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

function describe(v: unknown): string {
  try {
    if (typeof v === "string") return JSON.stringify(v);
    if (typeof v === "function") return `function ${v.name || "(anonymous)"}`;
    return String(v);
  } catch {
    return typeof v;
  }
}

// ── background ────────────────────────────────────────────────────────────────────────────────

class BackgroundCtx implements Context {
  #done: Chan<void> | null = null;
  #signal: AbortSignal | null = null;

  done(): RecvChan<void> {
    // A channel nobody sends on or closes: Go's nil Done channel, which never proceeds.
    return (this.#done ??= recvOnlyChan<void>(0));
  }
  err(): Error | undefined {
    return undefined;
  }
  value(_key: unknown): unknown {
    return undefined;
  }
  deadline(): number | undefined {
    return undefined;
  }
  get signal(): AbortSignal {
    return (this.#signal ??= new AbortController().signal);
  }
  afterDone(_fn: () => void): () => void {
    return NOOP;
  }
  toString(): string {
    return "context.Background";
  }
}

const BACKGROUND = new BackgroundCtx();

/**
 * Go's `context.Background()`: the root context, never cancelled, with no values and no
 * deadline. Always the same object.
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withCancel(background());
 * ```
 */
export function background(): Context {
  return BACKGROUND;
}

// ── cancellable contexts ──────────────────────────────────────────────────────────────────────

class CancelCtx implements Context {
  /** Set once, when the context ends. */
  error: Error | undefined = undefined;
  /** The nearest cancellable ancestor whose child set holds this context, while live. */
  parentNode: CancelCtx | null = null;
  /** Live cancellable descendants that registered here (nearest cancellable ancestor = this). */
  children: Set<CancelCtx> | null = null;
  /** The deadline timer, while pending. */
  timer: { stop(): boolean } | null = null;
  /** Removes the listener on a foreign parent or on an AbortSignal (fromSignal). */
  unlink: (() => void) | null = null;
  #done: Chan<void> | null = null;
  #ctrl: AbortController | null = null;
  #callbacks: Map<number, () => void> | null = null;
  #nextCallback = 0;

  constructor(
    readonly parent: Context,
    /** This context's own deadline (epoch ms), if it has one. */
    readonly ownDeadline: number | undefined,
  ) {}

  done(): RecvChan<void> {
    let d = this.#done;
    if (d === null) {
      d = this.#done = recvOnlyChan<void>(0);
      if (this.error !== undefined) closeInternal(d);
    }
    return d;
  }

  err(): Error | undefined {
    return this.error;
  }

  value(key: unknown): unknown {
    return lookup(this.parent, key);
  }

  deadline(): number | undefined {
    return this.ownDeadline !== undefined ? this.ownDeadline : this.parent.deadline();
  }

  get signal(): AbortSignal {
    let c = this.#ctrl;
    if (c === null) {
      c = this.#ctrl = new AbortController();
      if (this.error !== undefined) c.abort(this.error);
    }
    return c.signal;
  }

  afterDone(fn: () => void): () => void {
    if (this.error !== undefined) {
      fn();
      return NOOP;
    }
    const callbacks = (this.#callbacks ??= new Map());
    const id = this.#nextCallback++;
    callbacks.set(id, fn);
    return () => {
      const cbs = this.#callbacks;
      if (cbs !== null) cbs.delete(id);
    };
  }

  /** Ends the context with err, and its subtree (see the header for the order). */
  cancel(err: Error): void {
    if (this.error !== undefined) return;
    this.error = err;
    const p = this.parentNode;
    if (p !== null) {
      this.parentNode = null;
      if (p.children !== null) p.children.delete(this);
    }
    const timer = this.timer;
    if (timer !== null) {
      this.timer = null;
      timer.stop();
    }
    const unlink = this.unlink;
    if (unlink !== null) {
      this.unlink = null;
      unlink();
    }
    const kids = this.children;
    if (kids !== null) {
      this.children = null;
      for (const k of kids) {
        k.parentNode = null; // this set is being dropped whole
        k.cancel(err);
      }
    }
    if (this.#done !== null) closeInternal(this.#done);
    const callbacks = this.#callbacks;
    if (callbacks !== null) {
      this.#callbacks = null;
      for (const fn of callbacks.values()) {
        try {
          fn();
        } catch (e) {
          reportLater(e);
        }
      }
    }
    if (this.#ctrl !== null) this.#ctrl.abort(err);
  }

  toString(): string {
    const d = this.ownDeadline;
    if (d === undefined) return `${String(this.parent)}.WithCancel`;
    const when = Number.isFinite(d) ? new Date(d).toISOString() : String(d);
    return `${String(this.parent)}.WithDeadline(${when} [${Math.round(d - Date.now())}ms])`;
  }
}

class ValueCtx implements Context {
  constructor(
    readonly parent: Context,
    readonly key: unknown,
    readonly val: unknown,
  ) {}

  done(): RecvChan<void> {
    return this.parent.done();
  }
  err(): Error | undefined {
    return this.parent.err();
  }
  value(key: unknown): unknown {
    return lookup(this, key);
  }
  deadline(): number | undefined {
    return this.parent.deadline();
  }
  get signal(): AbortSignal {
    return this.parent.signal;
  }
  afterDone(fn: () => void): () => void {
    return this.parent.afterDone(fn);
  }
  toString(): string {
    return `${String(this.parent)}.WithValue(${describe(this.key)}, ${describe(this.val)})`;
  }
}

/** ctx.value(key), walking the chain in a loop rather than by recursion. */
function lookup(ctx: Context, key: unknown): unknown {
  for (;;) {
    if (ctx instanceof ValueCtx) {
      if (ctx.key === key) return ctx.val;
      ctx = ctx.parent;
    } else if (ctx instanceof CancelCtx) {
      ctx = ctx.parent;
    } else {
      return ctx === BACKGROUND ? undefined : ctx.value(key);
    }
  }
}

function checkParent(parent: unknown, what: string): Context {
  if (parent === null || parent === undefined) throw new TypeError(`${what}: cannot create context from nil parent`);
  if (
    parent instanceof CancelCtx ||
    parent instanceof ValueCtx ||
    parent === BACKGROUND ||
    (typeof parent === "object" &&
      typeof (parent as Context).done === "function" &&
      typeof (parent as Context).err === "function" &&
      typeof (parent as Context).value === "function")
  ) {
    return parent as Context;
  }
  throw new TypeError(`${what}: the parent is not a Context`);
}

/** Go's propagateCancel: arranges for child to end when parent does. */
function propagate(child: CancelCtx, parent: Context): void {
  let p: Context = parent;
  while (p instanceof ValueCtx) p = p.parent;
  if (p === BACKGROUND) return; // never ends
  if (p instanceof CancelCtx) {
    if (p.error !== undefined) {
      child.cancel(p.error);
      return;
    }
    (p.children ??= new Set()).add(child);
    child.parentNode = p;
    return;
  }
  // A foreign Context: follow it through afterDone, else its signal, else its done channel.
  const foreign = p;
  const e = foreign.err();
  if (e !== undefined) {
    child.cancel(e);
    return;
  }
  const onEnd = (): void => child.cancel(foreign.err() ?? Canceled);
  if (typeof foreign.afterDone === "function") {
    const unregister = foreign.afterDone(onEnd);
    if (child.error === undefined) child.unlink = unregister;
    return;
  }
  const signal = (foreign as { signal?: AbortSignal }).signal;
  if (signal !== undefined && signal !== null && typeof signal.addEventListener === "function") {
    if (signal.aborted) {
      onEnd();
      return;
    }
    child.unlink = watchAbort(signal, onEnd);
    return;
  }
  // Only a done channel: a receive that stays parked until the parent ends (Go's goroutine).
  void foreign.done().recv().then(onEnd);
}

function cancelFunc(c: CancelCtx): CancelFunc {
  return () => c.cancel(Canceled);
}

/**
 * Go's `context.WithCancel(parent)`: a child context that ends when `cancel` is called or the
 * parent ends, whichever comes first. Cancelling a context cancels every descendant; `cancel` is
 * idempotent. Call it when the work is done, to release the child's place in its parent.
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withCancel(background());
 * go(async () => { await ctx.done().recv(); console.log(ctx.err()?.message); }); // "context canceled"
 * cancel();
 * ```
 */
export function withCancel(parent: Context): [Context, CancelFunc] {
  const p = checkParent(parent, "withCancel");
  const c = new CancelCtx(p, undefined);
  propagate(c, p);
  return [c, cancelFunc(c)];
}

/**
 * Go's `context.WithDeadline(parent, d)`: a child context that ends at `epochMs` (a `Date.now()`
 * time) with `err()` {@link DeadlineExceeded}, or earlier when `cancel` is called or the parent
 * ends. If the parent's deadline is earlier, the child keeps the parent's (it is then a plain
 * withCancel child). A deadline already passed ends the context at once.
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withDeadline(background(), Date.parse("2030-01-01T00:00:00Z"));
 * try { await longJob(ctx); } finally { cancel(); }
 * ```
 */
export function withDeadline(parent: Context, epochMs: number): [Context, CancelFunc] {
  const p = checkParent(parent, "withDeadline");
  if (typeof epochMs !== "number") {
    throw new TypeError(`withDeadline: the deadline must be a number (epoch milliseconds), got ${typeof epochMs}`);
  }
  if (epochMs !== epochMs) throw new RangeError("withDeadline: the deadline is NaN");
  const cur = p.deadline();
  if (cur !== undefined && cur < epochMs) {
    // The parent's deadline comes first: the new one would never matter.
    const c = new CancelCtx(p, undefined);
    propagate(c, p);
    return [c, cancelFunc(c)];
  }
  const c = new CancelCtx(p, epochMs);
  propagate(c, p);
  if (c.error === undefined) {
    const ms = epochMs - Date.now();
    if (ms <= 0) c.cancel(DeadlineExceeded);
    else if (ms !== Infinity) c.timer = afterFunc(ms, () => c.cancel(DeadlineExceeded));
  }
  return [c, cancelFunc(c)];
}

/**
 * Go's `context.WithTimeout(parent, d)`: `withDeadline(parent, Date.now() + ms)`. `ms <= 0` ends
 * the context at once with {@link DeadlineExceeded}.
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeout(background(), 1000);
 * try { return await fetch(url, { signal: ctx.signal }); } finally { cancel(); }
 * ```
 */
export function withTimeout(parent: Context, ms: number): [Context, CancelFunc] {
  checkParent(parent, "withTimeout");
  if (typeof ms !== "number") {
    throw new TypeError(`withTimeout: the timeout must be a number of milliseconds, got ${typeof ms}`);
  }
  if (ms !== ms) throw new RangeError("withTimeout: the timeout is NaN");
  return withDeadline(parent, Date.now() + ms);
}

/**
 * Go's `context.WithValue(parent, key, val)`: a child context in which `value(key)` is `val`
 * (other keys are looked up in the parent). It ends with its parent. Keys compare with `===`;
 * use a module-private object or symbol as the key to avoid collisions. A `null` or `undefined`
 * key throws `TypeError` (Go panics "nil key").
 *
 * @example
 * ```ts
 * const USER = Symbol("user");
 * const ctx = withValue(background(), USER, "gopher");
 * ctx.value(USER); // "gopher"
 * ```
 */
export function withValue(parent: Context, key: unknown, value: unknown): Context {
  const p = checkParent(parent, "withValue");
  if (key === null || key === undefined) throw new TypeError("withValue: nil key");
  return new ValueCtx(p, key, value);
}

/**
 * A context that ends when `signal` aborts (or `cancel` is called, or `parent` ends): the way in
 * from Web APIs, the reverse of `ctx.signal`. Its `err()` is {@link Canceled} whatever the
 * signal's reason (the reason stays on the signal). Its listener on `signal` is removed when the
 * context ends, however it ends, so nothing is left on a long-lived signal; call `cancel` when the
 * work is done.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * const [ctx, cancel] = fromSignal(ac.signal);
 * ac.abort();
 * ctx.err() === Canceled; // true
 * cancel();
 * ```
 */
export function fromSignal(signal: AbortSignal, parent: Context = BACKGROUND): [Context, CancelFunc] {
  if (
    signal === null ||
    typeof signal !== "object" ||
    typeof signal.aborted !== "boolean" ||
    typeof signal.addEventListener !== "function" ||
    typeof signal.removeEventListener !== "function"
  ) {
    throw new TypeError("fromSignal: expected an AbortSignal");
  }
  const p = checkParent(parent, "fromSignal");
  const c = new CancelCtx(p, undefined);
  propagate(c, p);
  if (c.error === undefined) {
    if (signal.aborted) {
      c.cancel(Canceled);
    } else {
      const removeListener = watchAbort(signal, () => c.cancel(Canceled));
      const prev = c.unlink;
      c.unlink =
        prev === null
          ? removeListener
          : () => {
              prev();
              removeListener();
            };
    }
  }
  return [c, cancelFunc(c)];
}

/** @internal The number of live cancellable children registered with ctx (for tests), or -1 if
 *  ctx cannot have any (background, a value context). */
/** @internal True for a context made by baton (they belong to their thread). */
export function isContext(v: unknown): boolean {
  return v instanceof BackgroundCtx || v instanceof CancelCtx || v instanceof ValueCtx;
}

export function childCount(ctx: Context): number {
  if (!(ctx instanceof CancelCtx)) return -1;
  return ctx.children === null ? 0 : ctx.children.size;
}

/** @internal The cancellable context whose child set holds ctx (Go's parentCancelCtx of its
 *  parent), or null: ctx is not cancellable, has ended, or has no cancellable ancestor. */
export function registeredWith(ctx: Context): Context | null {
  return ctx instanceof CancelCtx ? ctx.parentNode : null;
}
