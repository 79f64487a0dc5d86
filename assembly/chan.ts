// Channels: bookkeeping for the ring buffer, the send and receive wait queues, and close, after
// Go's runtime/chan.go (chansend, chanrecv, closechan). A local channel's values never enter this
// memory: the core hands the facade ring positions and peers' slots, and the facade moves the
// JS values. Local channels are used by one thread only, so they take no lock and use plain
// loads and stores; the LOCK word is reserved for shared channels.
//
// Invariants (between calls):
//  At least one of a channel's recvq and sendq is empty, except when one parked select waits to
//  both send on and receive from the same unbuffered channel (as in Go).
//  COUNT > 0 implies recvq is empty; COUNT < CAP implies sendq is empty.
//  A closed channel has an empty sendq, and its recvq is empty once COUNT = 0 (close wakes all).
//  Every waiter in a queue belongs to a goroutine that is still parked: when a select's waiter is
//  taken, all of that select's other waiters are removed at once (see takeWaiter), so a queue
//  never holds a waiter of a select that has already fired.

import {
  C_MAGIC, C_FLAGS, C_CAP, C_COUNT, C_HEAD, C_TAIL, C_RECVQ_HEAD, C_RECVQ_TAIL, C_SENDQ_HEAD,
  C_SENDQ_TAIL, C_LOCK, C_OWNER, C_GEN, C_BUF, MAGIC_CHAN, CHAN_CLASS, F_CLOSED, MAX_CAP,
  MAGIC_WAITER, WAITER_CLASS, W_MAGIC, W_NEXT, W_PREV, W_CHAN, W_SEL, W_SLOT, W_KIND, W_SEL_NEXT,
  S_FIRST, SELECT_CLASS, MAX_THREADS, T_FIRED, T_LAST_POS, T_NCHANS,
  R_BUFFERED, R_HANDOFF, R_BLOCKED, R_WOULD_BLOCK, R_CLOSED, R_BAD, R_BUFFERED_SENDER, R_NOMEM,
  result, ctx,
} from "./layout";
import { alloc, free, inHeap } from "./alloc";

// @ts-ignore: decorator
@inline export function validChan(c: u32): bool {
  return inHeap(c, 64) && load<u32>(c, C_MAGIC) == MAGIC_CHAN;
}

/** Creates a channel of capacity `cap` for thread t. Returns its address, -1 for a bad thread,
 *  -2 for a capacity out of range, -3 when memory is exhausted. */
export function chanNew(t: u32, cap: i32): i32 {
  if (t >= MAX_THREADS) return -1;
  if (cap < 0 || <u32>cap > MAX_CAP) return -2;
  const c = alloc(t, CHAN_CLASS);
  if (c == 0) return -3;
  const gen = load<u32>(c, C_GEN); // survives free: a reused record gets the next generation
  memory.fill(c, 0, 64);
  store<u32>(c, MAGIC_CHAN, C_MAGIC);
  store<u32>(c, <u32>cap, C_CAP);
  store<u32>(c, t, C_OWNER);
  store<u32>(c, gen + 1, C_GEN);
  store<u32>(c, 0, C_LOCK);
  store<u32>(c, 0, C_BUF);
  const x = ctx(t);
  store<u32>(x, load<u32>(x, T_NCHANS) + 1, T_NCHANS);
  return <i32>c;
}

/** Frees channel c (the facade calls it once the channel is unreachable). Waiters still parked on
 *  it can never be woken and are dropped with it; a select that also waits elsewhere keeps its
 *  other waiters. Returns 0, or -1 for a bad handle. */
export function chanFree(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return -1;
  dropQueue(t, c, C_RECVQ_HEAD);
  dropQueue(t, c, C_SENDQ_HEAD);
  const gen = load<u32>(c, C_GEN);
  free(t, c, CHAN_CLASS);
  store<u32>(c, gen, C_GEN);
  const x = ctx(t);
  store<u32>(x, load<u32>(x, T_NCHANS) - 1, T_NCHANS);
  return 0;
}

function dropQueue(t: u32, c: u32, q: u32): void {
  let w = load<u32>(c + q);
  while (w != 0) {
    const next = load<u32>(w, W_NEXT);
    unlinkFromSelect(t, w);
    free(t, w, WAITER_CLASS);
    w = next;
  }
  store<u32>(c + q, 0);
  store<u32>(c + q + 4, 0);
}

// Removes waiter w from its select's list (its channel queue is being dropped by the caller);
// frees the select record if w was its last waiter.
function unlinkFromSelect(t: u32, w: u32): void {
  const s = load<u32>(w, W_SEL);
  if (s == 0) return;
  let p = s + S_FIRST;
  while (load<u32>(p) != 0) {
    const x = load<u32>(p);
    if (x == w) {
      store<u32>(p, load<u32>(w, W_SEL_NEXT));
      break;
    }
    p = x + W_SEL_NEXT;
  }
  if (load<u32>(s, S_FIRST) == 0) free(t, s, SELECT_CLASS);
}

// ── wait queues ─────────────────────────────────────────────────────────────────────────────────

/** Appends waiter w to the queue whose head word is at c + q and tail word at c + q + 4 (a
 *  channel's C_RECVQ_HEAD or C_SENDQ_HEAD, or a wait queue's Q_HEAD). */
// @ts-ignore: decorator
@inline export function enqueue(c: u32, q: u32, w: u32): void {
  const tail = load<u32>(c + q + 4);
  store<u32>(w, 0, W_NEXT);
  store<u32>(w, tail, W_PREV);
  if (tail == 0) store<u32>(c + q, w);
  else store<u32>(tail, w, W_NEXT);
  store<u32>(c + q + 4, w);
}

/** Removes waiter w from the queue whose head word is at c + q (as for enqueue). */
// @ts-ignore: decorator
@inline export function unlink(c: u32, q: u32, w: u32): void {
  const next = load<u32>(w, W_NEXT);
  const prev = load<u32>(w, W_PREV);
  if (prev == 0) store<u32>(c + q, next);
  else store<u32>(prev, next, W_NEXT);
  if (next == 0) store<u32>(c + q + 4, prev);
  else store<u32>(next, prev, W_PREV);
}

/** Allocates a waiter for slot `slot` on channel c. Returns 0 when memory is exhausted. */
// @ts-ignore: decorator
@inline export function newWaiter(t: u32, c: u32, slot: u32, kind: u32, sel: u32): u32 {
  const w = alloc(t, WAITER_CLASS);
  if (w == 0) return 0;
  store<u32>(w, MAGIC_WAITER, W_MAGIC);
  store<u32>(w, c, W_CHAN);
  store<u32>(w, sel, W_SEL);
  store<u32>(w, slot, W_SLOT);
  store<u32>(w, kind, W_KIND);
  store<u32>(w, 0, W_SEL_NEXT);
  return w;
}

/** Takes the first waiter of queue q (which must not be empty), frees it and returns its slot.
 *  If it belongs to a select, that select has now fired: its case index goes to the thread's
 *  FIRED word, and its waiters on every other channel are removed and freed with it. */
export function takeWaiter(t: u32, c: u32, q: u32): u32 {
  const w = load<u32>(c + q);
  unlink(c, q, w);
  const slot = load<u32>(w, W_SLOT);
  const s = load<u32>(w, W_SEL);
  if (s != 0) {
    store<u32>(ctx(t), load<u32>(w, W_KIND) >>> 1, T_FIRED);
    let x = load<u32>(s, S_FIRST);
    while (x != 0) {
      const nx = load<u32>(x, W_SEL_NEXT);
      if (x != w) {
        const xc = load<u32>(x, W_CHAN);
        unlink(xc, (load<u32>(x, W_KIND) & 1) != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD, x);
        free(t, x, WAITER_CLASS);
      }
      x = nx;
    }
    free(t, s, SELECT_CLASS);
  }
  free(t, w, WAITER_CLASS);
  return slot;
}

// ── send and receive without parking (shared by chanSend, chanRecv and select) ───────────────────

/** One send attempt on live channel c. Returns R_CLOSED (a panic), R_HANDOFF with the receiver's
 *  slot, R_BUFFERED with the ring position to write, or R_WOULD_BLOCK. */
export function trySend(t: u32, c: u32): i32 {
  const flags = load<u32>(c, C_FLAGS);
  if ((flags & F_CLOSED) != 0) return result(R_CLOSED, 0);
  if (load<u32>(c, C_RECVQ_HEAD) != 0) {
    return result(R_HANDOFF, takeWaiter(t, c, C_RECVQ_HEAD));
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

/** One receive attempt on live channel c. Returns R_HANDOFF with a parked sender's slot
 *  (unbuffered), R_BUFFERED_SENDER with a parked sender's slot (full buffer: read the value at
 *  LAST_POS, then store the sender's value there), R_BUFFERED with the ring position to read,
 *  R_CLOSED (closed and drained), or R_WOULD_BLOCK. */
export function tryRecv(t: u32, c: u32): i32 {
  const cap = load<u32>(c, C_CAP);
  if (load<u32>(c, C_SENDQ_HEAD) != 0) {
    const slot = takeWaiter(t, c, C_SENDQ_HEAD);
    if (cap == 0) return result(R_HANDOFF, slot);
    // The buffer is full: take its head for the receiver; the sender's value goes to the same
    // position, which becomes the tail.
    const pos = load<u32>(c, C_HEAD);
    const next = pos + 1 == cap ? 0 : pos + 1;
    store<u32>(c, next, C_HEAD);
    store<u32>(c, next, C_TAIL);
    store<u32>(ctx(t), pos, T_LAST_POS);
    return result(R_BUFFERED_SENDER, slot);
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

// ── the exported operations ───────────────────────────────────────────────────────────────────

/** `ch <- v`. With block = 0 it never parks (R_WOULD_BLOCK); with block = 1 it parks the caller
 *  under `slot` when it must wait and returns R_BLOCKED. */
export function chanSend(t: u32, c: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return result(R_BAD, 0);
  const r = trySend(t, c);
  if ((r & 7) != R_WOULD_BLOCK || block == 0) return r;
  const w = newWaiter(t, c, slot, 1, 0);
  if (w == 0) return result(R_NOMEM, 0);
  enqueue(c, C_SENDQ_HEAD, w);
  return result(R_BLOCKED, 0);
}

/** `<-ch`. With block = 0 it never parks (R_WOULD_BLOCK); with block = 1 it parks the caller
 *  under `slot` when it must wait and returns R_BLOCKED. */
export function chanRecv(t: u32, c: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return result(R_BAD, 0);
  const r = tryRecv(t, c);
  if ((r & 7) != R_WOULD_BLOCK || block == 0) return r;
  const w = newWaiter(t, c, slot, 0, 0);
  if (w == 0) return result(R_NOMEM, 0);
  enqueue(c, C_RECVQ_HEAD, w);
  return result(R_BLOCKED, 0);
}

/** `close(ch)`. Returns 0, R_CLOSED if it was already closed (a panic), or R_BAD. The facade then
 *  calls chanCloseNext until it returns -1, waking each parked receiver and sender. */
export function chanClose(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c)) return R_BAD;
  const flags = load<u32>(c, C_FLAGS);
  if ((flags & F_CLOSED) != 0) return R_CLOSED;
  store<u32>(c, flags | F_CLOSED, C_FLAGS);
  return 0;
}

/** After chanClose: takes the next parked waiter of closed channel c, receivers first, and
 *  returns (slot << 1) | isSend, or -1 when none is left (or c is not a closed channel). */
export function chanCloseNext(t: u32, c: u32): i32 {
  if (t >= MAX_THREADS || !validChan(c) || (load<u32>(c, C_FLAGS) & F_CLOSED) == 0) return -1;
  if (load<u32>(c, C_RECVQ_HEAD) != 0) return <i32>(takeWaiter(t, c, C_RECVQ_HEAD) << 1);
  if (load<u32>(c, C_SENDQ_HEAD) != 0) return <i32>((takeWaiter(t, c, C_SENDQ_HEAD) << 1) | 1);
  return -1;
}

/** len(ch), or -1 for a bad handle. */
export function chanLen(c: u32): i32 {
  return validChan(c) ? load<i32>(c, C_COUNT) : -1;
}

/** Waiters parked on c: receivers if isSend = 0, senders if 1; -1 for a bad handle. For tests
 *  and diagnostics (it walks the queue). */
export function chanWaiters(c: u32, isSend: u32): i32 {
  if (!validChan(c)) return -1;
  let n: i32 = 0;
  let w = load<u32>(c + (isSend != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD));
  while (w != 0) {
    n++;
    w = load<u32>(w, W_NEXT);
  }
  return n;
}

/** Live channels created by thread t. */
export function liveChannels(t: u32): i32 {
  return t < MAX_THREADS ? load<i32>(ctx(t), T_NCHANS) : -1;
}
