// Inboxes: how a thread learns that another thread completed one of its parked operations.
//
// A thread that completes a waiter of another thread (it handed it a value, took its value, or
// closed its channel) writes the outcome into the waiter (W_RESULT, and W_VALUE for a receive),
// pushes it on the owner's INBOX (a lock-free LIFO stack: a CAS on the head word), bumps the
// owner's WAKE word and, only when the owner said it is asleep (SLEEPING), notifies WAKE. The
// owner waits on WAKE with Atomics.waitAsync (never a blocking wait on an event loop) and drains
// its inbox with inboxNext: the whole stack is taken with one exchange and reversed into PENDING,
// so completions are handled in the order they were posted.
//
// Ordering (every access below is sequentially consistent): the owner reads WAKE, drains, sets
// SLEEPING, reads WAKE again and waits only on the value it first read; a poster pushes, bumps
// WAKE, then reads SLEEPING. Either the poster sees SLEEPING and notifies, or the owner's second
// read sees the bump and does not sleep: no wake-up is lost.

import {
  T_INBOX, T_WAKE, T_SLEEPING, T_PENDING, T_STAGE_OUT, W_INBOX_NEXT, W_RESULT, W_SEL, W_SLOT, W_KIND,
  W_VALUE, T_FIRED, MAX_THREADS, R_HANDOFF, E_BAD, result, ctx,
} from "./layout";
import { freeWaiter, copyValue } from "./queue";
import { selCleanup } from "./select";

/** Posts completed waiter w (of thread `owner`) with result `code` to owner's inbox. */
export function post(owner: u32, w: u32, code: u32): void {
  store<u32>(w, code, W_RESULT);
  const x = ctx(owner);
  while (true) {
    const head = atomic.load<u32>(x + T_INBOX);
    store<u32>(w, head, W_INBOX_NEXT);
    if (atomic.cmpxchg<u32>(x + T_INBOX, head, w) == head) break;
  }
  atomic.add<u32>(x + T_WAKE, 1);
  if (atomic.load<u32>(x + T_SLEEPING) != 0) atomic.notify(x + T_WAKE, 1);
}

/** Takes the next completion of thread t's: returns result(code, slot) — code R_HANDOFF (done;
 *  for a receive, the value is in STAGE_OUT) or R_CLOSED — with a select's fired case in FIRED;
 *  or -1 when there is none. The waiter (and its select) are freed here. */
export function inboxNext(t: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  const x = ctx(t);
  let w = load<u32>(x, T_PENDING);
  if (w == 0) {
    let top = atomic.xchg<u32>(x + T_INBOX, 0);
    if (top == 0) return -1;
    // Reverse the stack: oldest first.
    let list: u32 = 0;
    while (top != 0) {
      const next = load<u32>(top, W_INBOX_NEXT);
      store<u32>(top, list, W_INBOX_NEXT);
      list = top;
      top = next;
    }
    w = list;
  }
  store<u32>(x, load<u32>(w, W_INBOX_NEXT), T_PENDING);
  const code = load<u32>(w, W_RESULT);
  const slot = load<u32>(w, W_SLOT);
  const kind = load<u32>(w, W_KIND);
  if ((kind & 1) == 0 && code == R_HANDOFF) copyValue(x + T_STAGE_OUT, w + W_VALUE);
  const s = load<u32>(w, W_SEL);
  if (s != 0) {
    store<u32>(x, kind >>> 1, T_FIRED);
    selCleanup(t, s);
  } else {
    freeWaiter(t, w);
  }
  return result(code, slot);
}
