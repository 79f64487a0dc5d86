// The run queue: goroutines made ready to start, in FIFO order. go() makes a G record holding
// the facade's token for the goroutine (its function, arguments and creation site stay in JS) and
// appends it to the creating thread's queue; the facade drains the queue after the caller's
// synchronous code (runqGet), which frees each record as it hands the token back. Only the
// owning thread touches its queue.
//
// Invariants:
//  RUNQ_HEAD = 0 iff RUNQ_TAIL = 0; every G record on the queue is reachable from RUNQ_HEAD.

import {
  MAX_THREADS, T_RUNQ_HEAD, T_RUNQ_TAIL, MAGIC_G, G_CLASS, G_MAGIC, G_SLOT, G_NEXT, ctx,
} from "./layout";
import { alloc, free } from "./alloc";

/** Appends a goroutine with token `slot` to thread t's run queue. Returns 1, or 0 when memory is
 *  exhausted or t is bad. */
export function goNew(t: u32, slot: u32): i32 {
  if (t >= MAX_THREADS) return 0;
  const x = ctx(t);
  const g = alloc(t, G_CLASS);
  if (g == 0) return 0;
  store<u32>(g, MAGIC_G, G_MAGIC);
  store<u32>(g, slot, G_SLOT);
  store<u32>(g, 0, G_NEXT);
  const tail = load<u32>(x, T_RUNQ_TAIL);
  if (tail == 0) store<u32>(x, g, T_RUNQ_HEAD);
  else store<u32>(tail, g, G_NEXT);
  store<u32>(x, g, T_RUNQ_TAIL);
  return 1;
}

/** Takes the next goroutine off thread t's run queue, frees its record and returns its token, or
 *  -1 if the queue is empty. */
export function runqGet(t: u32): i32 {
  if (t >= MAX_THREADS) return -1;
  const x = ctx(t);
  const g = load<u32>(x, T_RUNQ_HEAD);
  if (g == 0) return -1;
  const next = load<u32>(g, G_NEXT);
  store<u32>(x, next, T_RUNQ_HEAD);
  if (next == 0) store<u32>(x, 0, T_RUNQ_TAIL);
  const token = load<i32>(g, G_SLOT);
  free(t, g, G_CLASS);
  return token;
}
