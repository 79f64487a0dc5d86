// Spin locks of shared records: a shared channel's LOCK word and the list lock of shared channels
// (H_LIST_LOCK). A lock word holds its holder's thread context + 1, and 0 when free. Critical
// sections are a few hundred nanoseconds of loads and stores, so waiting is spinning: a thread
// never blocks on a lock (a browser's main thread may not block at all).
//
// Robust, after POSIX's robust mutexes (EOWNERDEAD): a thread can be terminated at any moment,
// inside a critical section too. A locker that has spun a while looks at the holder's thread
// state; once that thread has been declared dead (threadDead, by the thread that saw it end), it
// takes the lock over with a CAS on the same word and repairs what a half-done section can leave:
//  - queues: every store keeps the forward chain (head, W_NEXT) a list, so repair rebuilds
//    W_PREV and the tail from it (queue.ts);
//  - a shared channel's ring publishes each send and receive with one store (chan.ts);
//  - the list of shared channels is a forward chain too.
// The dead thread's waiters are then removed by its cleanup (thread.ts), which takes each lock.

import {
  C_LOCK, C_RECVQ_HEAD, C_SENDQ_HEAD, C_LIST_NEXT, C_LIST_PREV, W_NEXT, W_PREV, HDR, H_LIST_LOCK,
  H_LIST_HEAD, MAX_THREADS, T_STATE, TS_ALIVE, ctx,
} from "./layout";

/** Spins between two looks at the holder's state. */
// @ts-ignore: decorator
@inline const SPINS_PER_CHECK: u32 = 1024;
/** Looks at the holder's state before tryLockChan gives up: some tens of microseconds for an
 *  operation that can try again later, about a millisecond for one that never waits (it has no
 *  later: it must answer now, and a holder preempted by the OS is the usual cause). */
// @ts-ignore: decorator
@inline const CHECKS: u32 = 16;
// @ts-ignore: decorator
@inline const CHECKS_NOW: u32 = 512;

// Takes the lock word at p for thread t, giving up after `checks` looks at the holder (0: never
// gives up). Returns 0 if taken, 1 if taken over from a dead thread (the caller repairs what it
// guards), 2 if it gave up.
//
// Why give up: a thread that was terminated inside a critical section is declared dead by the
// thread that sees it end, from that thread's event loop (thread.ts) — which may be this very
// thread, spinning here. So channel operations spin a bounded while and then report R_BUSY: the
// facade retries after a macrotask (when the event loop has run) or, for a call that never
// waits, answers "would block".
// @ts-ignore: decorator
@inline function acquire(t: u32, p: u32, checks: u32): u32 {
  const me = t + 1;
  let spins: u32 = 0;
  let looks: u32 = 0;
  while (true) {
    const h = atomic.cmpxchg<u32>(p, 0, me);
    if (h == 0) return 0;
    if (++spins >= SPINS_PER_CHECK) {
      spins = 0;
      const holder = h - 1;
      if (holder < MAX_THREADS && atomic.load<u32>(ctx(holder) + T_STATE) != TS_ALIVE) {
        if (atomic.cmpxchg<u32>(p, h, me) == h) return 1;
      }
      if (checks != 0 && ++looks >= checks) return 2;
    }
  }
  return 0; // not reached
}

/** Locks shared channel c for thread t (repairing it if its holder died), or gives up after a
 *  while: false if it did. */
export function tryLockChan(t: u32, c: u32, now: bool): bool {
  const r = acquire(t, c + C_LOCK, now ? CHECKS_NOW : CHECKS);
  if (r == 1) {
    repairQueue(c, C_RECVQ_HEAD);
    repairQueue(c, C_SENDQ_HEAD);
  }
  return r != 2;
}

/** Locks shared channel c for thread t, waiting as long as it takes (diagnostics only). */
export function lockChan(t: u32, c: u32): void {
  if (acquire(t, c + C_LOCK, 0) == 1) {
    repairQueue(c, C_RECVQ_HEAD);
    repairQueue(c, C_SENDQ_HEAD);
  }
}

/** Unlocks shared channel c. */
// @ts-ignore: decorator
@inline export function unlockChan(c: u32): void {
  atomic.store<u32>(c + C_LOCK, 0);
}

/** Locks the list of shared channels for thread t. */
export function lockList(t: u32): void {
  if (acquire(t, HDR + H_LIST_LOCK, 0) == 1) repairList();
}

/** Unlocks the list of shared channels. */
// @ts-ignore: decorator
@inline export function unlockList(): void {
  atomic.store<u32>(HDR + H_LIST_LOCK, 0);
}

// Rebuilds W_PREV and the tail of the queue at c + q from its forward chain.
function repairQueue(c: u32, q: u32): void {
  let prev: u32 = 0;
  let w = load<u32>(c + q);
  while (w != 0) {
    store<u32>(w, prev, W_PREV);
    prev = w;
    w = load<u32>(w, W_NEXT);
  }
  store<u32>(c + q + 4, prev);
}

// Rebuilds C_LIST_PREV of the list of shared channels from its forward chain.
function repairList(): void {
  let prev: u32 = 0;
  let c = load<u32>(HDR + H_LIST_HEAD);
  while (c != 0) {
    store<u32>(c, prev, C_LIST_PREV);
    prev = c;
    c = load<u32>(c, C_LIST_NEXT);
  }
}
