// The run queue: goroutines made ready to start, in FIFO order. A goroutine's function, arguments
// and creation site stay in JS; the queue hands out its tokens. Tokens are consecutive, 0, 1, 2, ...
// in the order goroutines were made, and counted from 0 again once the queue has drained, so the
// queue is two counters in the thread's context and the facade keeps each goroutine at its
// token's index in an array (go.ts, `starting`): making a goroutine allocates nothing in the core.
// Only the owning thread touches its queue.
//
// Invariants:
//  RUNQ_HEAD <= RUNQ_TAIL <= MAX_RUNQ; the queued tokens are RUNQ_HEAD .. RUNQ_TAIL - 1; both are
//  0 whenever the queue has been drained (runqGet answered -1).

import { MAX_THREADS, T_RUNQ_HEAD, T_RUNQ_TAIL, ctx } from "./layout";

/** Goroutines that may wait to start at once (tokens travel as non-negative i32). */
// @ts-ignore: decorator
@inline const MAX_RUNQ: u32 = 1 << 30;

/** Appends a goroutine to thread t's run queue and returns its token, or -1 when t is bad or the
 *  queue is full. */
export function goNew(t: u32): i32 {
  if (t >= MAX_THREADS) return -1;
  const x = ctx(t);
  const tail = load<u32>(x, T_RUNQ_TAIL);
  if (tail >= MAX_RUNQ) return -1;
  store<u32>(x, tail + 1, T_RUNQ_TAIL);
  return <i32>tail;
}

/** Takes the next goroutine off thread t's run queue and returns its token, or -1 if the queue is
 *  empty (its counters then start again from 0). */
export function runqGet(t: u32): i32 {
  if (t >= MAX_THREADS) return -1;
  const x = ctx(t);
  const head = load<u32>(x, T_RUNQ_HEAD);
  if (head == load<u32>(x, T_RUNQ_TAIL)) {
    store<u32>(x, 0, T_RUNQ_HEAD);
    store<u32>(x, 0, T_RUNQ_TAIL);
    return -1;
  }
  store<u32>(x, head + 1, T_RUNQ_HEAD);
  return <i32>head;
}
