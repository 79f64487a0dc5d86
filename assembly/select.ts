// select, after Go's runtime/select.go (selectgo). The facade writes the cases into the calling
// thread's scratch block (layout.ts, SELECT scratch; made to fit by selReserve), then calls
// selPoll:
//   lock:   if any case is on a shared channel, those channels are locked in address order, each
//           once (Go's lockorder), so two selects over the same channels cannot deadlock;
//   pass 1: visits the cases in a uniformly random order (Fisher–Yates from the thread's PRNG) and
//           performs the first one that can proceed;
//   pass 2: if none can and the select blocks, parks one waiter per non-nil case (in poll order),
//           all pointing to one select record, and unlocks.
// The first peer that dequeues any of its waiters fires the select (chan.ts, dequeue): for a
// select with shared cases, by a CAS on the record's DONE word, so that when threads race only
// one fires it (Go's selectDone). The select's other waiters are then torn down by its own thread
// (selCleanup): at once if the waker was that thread and held no lock, else when the waking call
// has unlocked (chan.ts, finish), or when the thread takes the completion from its inbox. A
// waiter left in a queue meanwhile is stale: dequeue skips it.

import {
  T_RNG, T_SCRATCH, T_SCRATCH_CAP, T_SEL_CASE, MAX_THREADS, MAGIC_SELECT, SELECT_CLASS, S_MAGIC,
  S_FIRST, S_SLOT, S_DONE, S_FIRED, S_SHARED, S_NEXT, W_SEL_NEXT, W_CHAN, W_KIND, W_QUEUED,
  W_VALUE, W_SEL, W_SLOT, W_THREAD, W_NEXT, C_RECVQ_HEAD, C_SENDQ_HEAD, SC_STRIDE, SC_KIND, SC_VALUE, SC_BYTES_PER_CASE, MAX_CASES,
  R_BLOCKED, R_WOULD_BLOCK, R_BAD, R_NOMEM, R_BUSY, T_DEFERRED, E_BAD, result, ctx,
} from "./layout";
import { allocRecord, freeRecord } from "./records";
import { newWaiter, enqueue, unlink, freeWaiter, copyValue, freeValue } from "./queue";
import { validChan, isShared, validShared, trySend, tryRecv, trySendShared, tryRecvShared, finish } from "./chan";
import { tryLockChan, unlockChan } from "./lock";

/** Bytes of a select record. */
// @ts-ignore: decorator
@inline const SELECT_SIZE: u32 = 16 << SELECT_CLASS;

/** A random number in [0, n) from thread context x's xorshift32 state. */
// @ts-ignore: decorator
@inline function randn(x: u32, n: u32): u32 {
  let s = load<u32>(x, T_RNG);
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  store<u32>(x, s, T_RNG);
  return <u32>((<u64>s * <u64>n) >>> 32);
}

/** Seeds thread t's PRNG (0 is replaced by 1, since xorshift never leaves 0). */
export function seed(t: u32, s: u32): i32 {
  if (t >= MAX_THREADS) return -1;
  store<u32>(ctx(t), s != 0 ? s : 1, T_RNG);
  return 0;
}

/** Makes thread t's scratch block hold n cases. Returns 1, or 0 if n is out of range or memory is
 *  exhausted. */
export function selReserve(t: u32, n: u32): i32 {
  if (t >= MAX_THREADS || n > MAX_CASES) return 0;
  const x = ctx(t);
  if (load<u32>(x, T_SCRATCH_CAP) >= n) return 1;
  let want: u32 = 16;
  while (want < n) want <<= 1;
  const b = allocRecord(t, want * SC_BYTES_PER_CASE, t);
  if (b == 0) return 0;
  const old = load<u32>(x, T_SCRATCH);
  if (old != 0) freeRecord(t, old, load<u32>(x, T_SCRATCH_CAP) * SC_BYTES_PER_CASE);
  store<u32>(x, b, T_SCRATCH);
  store<u32>(x, want, T_SCRATCH_CAP);
  return 1;
}

/** Runs the select described by the first n scratch cases, of which `nshared` are on shared
 *  channels. Returns a result word:
 *  - a case fired: its result (as trySend/tryRecv, trySendShared/tryRecvShared give it), with
 *    the case index in SEL_CASE;
 *  - R_BAD: case SEL_CASE names no live channel;
 *  - R_WOULD_BLOCK: block = 0 and no case could proceed;
 *  - R_BLOCKED: parked under `slot` (payload 1), or nothing to wait on (payload 0: never fires);
 *  - R_NOMEM: the waiters could not be allocated (nothing is left parked);
 *  - R_BUSY: a shared channel's lock stayed taken (nothing was done; see lock.ts).
 *  The values of shared send cases are consumed only by the case that fires. */
export function selPoll(t: u32, n: u32, slot: u32, block: i32, nshared: u32): i32 {
  if (t >= MAX_THREADS) return result(R_BAD, 0);
  const x = ctx(t);
  if (n > load<u32>(x, T_SCRATCH_CAP)) return result(R_BAD, 0);
  const cases = load<u32>(x, T_SCRATCH);
  const order = cases + n * SC_STRIDE;
  const locks = order + (n << 2);
  // Poll order: a uniformly random permutation (Fisher–Yates, as selectgo builds pollorder).
  for (let i: u32 = 0; i < n; i++) {
    const j = randn(x, i + 1);
    store<u32>(order + (i << 2), load<u32>(order + (j << 2)));
    store<u32>(order + (j << 2), i);
  }
  let nlocks: u32 = 0;
  if (nshared != 0) {
    nlocks = lockOrder(x, cases, n, locks);
    if (nlocks == 0xffffffff) return result(R_BAD, 0);
    for (let k: u32 = 0; k < nlocks; k++) {
      if (!tryLockChan(t, load<u32>(locks + (k << 2)), block == 0)) {
        unlockAll(locks, k);
        return result(R_BUSY, 0);
      }
    }
  }
  // Pass 1. Each local handle is checked as it is visited (shared ones were checked before
  // locking); pass 2 runs only after pass 1 has visited every case.
  for (let k: u32 = 0; k < n; k++) {
    const i = load<u32>(order + (k << 2));
    const p = cases + i * SC_STRIDE;
    const c = load<u32>(p);
    if (c == 0) continue;
    if (!validChan(c)) {
      unlockAll(locks, nlocks);
      store<u32>(x, i, T_SEL_CASE);
      return result(R_BAD, 0);
    }
    const send = load<u32>(p, SC_KIND) != 0;
    let r: i32;
    if (isShared(c)) r = send ? trySendShared(t, c, p + SC_VALUE) : tryRecvShared(t, c);
    else r = send ? trySend(t, c) : tryRecv(t, c);
    if ((r & 15) != R_WOULD_BLOCK) {
      unlockAll(locks, nlocks);
      finish(t);
      store<u32>(x, i, T_SEL_CASE);
      return r;
    }
  }
  if (block == 0) {
    unlockAll(locks, nlocks);
    return result(R_WOULD_BLOCK, 0);
  }
  // Pass 2: park a waiter on every non-nil case.
  const s = allocRecord(t, SELECT_SIZE, t);
  if (s == 0) {
    unlockAll(locks, nlocks);
    return result(R_NOMEM, 0);
  }
  store<u32>(s, MAGIC_SELECT, S_MAGIC);
  store<u32>(s, 0, S_FIRST);
  store<u32>(s, slot, S_SLOT);
  store<u32>(s, 0, S_DONE);
  store<u32>(s, 0, S_FIRED);
  store<u32>(s, nshared != 0 ? 1 : 0, S_SHARED);
  store<u32>(s, 0, S_NEXT);
  // Waiters are queued in poll order, so that several cases of this select on one channel are
  // served in a random order too (Go's TestPseudoRandomSend).
  let last: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const i = load<u32>(order + (k << 2));
    const p = cases + i * SC_STRIDE;
    const c = load<u32>(p);
    if (c == 0) continue;
    const isSend = load<u32>(p, SC_KIND);
    const w = newWaiter(t, c, slot, isSend | (i << 1), s, isShared(c));
    if (w == 0) {
      unpark(t, s);
      unlockAll(locks, nlocks);
      return result(R_NOMEM, 0);
    }
    if (isSend != 0 && isShared(c)) copyValue(w + W_VALUE, p + SC_VALUE);
    if (last == 0) store<u32>(s, w, S_FIRST);
    else store<u32>(last, w, W_SEL_NEXT);
    last = w;
    enqueue(c, isSend != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD, w);
  }
  unlockAll(locks, nlocks);
  if (last == 0) {
    freeRecord(t, s, SELECT_SIZE);
    return result(R_BLOCKED, 0);
  }
  return result(R_BLOCKED, 1);
}

// Writes the distinct shared channels of the cases to `locks` in ascending address order and
// returns how many; 0xffffffff (with SEL_CASE) if a shared case's handle is not a live shared
// channel. Heapsort, as Go sorts its lockorder: no allocation, n log n for any n.
function lockOrder(x: u32, cases: u32, n: u32, locks: u32): u32 {
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u32>(cases + i * SC_STRIDE);
    if (c == 0 || !validChan(c) || !isShared(c)) continue;
    if (!validShared(c)) {
      store<u32>(x, i, T_SEL_CASE);
      return 0xffffffff;
    }
    // Sift up into the max-heap locks[0..m].
    let j = m++;
    while (j > 0) {
      const parent = (j - 1) >>> 1;
      const pc = load<u32>(locks + (parent << 2));
      if (pc >= c) break;
      store<u32>(locks + (j << 2), pc);
      j = parent;
    }
    store<u32>(locks + (j << 2), c);
  }
  // Pop the maximum to the end, m times.
  for (let end = m; end > 1; ) {
    end--;
    const top = load<u32>(locks);
    const c = load<u32>(locks + (end << 2));
    store<u32>(locks + (end << 2), top);
    let j: u32 = 0;
    while (true) {
      let k: u32 = 2 * j + 1;
      if (k >= end) break;
      if (k + 1 < end && load<u32>(locks + ((k + 1) << 2)) > load<u32>(locks + (k << 2))) k++;
      const kc = load<u32>(locks + (k << 2));
      if (kc <= c) break;
      store<u32>(locks + (j << 2), kc);
      j = k;
    }
    store<u32>(locks + (j << 2), c);
  }
  // Drop duplicates (a channel in several cases is locked once).
  let u: u32 = 0;
  for (let k: u32 = 0; k < m; k++) {
    const c = load<u32>(locks + (k << 2));
    if (u == 0 || load<u32>(locks + ((u - 1) << 2)) != c) store<u32>(locks + (u++ << 2), c);
  }
  return u;
}

// @ts-ignore: decorator
@inline function unlockAll(locks: u32, n: u32): void {
  for (let k = n; k > 0; k--) unlockChan(load<u32>(locks + ((k - 1) << 2)));
}

// Undoes a partly parked select after an allocation failure (its shared channels still locked).
function unpark(t: u32, s: u32): void {
  let w = load<u32>(s, S_FIRST);
  while (w != 0) {
    const next = load<u32>(w, W_SEL_NEXT);
    const c = load<u32>(w, W_CHAN);
    unlink(c, (load<u32>(w, W_KIND) & 1) != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD, w);
    freeWaiter(t, w);
    w = next;
  }
  freeRecord(t, s, SELECT_SIZE);
}

/** Tears down fired select s of thread t: its waiters other than the one that fired leave their
 *  queues (taking each shared channel's lock in turn; t holds no lock when it calls this), the
 *  values of its unfired shared send cases are freed, and its records are freed. Waiters are
 *  taken off the select's list one at a time, so that a teardown that finds a lock taken can stop
 *  there and go on later: the select then waits on t's DEFERRED list (selDeferred), its records
 *  intact, and a waiter still queued stays stale (dequeue skips it). Returns false if deferred. */
export function selCleanup(t: u32, s: u32): bool {
  const fired = load<u32>(s, S_FIRED);
  let w = load<u32>(s, S_FIRST);
  while (w != 0) {
    const next = load<u32>(w, W_SEL_NEXT);
    if (w != fired) {
      const c = load<u32>(w, W_CHAN);
      const q = (load<u32>(w, W_KIND) & 1) != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD;
      if (isShared(c)) {
        if (!tryLockChan(t, c, false)) {
          const x = ctx(t);
          store<u32>(s, load<u32>(x, T_DEFERRED), S_NEXT);
          store<u32>(x, s, T_DEFERRED);
          return false;
        }
        if (load<u32>(w, W_QUEUED) != 0) unlink(c, q, w);
        unlockChan(c);
        if (q == C_SENDQ_HEAD) freeValue(t, w + W_VALUE);
      } else if (load<u32>(w, W_QUEUED) != 0) {
        unlink(c, q, w);
      }
    }
    store<u32>(s, next, S_FIRST);
    freeWaiter(t, w);
    w = next;
  }
  store<u32>(s, 0, S_MAGIC);
  freeRecord(t, s, SELECT_SIZE);
  return true;
}

/** Withdraws thread t's select parked under `slot` over the first n scratch cases (the facade
 *  writes them again), if it has not fired (an AbortSignal aborted it): claims it as a waker
 *  would, with no case fired, and tears it down (selCleanup; deferred if a lock is taken). Returns
 *  1 if withdrawn, 0 if it fired first (or is not parked), -2 if a shared channel's lock stayed
 *  taken (call again later), or E_BAD. */
export function selCancel(t: u32, n: u32, slot: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  const x = ctx(t);
  if (n > load<u32>(x, T_SCRATCH_CAP)) return E_BAD;
  const cases = load<u32>(x, T_SCRATCH);
  let s: u32 = 0;
  for (let i: u32 = 0; i < n && s == 0; i++) {
    const p = cases + i * SC_STRIDE;
    const c = load<u32>(p);
    if (c == 0 || !validChan(c)) continue;
    const shared = isShared(c);
    if (shared && !tryLockChan(t, c, false)) return -2;
    // The select's waiter on c. A stale waiter with the same slot (of an earlier select that
    // fired, not yet torn down) has DONE set and is passed over.
    let w = load<u32>(c + (load<u32>(p, SC_KIND) != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD));
    while (w != 0) {
      const ws = load<u32>(w, W_SEL);
      if (ws != 0 && load<u32>(w, W_SLOT) == slot && load<u32>(w, W_THREAD) == t && atomic.load<u32>(ws + S_DONE) == 0) {
        s = ws;
        break;
      }
      w = load<u32>(w, W_NEXT);
    }
    if (shared) unlockChan(c);
  }
  if (s == 0) return 0;
  if (load<u32>(s, S_SHARED) != 0) {
    if (atomic.cmpxchg<u32>(s + S_DONE, 0, 1) != 0) return 0; // another thread fired it first
  } else {
    store<u32>(s, 1, S_DONE);
  }
  store<u32>(s, 0, S_FIRED);
  selCleanup(t, s);
  return 1;
}

/** Goes on with the teardowns of thread t's selects that were deferred (a lock was taken).
 *  Returns how many are still deferred. */
export function selDeferred(t: u32): i32 {
  if (t >= MAX_THREADS) return -1;
  const x = ctx(t);
  let s = load<u32>(x, T_DEFERRED);
  store<u32>(x, 0, T_DEFERRED);
  let left: i32 = 0;
  while (s != 0) {
    const next = load<u32>(s, S_NEXT);
    if (!selCleanup(t, s)) left++;
    s = next;
  }
  return left;
}
