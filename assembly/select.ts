// select, after Go's runtime/select.go (selectgo). The facade writes the cases into the calling
// thread's scratch block (made to fit by selReserve) directly, then calls selPoll:
//   pass 1: visits the cases in a uniformly random order (Fisher–Yates from the thread's PRNG) and
//           performs the first one that can proceed;
//   pass 2: if none can and the select blocks, parks one waiter per non-nil case (in poll order),
//           all pointing to one select record. The first peer that takes any of them fires the select, and
//           takeWaiter (chan.ts) removes the others at once, so nothing is left behind.
// Local channels are touched by their own thread only, so no channel is locked here; shared
// channels will lock theirs in address order (Go's lockorder) before pass 1.
//
// Scratch block layout, per thread: n cases × { +0 CHAN, +4 KIND (1 = send) }, then n × ORDER.

import {
  T_RNG, T_SCRATCH, T_SCRATCH_CAP, T_SEL_CASE, MAX_THREADS, MAGIC_SELECT, SELECT_CLASS, S_MAGIC,
  S_FIRST, S_SLOT, WAITER_CLASS, W_SEL_NEXT, W_CHAN, W_KIND, C_RECVQ_HEAD, C_SENDQ_HEAD,
  R_BLOCKED, R_WOULD_BLOCK, R_BAD, R_NOMEM, NCLASSES, result, ctx,
} from "./layout";
import { alloc, free, classFor } from "./alloc";
import { validChan, trySend, tryRecv, newWaiter, enqueue, unlink } from "./chan";

/** Go rejects selects of more than 65536 cases; so do we. */
// @ts-ignore: decorator
@inline export const MAX_CASES: u32 = 65536;

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
  const k = classFor(want * 12);
  if (k >= NCLASSES) return 0;
  const b = alloc(t, k);
  if (b == 0) return 0;
  const old = load<u32>(x, T_SCRATCH);
  if (old != 0) free(t, old, classFor(load<u32>(x, T_SCRATCH_CAP) * 12));
  store<u32>(x, b, T_SCRATCH);
  store<u32>(x, want, T_SCRATCH_CAP);
  return 1;
}

/** Runs the select described by the first n scratch cases. Returns a result word:
 *  - a case fired: its result (as trySend/tryRecv give it), with the case index in SEL_CASE;
 *  - R_BAD: case SEL_CASE names no live channel;
 *  - R_WOULD_BLOCK: block = 0 and no case could proceed;
 *  - R_BLOCKED: parked under `slot` (payload 1), or nothing to wait on (payload 0: never fires);
 *  - R_NOMEM: the waiters could not be allocated (nothing is left parked). */
export function selPoll(t: u32, n: u32, slot: u32, block: i32): i32 {
  if (t >= MAX_THREADS) return result(R_BAD, 0);
  const x = ctx(t);
  if (n > load<u32>(x, T_SCRATCH_CAP)) return result(R_BAD, 0);
  const cases = load<u32>(x, T_SCRATCH);
  const order = cases + (n << 3);
  // Poll order: a uniformly random permutation (Fisher–Yates, as selectgo builds pollorder).
  for (let i: u32 = 0; i < n; i++) {
    const j = randn(x, i + 1);
    store<u32>(order + (i << 2), load<u32>(order + (j << 2)));
    store<u32>(order + (j << 2), i);
  }
  // Pass 1. Each handle is checked as it is visited; pass 2 runs only after pass 1 has visited
  // (and so checked) every case.
  for (let k: u32 = 0; k < n; k++) {
    const i = load<u32>(order + (k << 2));
    const p = cases + (i << 3);
    const c = load<u32>(p);
    if (c == 0) continue;
    if (!validChan(c)) {
      store<u32>(x, i, T_SEL_CASE);
      return result(R_BAD, 0);
    }
    const r = load<u32>(p, 4) != 0 ? trySend(t, c) : tryRecv(t, c);
    if ((r & 7) != R_WOULD_BLOCK) {
      store<u32>(x, i, T_SEL_CASE);
      return r;
    }
  }
  if (block == 0) return result(R_WOULD_BLOCK, 0);
  // Pass 2: park a waiter on every non-nil case.
  const s = alloc(t, SELECT_CLASS);
  if (s == 0) return result(R_NOMEM, 0);
  store<u32>(s, MAGIC_SELECT, S_MAGIC);
  store<u32>(s, 0, S_FIRST);
  store<u32>(s, slot, S_SLOT);
  // Waiters are queued in poll order, so that several cases of this select on one channel are
  // served in a random order too (Go's TestPseudoRandomSend).
  let last: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const i = load<u32>(order + (k << 2));
    const p = cases + (i << 3);
    const c = load<u32>(p);
    if (c == 0) continue;
    const isSend = load<u32>(p, 4);
    const w = newWaiter(t, c, slot, isSend | (i << 1), s);
    if (w == 0) {
      unpark(t, s);
      return result(R_NOMEM, 0);
    }
    if (last == 0) store<u32>(s, w, S_FIRST);
    else store<u32>(last, w, W_SEL_NEXT);
    last = w;
    enqueue(c, isSend != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD, w);
  }
  if (last == 0) {
    free(t, s, SELECT_CLASS);
    return result(R_BLOCKED, 0);
  }
  return result(R_BLOCKED, 1);
}

// Undoes a partly parked select after an allocation failure.
function unpark(t: u32, s: u32): void {
  let w = load<u32>(s, S_FIRST);
  while (w != 0) {
    const next = load<u32>(w, W_SEL_NEXT);
    const c = load<u32>(w, W_CHAN);
    unlink(c, (load<u32>(w, W_KIND) & 1) != 0 ? C_SENDQ_HEAD : C_RECVQ_HEAD, w);
    free(t, w, WAITER_CLASS);
    w = next;
  }
  free(t, s, SELECT_CLASS);
}
