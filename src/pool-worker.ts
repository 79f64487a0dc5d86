// A pool worker's entry (workers.ts starts it): over the memory of the thread that made the pool,
// it takes tasks from the pool's run queue and runs each as a goroutine. One loop: take a task,
// start it, take the next — so this worker takes a task only when its event loop is free (its
// goroutines parked or done), and tasks wait in the shared queue for whichever worker is free.
// A goroutine that runs code for long after an await, while this loop is parked on the queue,
// can still hold up the one task handed to this worker meanwhile (JavaScript cannot preempt it).
//
// Node hands it the pool's handles in workerData; a Web Worker gets them as its first message.
// Either way the worker's baton attaches the run queue first, so that in a browser its memory is
// the pool's. Panics of the goroutines it runs, and of the goroutines they start, go back to the
// pool on the events channel, and so do its answers to the pool's questions (pool.goroutines(),
// pool.startTrace(), pool.stopTrace()), asked on its control channel and answered by a loop that
// is not a goroutine, so that it is not listed or traced as one.

import { attach, go, goroutines, numGoroutine, setPanicHandler, sleep, startTrace, stopTrace } from "./index.js";
import { runtime } from "./runtime.js";
import type { Chan } from "./chan.js";
import { threadContext, workerThreads } from "./loader.js";
import { macrotask } from "./macrotask.js";
import { EV_HELLO, EV_DONE, EV_PANIC, EV_BYE, EV_ANSWER, EV_PART, ASK_GOROUTINES, ASK_TRACE_START, ASK_TRACE_STOP, TRACE_PART, takeRegistered } from "./workers.js";
import type { PoolInit } from "./workers.js";

// This worker's baton is the realm's runtime: a task module's own copy of baton joins it.
runtime();

/** This worker's index in the pool (main() sets it). */
let index = -1;

/** Modules already imported, by URL: a task of a known module starts without an import(). */
const modules = new Map<string, Record<string, unknown>>();

function errorInfo(e: unknown): { name?: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { message: String(e) };
}

/** Task runners by export name: a task's goroutine is named after its export (goroutines()). */
const runners = new Map<string, typeof run>();
function runnerOf(name: string): typeof run {
  let r = runners.get(name);
  if (r === undefined) {
    r = { [name]: (task: unknown[], events: Chan<unknown>, started: () => void) => run(task, events, started) }[name]!;
    runners.set(name, r);
  }
  return r;
}

/** Answers the pool's questions ([kind, id, argument]) until the pool closes the control
 *  channel: [EV_ANSWER, id, index, answer, error]. A trace's events go first, in parts of at most
 *  TRACE_PART ([EV_PART, id, index, events]), so that no message is too large for a shared
 *  channel. A daemon wait: it keeps nothing alive. */
async function answer(ctl: Chan<unknown>, events: Chan<unknown>, index: number): Promise<void> {
  for (;;) {
    const q = (await ctl.recvDaemon()) as [number, number, unknown] | undefined;
    if (q === undefined) return;
    const [kind, id, arg] = q;
    let reply: unknown = null;
    let error: ReturnType<typeof errorInfo> | null = null;
    try {
      if (kind === ASK_GOROUTINES) {
        reply = goroutines();
      } else if (kind === ASK_TRACE_START) {
        startTrace(arg as { maxEvents?: number } | undefined);
      } else if (kind === ASK_TRACE_STOP) {
        const data = stopTrace();
        const all = data.traceEvents;
        for (let i = 0; i < all.length; i += TRACE_PART) await events.send([EV_PART, id, index, all.slice(i, i + TRACE_PART)]);
        reply = { ...data, traceEvents: [] };
      }
    } catch (e) {
      error = errorInfo(e);
    }
    await events.send([EV_ANSWER, id, index, reply, error]);
  }
}

/** Runs a task; calls `started` once its function has been called (its synchronous part run) or
 *  it failed before that. */
async function run(task: unknown[], events: Chan<unknown>, started: () => void): Promise<void> {
  const id = task[0] as number;
  const href = task[1] as string;
  const name = task[2] as string;
  try {
    let mod = modules.get(href);
    if (mod === undefined) {
      takeRegistered(); // nothing left over from a module that failed to load
      const ns = (await import(/* @vite-ignore */ href)) as Record<string, unknown>;
      // What it registered (registerTasks), for a bundle that kept no exports; its exports win.
      const reg = takeRegistered();
      mod = reg === undefined ? ns : { ...reg, ...ns };
      modules.set(href, mod);
    }
    const fn = mod[name];
    if (typeof fn !== "function") throw new TypeError(`pool.go: ${href} has no exported function ${JSON.stringify(name)}`);
    const args = task[3] as unknown[];
    const p = fn(...args);
    started();
    await p;
  } catch (e) {
    started();
    await events.send([EV_PANIC, id, errorInfo(e), 0, name, name, index]);
    return;
  }
  await events.send([EV_DONE, id, index]);
}

async function main(init: PoolInit): Promise<void> {
  index = init.index;
  const runq = attach(init.runq);
  const events = attach(init.events);
  setPanicHandler((e, info) => {
    go(() => events.send([EV_PANIC, -1, errorInfo(e), info.id, info.createdAt, info.fn]));
  });
  await events.send([EV_HELLO, threadContext()]);
  answer(attach(init.ctl), events, index).catch(() => {}); // the events channel closed: terminated
  for (;;) {
    // Take a task only when this worker is free: a task found at once, else one waited for
    // after a macrotask, once the goroutines woken meanwhile have run (a receive parked while
    // they run would make the next task wait behind them while other workers are free).
    let r = runq.tryRecv();
    if (r === undefined) {
      await new Promise<void>((resolve) => macrotask(resolve));
      r = runq.tryRecv() ?? (await runq.recvOk());
    }
    if (!r[1]) break;
    const task = r[0] as unknown[];
    Atomics.add(init.taken, index, 1); // counted as soon as it is taken (the pool counts a dead worker's)
    // The task starts (its module loaded, its synchronous part run) before the next is taken.
    await new Promise<void>((started) => go(runnerOf(task[2] as string), task, events, started));
  }
  // The pool is closing: finish what this worker runs, then say goodbye.
  while (numGoroutine() > 0) await sleep(2);
  await events.send([EV_BYE, threadContext(), index]);
}

if (workerThreads !== undefined && !workerThreads.isMainThread) {
  void main((workerThreads as unknown as { workerData: PoolInit }).workerData);
} else {
  const self = globalThis as unknown as { addEventListener(t: string, fn: (e: { data: PoolInit }) => void, o?: object): void };
  self.addEventListener("message", (e) => void main(e.data), { once: true });
}
