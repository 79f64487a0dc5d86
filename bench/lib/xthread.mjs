// What the cross-thread scenarios (*_xthread, pool_tasks) share: starting workers, talking to
// them, bounding every wait, and always terminating them.
//
// A scenario side lives in bench/xthread/<scenario>.<library>.mjs. That one file holds both
// halves of the side:
//   - `start(lib, params)`, called in the bench child's main thread, starts the side's workers
//     and resolves to { run, close }: `run()` is one tinybench iteration (one whole batch,
//     verified), `close()` terminates the workers;
//   - the worker half, which runs when the file is itself loaded as a Worker with
//     workerData.benchRole set (`isWorker(...)` below), and serves the main thread's requests.
//
// Control (start a batch, report its checksum) always travels over the worker's parentPort,
// the same for every library, once per batch: ~10-20 µs against batches of 10-100 ms. The data
// of the batch travels over the mechanism under test.
//
// Every wait is bounded: a worker that does not come up, a batch that does not finish, a close
// that does not return, each rejects after its deadline, and `close()` terminates every worker
// whatever state it is in (Worker#terminate stops a spinning loop too). The bench child's own
// limit (bench/run.mjs: 60 s quick, 150 s full) is the last line.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

/** Milliseconds a worker may take to come up (load its module, attach, say ready). */
export const START_MS = 20_000;
/** Milliseconds one request (one batch) may take. */
export const CALL_MS = 20_000;
/** Milliseconds `close()` may take before it gives up waiting on a worker. */
export const CLOSE_MS = 10_000;

/** Rejects with "`what` did not finish within `ms` ms" unless `p` settles first. */
export function deadline(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * tinybench options for the cross-thread scenarios (`export const options = XTHREAD_OPTIONS`):
 * --quick gets a little more warm-up than the in-thread scenarios, since the worker halves
 * start cold (their loops get optimized during the first batches).
 */
export const XTHREAD_OPTIONS = { quick: { time: 300, iterations: 4, warmupTime: 100, warmupIterations: 2 } };

/** Loads bench/xthread/<scenario>.<lib>.mjs and starts that side. */
export async function startSide(scenario, lib, params) {
  const side = await import(new URL(`../xthread/${scenario}.${lib.name}.mjs`, import.meta.url).href);
  return side.start(lib, params);
}

/** Throws a clear error when the dist/ build does not have (these parts of) shared channels yet. */
export function needShared(baton, names = ["attach"]) {
  const missing = names.filter((k) => typeof baton[k] !== "function");
  if (missing.length)
    throw new Error(`dist/index.js has no ${missing.join(", ")}: shared channels across workers are not built yet (shared/API.md, "Shared channels and goroutines across workers")`);
}

// ---- main-thread side ---------------------------------------------------------------------

/**
 * The bench child's end of a request/reply channel to a worker or a process (Thread here, Proc in
 * lib/xprocess.mjs): replies carry the request's id; the other side's failure or exit rejects
 * every pending request and every later one. A subclass posts with `post(msg)`.
 */
export class Peer {
  constructor(role) {
    this.role = role;
    this.pending = new Map();
    this.nextId = 1;
    this.failure = null;
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {}); // observed through start(); avoid an unhandled rejection
  }
  /** Handles a message from the other side: "ready", or a reply (`errorOf(m)` makes a failed
   *  reply's Error). */
  receive(m, errorOf) {
    if (m?.ready) return this.readyResolve();
    const p = this.pending.get(m?.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(errorOf(m));
  }
  fail(e) {
    if (!this.failure) this.failure = e;
    this.readyReject(this.failure);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
  /** Sends `{ op, arg }` and resolves to the reply's value, within `ms`. */
  call(op, arg, ms = CALL_MS) {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.post({ id, op, arg });
    return deadline(p, ms, `${this.role}.${op}`);
  }
}

/**
 * One worker and its request/reply channel. Requests are answered in order (the worker serves
 * them one at a time per op; replies carry the request's id). A worker error or exit rejects
 * every pending request and every later one.
 */
export class Thread extends Peer {
  constructor(url, role, data = {}, transferList = []) {
    super(role);
    this.worker = new Worker(url, { workerData: { ...data, benchRole: role }, transferList });
    this.worker.on("message", (m) =>
      this.receive(m, (r) => {
        const e = new Error(`${role}: ${r.error?.message}`);
        if (r.error?.stack) e.stack = `${e.message}\n  in the worker: ${r.error.stack}`;
        return e;
      }),
    );
    this.worker.on("error", (e) => this.fail(new Error(`${role}: worker error: ${e?.stack ?? e}`)));
    this.worker.on("exit", (code) => this.fail(new Error(`${role}: worker exited (code ${code})`)));
  }
  post(msg) {
    this.worker.postMessage(msg);
  }
  terminate() {
    return this.worker.terminate();
  }
}

/**
 * Starts one Thread per spec ({ url, role, data, transferList }) and waits until every one is
 * ready. On any failure the ones started are terminated before the error propagates.
 */
export async function startThreads(specs) {
  const threads = specs.map((s) => new Thread(s.url, s.role, s.data, s.transferList));
  try {
    await deadline(Promise.all(threads.map((t) => t.ready)), START_MS, "starting the workers");
  } catch (e) {
    await terminateAll(threads);
    throw e;
  }
  return threads;
}

/** Terminates every thread, each bounded by CLOSE_MS; never rejects. */
export async function terminateAll(threads) {
  await Promise.all(threads.map((t) => deadline(t.terminate(), CLOSE_MS, `terminating ${t.role}`).catch(() => {})));
}

/** Throws unless a batch's checksum is what was sent. */
export function verify(what, got, want) {
  for (const k of Object.keys(want))
    if (got?.[k] !== want[k]) throw new Error(`${what}: ${k} ${got?.[k]}, want ${want[k]} (got ${JSON.stringify(got)})`);
}

// ---- worker side --------------------------------------------------------------------------

/** True in a worker that startThreads started with this role prefix. */
export function isWorker(prefix) {
  return !isMainThread && typeof workerData?.benchRole === "string" && workerData.benchRole.startsWith(prefix);
}

/**
 * Serves the main thread's requests: `{ id, op, arg }` → `handlers[op](arg)` (sync or async) →
 * `{ id, ok, value | error }`. Says ready once installed; call it after the worker's setup.
 */
export function serve(handlers) {
  parentPort.on("message", async (m) => {
    if (!m || typeof m.op !== "string") return;
    try {
      const h = handlers[m.op];
      if (!h) throw new Error(`unknown op ${m.op}`);
      const value = await h(m.arg);
      parentPort.postMessage({ id: m.id, ok: true, value });
    } catch (e) {
      parentPort.postMessage({ id: m.id, ok: false, error: { message: String(e?.message ?? e), stack: e?.stack ? String(e.stack) : undefined } });
    }
  });
  parentPort.postMessage({ ready: true });
}

export { workerData };

/** BATON_SPIN_MICROS=n sets baton's spin before sleeping (configure({ spinMicros })) in every
 *  thread of a baton side, to measure what spinning buys: `BATON_SPIN_MICROS=0 npm run bench -- pingpong_xthread`. */
export function spinFromEnv(baton) {
  const v = process.env.BATON_SPIN_MICROS;
  if (v !== undefined && v !== "") baton.configure({ spinMicros: Number(v) });
}

/** The side of a producer–consumer scenario (spsc_xthread, objects_xthread): `threads` are the
 *  producer and the consumer; a batch has the consumer receive N while the producer sends N, and
 *  checks the consumer's reply against `want`. */
export function producerConsumer(threads, what, N, want) {
  const [producer, consumer] = threads;
  return {
    async run() {
      const got = consumer.call("consume", N);
      const [, res] = await Promise.all([producer.call("produce", N), got]);
      verify(what, res, want);
    },
    close: () => terminateAll(threads),
  };
}
