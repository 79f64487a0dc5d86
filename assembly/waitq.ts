// Wait queues for sync primitives (Mutex, RWMutex, WaitGroup, Cond, Semaphore, Once): a FIFO of
// waiter records, the same records channels queue, each holding the facade's token for whoever
// waits and a 31-bit argument (a Semaphore's weight, an RWMutex waiter's kind). The primitive's
// own state (locked, reader count, counter) is kept by the facade for local primitives, so that an
// uncontended lock/unlock never calls the core; the core keeps who waits, and in what order.
//
// Invariants:
//  HEAD = 0 iff TAIL = 0 iff COUNT = 0.
//  Every waiter on the queue has W_CHAN = the queue and W_SEL = 0; W_KIND holds arg << 1.
//
// The WAITQ record's layout is drawn in layout.ts.

import {
  MAX_THREADS, W_NEXT, W_SLOT, W_KIND, MAGIC_WAITQ, WAITQ_CLASS, Q_MAGIC, Q_HEAD,
  Q_TAIL, Q_COUNT,
} from "./layout";
import { alloc, free, inHeap } from "./alloc";
import { newWaiter, enqueue, unlink, freeWaiter } from "./queue";

// @ts-ignore: decorator
@inline function validQueue(q: u32): bool {
  return inHeap(q, 16) && load<u32>(q, Q_MAGIC) == MAGIC_WAITQ;
}

/** A new, empty wait queue for thread t: its address, or 0 when memory is exhausted. */
export function wqNew(t: u32): i32 {
  if (t >= MAX_THREADS) return 0;
  const q = alloc(t, WAITQ_CLASS);
  if (q == 0) return 0;
  store<u32>(q, MAGIC_WAITQ, Q_MAGIC);
  store<u32>(q, 0, Q_HEAD);
  store<u32>(q, 0, Q_TAIL);
  store<u32>(q, 0, Q_COUNT);
  return <i32>q;
}

/** Frees queue q and any waiters still on it (they can never be woken). 0, or -1 if q is bad. */
export function wqFree(t: u32, q: u32): i32 {
  if (t >= MAX_THREADS || !validQueue(q)) return -1;
  let w = load<u32>(q, Q_HEAD);
  while (w != 0) {
    const next = load<u32>(w, W_NEXT);
    freeWaiter(t, w);
    w = next;
  }
  free(t, q, WAITQ_CLASS);
  return 0;
}

/** Appends a waiter for `token` with argument `arg` (0 ≤ arg < 2^31) to queue q.
 *  Returns 0, -1 for a bad queue or argument, -2 when memory is exhausted. */
export function wqPark(t: u32, q: u32, token: u32, arg: i32): i32 {
  if (t >= MAX_THREADS || !validQueue(q) || arg < 0) return -1;
  const w = newWaiter(t, q, token, <u32>arg << 1, 0, false);
  if (w == 0) return -2;
  enqueue(q, Q_HEAD, w);
  store<u32>(q, load<u32>(q, Q_COUNT) + 1, Q_COUNT);
  return 0;
}

/** The token of the first waiter of q, or -1 if q is empty or bad. */
export function wqPeek(q: u32): i32 {
  if (!validQueue(q)) return -1;
  const w = load<u32>(q, Q_HEAD);
  return w == 0 ? -1 : load<i32>(w, W_SLOT);
}

/** The argument of the first waiter of q, or -1 if q is empty or bad. */
export function wqPeekArg(q: u32): i32 {
  if (!validQueue(q)) return -1;
  const w = load<u32>(q, Q_HEAD);
  return w == 0 ? -1 : <i32>(load<u32>(w, W_KIND) >>> 1);
}

/** Removes the first waiter of q and returns its token, or -1 if q is empty or bad. */
export function wqTake(t: u32, q: u32): i32 {
  if (t >= MAX_THREADS || !validQueue(q)) return -1;
  const w = load<u32>(q, Q_HEAD);
  if (w == 0) return -1;
  const token = load<i32>(w, W_SLOT);
  unlinkQ(q, w);
  freeWaiter(t, w);
  return token;
}

/** Removes the waiter holding `token` from q (a wait given up, e.g. its context ended).
 *  Returns 1 if it was there, 0 if not, -1 if q is bad. */
export function wqCancel(t: u32, q: u32, token: u32): i32 {
  if (t >= MAX_THREADS || !validQueue(q)) return -1;
  let w = load<u32>(q, Q_HEAD);
  while (w != 0) {
    if (load<u32>(w, W_SLOT) == token) {
      unlinkQ(q, w);
      freeWaiter(t, w);
      return 1;
    }
    w = load<u32>(w, W_NEXT);
  }
  return 0;
}

/** Waiters on q, or -1 if q is bad. */
export function wqLen(q: u32): i32 {
  return validQueue(q) ? load<i32>(q, Q_COUNT) : -1;
}

function unlinkQ(q: u32, w: u32): void {
  unlink(q, Q_HEAD, w);
  store<u32>(q, load<u32>(q, Q_COUNT) - 1, Q_COUNT);
}
