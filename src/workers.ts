// Goroutines on a pool of workers (M:N, Go's GOMAXPROCS): workers({ size }) starts `size` worker
// threads over this thread's memory; pool.go(moduleUrl, exportName, ...args) runs that export as
// a goroutine on one of them.
//
// The run queue is a shared channel (RUNQ_CAP slots in the shared core). Every worker runs one
// loop (pool-worker.ts): take a task from the run queue, start it as a goroutine, take the next.
// A worker takes a task only when its event loop is free, that is when its goroutines are all
// parked or done: a goroutine waiting on a channel leaves its worker free for others, and a
// worker busy running code leaves its backlog in the queue for the idle ones. When the queue is
// full, pool.go keeps the task in a local overflow list that a pump goroutine feeds in, so
// pool.go never waits and never drops.
//
// Arguments are copied (values.ts); shared channels anywhere in `args` arrive attached (the codec
// carries them, pinned until attached). A local channel, and baton's thread-bound objects (sync
// primitives, timers, contexts), are refused with a TypeError at the call.
//
// Events come back on a second shared channel: a worker's hello (its thread context), each
// task's end (or its panic, with the worker's stack, also from goroutines a task started after
// it returned), a worker's answers to the pool's questions (pool.goroutines(), startTrace(),
// stopTrace(): asked on that worker's own control channel, `ctl`), and a worker's goodbye when
// the pool closes. The pool receives them for as long
// as it lives, in a daemon wait that keeps no process alive; the workers keep it alive (they are
// ref'd) only while tasks run or the pool starts or closes.
//
// Invariants:
//  `outstanding` = tasks given to go() whose end event has not arrived, less those lost with a
//   worker that exited (Node): it had taken `taken[i]` tasks and ended `done[i]` of them; its
//   later end events, still on their way at its exit, are not counted again.
//  The event receiver runs from start() until terminate() closes the events channel.
//  A question waits for the workers that have not said goodbye; it is settled by the last
//   answer, a goodbye or terminate(), whichever comes first.
//  The workers are ref'd (Node) while tasks or queries are outstanding, or the pool starts or
//   closes.

import { chan, Chan, sharedOf } from "./chan.js";
import { registerHostKind } from "./codec.js";
import type { ChanHandle } from "./chan.js";
import { go, reportPanic } from "./go.js";
import type { GoroutineInfo } from "./go.js";
import type { TraceData, TraceEvent, TraceOptions } from "./trace.js";
import { sharedMemory, workerThreads, ensureCore } from "./loader.js";
import { contextEnded } from "./thread.js";
import { isContext } from "./context.js";
import { isTimer } from "./time.js";
import { WaitGroup, Mutex, RWMutex, Once, Cond, Semaphore, Group } from "./sync/index.js";

/** Capacity of a pool's run queue in the shared memory. */
const RUNQ_CAP = 1024;

/** Event kinds (pool-worker.ts sends them). */
export const EV_HELLO = 0; // [EV_HELLO, thread context]
export const EV_DONE = 1; // [EV_DONE, task id, worker index]
export const EV_PANIC = 2; // [EV_PANIC, task id or -1, { name, message, stack }, goroutine id, where, fn, worker index]
export const EV_BYE = 3; // [EV_BYE, thread context, worker index]
export const EV_ANSWER = 4; // [EV_ANSWER, question id, worker index, answer, error info or null]
export const EV_PART = 5; // [EV_PART, question id, worker index, TraceEvent[]]: part of a trace, before its answer

/** Questions (on a worker's control channel: [kind, question id, argument]). */
export const ASK_GOROUTINES = 0; // answer: GoroutineInfo[]
export const ASK_TRACE_START = 1; // argument: TraceOptions | undefined; answer: null
export const ASK_TRACE_STOP = 2; // answer: TraceData without its events, which came in parts
/** The most trace events in one message. */
export const TRACE_PART = 10_000;

/** What a pool worker is started with. */
export interface PoolInit {
  runq: ChanHandle<unknown>;
  events: ChanHandle<unknown>;
  /** This worker's control channel: the pool's questions. */
  ctl: ChanHandle<unknown>;
  /** This worker's index in the pool, 0 .. size - 1. */
  index: number;
  /** Tasks taken from the run queue, by worker index (a worker adds to its own, atomically): what
   *  a worker that exits had taken, its end events tell which it finished. */
  taken: Int32Array;
}

/** A goroutine on a pool's worker, as {@link WorkerPool.goroutines} describes it. */
export interface PoolGoroutineInfo extends GoroutineInfo {
  /** The worker it runs on, 0 .. `pool.size - 1`; `id` is counted in that worker's thread. */
  worker: number;
}

/**
 * A pool of worker threads that run goroutines: see {@link workers}.
 */
export interface WorkerPool {
  /** Worker threads in the pool. */
  readonly size: number;
  /**
   * Runs export `exportName` of module `moduleUrl` (a `URL`, or an absolute URL or path string)
   * as a goroutine on some worker, with `args`. In a vite app, name the task module by the URL of
   * its worker bundle, `import tasks from "./tasks.ts?worker&url"`, and have it call
   * {@link registerTasks} (a worker bundle keeps no exports). Shared channels anywhere in `args` arrive
   * attached; other arguments are copied. A local channel, or a sync primitive, timer or context,
   * throws TypeError here. A missing module or export, and a panic in the goroutine (or in
   * goroutines it starts), reach this thread's panic handler with the worker's stack.
   */
  go(moduleUrl: URL | string, exportName: string, ...args: unknown[]): void;
  /**
   * The goroutines of every worker, as each describes its own ({@link goroutines} in that
   * thread), ordered by worker and id. A task runs as a goroutine named after its export. A
   * worker answers when its event loop is free: one busy running code answers once it yields.
   * A worker that has said goodbye (the pool is closing) has none; after `terminate()`, `[]`.
   *
   * @example
   * ```ts
   * for (const g of await pool.goroutines()) console.log(`worker ${g.worker} goroutine ${g.id} [${g.state}] ${g.fn}`);
   * ```
   */
  goroutines(): Promise<PoolGoroutineInfo[]>;
  /**
   * Starts recording on every worker, as {@link startTrace} does there (`options` for each
   * worker); resolves once each records. Rejects if a trace of this pool records already.
   */
  startTrace(options?: TraceOptions): Promise<void>;
  /**
   * Stops the workers' recording and returns it as one trace: each worker a process of the
   * Trace Event Format (`pid` 2 + its index, named "pool worker N"), its goroutines tracks in
   * it, times from the pool's `startTrace()`. To draw it beside this thread's own trace
   * (`stopTrace()`, pid 1), shift one's `ts` by the difference of their `otherData.origin`.
   * Rejects if no trace of this pool records. A worker that has said goodbye or exited
   * meanwhile is missing from it.
   */
  stopTrace(): Promise<TraceData>;
  /** No new go() (it then throws); waits for the pool's goroutines to finish, then stops the
   *  workers. Idempotent. */
  close(): Promise<void>;
  /** Stops the workers at once. Their goroutines end where they are. */
  terminate(): Promise<void>;
}

/** Options of {@link workers}. */
export interface WorkersOptions {
  /** Worker threads (default: the machine's available parallelism). */
  size?: number;
}

interface WorkerLike {
  terminate(): unknown;
  unref?(): void;
  on?(event: string, fn: (...a: any[]) => void): unknown;
  addEventListener?(event: string, fn: (e: any) => void): void;
}

function defaultSize(): number {
  const os = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
    "node:os",
  ) as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? n : 1;
}

function moduleHref(moduleUrl: URL | string): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl !== "string") throw new TypeError("pool.go: moduleUrl must be a URL or an absolute URL or path string");
  const page = (globalThis as { location?: { href: string } }).location;
  if (moduleUrl.startsWith("/") && page !== undefined) return new URL(moduleUrl, page.href).href; // a path on this site
  if (moduleUrl.startsWith("/")) return new URL("file://" + moduleUrl.split("/").map(encodeURIComponent).join("/")).href;
  try {
    return new URL(moduleUrl).href;
  } catch {
    throw new TypeError(`pool.go: ${JSON.stringify(moduleUrl)} is not an absolute URL or path (use new URL("./tasks.js", import.meta.url))`);
  }
}

function threadBound(v: object): string | null {
  if (v instanceof Mutex) return "a sync.Mutex";
  if (v instanceof RWMutex) return "a sync.RWMutex";
  if (v instanceof WaitGroup) return "a WaitGroup";
  if (v instanceof Once) return "a Once";
  if (v instanceof Cond) return "a Cond";
  if (v instanceof Semaphore) return "a Semaphore";
  if (v instanceof Group) return "an errgroup Group";
  if (isTimer(v)) return "a timer";
  if (isContext(v)) return "a context";
  return null;
}

/** Checks that `v` may go to another thread, naming what may not: a local channel, a function
 *  or symbol, or one of baton's thread-bound objects (the codec says the same, later; checked
 *  here so that pool.go throws at the call even when its task waits in the overflow list). */
function checkArg(v: unknown, seen: Set<object>, path: string): void {
  if (v === null || typeof v !== "object") {
    if (typeof v === "function") throw new TypeError(`pool.go: ${path} is a function, which cannot be passed to another thread`);
    if (typeof v === "symbol") throw new TypeError(`pool.go: ${path} is a symbol, which cannot be passed to another thread`);
    return;
  }
  if (seen.has(v)) return;
  seen.add(v);
  if (v instanceof Chan) {
    if (!sharedOf(v)) {
      throw new TypeError(`pool.go: ${path} is a local channel; make it with chan(capacity, { shared: true }) to pass it to a worker`);
    }
    return;
  }
  const bound = threadBound(v);
  if (bound !== null) {
    throw new TypeError(`pool.go: ${path} is ${bound}, which belongs to its thread; coordinate threads over shared channels`);
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (i in v) checkArg(v[i], seen, `${path}[${i}]`);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      checkArg(k, seen, `${path} key`);
      checkArg(x, seen, `${path}.get(…)`);
    }
  } else if (v instanceof Set) {
    for (const x of v) checkArg(x, seen, `${path} element`);
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      for (const k of Object.keys(v)) checkArg((v as Record<string, unknown>)[k], seen, `${path}.${k}`);
    }
  }
}

// baton's thread-bound objects are refused by the codec too, when sent on a shared channel
// (it would copy them as empty plain objects).
registerHostKind({
  is: (o) => threadBound(o) !== null,
  write(o) {
    throw new TypeError(`baton: ${threadBound(o)} belongs to its thread and cannot be copied to a shared channel`);
  },
  read: () => undefined,
});

/** What the task module being imported registered (pool-worker.ts takes it). */
let registered: Record<string, unknown> | undefined;

/**
 * Registers a task module's functions for pool workers, by name, beside its exports. A bundler
 * that builds a task module as a worker of its own (vite's `?worker&url`) keeps none of its
 * exports: what it registers is what `pool.go(url, name)` finds there. A module that a worker
 * imports unbundled (Node, a vite dev server) may call it too; its exports win.
 *
 * @example
 * ```ts
 * // tasks.ts
 * import { registerTasks } from "batonjs";
 * export async function crunch(jobs: RecvChan<Job>, results: SendChan<Result>) { ... }
 * registerTasks({ crunch });
 *
 * // the app (vite)
 * import tasks from "./tasks.ts?worker&url";
 * pool.go(tasks, "crunch", jobs, results);
 * ```
 */
export function registerTasks(fns: Record<string, (...args: any[]) => unknown>): void {
  if (fns === null || typeof fns !== "object") throw new TypeError("registerTasks: expected an object of functions by name");
  for (const [k, f] of Object.entries(fns)) {
    if (typeof f !== "function") throw new TypeError(`registerTasks: ${JSON.stringify(k)} is not a function`);
  }
  registered = { ...registered, ...fns };
}

/** Takes what the module just imported registered (pool-worker.ts). */
export function takeRegistered(): Record<string, unknown> | undefined {
  const r = registered;
  registered = undefined;
  return r;
}

/** An error as a worker describes it (pool-worker.ts, errorInfo). */
interface ErrorInfo {
  name?: string;
  message: string;
  stack?: string;
}

/** One worker's answer to a question: the parts of a trace come before it. */
interface Answer {
  answer: unknown;
  error: ErrorInfo | null;
  parts: TraceEvent[][];
}

/** A question to the workers: those yet to answer, and what came, by worker. */
interface Query {
  readonly waiting: Set<number>;
  readonly answers: Map<number, Answer>;
  readonly resolve: (answers: Map<number, Answer>) => void;
}

class Pool implements WorkerPool {
  readonly size: number;
  readonly #runq: Chan<unknown>;
  readonly #events: Chan<unknown>;
  /** Each worker's control channel, by index. */
  readonly #ctl: Chan<unknown>[] = [];
  /** Workers that have said goodbye or exited, by index. */
  readonly #gone = new Set<number>();
  /** Workers that have exited (Node's 'exit'), by index. */
  readonly #dead = new Set<number>();
  /** Tasks each worker has taken (shared with the workers) and ended (counted here). */
  readonly #taken: Int32Array;
  readonly #done: number[];
  #terminated = false;
  #startFailed: ((e: Error) => void) | null = null;
  readonly #queries = new Map<number, Query>();
  #nextQuery = 0;
  /** When this pool's trace started (performance.timeOrigin + now), or -1 while none records. */
  #traceOrigin = -1;
  readonly #workers: WorkerLike[] = [];
  readonly #contexts: number[] = [];
  readonly #overflow: unknown[] = [];
  #pumping = false;
  #nextId = 0;
  #outstanding = 0;
  #hellos = 0;
  #closed = false;
  #closing: Promise<void> | null = null;
  #onHello: (() => void) | null = null;
  #onBye: (() => void) | null = null;

  constructor(size: number) {
    this.size = size;
    this.#runq = chan<unknown>(RUNQ_CAP, { shared: true });
    this.#events = chan<unknown>(RUNQ_CAP, { shared: true });
    this.#taken = new Int32Array(new SharedArrayBuffer(4 * size));
    this.#done = new Array<number>(size).fill(0);
  }

  /** Starts the workers; resolves once each has said hello. */
  start(): Promise<void> {
    const runq = this.#runq.handle();
    const events = this.#events.handle();
    for (let i = 0; i < this.size; i++) {
      const ctl = chan<unknown>(4, { shared: true });
      this.#ctl.push(ctl);
      const init: PoolInit = { runq, events, ctl: ctl.handle(), index: i, taken: this.#taken };
      let w: WorkerLike;
      if (workerThreads !== undefined) {
        const W = (workerThreads as unknown as { Worker: new (u: URL, o: object) => WorkerLike }).Worker;
        // Not in the `new URL("…", import.meta.url)` form, which a bundler would copy as an asset.
        const here = import.meta.url;
        w = new W(new URL("./pool-worker.js", here), { workerData: init });
        let failed = false;
        w.on?.("error", (e: unknown) => {
          failed = true;
          // After terminate() (a start that failed included), a worker's error is not news.
          if (this.#terminated) return;
          if (this.#startFailed === null) reportPanic(e, { id: 0, state: "running", waitingSinceMs: 0, createdAt: "", fn: "" });
          else this.#exited(i, 1, e);
        });
        w.on?.("exit", (code: number) => this.#exited(i, code, failed ? null : undefined));
      } else {
        // Written the way bundlers recognise a worker (vite, webpack, parcel, rollup plugins), so
        // that an app's build bundles pool-worker.js, and finds it, wherever baton's files end up.
        const bw = new Worker(new URL("./pool-worker.js", import.meta.url), { type: "module" });
        bw.postMessage(init);
        bw.addEventListener?.("error", (e: { message?: string }) =>
          reportPanic(new Error(`baton pool worker: ${e.message ?? "failed to start"}`), { id: 0, state: "running", waitingSinceMs: 0, createdAt: "", fn: "" }),
        );
        w = bw;
      }
      this.#workers.push(w);
    }
    return new Promise<void>((resolve, reject) => {
      this.#onHello = resolve;
      this.#startFailed = reject;
      this.#receive();
    });
  }

  go(moduleUrl: URL | string, exportName: string, ...args: unknown[]): void {
    if (this.#closed) throw new Error("pool.go: the pool is closed");
    const href = moduleHref(moduleUrl);
    if (typeof exportName !== "string" || exportName === "") throw new TypeError("pool.go: exportName must be a non-empty string");
    checkArg(args, new Set(), "argument");
    const id = this.#nextId++;
    const task = [id, href, exportName, args];
    if (this.#overflow.length > 0 || !this.#runq.trySend(task)) {
      this.#overflow.push(task);
      this.#pump();
    }
    if (this.#outstanding++ === 0) this.#ref(true);
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    go(async () => {
      while (this.#overflow.length > 0) await this.#runq.send(this.#overflow.shift());
      this.#pumping = false;
    });
  }

  // Receives events until terminate() closes the events channel (see the invariants at the top).
  #receive(): void {
    const events = this.#events;
    go(async () => {
      for (;;) {
        const e = (await events.recvDaemon()) as unknown[] | undefined;
        if (e === undefined) break;
        this.#event(e);
      }
    });
  }

  #event(e: unknown[]): void {
    switch (e[0]) {
      case EV_HELLO:
        this.#contexts.push(e[1] as number);
        if (++this.#hellos === this.size && this.#onHello !== null) {
          const f = this.#onHello;
          this.#onHello = this.#startFailed = null;
          this.#idle();
          f();
        }
        break;
      case EV_PART: {
        const q = this.#queries.get(e[1] as number);
        if (q === undefined || !q.waiting.has(e[2] as number)) break;
        this.#answerOf(q, e[2] as number).parts.push(e[3] as TraceEvent[]);
        break;
      }
      case EV_ANSWER: {
        const q = this.#queries.get(e[1] as number);
        const worker = e[2] as number;
        if (q === undefined || !q.waiting.delete(worker)) break;
        const a = this.#answerOf(q, worker);
        a.answer = e[3];
        a.error = e[4] as ErrorInfo | null;
        this.#answered(e[1] as number, q);
        break;
      }
      case EV_DONE:
        this.#taskEnded(e[2] as number);
        break;
      case EV_PANIC: {
        const p = e[2] as Partial<ErrorInfo>;
        const err = new Error(p.message ?? "panic in a pool worker");
        if (typeof p.name === "string") err.name = p.name;
        if (typeof p.stack === "string") err.stack = p.stack;
        if ((e[1] as number) >= 0) this.#taskEnded(e[6] as number);
        reportPanic(err, {
          id: e[3] as number,
          state: "running",
          waitingSinceMs: 0,
          createdAt: `pool worker (${String(e[4] ?? "")})`,
          fn: typeof e[5] === "string" ? e[5] : "",
        });
        break;
      }
      case EV_BYE:
        this.#workerGone(e[2] as number);
        break;
    }
  }

  /** Worker `i` ended task events say it ended; not one that exited (counted at its exit). */
  #taskEnded(i: number): void {
    if (this.#dead.has(i)) return;
    this.#done[i]!++;
    --this.#outstanding;
    this.#idle();
  }

  /** Worker `i` will answer nothing more: it said goodbye, or exited. */
  #workerGone(i: number): void {
    if (this.#gone.has(i)) return;
    this.#gone.add(i);
    for (const [id, q] of this.#queries) if (q.waiting.delete(i)) this.#answered(id, q);
    if (this.#gone.size === this.size && this.#onBye !== null) {
      const f = this.#onBye;
      this.#onBye = null;
      f();
    }
  }

  /** Node: worker `i` exited, with `code`; `error` is what its 'error' event gave while the pool
   *  started, null where that event was reported already, undefined where it had none. Not
   *  called for the workers that terminate() stops. */
  #exited(i: number, code: number, error: unknown): void {
    if (this.#terminated || this.#dead.has(i)) return;
    this.#dead.add(i);
    if (this.#startFailed !== null) {
      const fail = this.#startFailed;
      this.#onHello = this.#startFailed = null;
      const why = error instanceof Error ? `: ${error.message}` : ` with code ${code}`;
      void this.terminate();
      fail(new Error(`workers: pool worker ${i} failed to start${why}`));
      return;
    }
    // The tasks it had taken and not ended are gone with it.
    const lost = Atomics.load(this.#taken, i) - this.#done[i]!;
    this.#outstanding -= lost;
    if (!this.#gone.has(i) && error === undefined) {
      reportPanic(new Error(`pool: worker ${i} exited with code ${code}; the goroutines it ran (${lost} of its tasks) are gone`), {
        id: 0,
        state: "running",
        waitingSinceMs: 0,
        createdAt: `pool worker ${i}`,
        fn: "",
      });
    }
    this.#workerGone(i);
    this.#idle();
  }

  /** Unrefs the workers if nothing is outstanding (see the invariants at the top). */
  #idle(): void {
    if (this.#outstanding === 0 && this.#queries.size === 0 && this.#closing === null && this.#onHello === null) this.#ref(false);
  }

  #answerOf(q: Query, worker: number): Answer {
    let a = q.answers.get(worker);
    if (a === undefined) q.answers.set(worker, (a = { answer: null, error: null, parts: [] }));
    return a;
  }

  /** Settles question `id` once no worker is left to answer it. */
  #answered(id: number, q: Query): void {
    if (q.waiting.size > 0) return;
    this.#queries.delete(id);
    q.resolve(q.answers);
    this.#idle();
  }

  /** Asks every worker that has not said goodbye; resolves with their answers once each has
   *  answered, said goodbye or exited (or the pool is terminated). */
  #ask(kind: number, arg?: unknown): Promise<Map<number, Answer>> {
    const id = this.#nextQuery++;
    const waiting = new Set<number>();
    if (this.#workers.length > 0) for (let i = 0; i < this.size; i++) if (!this.#gone.has(i)) waiting.add(i);
    const answers = new Map<number, Answer>();
    if (waiting.size === 0) return Promise.resolve(answers);
    return new Promise((resolve) => {
      if (this.#queries.size === 0 && this.#outstanding === 0) this.#ref(true);
      this.#queries.set(id, { waiting, answers, resolve });
      // The control channel holds 4 questions; past that the worker has not answered 4 already,
      // and this one waits its turn (terminate() closes the channel: the send fails, quietly).
      const msg = [kind, id, arg];
      for (const i of waiting) if (!this.#ctl[i]!.trySend(msg)) this.#ctl[i]!.send(msg).catch(() => {});
    });
  }

  async goroutines(): Promise<PoolGoroutineInfo[]> {
    const out: PoolGoroutineInfo[] = [];
    for (const [worker, a] of await this.#ask(ASK_GOROUTINES)) if (a.error === null) for (const g of a.answer as GoroutineInfo[]) out.push({ ...g, worker });
    return out.sort((a, b) => a.worker - b.worker || a.id - b.id);
  }

  async startTrace(options?: TraceOptions): Promise<void> {
    if (this.#traceOrigin >= 0) throw new Error("pool.startTrace: a trace of this pool is already recording (pool.stopTrace() ends it)");
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError("pool.startTrace: options must be an object such as { maxEvents }");
    }
    if (this.#closed) throw new Error("pool.startTrace: the pool is closed");
    this.#traceOrigin = performance.timeOrigin + performance.now();
    const answers = await this.#ask(ASK_TRACE_START, options === undefined ? undefined : { maxEvents: options.maxEvents });
    const failed = [...answers.values()].find((a) => a.error !== null);
    if (failed !== undefined) {
      await this.#ask(ASK_TRACE_STOP).catch(() => {}); // those that started, stop
      this.#traceOrigin = -1;
      const e = failed.error!.name === "RangeError" ? new RangeError(failed.error!.message) : new Error(failed.error!.message);
      throw e;
    }
  }

  async stopTrace(): Promise<TraceData> {
    if (this.#traceOrigin < 0) throw new Error("pool.stopTrace: no trace of this pool is recording (pool.startTrace() starts one)");
    const origin = this.#traceOrigin;
    this.#traceOrigin = -1;
    const answers = await this.#ask(ASK_TRACE_STOP);
    const events: TraceEvent[] = [];
    let dropped = 0;
    for (const [worker, a] of [...answers].sort((x, y) => x[0] - y[0])) {
      if (a.error !== null || a.answer === null) continue;
      const data = a.answer as TraceData;
      const pid = worker + 2;
      const shift = (data.otherData.origin - origin) * 1000; // its ts count from its own start
      dropped += data.otherData.droppedEvents;
      events.push({ name: "process_name", ph: "M", ts: 0, pid, tid: 0, args: { name: `pool worker ${worker}` } });
      events.push({ name: "process_sort_index", ph: "M", ts: 0, pid, tid: 0, args: { sort_index: pid } });
      for (const part of a.parts) {
        for (const e of part) {
          if (e.ph === "M" && e.name === "process_name") continue;
          e.pid = pid;
          if (e.ph !== "M") e.ts += shift;
          events.push(e);
        }
      }
    }
    return {
      traceEvents: events,
      displayTimeUnit: "ms",
      otherData: {
        droppedEvents: dropped,
        startedAt: new Date(origin).toISOString(),
        durationMs: performance.timeOrigin + performance.now() - origin,
        origin,
      },
    };
  }

  // Node: the workers keep the process alive while tasks run or the pool starts or closes, and
  // not while the pool is idle.
  #ref(on: boolean): void {
    for (const w of this.#workers) {
      const n = w as { ref?: () => void; unref?: () => void };
      if (on) n.ref?.();
      else n.unref?.();
    }
  }

  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closed = true;
    this.#closing = (async () => {
      // Let the overflow drain into the run queue, then close it: each worker finishes the
      // tasks it took, waits for its goroutines, and says goodbye.
      while (this.#pumping) await new Promise((r) => setTimeout(r, 1));
      const byes = new Promise<void>((resolve) => {
        this.#onBye = resolve;
      });
      this.#ref(true);
      this.#runq.close();
      await byes;
      await this.terminate();
    })();
    return this.#closing;
  }

  async terminate(): Promise<void> {
    this.#closed = true;
    this.#terminated = true;
    const ws = this.#workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
    for (const t of this.#contexts.splice(0)) contextEnded(t);
    for (const ctl of this.#ctl.splice(0)) {
      try {
        ctl.close();
      } catch {
        // closed by an earlier terminate()
      }
    }
    for (const [id, q] of this.#queries) {
      q.waiting.clear();
      this.#answered(id, q);
    }
    this.#traceOrigin = -1;
    try {
      this.#events.close();
    } catch {
      // closed by an earlier terminate()
    }
    try {
      this.#runq.close();
    } catch {
      // closed by close()
    }
    this.#outstanding = 0;
    this.#onBye = this.#onHello = null;
  }
}

/**
 * Starts a pool of `size` worker threads that share this thread's memory, to run goroutines on
 * (Go's GOMAXPROCS): many goroutines per worker, a parked goroutine leaving its worker free. An
 * idle pool does not keep the process alive. Needs shared memory ({@link sharedMemory}).
 *
 * @example
 * ```ts
 * const pool = await workers({ size: 4 });
 * for (let i = 0; i < 100; i++) pool.go(new URL("./tasks.js", import.meta.url), "crunch", jobs, results);
 * await pool.close();
 * ```
 */
export async function workers(options: WorkersOptions = {}): Promise<WorkerPool> {
  if (options === null || typeof options !== "object") throw new TypeError("workers: options must be an object");
  const size = options.size ?? defaultSize();
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`workers: size must be a positive integer (got ${String(size)})`);
  }
  if (!sharedMemory) {
    throw new TypeError(
      "workers: a pool needs SharedArrayBuffer; serve the page cross-origin isolated, with the headers " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (or credentialless)",
    );
  }
  ensureCore();
  const pool = new Pool(size);
  await pool.start();
  return pool;
}
