// The core's allocator: power-of-two size classes (16 B << k), per-thread free lists, and one
// global bump pointer that threads advance with an atomic add. Freed blocks go to the freeing
// thread's list for that class and are handed out again before the bump pointer moves, so a
// program that creates and drops records in a loop keeps its footprint flat.
//
// Invariants:
//  Every heap address below H_BUMP belongs to exactly one block: in use, or on one free list.
//  A block of class k is 16 << k bytes and aligned to 16 bytes.
//  Memory grows only here (memory.grow under H_GROW_LOCK), never behind the caller's back.

import {
  HDR, H_MAGIC, H_INIT, H_BUMP, H_GROW_LOCK, H_NTHREADS, MAGIC_HEADER, MAX_THREADS, TSIZE,
  T_TID, T_RNG, T_FREE, T_BYTES, NCLASSES, HEAP_ALIGN, ctx,
} from "./layout";

// @ts-ignore: decorator
@inline export function heapStart(): u32 {
  const base = <u32>__heap_base;
  const start = (base + 65535) & ~65535;
  return start < 65536 ? 65536 : start;
}

/** One-time initialisation of the header, guarded by a CAS so that the first instance of any
 *  thread does it and the others wait for it. Returns 1 once the header is ready. */
export function init(): i32 {
  const p = HDR + H_INIT;
  if (atomic.load<i32>(p) == 2) return 1;
  if (atomic.cmpxchg<i32>(p, 0, 1) == 0) {
    // The first 64 bytes of the heap are never handed out, so that BUMP - heap start is at least
    // the size of any record and inHeap's single comparison cannot wrap.
    atomic.store<i32>(HDR + H_BUMP, <i32>heapStart() + 64);
    atomic.store<i32>(HDR + H_GROW_LOCK, 0);
    atomic.store<i32>(HDR + H_NTHREADS, 0);
    atomic.store<i32>(HDR + H_MAGIC, <i32>MAGIC_HEADER);
    atomic.store<i32>(p, 2);
  } else {
    while (atomic.load<i32>(p) != 2) {} // another thread is initialising: it takes microseconds
  }
  return 1;
}

/** Hands out a thread context and returns its index, or -1 when all MAX_THREADS are taken.
 *  `seed` seeds the thread's PRNG (0 picks one from the index). */
export function threadNew(seed: u32): i32 {
  init();
  const t = <u32>atomic.add<i32>(HDR + H_NTHREADS, 1);
  if (t >= MAX_THREADS) return -1;
  const c = ctx(t);
  memory.fill(c, 0, TSIZE);
  store<u32>(c, t, T_TID);
  store<u32>(c, seed != 0 ? seed : 0x9e3779b9 ^ (t * 0x85ebca6b), T_RNG);
  return <i32>t;
}

/** Checks that `t` is a thread context index handed out by threadNew. */
// @ts-ignore: decorator
@inline export function validThread(t: u32): bool {
  return t < <u32>atomic.load<i32>(HDR + H_NTHREADS) && t < MAX_THREADS;
}

/** Allocates a block of class k (16 << k bytes) for thread t. Returns 0 when memory is exhausted.
 *  The block's contents are not cleared. */
export function alloc(t: u32, k: u32): u32 {
  const c = ctx(t);
  const head = c + T_FREE + (k << 2);
  const size: u32 = 16 << k;
  let b = load<u32>(head);
  if (b != 0) {
    store<u32>(head, load<u32>(b, 4)); // free blocks link through their second word
  } else {
    b = bump(size);
    if (b == 0) return 0;
  }
  store<u32>(c, load<u32>(c, T_BYTES) + size, T_BYTES);
  return b;
}

/** Returns block b of class k to thread t's free list. Its first word (the magic tag) is
 *  cleared so that a stale handle to it is refused. */
export function free(t: u32, b: u32, k: u32): void {
  const c = ctx(t);
  const head = c + T_FREE + (k << 2);
  store<u32>(b, 0);
  store<u32>(b, load<u32>(head), 4);
  store<u32>(head, b);
  store<u32>(c, load<u32>(c, T_BYTES) - (16 << k), T_BYTES);
}

/** The size class that holds `bytes` bytes, or NCLASSES if none does. */
export function classFor(bytes: u32): u32 {
  if (bytes <= 16) return 0;
  const k: u32 = 32 - clz<u32>(bytes - 1) - 4;
  return k < NCLASSES ? k : NCLASSES;
}

// Moves the bump pointer by `size` bytes and returns the old value, growing the memory first when
// the new end is beyond it. BUMP never passes the end of the memory, so an address below BUMP is
// always inside it (inHeap relies on that).
function bump(size: u32): u32 {
  while (true) {
    const addr = <u32>atomic.load<i32>(HDR + H_BUMP);
    const end = <u64>addr + <u64>size;
    if (end > 0x80000000) return 0; // 2 GiB: beyond any maximum we declare
    if (end > (<u64>memory.size() << 16)) {
      if (!grow(end)) return 0;
      continue;
    }
    if (<u32>atomic.cmpxchg<i32>(HDR + H_BUMP, <i32>addr, <i32>end) == addr) return addr;
  }
  return 0; // not reached
}

// Grows the memory to hold `end` bytes, under the grow lock. Grows by at least a quarter of what
// there is, so that growth is rare. Returns false when the memory cannot grow that far.
function grow(end: u64): bool {
  while (atomic.cmpxchg<i32>(HDR + H_GROW_LOCK, 0, 1) != 0) {}
  let ok = true;
  const have = <u64>memory.size() << 16;
  if (end > have) {
    const need = <i32>((end - have + 65535) >> 16);
    const quarter = <i32>(memory.size() >> 2);
    const pages = need > quarter ? need : quarter;
    if (memory.grow(pages) < 0 && (pages == need || memory.grow(need) < 0)) ok = false;
  }
  atomic.store<i32>(HDR + H_GROW_LOCK, 0);
  return ok;
}

/** Heap bytes thread t holds in records and blocks. */
export function bytesInUse(t: u32): i32 {
  if (!validThread(t)) return -1;
  return load<i32>(ctx(t), T_BYTES);
}

/** The heap's high-water mark: the first address never handed out. */
export function heapTop(): i32 {
  return atomic.load<i32>(HDR + H_BUMP);
}

/** A bounds check for a record address handed in by JavaScript: inside the heap, aligned, and
 *  (checked by the caller) carrying the expected magic tag. */
// @ts-ignore: decorator
@inline export function inHeap(a: u32, size: u32): bool {
  // A plain load of BUMP: it only grows, and never past the end of the memory, so a stale value
  // is merely stricter. One unsigned comparison covers both ends of the heap.
  const start = heapStart();
  return (a & (HEAP_ALIGN - 1)) == 0 && a - start <= load<u32>(HDR + H_BUMP) - start - size;
}

