// Threads that end. A thread's context in the core stays alive until another thread declares it
// dead (assembly/thread.ts, threadDead): then its locks can be taken over, its waiters leave
// every shared queue, its hold on shared channels is released and what was posted to it is
// freed. Someone must see it end:
//  - Node: every thread running baton watches the workers it starts (process 'worker' event) and,
//    at a worker's 'exit' (the thread has stopped by then, however it ended), declares its
//    contexts dead, and those of the workers that worker started (Node ends them with it);
//  - a pool (workers.ts) declares its own workers dead when it terminates them, in any host.
// A Web Worker that a page starts and terminates by itself is not seen: its waiters stay parked
// and its holds stay (README: what a terminated thread can and cannot lose).

import { core, T, nodeProcess, ensureCore, memoryFixedAtLoad } from "./core.js";
import { recheckKeepAlive } from "./inbox.js";
import { macrotask } from "./macrotask.js";

/** Declares thread context t dead, and the live contexts of the threads it started. */
function declareDead(t: number): void {
  if (core.threadDead(T, t) !== 1) return;
  sweep(t);
  for (let c = core.threadChild(t, 0); c >= 0; c = core.threadChild(t, c + 1)) declareDead(c);
}

// Cleans up after dead context t; where a lock stayed taken (held by another thread that ended
// and is not yet declared dead, or a slow one), again after a macrotask.
function sweep(t: number): void {
  if (core.threadSweep(T, t) === 1) macrotask(() => sweep(t));
}

/** Declares dead every live context of the thread whose host id is `osid` (Node's threadId). */
export function threadEnded(osid: number): void {
  if (core === undefined) {
    // A worker that shared this thread's memory (fixed at load) may have ended while this thread
    // had not used baton yet: its contexts must be declared dead all the same.
    if (!memoryFixedAtLoad()) return;
    ensureCore();
  }
  for (let t = core.threadByOsid(osid, 0); t >= 0; t = core.threadByOsid(osid, t + 1)) {
    if (t !== T) declareDead(t);
  }
  recheckKeepAlive();
}

/** Declares thread context t dead (a pool's worker it terminated). */
export function contextEnded(t: number): void {
  if (core === undefined || t === T || t < 0) return;
  declareDead(t);
  recheckKeepAlive();
}

interface NodeWorker {
  threadId: number;
  once(event: "exit", fn: () => void): unknown;
}

/** Workers this thread started that have not ended (Node): a handle posted to one of them may
 *  still be attached there (inbox.ts keeps the process alive for waits on such channels). */
export let liveChildren = 0;

nodeProcess?.on("worker", (w: NodeWorker) => {
  const id = w.threadId; // -1 once the worker has stopped: read it now
  liveChildren++;
  w.once("exit", () => {
    liveChildren--;
    threadEnded(id);
  });
});
