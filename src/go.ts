// Goroutines: the JS side of assembly/runq.ts. go() (or baton's own wrappers, WaitGroup.go and
// Group.go, through spawn()) makes a G (function, arguments, creation site) and the core's run
// queue hands out its token (consecutive from 0: the G waits at that index of `starting`). One
// microtask, scheduled by the first go() after the queue drains, starts every queued goroutine in
// the order the core hands the tokens back; goroutines that those start are started by the same
// drain. A goroutine lives until its function returns, or its promise settles.
//
// Which goroutine is running: JavaScript has no cheap way to know which async function a line of
// code belongs to after an `await` (AsyncLocalStorage would slow every promise in the process).
// The facade knows it while a goroutine's synchronous start runs (`current`), and so attributes
// the wait a goroutine parks in before its first await; the diagnostics (diag.ts) show any other
// wait as unattributed and such a goroutine as "waiting", rather than guess.
//
// Faults: nothing user code does may stop the start loop. Each goroutine's start runs under one
// try/catch in drain(): a goroutine that throws (any value), or returns a thenable whose `then`
// (or its getter) throws, panics, as `await` on it would reject. A thenable may settle more than
// once; only its first settlement ends the goroutine (exit() is idempotent), as with `await`.
// reportPanic() never throws: a panic handler's own error, and the panic itself when there is no
// handler, are rethrown from a microtask of their own, once the loop is consistent again.
//
// Invariants:
//  `live` holds exactly the goroutines between go() and their end; g.liveIndex is g's index there,
//   and -1 once it has ended.
//  The goroutines of live that are runnable (fn set) are the ones on the core's run queue, and `starting`
//   holds them at the index of the token the core keeps for each.
//  drainScheduled is true iff a drain() microtask is queued or running.

import { core, T, ensureCore, setCurrent, stamp } from "./core.js";
import { macrotask } from "./macrotask.js";
import type { GRef } from "./core.js";
import { coreFailure } from "./errors.js";
import { tracer, traceGo, traceStart, traceEnd, traceNow, setLiveGoroutines } from "./trace.js";

/** A goroutine as the diagnostics describe it. */
export interface GoroutineInfo {
  /** The goroutine's id, counted from 1 in this thread. */
  id: number;
  /** Go's wait reason or state: "running" (its synchronous code is running now), "runnable"
   *  (not started yet), Go's wait reason where its wait is known ("chan receive", "chan send",
   *  "select", "sleep", "sync.Mutex.Lock", "sync.WaitGroup.Wait", ...), or Go's generic "waiting"
   *  where it is suspended in an await that baton cannot attribute (see goroutines()). */
  state: string;
  /** Milliseconds the goroutine has been in its current state ("waiting": since it last started
   *  running, as far as baton knows). */
  waitingSinceMs: number;
  /** The stack line that called `go` (file, line and column), or "" where it was not recorded. */
  createdAt: string;
  /** The name of the goroutine's function (the one given to `go`, `WaitGroup.go` or
   *  `Group.go`), "" for an anonymous one. */
  fn: string;
}


/** Where a goroutine was created: a captured stack, formatted only when asked for. */
interface Site {
  stack?: string;
}

/** A goroutine between go() and its end. */
export class G implements GRef {
  parkedToken = -1;
  liveIndex = -1;
  constructor(
    /** Its function and arguments, until it starts: it is runnable (not started) iff fn is set. */
    public fn: ((...args: any[]) => unknown) | null,
    public args: unknown[] | null,
    readonly id: number,
    readonly site: Site | null,
    /** When it entered its current state (stamp()). */
    public since: number,
    /** The user's function (go()'s `fn`; the one WaitGroup.go or Group.go was given), kept for
     *  its name, which is read only when a dump or a panic report asks (fnName()). */
    readonly userFn: object,
  ) {}

  /** The creation site's stack line. */
  createdAt(): string {
    return siteLine(this.site);
  }

  /** The name of the user's function, "" for an anonymous one. */
  fnName(): string {
    return functionName(this.userFn);
  }
}

/** A function's name, "" where it has none (or its `name` is not a string, or throws). */
function functionName(f: object): string {
  try {
    const name = (f as { name?: unknown }).name;
    return typeof name === "string" ? name : "";
  } catch {
    return "";
  }
}

/** The live goroutines, in no particular order. */
export const live: G[] = [];
setLiveGoroutines(() => live);

let drainScheduled = false;
// Goroutines on the core's run queue: the token the core holds for each is its index here. The
// core hands them back in the order they were queued; the array is emptied with the queue.
const starting: (G | undefined)[] = [];
let lastId = 0; // goroutine ids, from 1
let panicHandler: ((error: unknown, info: GoroutineInfo) => void) | null = null;
/** How creation sites are recorded: see configure({ creationSites }). */
export type CreationSites = "sampled" | "all" | "off";
let creationSites: CreationSites = "sampled";

/** Sets how creation sites are recorded (configure({ creationSites })). */
export function setCreationSites(mode: CreationSites): void {
  creationSites = mode;
}

// Capturing the caller's stack frame costs 1–3 µs, ten times the rest of a goroutine's cost. In
// "sampled" mode (the default) every go() captures its own site while fewer than SAMPLES_PER_SEC
// captures have been made in the last second — so a program that starts goroutines at a human
// rate gets every site exactly, for at most a few milliseconds a second — and past that budget a
// goroutine takes the site last captured for the same function (the usual case: one function
// started in a loop from one place), or none. "all" captures every time; "off" never.
const SAMPLES_PER_SEC = 1000;
let sampleBudget = SAMPLES_PER_SEC;
let sampleWindow = -Infinity;
const lastSite = new WeakMap<object, Site>();
/** The last key looked up in lastSite or captured, and its site (held strongly: one function). */
let lastKey: object | null = null;
let lastKeySite: Site | null = null;

function captureSite(key: object, skip: Function): Site | null {
  if (creationSites === "off") return null;
  if (creationSites === "sampled") {
    if (sampleBudget <= 0) {
      const now = stamp();
      if (now - sampleWindow < 1000) {
        // The usual case, one function started in a loop, skips the WeakMap.
        if (key === lastKey) return lastKeySite;
        const site = lastSite.get(key) ?? null;
        lastKey = key;
        lastKeySite = site;
        return site;
      }
      sampleWindow = now;
      sampleBudget = SAMPLES_PER_SEC;
    }
    sampleBudget--;
  }
  const site: Site = {};
  const E = Error as ErrorConstructor & {
    captureStackTrace?: (o: object, f: Function) => void;
    stackTraceLimit?: number;
  };
  if (typeof E.captureStackTrace === "function") {
    const limit = E.stackTraceLimit;
    E.stackTraceLimit = 1;
    E.captureStackTrace(site, skip);
    E.stackTraceLimit = limit;
  } else {
    site.stack = new Error().stack; // engines without captureStackTrace: parsed in siteLine
  }
  if (creationSites === "sampled") {
    lastSite.set(key, site);
    lastKey = key;
    lastKeySite = site;
  }
  return site;
}

// This module's folder: frames in it (and in sync/) are baton's own, skipped where the engine has
// no captureStackTrace and the whole stack was captured.
// A bundle of this ES module build into a script (CommonJS or IIFE output) has no import.meta.url:
// then no frame is recognised as baton's own.
const OWN_URL: unknown = import.meta.url;
const OWN_DIR = typeof OWN_URL === "string" ? OWN_URL.slice(0, OWN_URL.lastIndexOf("/") + 1) : "\0";

function siteLine(site: Site | null): string {
  if (site === null) return "";
  const stack = site.stack;
  if (typeof stack !== "string") return "";
  for (const raw of stack.split("\n").slice(1)) {
    const line = raw.trim();
    if (line === "" || line.includes(OWN_DIR)) continue;
    return line.startsWith("at ") ? line.slice(3) : line.replace(/^[^@]*@/, "");
  }
  return "";
}

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
  spawn(fn as (...args: any[]) => unknown, args, fn, go);
}

/** @internal go() for baton's own wrappers (WaitGroup.go, Group.go): the creation site is the
 *  caller of `skip` (the wrapper's public method, which must be on the stack: the frame of `skip`
 *  and every frame above it are left out); `key` is the user's function (for sampled creation
 *  sites). */
export function spawn(fn: (...args: any[]) => unknown, args: unknown[], key: object, skip: Function): void {
  spawnAt(fn, args, captureSite(key, skip), key);
}

/** @internal spawn() for a goroutine that a wrapper starts later, from another task (Group.go
 *  waiting for its limit): records the creation site now, while `skip` is on the stack, and
 *  returns the function that starts the goroutine. */
export function spawnLater(fn: (...args: any[]) => unknown, args: unknown[], key: object, skip: Function): () => void {
  const site = captureSite(key, skip);
  return () => spawnAt(fn, args, site, key);
}

function spawnAt(fn: (...args: any[]) => unknown, args: unknown[], site: Site | null, key: object): void {
  if (core === undefined) ensureCore();
  // The core hands out consecutive tokens from 0 (assembly/runq.ts): this one is starting.length.
  if (core.goNew(T) < 0) throw coreFailure(7);
  const g = new G(fn, args, ++lastId, site, stamp(), key);
  g.liveIndex = live.length;
  live.push(g);
  starting.push(g);
  if (tracer.on) traceGo(g, g.fnName(), g.createdAt());
  if (!drainScheduled) {
    drainScheduled = true;
    queueMicrotask(drain);
  }
}

// The start loop. One try/catch per goroutine is the whole cost of fault tolerance here (V8
// optimises functions with try/catch; nothing is allocated unless something throws).
function drain(): void {
  for (;;) {
    const token = core.runqGet(T);
    if (token < 0) break;
    const g = starting[token]!;
    starting[token] = undefined;
    try {
      start(g);
    } catch (e) {
      // fn threw, or its thenable's `then` did: a panic, unless the thenable had already settled
      // (a throw after settling is ignored, as `await` ignores it).
      setCurrent(null);
      if (exit(g)) panic(e, g);
    }
  }
  starting.length = 0; // the queue is empty: tokens count from 0 again
  drainScheduled = false;
}

// Runs g's synchronous start. May throw (drain catches): the goroutine's function's error, or its
// thenable's `then`'s.
function start(g: G): void {
  g.since = stamp();
  const fn = g.fn!, args = g.args!;
  g.fn = g.args = null; // what the goroutine holds on to is its own business from here
  const begin = tracer.on ? traceNow() : 0;
  setCurrent(g);
  // By arity, not fn(...args): a spread call goes through a slower builtin, and most goroutines
  // take a few arguments.
  const n = args.length;
  const r = n === 0 ? fn() : n === 1 ? fn(args[0]) : n === 2 ? fn(args[0], args[1]) : n === 3 ? fn(args[0], args[1], args[2]) : fn(...args);
  setCurrent(null);
  if (tracer.on) traceStart(g, begin);
  if ((typeof r === "object" && r !== null) || typeof r === "function") {
    const then = (r as PromiseLike<unknown>).then; // read once, as `await` does
    if (typeof then === "function") {
      // Two closures per goroutine: a parked goroutine costs ~170 bytes less than with an async
      // wrapper awaiting the promise.
      then.call(
        r,
        () => {
          exit(g);
        },
        (e: unknown) => {
          if (exit(g)) panic(e, g);
        },
      );
      return;
    }
  }
  exit(g);
}

/** Ends g: false if it had ended already (a thenable that settles twice). */
function exit(g: G): boolean {
  const i = g.liveIndex;
  if (i < 0) return false;
  const last = live.pop()!;
  if (last !== g) {
    live[i] = last;
    last.liveIndex = i;
  }
  g.liveIndex = -1;
  if (tracer.on) traceEnd(g);
  return true;
}

function panic(error: unknown, g: G): void {
  reportPanic(error, { id: g.id, state: "running", waitingSinceMs: 0, createdAt: g.createdAt(), fn: g.fnName() });
}

/** @internal Hands a panic to the panic handler or, with none, prints it and rethrows it as an
 *  uncaught exception (a goroutine's here; a pool worker's goroutine's, from workers.ts). Never
 *  throws: what would escape (the handler's own error, the rethrown panic) is thrown from a
 *  microtask of its own, after the caller's loop has finished its work. */
export function reportPanic(error: unknown, info: GoroutineInfo): void {
  const handler = panicHandler;
  if (handler !== null) {
    try {
      handler(error, info);
    } catch (e) {
      throwLater(e);
    }
    return;
  }
  try {
    // Go's layout: the panic, then the goroutine (its id, function and creation site). Not the
    // stack: the error rethrown below carries it, and the host prints it, once.
    const fn = info.fn === "" ? "" : `\n${info.fn}(...)`;
    const site = info.createdAt === "" ? "" : `\ncreated at ${info.createdAt}`;
    console.error(`panic: ${panicText(error)}\n\ngoroutine ${info.id} [running]:${fn}${site}\n`);
  } catch {
    // console.error replaced by one that throws: the rethrow below still reports the panic.
  }
  // Rethrown outside any promise chain: an uncaught exception, which ends a Node process with a
  // non-zero code, as a Go panic ends a Go program.
  throwLater(error);
}

function throwLater(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

/** A panic value as one headline, whatever it is: an Error's name and message, else String(v);
 *  a value that refuses to become a string (a throwing toString or name getter, a revoked proxy)
 *  falls back to its tag, then its type. Never throws. */
function panicText(v: unknown): string {
  try {
    if (v instanceof Error) return `${String(v.name)}: ${String(v.message)}`;
    return String(v); // not `${v}`: that throws for a Symbol
  } catch {
    try {
      return Object.prototype.toString.call(v);
    } catch {
      return `(a panic value of type ${typeof v} that cannot be printed)`;
    }
  }
}

/**
 * Sets the handler for panics: errors thrown by goroutines, or rejections of their promises
 * (a goroutine that returns a thenable whose `then` throws panics too). The handler gets the
 * value exactly as thrown, whatever it is (an Error, a string, `undefined`, a Symbol...).
 * With none (`null`, the default), a panic is printed as Go prints it — the panic, then the
 * goroutine's id, function and creation site — and rethrown as an uncaught exception, whose
 * stack the host prints (once); a Node process then exits non-zero, as a Go program would.
 *
 * A handler that throws stops nothing: goroutines go on starting and finishing. Its error is not
 * swallowed either: it is rethrown, as it is, as an uncaught exception from a microtask of its
 * own (so a Node process without an `uncaughtException` listener exits non-zero, and a browser
 * reports it), once baton's own state is consistent again.
 *
 * @example
 * ```ts
 * setPanicHandler((err, g) => log.error(`goroutine ${g.id} (${g.fn || "anonymous"}, created at ${g.createdAt}) panicked`, err));
 * ```
 */
export function setPanicHandler(fn: ((error: unknown, info: GoroutineInfo) => void) | null): void {
  if (fn !== null && typeof fn !== "function") throw new TypeError("setPanicHandler: expected a function or null");
  panicHandler = fn;
}

/**
 * Go's `runtime.NumGoroutine()`: goroutines started (counted from the `go` call) and not yet
 * finished, in this thread.
 *
 * @example
 * ```ts
 * go(async () => { await sleep(10); });
 * numGoroutine(); // 1
 * ```
 */
export function numGoroutine(): number {
  return live.length;
}

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
