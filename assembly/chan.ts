// Channels: bookkeeping for the ring buffer, the send and receive wait queues, and close, after
// Go's runtime/chan.go (chansend, chanrecv, closechan). Two kinds share the record and the queue
// code (queue.ts):
//
//  - A LOCAL channel is used by the thread that made it, and only by it: no lock, no atomics.
//    Its values never enter this memory: the core hands the facade ring positions and peers'
//    slots, and the facade moves the JS values.
//  - A SHARED channel (F_SHARED) may be used by any thread of the memory. Every field is read and
//    written under its LOCK (lock.ts). Its values are value slots (layout.ts, VALUE) in a ring in
//    this memory: a send copies the thread's STAGE_IN slot into the ring or into a parked
//    receiver's waiter, a receive copies a slot out to the thread's STAGE_OUT. A parked operation
//    of another thread is completed by posting its waiter to that thread's INBOX (inbox.ts).
//    Ring positions HEAD and TAIL run over [0, 2·CAP), so that the count is derived, never
//    stored: each send or receive publishes with one store, and a thread that dies between two
//    stores leaves the ring consistent (see lock.ts on dead owners).
//
// Invariants (between calls):
//  At least one of a channel's recvq and sendq is empty, except when one parked select waits to
//  both send on and receive from the same unbuffered channel (as in Go).
//  count > 0 implies recvq holds no live waiter; count < CAP implies sendq holds none.
//  A closed channel has an empty sendq, and its recvq is empty once count = 0 (close wakes all).
//  A waiter is in a queue iff its QUEUED word is 1. A queued waiter of a select whose DONE is 1
//  is stale: dequeue skips it, and its own thread frees it (selCleanup).

import {
  C_MAGIC, C_FLAGS, C_CAP, C_COUNT, C_HEAD, C_TAIL, C_RECVQ_HEAD, C_SENDQ_HEAD,
  C_LOCK, C_OWNER, C_GEN, C_BUF, C_SELF, C_LIST_NEXT, C_LIST_PREV, C_HOLDERS, C_PINS,
  MAGIC_CHAN, CHAN_CLASS, SHARED_CHAN_CLASS, F_CLOSED, F_SHARED, MAX_CAP, MAX_THREADS,
  W_NEXT, W_SEL, W_SLOT, W_KIND, W_THREAD, W_QUEUED, W_VALUE, W_SEL_NEXT,
  S_FIRST, S_DONE, S_FIRED, S_SHARED, S_NEXT, SELECT_CLASS,
  T_FIRED, T_LAST_POS, T_NCHANS, T_CLEANUP, T_POSTS, W_RESULT, W_INBOX_NEXT, T_STAGE_IN, T_STAGE_OUT, T_STATE, TS_ALIVE,
  HDR, H_GEN, H_LIST_LOCK, H_LIST_HEAD, VALUE_SIZE, OWNER_SHARED,
  R_BUFFERED, R_HANDOFF, R_BLOCKED, R_WOULD_BLOCK, R_CLOSED, R_BAD, R_BUFFERED_SENDER, R_NOMEM,
  R_DONE, R_BUSY, E_BAD, E_RANGE, E_NOMEM, result, ctx,
} from "./layout";
import { alloc, free, inHeap } from "./alloc";
import { allocRecord, freeRecord } from "./records";
import { enqueue, unlink, newWaiter, freeWaiter, copyValue, freeValue } from "./queue";
import { lockChan, tryLockChan, unlockChan, lockList, unlockList } from "./lock";
import { post } from "./inbox";
import { selCleanup } from "./select";

/** Bytes of a shared channel record. */
// @ts-ignore: decorator
@inline const SHARED_CHAN_SIZE: u32 = 16 << SHARED_CHAN_CLASS;

// @ts-ignore: decorator
@inline export function validChan(c: u32): bool {
  return inHeap(c, 64) && load<u32>(c, C_MAGIC) == MAGIC_CHAN;
}

// @ts-ignore: decorator
@inline export function isShared(c: u32): bool {
  return (load<u32>(c, C_FLAGS) & F_SHARED) != 0;
}

/** A live shared channel: a channel record that says it is shared and names itself. */
// @ts-ignore: decorator
@inline export function validShared(c: u32): bool {
  return inHeap(c, 128) && load<u32>(c, C_MAGIC) == MAGIC_CHAN && isShared(c) && load<u32>(c, C_SELF) == c;
}

/** Creates a local channel of capacity `cap` for thread t. Returns its address, or E_BAD (bad
 *  thread), E_RANGE (capacity out of range), E_NOMEM. */
export function chanNew(t: u32, cap: i32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  if (cap < 0 || <u32>cap > MAX_CAP) return E_RANGE;
  const c = alloc(t, CHAN_CLASS);
  if (c == 0) return E_NOMEM;
  memory.fill(c, 0, 64);
  store<u32>(c, MAGIC_CHAN, C_MAGIC);
  store<u32>(c, <u32>cap, C_CAP);
  store<u32>(c, t, C_OWNER);
  const x = ctx(t);
  store<u32>(x, load<u32>(x, T_NCHANS) + 1, T_NCHANS);
  return <i32>c;
}

/** Frees local channel c (the facade calls it once the channel is unreachable, after
 *  chanDropNext has returned -1). Waiters still parked on it are dropped with it. Returns 0, or
 *  E_BAD. */
export function chanFree(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c) || isShared(c)) return E_BAD;
  while (dropNext(t, c) >= 0) {}
  free(t, c, CHAN_CLASS);
  const x = ctx(t);
  store<u32>(x, load<u32>(x, T_NCHANS) - 1, T_NCHANS);
  return 0;
}

/** Before chanFree: drops the next waiter parked on unreachable local channel c, which can never
 *  be woken, and returns the token of a wait that can now never complete, for the facade to let
 *  go of: a plain receive's or send's, or a select's that had no other channel left. A select that
 *  also waits elsewhere keeps its other waiters (and returns nothing here). -1 when no waiter is
 *  left (or c is not a live local channel). */
export function chanDropNext(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c) || isShared(c)) return -1;
  return dropNext(t, c);
}

function dropNext(t: u32, c: u32): i32 {
  while (true) {
    let q = C_RECVQ_HEAD;
    let w = load<u32>(c + q);
    if (w == 0) {
      q = C_SENDQ_HEAD;
      w = load<u32>(c + q);
      if (w == 0) return -1;
    }
    unlink(c, q, w);
    const s = load<u32>(w, W_SEL);
    const slot = load<u32>(w, W_SLOT);
    const orphan = s == 0 || unlinkFromSelect(t, s, w);
    freeWaiter(t, w);
    if (orphan) return <i32>slot;
  }
}

// Unlinks waiter w from its select's list. A select left with no waiter can never fire: it is
// freed (unless it has fired already: its own thread frees it then, possibly from its DEFERRED
// list), and true is returned.
function unlinkFromSelect(t: u32, s: u32, w: u32): bool {
  let p = s + S_FIRST;
  while (load<u32>(p) != 0) {
    const x = load<u32>(p);
    if (x == w) {
      store<u32>(p, load<u32>(w, W_SEL_NEXT));
      break;
    }
    p = x + W_SEL_NEXT;
  }
  if (load<u32>(s, S_FIRST) == 0 && load<u32>(s, S_DONE) == 0) {
    freeRecord(t, s, 16 << SELECT_CLASS);
    return true;
  }
  return false;
}

// ── taking a parked peer ────────────────────────────────────────────────────────────────────

/** Takes the first live waiter of queue q of channel c (locked, if shared) out of the queue and
 *  returns it, or 0 if there is none. A waiter of a select claims the select: for a select with
 *  shared cases by a CAS on its DONE word (a stale waiter, whose select another waker fired
 *  first, is skipped); a waiter of a thread that has died is skipped and its value freed. */
export function dequeue(t: u32, c: u32, q: u32, shared: bool): u32 {
  while (true) {
    const w = load<u32>(c + q);
    if (w == 0) return 0;
    unlink(c, q, w);
    const s = load<u32>(w, W_SEL);
    if (shared && load<u32>(ctx(load<u32>(w, W_THREAD)), T_STATE) != TS_ALIVE) {
      // Its thread ended: the thread's cleanup (threadDead) frees the record.
      if ((load<u32>(w, W_KIND) & 1) != 0) freeValue(t, w + W_VALUE);
      continue;
    }
    if (s != 0) {
      if (shared || load<u32>(s, S_SHARED) != 0) {
        if (atomic.cmpxchg<u32>(s + S_DONE, 0, 1) != 0) continue; // stale
      } else {
        store<u32>(s, 1, S_DONE);
      }
      store<u32>(s, w, S_FIRED);
    }
    return w;
  }
  return 0; // not reached
}

/** Completes waiter w, just dequeued by thread t, with `code` (R_HANDOFF: done; R_CLOSED).
 *  A waiter of t's own is handed back: the result is its slot (with its select's fired case in
 *  FIRED), and its record is freed (a select's records at once when `locked` is false, else
 *  once the call has unlocked: see finish). A waiter of another thread is posted to that
 *  thread's INBOX, and the result is R_DONE.
 *  Inlined, so that between dequeue's unlink and this, no call lets V8 stop a thread that is
 *  being terminated: a waiter of another thread is never left out of both its queue and a list
 *  that reaches its inbox (T_POSTS, which a dead thread's sweep posts). */
// @ts-ignore: decorator
@inline export function deliver(t: u32, w: u32, code: u32, locked: bool): i32 {
  const owner = load<u32>(w, W_THREAD);
  if (owner != t) {
    if (locked) {
      // Posted once the call has unlocked (finish): the woken thread then finds the lock free.
      const x = ctx(t);
      store<u32>(w, code, W_RESULT);
      store<u32>(w, load<u32>(x, T_POSTS), W_INBOX_NEXT);
      store<u32>(x, w, T_POSTS);
    } else {
      post(owner, w, code);
    }
    return result(R_DONE, 0);
  }
  const slot = load<u32>(w, W_SLOT);
  const s = load<u32>(w, W_SEL);
  if (s == 0) {
    freeWaiter(t, w);
  } else {
    store<u32>(ctx(t), load<u32>(w, W_KIND) >>> 1, T_FIRED);
    if (locked) {
      const x = ctx(t);
      store<u32>(s, load<u32>(x, T_CLEANUP), S_NEXT);
      store<u32>(x, s, T_CLEANUP);
    } else {
      selCleanup(t, s);
    }
  }
  return result(code, slot);
}

/** Posts the completions for other threads and tears down the selects of t's that fired during
 *  this call (deliver with `locked`): called by every export that locks a shared channel, after
 *  unlocking it. Completions are posted in the order they were made. */
// @ts-ignore: decorator
@inline export function finish(t: u32): void {
  const x = ctx(t);
  let w = load<u32>(x, T_POSTS);
  if (w != 0) {
    store<u32>(x, 0, T_POSTS);
    let list: u32 = 0; // reverse: oldest first
    while (w != 0) {
      const next = load<u32>(w, W_INBOX_NEXT);
      store<u32>(w, list, W_INBOX_NEXT);
      list = w;
      w = next;
    }
    while (list != 0) {
      const next = load<u32>(list, W_INBOX_NEXT);
      post(load<u32>(list, W_THREAD), list, load<u32>(list, W_RESULT));
      list = next;
    }
  }
  let s = load<u32>(x, T_CLEANUP);
  if (s == 0) return;
  store<u32>(x, 0, T_CLEANUP);
  while (s != 0) {
    const next = load<u32>(s, S_NEXT);
    selCleanup(t, s);
    s = next;
  }
}

// ── local channels: send and receive without parking (shared by chanSend, chanRecv, select) ──

/** One send attempt on live local channel c. Returns R_CLOSED (a panic), R_HANDOFF with the
 *  receiver's slot, R_BUFFERED with the ring position to write, or R_WOULD_BLOCK. */
export function trySend(t: u32, c: u32): i32 {
  const flags = load<u32>(c, C_FLAGS);
  if ((flags & F_CLOSED) != 0) return result(R_CLOSED, 0);
  if (load<u32>(c, C_RECVQ_HEAD) != 0) {
    const w = dequeue(t, c, C_RECVQ_HEAD, false);
    if (w != 0) return deliver(t, w, R_HANDOFF, false);
  }
  const cap = load<u32>(c, C_CAP);
  const count = load<u32>(c, C_COUNT);
  if (count < cap) {
    const pos = load<u32>(c, C_TAIL);
    const next = pos + 1;
    store<u32>(c, next == cap ? 0 : next, C_TAIL);
    store<u32>(c, count + 1, C_COUNT);
    return result(R_BUFFERED, pos);
  }
  return result(R_WOULD_BLOCK, 0);
}

/** One receive attempt on live local channel c. Returns R_HANDOFF with a parked sender's slot
 *  (unbuffered), R_BUFFERED_SENDER with a parked sender's slot (full buffer: read the value at
 *  LAST_POS, then store the sender's value there), R_BUFFERED with the ring position to read,
 *  R_CLOSED (closed and drained), or R_WOULD_BLOCK. */
export function tryRecv(t: u32, c: u32): i32 {
  const cap = load<u32>(c, C_CAP);
  if (load<u32>(c, C_SENDQ_HEAD) != 0) {
    const w = dequeue(t, c, C_SENDQ_HEAD, false);
    if (w != 0) {
      const r = deliver(t, w, R_HANDOFF, false);
      if (cap == 0) return r;
      // The buffer is full: take its head for the receiver; the sender's value goes to the same
      // position, which becomes the tail.
      const pos = load<u32>(c, C_HEAD);
      const next = pos + 1 == cap ? 0 : pos + 1;
      store<u32>(c, next, C_HEAD);
      store<u32>(c, next, C_TAIL);
      store<u32>(ctx(t), pos, T_LAST_POS);
      return (r & ~15) | R_BUFFERED_SENDER;
    }
  }
  const count = load<u32>(c, C_COUNT);
  if (count > 0) {
    const pos = load<u32>(c, C_HEAD);
    const next = pos + 1;
    store<u32>(c, next == cap ? 0 : next, C_HEAD);
    store<u32>(c, count - 1, C_COUNT);
    return result(R_BUFFERED, pos);
  }
  if ((load<u32>(c, C_FLAGS) & F_CLOSED) != 0) return result(R_CLOSED, 0);
  return result(R_WOULD_BLOCK, 0);
}

// ── shared channels: send and receive without parking (c locked) ─────────────────────────────

// @ts-ignore: decorator
@inline function ringCount(c: u32, cap: u32): u32 {
  const h = load<u32>(c, C_HEAD);
  const tl = load<u32>(c, C_TAIL);
  return tl >= h ? tl - h : tl + (cap << 1) - h;
}

// @ts-ignore: decorator
@inline function ringSlot(c: u32, cap: u32, pos: u32): u32 {
  return load<u32>(c, C_BUF) + (pos < cap ? pos : pos - cap) * VALUE_SIZE;
}

// @ts-ignore: decorator
@inline function ringNext(cap: u32, pos: u32): u32 {
  return pos + 1 == cap << 1 ? 0 : pos + 1;
}

/** One send attempt on locked shared channel c, of the value slot at `v`. Returns R_CLOSED,
 *  R_HANDOFF (a receiver of t's own: its slot; the value is in STAGE_OUT too), R_DONE, or
 *  R_WOULD_BLOCK. The value slot is consumed unless R_CLOSED or R_WOULD_BLOCK. */
export function trySendShared(t: u32, c: u32, v: u32): i32 {
  if ((load<u32>(c, C_FLAGS) & F_CLOSED) != 0) return result(R_CLOSED, 0);
  if (load<u32>(c, C_RECVQ_HEAD) != 0) {
    const w = dequeue(t, c, C_RECVQ_HEAD, true);
    if (w != 0) {
      if (load<u32>(w, W_THREAD) == t) copyValue(ctx(t) + T_STAGE_OUT, v);
      else copyValue(w + W_VALUE, v);
      return deliver(t, w, R_HANDOFF, true);
    }
  }
  const cap = load<u32>(c, C_CAP);
  if (ringCount(c, cap) < cap) {
    const pos = load<u32>(c, C_TAIL);
    copyValue(ringSlot(c, cap, pos), v);
    store<u32>(c, ringNext(cap, pos), C_TAIL); // publishes the value
    return result(R_DONE, 0);
  }
  return result(R_WOULD_BLOCK, 0);
}

/** One receive attempt on locked shared channel c: the value goes to t's STAGE_OUT. Returns
 *  R_DONE, R_HANDOFF (it also completed a parked sender of t's own: its slot), R_CLOSED (closed
 *  and drained; STAGE_OUT is left alone), or R_WOULD_BLOCK. */
export function tryRecvShared(t: u32, c: u32): i32 {
  const cap = load<u32>(c, C_CAP);
  const out = ctx(t) + T_STAGE_OUT;
  if (load<u32>(c, C_SENDQ_HEAD) != 0) {
    const w = dequeue(t, c, C_SENDQ_HEAD, true);
    if (w != 0) {
      if (cap == 0) {
        copyValue(out, w + W_VALUE);
      } else {
        // The buffer is full: the receiver takes its head, and the sender's value goes in at the
        // tail.
        const h = load<u32>(c, C_HEAD);
        copyValue(out, ringSlot(c, cap, h));
        store<u32>(c, ringNext(cap, h), C_HEAD);
        const tl = load<u32>(c, C_TAIL);
        copyValue(ringSlot(c, cap, tl), w + W_VALUE);
        store<u32>(c, ringNext(cap, tl), C_TAIL);
      }
      const r = deliver(t, w, R_HANDOFF, true);
      return (r & 15) == R_DONE ? result(R_DONE, 0) : r;
    }
  }
  if (ringCount(c, cap) > 0) {
    const h = load<u32>(c, C_HEAD);
    copyValue(out, ringSlot(c, cap, h));
    store<u32>(c, ringNext(cap, h), C_HEAD);
    return result(R_DONE, 0);
  }
  if ((load<u32>(c, C_FLAGS) & F_CLOSED) != 0) return result(R_CLOSED, 0);
  return result(R_WOULD_BLOCK, 0);
}

// ── the exported operations on local channels ───────────────────────────────────────────────

/** `ch <- v` on a local channel. With block = 0 it never parks (R_WOULD_BLOCK); with block = 1
 *  it parks the caller under `slot` when it must wait and returns R_BLOCKED. */
export function chanSend(t: u32, c: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return result(R_BAD, 0);
  const r = trySend(t, c);
  if ((r & 15) != R_WOULD_BLOCK || block == 0) return r;
  const w = newWaiter(t, c, slot, 1, 0, false);
  if (w == 0) return result(R_NOMEM, 0);
  enqueue(c, C_SENDQ_HEAD, w);
  return result(R_BLOCKED, 0);
}

/** `<-ch` on a local channel. With block = 0 it never parks (R_WOULD_BLOCK); with block = 1 it
 *  parks the caller under `slot` when it must wait and returns R_BLOCKED. */
export function chanRecv(t: u32, c: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return result(R_BAD, 0);
  const r = tryRecv(t, c);
  if ((r & 15) != R_WOULD_BLOCK || block == 0) return r;
  const w = newWaiter(t, c, slot, 0, 0, false);
  if (w == 0) return result(R_NOMEM, 0);
  enqueue(c, C_RECVQ_HEAD, w);
  return result(R_BLOCKED, 0);
}

// ── batches on local channels (sendMany, recvMany, tryRecvMany) ──────────────────────────────
// The ring part of a batch in one call: the facade moves the values between its JS array and
// the channel's `buf` at the positions given. Where a batch would have to take a parked peer (a
// receiver waiting on an empty channel, a sender waiting on a full one), these answer
// R_WOULD_BLOCK and the facade takes that one value with chanSend/chanRecv, as Go's loop would.

/** Reserves up to n buffer positions of live local channel c for values sent now: R_BUFFERED
 *  with the count reserved (≥ 1), their first ring position in T_LAST_POS (the rest follow it,
 *  wrapping at the capacity); R_CLOSED; or R_WOULD_BLOCK (the buffer is full, or receivers wait:
 *  the buffer is empty then, and each value goes to one of them). */
export function chanSendN(t: u32, c: u32, n: i32): i32 {
  if (t >= MAX_THREADS || !validChan(c) || isShared(c) || n <= 0) return result(R_BAD, 0);
  if ((load<u32>(c, C_FLAGS) & F_CLOSED) != 0) return result(R_CLOSED, 0);
  if (load<u32>(c, C_RECVQ_HEAD) != 0) return result(R_WOULD_BLOCK, 0);
  const cap = load<u32>(c, C_CAP);
  const count = load<u32>(c, C_COUNT);
  let k = cap - count;
  if (k == 0) return result(R_WOULD_BLOCK, 0);
  if (k > <u32>n) k = <u32>n;
  const pos = load<u32>(c, C_TAIL);
  let next = pos + k;
  if (next >= cap) next -= cap;
  store<u32>(c, next, C_TAIL);
  store<u32>(c, count + k, C_COUNT);
  store<u32>(ctx(t), pos, T_LAST_POS);
  return result(R_BUFFERED, k);
}

/** Takes up to n buffered values of live local channel c: R_BUFFERED with the count taken
 *  (≥ 1), the first one's ring position in T_LAST_POS (the rest follow it, wrapping); or
 *  R_WOULD_BLOCK (nothing buffered, or senders wait: the buffer is full then, and each value
 *  received lets one of them in). Closed and drained is for chanRecv to say. */
export function chanRecvN(t: u32, c: u32, n: i32): i32 {
  if (t >= MAX_THREADS || !validChan(c) || isShared(c) || n <= 0) return result(R_BAD, 0);
  if (load<u32>(c, C_SENDQ_HEAD) != 0) return result(R_WOULD_BLOCK, 0);
  const count = load<u32>(c, C_COUNT);
  if (count == 0) return result(R_WOULD_BLOCK, 0);
  const k = count < <u32>n ? count : <u32>n;
  const cap = load<u32>(c, C_CAP);
  const pos = load<u32>(c, C_HEAD);
  let next = pos + k;
  if (next >= cap) next -= cap;
  store<u32>(c, next, C_HEAD);
  store<u32>(c, count - k, C_COUNT);
  store<u32>(ctx(t), pos, T_LAST_POS);
  return result(R_BUFFERED, k);
}

/** `close(ch)`, local or shared. Returns 0, R_CLOSED if it was already closed (a panic), or
 *  R_BAD. The facade then calls chanCloseNext until it returns -1. A shared channel's flag is
 *  set with one atomic OR, without its lock, so that close never waits: from here every send
 *  fails, and the parked waiters are woken by chanCloseNext (under the lock). */
export function chanClose(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return R_BAD;
  let flags: u32;
  if (isShared(c)) {
    flags = atomic.or<u32>(c + C_FLAGS, F_CLOSED);
  } else {
    flags = load<u32>(c, C_FLAGS);
    store<u32>(c, flags | F_CLOSED, C_FLAGS);
  }
  return (flags & F_CLOSED) != 0 ? R_CLOSED : 0;
}

/** After chanClose: completes the next parked waiter of closed channel c, receivers first.
 *  Waiters of other threads are posted to their inboxes here; the next waiter of t's own is
 *  returned as (slot << 1) | isSend. -1 when none is left (or c is not a closed channel); -2
 *  when the shared channel's lock stayed taken (call again later). A parked sender's value is
 *  freed. */
export function chanCloseNext(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return -1;
  const shared = isShared(c);
  if (shared && !tryLockChan(t, c, false)) return -2;
  let r: i32 = -1;
  if ((load<u32>(c, C_FLAGS) & F_CLOSED) != 0) {
    while (true) {
      let isSend: u32 = 0;
      let w = dequeue(t, c, C_RECVQ_HEAD, shared);
      if (w == 0) {
        w = dequeue(t, c, C_SENDQ_HEAD, shared);
        if (w == 0) break;
        isSend = 1;
        if (shared) freeValue(t, w + W_VALUE);
      }
      const d = deliver(t, w, R_CLOSED, shared);
      if ((d & 15) != R_DONE) {
        r = <i32>((<u32>d >>> 4 << 1) | isSend);
        break;
      }
    }
  }
  if (shared) {
    unlockChan(c);
    finish(t);
  }
  return r;
}

/** Withdraws thread t's plain (not a select's) wait under `slot` on channel c, if it is still
 *  parked (an AbortSignal aborted it). Returns 1 if withdrawn (a shared send's value is freed),
 *  0 if it is not parked (it completed, or its completion is on its way to t's inbox), -2 if
 *  the shared channel's lock stayed taken (call again later), or E_BAD. */
export function chanCancel(t: u32, c: u32, slot: u32, isSend: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return E_BAD;
  const shared = isShared(c);
  if (shared && !tryLockChan(t, c, false)) return -2;
  const q = isSend != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD;
  let r: i32 = 0;
  let w = load<u32>(c + q);
  while (w != 0) {
    if (load<u32>(w, W_SLOT) == slot && load<u32>(w, W_THREAD) == t && load<u32>(w, W_SEL) == 0) {
      unlink(c, q, w);
      if (shared && isSend != 0) freeValue(t, w + W_VALUE);
      freeWaiter(t, w);
      r = 1;
      break;
    }
    w = load<u32>(w, W_NEXT);
  }
  if (shared) unlockChan(c);
  return r;
}

/** len(ch), or -1 for a bad handle. A shared channel's count is read without its lock: a value
 *  that other threads may change at any moment anyway. */
export function chanLen(c: u32): i32 {
  if (!validChan(c)) return -1;
  if (!isShared(c)) return load<i32>(c, C_COUNT);
  // Read without the lock: HEAD and TAIL may be from two moments; keep the answer in range.
  const cap = load<u32>(c, C_CAP);
  const n = ringCount(c, cap);
  return <i32>(n > cap ? cap : n);
}

/** Waiters parked on c: receivers if isSend = 0, senders if 1; -1 for a bad handle. For tests
 *  and diagnostics (it walks the queue; stale waiters of fired selects are counted too). */
export function chanWaiters(t: u32, c: u32, isSend: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return -1;
  const shared = isShared(c);
  if (shared) lockChan(t, c);
  let n: i32 = 0;
  let w = load<u32>(c + (isSend != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD));
  while (w != 0) {
    n++;
    w = load<u32>(w, W_NEXT);
  }
  if (shared) unlockChan(c);
  return n;
}

/** Live local channels created by thread t. */
export function liveChannels(t: u32): i32 {
  return t < MAX_THREADS ? load<i32>(ctx(t), T_NCHANS) : -1;
}

// ── shared channels: lifetime ───────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function holderWord(c: u32, t: u32): u32 {
  return c + C_HOLDERS + ((t >>> 5) << 2);
}

/** Creates a shared channel of capacity `cap`, held by thread t. Returns its address, or E_BAD,
 *  E_RANGE, E_NOMEM. Its generation is read with shGen. */
export function shNew(t: u32, cap: i32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  if (cap < 0 || <u32>cap > MAX_CAP) return E_RANGE;
  const c = allocRecord(t, SHARED_CHAN_SIZE, OWNER_SHARED);
  if (c == 0) return E_NOMEM;
  let buf: u32 = 0;
  if (cap > 0) {
    buf = allocRecord(t, <u32>cap * VALUE_SIZE, OWNER_SHARED);
    if (buf == 0) {
      freeRecord(t, c, SHARED_CHAN_SIZE);
      return E_NOMEM;
    }
  }
  memory.fill(c, 0, 128);
  store<u32>(c, <u32>cap, C_CAP);
  store<u32>(c, F_SHARED, C_FLAGS);
  store<u32>(c, t, C_OWNER);
  store<u32>(c, buf, C_BUF);
  store<u32>(c, c, C_SELF);
  store<u32>(c, <u32>atomic.add<i32>(HDR + H_GEN, 1) + 1, C_GEN);
  store<u32>(holderWord(c, t), 1 << (t & 31));
  lockList(t);
  const head = load<u32>(HDR + H_LIST_HEAD);
  store<u32>(c, head, C_LIST_NEXT);
  if (head != 0) store<u32>(head, c, C_LIST_PREV);
  store<u32>(HDR + H_LIST_HEAD, c);
  atomic.store<u32>(c + C_MAGIC, MAGIC_CHAN); // the channel is live from here
  unlockList();
  return <i32>c;
}

/** The generation of shared channel c (its identity with its address), or E_BAD. */
export function shGen(c: u32): i32 {
  return validShared(c) ? load<i32>(c, C_GEN) : E_BAD;
}

/** Thread t takes hold of shared channel c of generation `gen` (attach): 0, or E_BAD if c is not
 *  that live shared channel (stale, forged or freed). Checked under the list lock, which the
 *  channel cannot be freed without. */
export function shHold(t: u32, c: u32, gen: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  lockList(t);
  let r: i32 = E_BAD;
  if (validShared(c) && load<u32>(c, C_GEN) == gen) {
    const p = holderWord(c, t);
    store<u32>(p, load<u32>(p) | (1 << (t & 31)));
    r = 0;
  }
  unlockList();
  return r;
}

/** A copy of shared channel c of generation `gen` goes into a value in transit (it is sent
 *  inside a value): 0, or E_BAD. The channel outlives its holders until shUnpinHold. */
export function shPin(t: u32, c: u32, gen: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  lockList(t);
  let r: i32 = E_BAD;
  if (validShared(c) && load<u32>(c, C_GEN) == gen) {
    store<u32>(c, load<u32>(c, C_PINS) + 1, C_PINS);
    r = 0;
  }
  unlockList();
  return r;
}

/** Thread t takes hold of shared channel c of generation `gen` that arrived inside a value (a
 *  pinned copy): as shHold, and the pin is released. */
export function shHoldPinned(t: u32, c: u32, gen: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  lockList(t);
  let r: i32 = E_BAD;
  if (validShared(c) && load<u32>(c, C_GEN) == gen && load<u32>(c, C_PINS) > 0) {
    const p = holderWord(c, t);
    store<u32>(p, load<u32>(p) | (1 << (t & 31)));
    store<u32>(c, load<u32>(c, C_PINS) - 1, C_PINS);
    r = 0;
  }
  unlockList();
  return r;
}

/** Thread t lets go of shared channel c (its last JS object for it was collected). The channel
 *  is freed once no thread holds it. Returns 1 if freed, 0 if still held, E_BAD. */
export function shRelease(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  lockList(t);
  let r: i32 = E_BAD;
  if (validShared(c)) {
    const p = holderWord(c, t);
    store<u32>(p, load<u32>(p) & ~(1 << (t & 31)));
    r = 0;
    if (!held(c)) {
      unlinkShared(c);
      r = 1;
    }
  }
  unlockList();
  if (r == 1) freeShared(t, c);
  return r;
}

/** Whether any thread holds c, or a value in transit carries it (list lock held). */
function held(c: u32): bool {
  if (load<u32>(c, C_PINS) != 0) return true;
  for (let i: u32 = 0; i < 8; i++) if (load<u32>(c + C_HOLDERS + (i << 2)) != 0) return true;
  return false;
}

/** 1 if a thread other than t holds c, else 0 (E_BAD for a bad handle). Read without a lock. */
export function shHeldByOthers(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validShared(c)) return E_BAD;
  for (let i: u32 = 0; i < 8; i++) {
    let bits = atomic.load<u32>(c + C_HOLDERS + (i << 2));
    if (i == t >>> 5) bits &= ~(1 << (t & 31));
    if (bits != 0) return 1;
  }
  return 0;
}

// Removes c from the list of shared channels and kills its magic (list lock held).
function unlinkShared(c: u32): void {
  atomic.store<u32>(c + C_MAGIC, 0);
  const next = load<u32>(c, C_LIST_NEXT);
  const prev = load<u32>(c, C_LIST_PREV);
  if (prev == 0) store<u32>(HDR + H_LIST_HEAD, next);
  else store<u32>(prev, next, C_LIST_NEXT);
  if (next != 0) store<u32>(next, prev, C_LIST_PREV);
}

// Frees an unlinked shared channel: the values left in its ring and in parked senders' waiters
// (there are none but a dead thread's, whose waiters that thread's cleanup frees), then the ring
// and the record.
function freeShared(t: u32, c: u32): void {
  const cap = load<u32>(c, C_CAP);
  let h = load<u32>(c, C_HEAD);
  const tl = load<u32>(c, C_TAIL);
  while (h != tl) {
    freeValue(t, ringSlot(c, cap, h));
    h = ringNext(cap, h);
  }
  const buf = load<u32>(c, C_BUF);
  if (buf != 0) freeRecord(t, buf, cap * VALUE_SIZE);
  freeRecord(t, c, SHARED_CHAN_SIZE);
}

/** Shared send on c of the value in t's STAGE_IN. With block = 1 it parks under `slot` when it
 *  must wait (R_BLOCKED; the value goes with the waiter). Results as trySendShared, plus
 *  R_BLOCKED, R_BAD, R_NOMEM, R_BUSY (nothing done: see lock.ts). Unless the value was consumed (R_DONE, R_HANDOFF, R_BLOCKED), the
 *  caller still owns STAGE_IN's block. */
export function shSend(t: u32, c: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS || !validShared(c)) return result(R_BAD, 0);
  const v = ctx(t) + T_STAGE_IN;
  if (!tryLockChan(t, c, block == 0)) return result(R_BUSY, 0);
  let r = trySendShared(t, c, v);
  if ((r & 15) == R_WOULD_BLOCK && block != 0) {
    const w = newWaiter(t, c, slot, 1, 0, true);
    if (w == 0) {
      r = result(R_NOMEM, 0);
    } else {
      copyValue(w + W_VALUE, v);
      enqueue(c, C_SENDQ_HEAD, w);
      r = result(R_BLOCKED, 0);
    }
  }
  unlockChan(c);
  finish(t);
  return r;
}

/** Shared receive on c into t's STAGE_OUT. With block = 1 it parks under `slot` when it must
 *  wait (R_BLOCKED). Results as tryRecvShared, plus R_BLOCKED, R_BAD, R_NOMEM, R_BUSY. */
export function shRecv(t: u32, c: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS || !validShared(c)) return result(R_BAD, 0);
  if (!tryLockChan(t, c, block == 0)) return result(R_BUSY, 0);
  let r = tryRecvShared(t, c);
  if ((r & 15) == R_WOULD_BLOCK && block != 0) {
    const w = newWaiter(t, c, slot, 0, 0, true);
    if (w == 0) {
      r = result(R_NOMEM, 0);
    } else {
      enqueue(c, C_RECVQ_HEAD, w);
      r = result(R_BLOCKED, 0);
    }
  }
  unlockChan(c);
  finish(t);
  return r;
}

/** The list of shared channels, walked by threadDead (list lock held by the caller). */
export function firstShared(): u32 {
  return load<u32>(HDR + H_LIST_HEAD);
}

export { unlinkShared, freeShared, held, holderWord };
