// Threads: each instance of the core (one per thread) holds a thread context (layout.ts). A
// context is ALIVE from threadInit until some other thread, having seen this one end, calls
// threadDead for it: from then on its locks can be taken over (lock.ts), its waiters leave every
// shared queue, its hold on shared channels is released, and the values posted to its inbox and
// never taken are freed. What it had received is gone with it, as with any receiver that exits.

import {
  T_STATE, T_PARENT, T_OSID, T_PENDING, T_INBOX, T_WAKE, T_SLEEPING, T_CLEANUP, T_DEFERRED, TS_ALIVE,
  TS_DEAD, TS_FREE, T_POSTS,
  MAX_THREADS, HDR, H_NTHREADS, C_RECVQ_HEAD, C_SENDQ_HEAD, C_LIST_NEXT, C_HOLDERS, W_NEXT,
  W_THREAD, W_KIND, W_RESULT, W_VALUE, W_INBOX_NEXT, R_HANDOFF, E_BAD, ctx,
} from "./layout";
import { unlink, freeValue } from "./queue";
import { tryLockChan, unlockChan, lockList, unlockList } from "./lock";
import { freeOwnedBy } from "./alloc";
import { post } from "./inbox";
import { firstShared, held, unlinkShared, freeShared } from "./chan";

/** Marks thread context t alive, started by thread `parent` (-1: none known), with host id
 *  `osid`. Called by the facade once, right after threadNew. */
export function threadInit(t: u32, parent: i32, osid: i32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  const x = ctx(t);
  store<u32>(x, parent < 0 ? 0 : <u32>parent + 1, T_PARENT);
  store<i32>(x, osid, T_OSID);
  store<u32>(x, 0, T_INBOX);
  store<u32>(x, 0, T_PENDING);
  store<u32>(x, 0, T_CLEANUP);
  store<u32>(x, 0, T_SLEEPING);
  atomic.store<u32>(x + T_STATE, TS_ALIVE);
  return 0;
}

/** The thread context whose host id is `osid` and that is alive, searching from context `from`;
 *  -1 when there is none. The facade finds the contexts of a worker that ended with it. */
export function threadByOsid(osid: i32, from: u32): i32 {
  const n = <u32>atomic.load<i32>(HDR + H_NTHREADS);
  for (let t = from; t < n && t < MAX_THREADS; t++) {
    const x = ctx(t);
    if (atomic.load<u32>(x + T_STATE) == TS_ALIVE && load<i32>(x, T_OSID) == osid) return <i32>t;
  }
  return -1;
}

/** The thread contexts started by thread `parent` that are alive, from context `from`: the next
 *  one, or -1. A worker that ends takes the workers it started with it. */
export function threadChild(parent: u32, from: u32): i32 {
  const n = <u32>atomic.load<i32>(HDR + H_NTHREADS);
  for (let t = from; t < n && t < MAX_THREADS; t++) {
    const x = ctx(t);
    if (atomic.load<u32>(x + T_STATE) == TS_ALIVE && load<u32>(x, T_PARENT) == parent + 1) return <i32>t;
  }
  return -1;
}

/** 1 if thread context d is alive. */
export function threadAlive(d: u32): i32 {
  return d < MAX_THREADS && atomic.load<u32>(ctx(d) + T_STATE) == TS_ALIVE ? 1 : 0;
}

/** Thread t declares thread `dead` ended (it has stopped running: Node's worker 'exit'). Returns
 *  1 if it was alive (then call threadSweep until it returns 0), 0 if it was not, E_BAD. */
export function threadDead(t: u32, dead: u32): i32 {
  if (t >= MAX_THREADS || dead >= MAX_THREADS || dead == t) return E_BAD;
  const x = ctx(dead);
  if (atomic.cmpxchg<u32>(x + T_STATE, TS_ALIVE, TS_DEAD) != TS_ALIVE) return 0;
  return 1;
}

/** Cleans up after dead thread `dead`: its waiters leave every shared queue, its hold on every
 *  shared channel is released (a channel nobody holds any more is freed), the values posted to
 *  its inbox and never taken are freed, and then every record it owned. Returns 0 when done, 1
 *  if a channel's lock stayed taken (call again later: each step can be repeated), E_BAD. */
export function threadSweep(t: u32, dead: u32): i32 {
  if (t >= MAX_THREADS || dead >= MAX_THREADS || dead == t) return E_BAD;
  const x = ctx(dead);
  if (atomic.load<u32>(x + T_STATE) != TS_DEAD) return E_BAD;
  let unheld: u32 = 0;
  let busy = false;
  lockList(t);
  let c = firstShared();
  while (c != 0) {
    const next = load<u32>(c, C_LIST_NEXT);
    const p = c + C_HOLDERS + ((dead >>> 5) << 2);
    store<u32>(p, load<u32>(p) & ~(1 << (dead & 31)));
    if (!held(c)) {
      // Nobody can reach it any more: its waiters are dead threads' only.
      unlinkShared(c);
      store<u32>(c, unheld, C_LIST_NEXT);
      unheld = c;
    } else if (tryLockChan(t, c, false)) {
      purge(t, c, C_RECVQ_HEAD, dead);
      purge(t, c, C_SENDQ_HEAD, dead);
      unlockChan(c);
    } else {
      busy = true;
    }
    c = next;
  }
  unlockList();
  while (unheld != 0) {
    const next = load<u32>(unheld, C_LIST_NEXT);
    freeShared(t, unheld);
    unheld = next;
  }
  if (busy) return 1;
  // Completions it made under a lock but had not posted yet (it ended inside a call): post them.
  let w = load<u32>(x, T_POSTS);
  store<u32>(x, 0, T_POSTS);
  while (w != 0) {
    const next = load<u32>(w, W_INBOX_NEXT);
    post(load<u32>(w, W_THREAD), w, load<u32>(w, W_RESULT));
    w = next;
  }
  // Values handed to it that it never took, then everything it owned.
  dropInbox(t, atomic.xchg<u32>(x + T_INBOX, 0));
  dropInbox(t, load<u32>(x, T_PENDING));
  store<u32>(x, 0, T_PENDING);
  store<u32>(x, 0, T_DEFERRED);
  store<u32>(x, 0, T_CLEANUP);
  freeOwnedBy(t, dead);
  atomic.store<u32>(x + T_SLEEPING, 0);
  atomic.store<u32>(x + T_STATE, TS_FREE);
  return 0;
}

// Unlinks the waiters of thread `dead` from queue q of locked shared channel c, freeing the
// values of its senders. The records themselves are the dead thread's, freed with its memory.
function purge(t: u32, c: u32, q: u32, dead: u32): void {
  let w = load<u32>(c + q);
  while (w != 0) {
    const next = load<u32>(w, W_NEXT);
    if (load<u32>(w, W_THREAD) == dead) {
      unlink(c, q, w);
      if ((load<u32>(w, W_KIND) & 1) != 0) freeValue(t, w + W_VALUE);
    }
    w = next;
  }
}

function dropInbox(t: u32, w: u32): void {
  while (w != 0) {
    const next = load<u32>(w, W_INBOX_NEXT);
    if ((load<u32>(w, W_KIND) & 1) == 0 && load<u32>(w, W_RESULT) == R_HANDOFF) freeValue(t, w + W_VALUE);
    w = next;
  }
}
