// Goroutines and the run queue. A goroutine is a G record holding the facade's slot for its
// function and arguments. go() makes one and appends it to the creating thread's run queue; the
// facade drains the queue in FIFO order (runqGet) after the caller's synchronous code, and frees
// the record when the goroutine returns (goExit). Only the owning thread touches its queue.
//
// Invariants:
//  RUNQ_HEAD = 0 iff RUNQ_TAIL = 0; every G on the queue has STATE 0 (runnable).
//  LIVE_G counts G records between goNew and goExit.

import {
  MAX_THREADS, T_RUNQ_HEAD, T_RUNQ_TAIL, T_LIVE_G, MAGIC_G, G_CLASS, G_MAGIC, G_SLOT,
  G_NEXT, G_STATE, ctx,
} from "./layout";
import { alloc, free, inHeap } from "./alloc";

/** Creates goroutine record for `slot` on thread t's run queue. Returns its address, 0 when memory
 *  is exhausted or t is bad. */
export function goNew(t: u32, slot: u32): i32 {
  if (t >= MAX_THREADS) return 0;
  const x = ctx(t);
  const g = alloc(t, G_CLASS);
  if (g == 0) return 0;
  store<u32>(g, MAGIC_G, G_MAGIC);
  store<u32>(g, slot, G_SLOT);
  store<u32>(g, 0, G_NEXT);
  store<u32>(g, 0, G_STATE);
  const tail = load<u32>(x, T_RUNQ_TAIL);
  if (tail == 0) store<u32>(x, g, T_RUNQ_HEAD);
  else store<u32>(tail, g, G_NEXT);
  store<u32>(x, g, T_RUNQ_TAIL);
  store<u32>(x, load<u32>(x, T_LIVE_G) + 1, T_LIVE_G);
  return <i32>g;
}

/** Takes the next runnable goroutine off thread t's run queue, marks it running and returns its
 *  slot, or -1 if the queue is empty. */
export function runqGet(t: u32): i32 {
  if (t >= MAX_THREADS) return -1;
  const x = ctx(t);
  const g = load<u32>(x, T_RUNQ_HEAD);
  if (g == 0) return -1;
  const next = load<u32>(g, G_NEXT);
  store<u32>(x, next, T_RUNQ_HEAD);
  if (next == 0) store<u32>(x, 0, T_RUNQ_TAIL);
  store<u32>(g, 1, G_STATE);
  return load<i32>(g, G_SLOT);
}

/** Frees goroutine g, which has returned. Returns 0, or -1 for a bad handle or a G still queued. */
export function goExit(t: u32, g: u32): i32 {
  if (t >= MAX_THREADS || !inHeap(g, 16) || load<u32>(g, G_MAGIC) != MAGIC_G) return -1;
  if (load<u32>(g, G_STATE) != 1) return -1;
  free(t, g, G_CLASS);
  const x = ctx(t);
  store<u32>(x, load<u32>(x, T_LIVE_G) - 1, T_LIVE_G);
  return 0;
}

/** Goroutines of thread t created and not yet exited. */
export function liveGoroutines(t: u32): i32 {
  return t < MAX_THREADS ? load<i32>(ctx(t), T_LIVE_G) : -1;
}
