// Goroutines: the JS side of assembly/runq.ts. go() records the function and its arguments in a
// slot, and the core appends a G record to this thread's run queue. One microtask, scheduled by
// the first go() after the queue drains, starts every queued goroutine in FIFO order; goroutines
// that those start are started by the same drain. A goroutine's G record lives until its
// function returns (or its promise settles).

import { core, T, peekToken, takeSlot, releaseSlot, slotAux, K_GO } from "./core.js";
import { coreFailure } from "./errors.js";

/** What a panic handler learns of the goroutine that panicked. */
export interface GoroutineInfo {
  /** The goroutine's id, counted from 1 in this thread. */
  id: number;
  /** Go's wait reason or state: "running", "runnable", "chan receive", "chan send", "select", ... */
  state: string;
  /** Milliseconds the goroutine has been in its current state. */
  waitingSinceMs: number;
  /** The stack line that called `go`, where it was recorded. */
  createdAt: string;
}

/** A goroutine between go() and its end. */
class G {
  constructor(
    readonly fn: (...args: any[]) => unknown,
    readonly args: unknown[],
    readonly g: number,
    readonly id: number,
  ) {}
}

let drainScheduled = false;
let panicHandler: ((error: unknown, info: GoroutineInfo) => void) | null = null;

/**
 * Go's `go fn(args...)`: runs `fn(...args)` as a goroutine. It starts after the caller's current
 * synchronous code, never inside this call. `fn` may be sync or async; an error it throws (or a
 * rejection of its promise) is a panic: see {@link setPanicHandler}.
 *
 * @example
 * ```ts
 * const ch = chan<number>();
 * go(async (n) => { await ch.send(n * 2); }, 21);
 * console.log(await ch.recv()); // 42
 * ```
 */
export function go<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
  if (typeof fn !== "function") throw new TypeError("go: the goroutine must be a function");
  const token = peekToken(K_GO);
  const g = core.goNew(T, token);
  if (g === 0) throw coreFailure(7);
  takeSlot(token, undefined, new G(fn as (...args: any[]) => unknown, args, g, core.goroutinesCreated(T)));
  if (!drainScheduled) {
    drainScheduled = true;
    queueMicrotask(drain);
  }
}

function drain(): void {
  for (;;) {
    const token = core.runqGet(T);
    if (token < 0) break;
    const g = slotAux[token >>> 3] as G;
    releaseSlot(token);
    start(g);
  }
  drainScheduled = false;
}

function start(g: G): void {
  let r: unknown;
  try {
    r = g.fn(...g.args);
  } catch (e) {
    exit(g);
    panic(e, g);
    return;
  }
  if (r !== null && typeof r === "object" && typeof (r as PromiseLike<unknown>).then === "function") {
    (r as PromiseLike<unknown>).then(
      () => exit(g),
      (e: unknown) => {
        exit(g);
        panic(e, g);
      },
    );
  } else {
    exit(g);
  }
}

function exit(g: G): void {
  core.goExit(T, g.g);
}

function panic(error: unknown, g: G): void {
  const info: GoroutineInfo = { id: g.id, state: "running", waitingSinceMs: 0, createdAt: "" };
  const handler = panicHandler;
  if (handler !== null) {
    handler(error, info);
    return;
  }
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  console.error(`panic: ${text}\n\ngoroutine ${g.id} [running]`);
  // Rethrown outside any promise chain: an uncaught exception, which ends a Node process with a
  // non-zero code, as a Go panic ends a Go program.
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * Sets the handler for panics: errors thrown by goroutines, or rejections of their promises.
 * With none (`null`, the default), a panic is printed with the goroutine's id and rethrown as an
 * uncaught exception, so a Node process exits non-zero, as a Go program would.
 *
 * @example
 * ```ts
 * setPanicHandler((err, g) => log.error(`goroutine ${g.id} panicked`, err));
 * ```
 */
export function setPanicHandler(fn: ((error: unknown, info: GoroutineInfo) => void) | null): void {
  if (fn !== null && typeof fn !== "function") throw new TypeError("setPanicHandler: expected a function or null");
  panicHandler = fn;
}

/**
 * Go's `runtime.NumGoroutine()`: goroutines started (counted from the `go` call) and not yet
 * finished, in this thread.
 */
export function numGoroutine(): number {
  return core.liveGoroutines(T);
}

const setImmediateFn = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
const macrotask: (fn: () => void) => void =
  typeof setImmediateFn === "function"
    ? (fn) => {
        setImmediateFn(fn);
      }
    : (() => {
        const mc = new MessageChannel();
        const queue: (() => void)[] = [];
        mc.port1.onmessage = () => queue.shift()!();
        return (fn: () => void) => {
          queue.push(fn);
          mc.port2.postMessage(0);
        };
      })();

/**
 * Go's `runtime.Gosched()`: lets every other runnable goroutine run before the caller goes on.
 * The caller continues in a later macrotask, after the goroutines queued or woken before it.
 *
 * @example
 * ```ts
 * while (!ready) await gosched();
 * ```
 */
export function gosched(): Promise<void> {
  return new Promise<void>((resolve) => macrotask(resolve));
}
