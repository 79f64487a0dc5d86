// Waiter records and the FIFO queues that hold them: a channel's recvq and sendq, and a sync
// primitive's wait queue (waitq.ts). One enqueue and one unlink serve them all. Also the value
// slots that shared channels move (layout.ts, VALUE).
//
// A queue is a head word at q and a tail word at q + 4 of its owner record; waiters link through
// W_NEXT and W_PREV. For a shared channel every function here runs under the channel's lock.
// Each store leaves the forward chain (head, W_NEXT) a valid list, so that a lock taken over from
// a thread that died inside a call can rebuild W_PREV and the tail from it (lock.ts, repair).
//
// Invariants: W_QUEUED is 1 exactly while the waiter is reachable from its queue's head.

import {
  MAGIC_WAITER, W_VALUE, VALUE_SIZE, W_MAGIC, W_NEXT, W_PREV, W_CHAN, W_SEL, W_SLOT, W_KIND, W_SEL_NEXT,
  W_THREAD, W_QUEUED, W_INBOX_NEXT, W_RESULT, MAX_THREADS, T_STAGE_IN, T_STAGE_OUT, T_SCRATCH,
  T_SCRATCH_CAP, SC_STRIDE, SC_VALUE, E_BAD, T_WCACHE, T_WCOUNT, WCACHE_MAX, ctx, V_TAG, V_LEN, V_PAYLOAD, V_STR, V_OBJ, OWNER_SHARED,
} from "./layout";
import { allocRecord, freeRecord } from "./records";
import { bytesInUse, blockSize } from "./alloc";

/** Bytes of a waiter on a local channel or a wait queue: it never holds a value (a 64-byte block
 *  with the allocator's header; a parked goroutine's whole share of the core). */
// @ts-ignore: decorator
@inline export const LOCAL_WAITER_SIZE: u32 = W_VALUE;
/** Bytes of a waiter on a shared channel: its value slot follows. */
// @ts-ignore: decorator
@inline export const SHARED_WAITER_SIZE: u32 = W_VALUE + VALUE_SIZE;

/** Appends waiter w to the queue whose head word is at c + q and tail word at c + q + 4. */
// @ts-ignore: decorator
@inline export function enqueue(c: u32, q: u32, w: u32): void {
  const tail = load<u32>(c + q + 4);
  store<u32>(w, 0, W_NEXT);
  store<u32>(w, tail, W_PREV);
  store<u32>(w, 1, W_QUEUED);
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
  store<u32>(w, 0, W_QUEUED);
}

/** A waiter of thread t for slot `slot` on channel (or wait queue) c, with a value slot if c is
 *  a shared channel (`shared`); 0 when memory is exhausted. kind: bit 0 = send, bits 1.. = case
 *  index (or a wait queue's argument). Local waiters come from t's spare ones (WCACHE) first. */
// @ts-ignore: decorator
@inline export function newWaiter(t: u32, c: u32, slot: u32, kind: u32, sel: u32, shared: bool): u32 {
  const x = ctx(t);
  let w: u32 = 0;
  if (!shared) {
    w = load<u32>(x, T_WCACHE);
    if (w != 0) {
      store<u32>(x, load<u32>(w, W_NEXT), T_WCACHE);
      store<u32>(x, load<u32>(x, T_WCOUNT) - 1, T_WCOUNT);
    }
  }
  if (w == 0) {
    w = allocRecord(t, shared ? SHARED_WAITER_SIZE : LOCAL_WAITER_SIZE, t);
    if (w == 0) return 0;
  }
  store<u32>(w, MAGIC_WAITER, W_MAGIC);
  store<u32>(w, c, W_CHAN);
  store<u32>(w, sel, W_SEL);
  store<u32>(w, slot, W_SLOT);
  store<u32>(w, kind, W_KIND);
  store<u32>(w, 0, W_SEL_NEXT);
  store<u32>(w, t, W_THREAD);
  store<u32>(w, 0, W_QUEUED);
  store<u32>(w, 0, W_INBOX_NEXT);
  store<u32>(w, 0, W_RESULT);
  return w;
}

/** Frees waiter w of thread t's: a local one to t's spare waiters (WCACHE) while it has room,
 *  else to the allocator. Its magic is cleared either way. */
// @ts-ignore: decorator
@inline export function freeWaiter(t: u32, w: u32): void {
  store<u32>(w, 0, W_MAGIC);
  const x = ctx(t);
  const n = load<u32>(x, T_WCOUNT);
  if (n < WCACHE_MAX && load<u32>(w, W_THREAD) == t && blockSize(w) == LOCAL_WAITER_SIZE) {
    store<u32>(w, load<u32>(x, T_WCACHE), W_NEXT);
    store<u32>(x, w, T_WCACHE);
    store<u32>(x, n + 1, T_WCOUNT);
  } else {
    freeRecord(t, w, blockSize(w));
  }
}

/** Copies the 16-byte value slot at `from` to `to`. */
// @ts-ignore: decorator
@inline export function copyValue(to: u32, from: u32): void {
  store<u64>(to, load<u64>(from));
  store<u64>(to, load<u64>(from, 8), 8);
}

/** Frees the block a value slot points to, if any, and empties the slot. The block's size is
 *  recomputed from the slot: LEN code units (strings, bigints) or bytes (objects). */
export function freeValue(t: u32, v: u32): void {
  const tag = load<u32>(v, V_TAG);
  if (tag >= V_STR) {
    const b = load<u32>(v, V_PAYLOAD);
    if (b != 0) freeRecord(t, b, valueBytes(v));
  }
  store<u32>(v, 0, V_TAG);
}

/** Bytes of the block of a value slot with a block (tag >= V_STR). */
// @ts-ignore: decorator
@inline export function valueBytes(v: u32): u32 {
  const tag = load<u32>(v, V_TAG);
  const len = load<u32>(v, V_LEN);
  const size = tag == V_OBJ ? len : len << 1;
  return size == 0 ? 1 : size;
}

export { OWNER_SHARED };

/** A block of `bytes` bytes for a value that thread t is about to send (owned by no thread:
 *  values travel); 0 when memory is exhausted. */
export function valueAlloc(t: u32, bytes: u32): i32 {
  if (t >= MAX_THREADS) return 0;
  return <i32>allocRecord(t, bytes == 0 ? 1 : bytes, OWNER_SHARED);
}

/** Frees the block of the value slot at v (a value taken out of a channel, or one that was not
 *  sent), and empties the slot. */
export function valueFree(t: u32, v: u32): i32 {
  if (t >= MAX_THREADS) return E_BAD;
  // Only t's own value slots: STAGE_IN, STAGE_OUT, or a case of its select scratch block.
  const x = ctx(t);
  const scratch = load<u32>(x, T_SCRATCH);
  const inScratch = v - scratch < load<u32>(x, T_SCRATCH_CAP) * SC_STRIDE && (v - scratch) % SC_STRIDE == SC_VALUE;
  if (v != x + T_STAGE_IN && v != x + T_STAGE_OUT && !inScratch) return E_BAD;
  freeValue(t, v);
  return 0;
}

/** Bytes thread t holds in records in use: its blocks less its spare waiters (WCACHE). */
export function recordBytes(t: u32): i32 {
  const total = bytesInUse(t);
  if (total < 0) return total;
  let spare: u32 = 0;
  let w = load<u32>(ctx(t), T_WCACHE);
  while (w != 0) {
    spare += blockSize(w) + 16; // the allocator's block header
    w = load<u32>(w, W_NEXT);
  }
  return total - <i32>spare;
}
