// The core's allocator: one heap for every thread, TLSF (two-level segregated fit: Masmano,
// Ripoll, Crespo and Real, "TLSF: a New Dynamic Memory Allocator for Real-Time Systems", ECRTS
// 2004; the layout of its index follows AssemblyScript's std/assembly/rt/tlsf.ts) under one spin
// lock, a "wilderness" above it that the heap grows into (as dlmalloc's top chunk), and a small
// per-thread cache of small blocks that the thread itself freed, used without the lock.
//
// A freed block merges with free neighbours and serves a request of any size; a free region that
// reaches the top of the heap goes back to the wilderness. Any thread may free any block.
//
// ── The heap ─────────────────────────────────────────────────────────────────────────────────────
//
//   heapStart()   FIRST = heapStart() + 64                    BUMP             memory.size() << 16
//   ├── 64 B ─────┼──────┬──────┬──────┬───────────────┬──────┼─────────────────────────────┤
//   │ never used  │ used │ free │ used │  ...          │ used │ WILDERNESS: not yet a block  │
//   └─────────────┴──────┴──────┴──────┴───────────────┴──────┴─────────────────────────────┘
//   The blocks tile [FIRST, BUMP) in physical order. BUMP moves up when a request is carved from
//   the wilderness and down when the block just below it is freed; A_HIGH keeps its maximum.
//
// ── A block (16-byte aligned; its size counts the header and is a multiple of 16, ≥ 32) ─────────
//
//   b+0   SIZE   size | PREVFREE (bit 1: the block physically before is free) | FREE (bit 0)
//   b+4   OWNER  in use: the owner, 0..239 (a thread) or 255 (SHARED)
//                cached: OWN_CACHED | t (in thread t's cache)     free: OWN_FREE
//   b+8   NEXT   free: next block of its TLSF list   cached: next block of its cache list
//   b+12  PREV   free: previous block of its TLSF list
//   b+16  payload (what allocBytes returns) ...
//   b+size-4     free: FOOTER = b, so that the block after can find b to merge with it
//
//   No word the allocator writes can be mistaken for a record's magic tag (ASCII, ≥ 0x41000000):
//   sizes and addresses stay below 2^31 and owner words below 0x300; freeBlock clears the
//   payload's first word, and the links live in the header, outside the payload.
//
// ── The allocator's header (global; addresses 1280 .. 4096) ─────────────────────────────────────
//
//   1280  A_LOCK     0 = free, else the holder's thread id + 1 (LOCK_ANON for heapCheck)
//         (H_GROW_LOCK, in layout.ts's header, likewise holds the growing thread's id + 1)
//   1284  A_FLMAP    first-level bitmap: bit f set ⇔ A_SLMAP[f] != 0
//   1288  A_HIGH     the highest BUMP ever (heapTop)
//   1292  A_SHARED   bytes held by blocks owned by SHARED
//   1296  A_SLMAP    24 × u32: second-level bitmaps, bit s of [f] set ⇔ A_HEADS[f][s] != 0
//   1392  A_HEADS    24 × 16 × u32: first free block of each list (0 = empty)
//   2928  A_SCRATCH  241 × u32: heapCheck's per-owner byte totals (under the lock)
//   3892  (end)
//
//   List index (TLSF mapping) of a block of `size` bytes:
//     size < 256:  f = 0,                 s = size >> 4           (16-byte steps, exact)
//     otherwise:   f = fls(size) - 7,     s = (size >> (fls(size) - 4)) - 16
//   where fls(x) = 31 - clz(x): 16 lists between consecutive powers of two. A request searches
//   from its size rounded up to the next list boundary, so the first block of any non-empty list
//   found serves it; the search is two masks and two ctz, with no loop.
//
// ── Per thread (in its context, see layout.ts) ──────────────────────────────────────────────────
//
//   +20   T_BYTES    bytes of blocks owned by t, as t itself changed them (written by t only)
//   +64   T_CACHE    10 × u32: cache lists of blocks of 32, 48, .. 176 bytes (headers, via NEXT)
//   +104  T_CACHED   bytes in t's cache, ≤ CACHE_LIMIT
//   +108  T_REMOTE   bytes of blocks owned by t, as other threads changed them (under the lock)
//   bytesInUse(t) = T_BYTES + T_REMOTE.
//
// Invariants (between calls, with the lock free):
//  The blocks tile [FIRST, BUMP): each starts where the one before ends, the last ends at BUMP.
//  No two free blocks are adjacent, and the block just below BUMP is not free (it would have gone
//  back to the wilderness); so every free block has a non-free block right after it.
//  A block's PREVFREE bit is set ⇔ the block before it is free; a free block ends with a FOOTER.
//  Every free block is on exactly the TLSF list of its size; a list is non-empty ⇔ its bit in
//  A_SLMAP is set; A_SLMAP[f] != 0 ⇔ bit f of A_FLMAP is set.
//  A cached block is not free as far as TLSF goes (its neighbours do not merge with it); it is on
//  exactly one list of its thread's cache, the one of its size, and counts in T_CACHED, not in
//  bytesInUse. Only the owning thread touches its cache (no lock), and the block's owner word.
//  For every owner o, the sizes of the in-use blocks owned by o add up to bytesInUse(o).
//
// Locking: the TLSF lists, the bitmaps, SIZE words, BUMP, A_HIGH, A_SHARED and every T_REMOTE
// change only under A_LOCK. The locked sections of allocBytes and freeBlock contain no loop and no
// call (their helpers are @inline): V8 interrupts (and terminates) a Wasm thread only at loop
// back-edges and calls, so a terminated thread never leaves the heap half-updated, nor holds the
// lock. Memory grows outside the lock, under H_GROW_LOCK. freeOwnedBy and heapCheck loop under
// the lock; the heap is consistent at each back-edge, so a thread terminated there leaves only
// the lock word held (with its id, for a later robust lock to clear).

import {
  HDR, T_STATE, TS_FREE, TS_CLAIMED, H_MAGIC, H_INIT, H_BUMP, H_GROW_LOCK, H_NTHREADS, MAGIC_HEADER, MAX_THREADS, TSIZE,
  T_TID, T_RNG, T_BYTES, NCLASSES, HEAP_ALIGN, ctx,
} from "./layout";

// ── constants ───────────────────────────────────────────────────────────────────────────────────

// TLSF index: 16 second-level lists per power of two, 16-byte granularity below 256 bytes.
// @ts-ignore: decorator
@inline const SL_BITS: u32 = 4;
// @ts-ignore: decorator
@inline const SL_COUNT: u32 = 1 << SL_BITS;
// @ts-ignore: decorator
@inline const SB_SIZE: u32 = 256; // 1 << (SL_BITS + 4): below this, lists are exact sizes
// @ts-ignore: decorator
@inline const FL_COUNT: u32 = 24; // blocks < 2^31 bytes: fls ≤ 30, f ≤ 23

// Allocator header words (see the drawing above). Addresses 1280 .. 4096 belong to this file.
// @ts-ignore: decorator
@inline const A_LOCK: u32 = 1280; // known to test/alloc.test.ts, which checks it is free
// @ts-ignore: decorator
@inline const A_FLMAP: u32 = 1284;
// @ts-ignore: decorator
@inline const A_HIGH: u32 = 1288;
// @ts-ignore: decorator
@inline const A_SHARED: u32 = 1292;
// @ts-ignore: decorator
@inline const A_SLMAP: u32 = 1296;
// @ts-ignore: decorator
@inline const A_HEADS: u32 = A_SLMAP + FL_COUNT * 4; // 1392
// @ts-ignore: decorator
@inline const A_SCRATCH: u32 = A_HEADS + FL_COUNT * SL_COUNT * 4; // 2928
// @ts-ignore: decorator
@inline const A_END: u32 = A_SCRATCH + (MAX_THREADS + 1) * 4; // 3892, must stay ≤ 4096

// The lock value of heapCheck, which has no thread (thread ids + 1 are 1 .. 240).
// @ts-ignore: decorator
@inline const LOCK_ANON: u32 = 0x100;

// Block header.
// @ts-ignore: decorator
@inline const B_SIZE: u32 = 0;
// @ts-ignore: decorator
@inline const B_OWNER: u32 = 4;
// @ts-ignore: decorator
@inline const B_NEXT: u32 = 8;
// @ts-ignore: decorator
@inline const B_PREV: u32 = 12;
// @ts-ignore: decorator
@inline const BLOCK_HDR: u32 = 16;
// @ts-ignore: decorator
@inline const MIN_BLOCK: u32 = 32;
// @ts-ignore: decorator
@inline const FREE: u32 = 1;
// @ts-ignore: decorator
@inline const PREVFREE: u32 = 2;
// @ts-ignore: decorator
@inline const SIZE_MASK: u32 = ~15;

/** The owner of a block that belongs to no thread (= layout.ts's OWNER_SHARED). */
// @ts-ignore: decorator
@inline export const SHARED: u32 = 255;
// @ts-ignore: decorator
@inline const OWN_CACHED: u32 = 0x100;
// @ts-ignore: decorator
@inline const OWN_FREE: u32 = 0x200;

/** The largest request allocBytes serves (the memory is at most 2 GiB, in practice 512 MiB). */
// @ts-ignore: decorator
@inline export const MAX_ALLOC: u32 = 1 << 30;
// @ts-ignore: decorator
@inline const HEAP_LIMIT: u64 = 0x80000000;

// Per-thread words in the thread context (T_BYTES is in layout.ts).
// @ts-ignore: decorator
@inline const T_CACHE: u32 = 64;
// @ts-ignore: decorator
@inline const CACHE_LISTS: u32 = 10; // blocks of 32 .. 176 bytes
// @ts-ignore: decorator
@inline const CACHE_MAX_BLOCK: u32 = (CACHE_LISTS + 1) << 4; // 176
// @ts-ignore: decorator
@inline const T_CACHED: u32 = T_CACHE + CACHE_LISTS * 4; // 104
// @ts-ignore: decorator
@inline const T_REMOTE: u32 = T_CACHED + 4; // 108, must stay < 160
// @ts-ignore: decorator
@inline const CACHE_LIMIT: u32 = 8192;

// heapCheck's results: which invariant is violated.
// @ts-ignore: decorator
@inline const E_TOP: i32 = -1; // BUMP out of range, misaligned, or above A_HIGH / the memory
// @ts-ignore: decorator
@inline const E_TILE: i32 = -2; // a block's size is bad or it overruns BUMP
// @ts-ignore: decorator
@inline const E_ADJACENT: i32 = -3; // two free blocks are adjacent
// @ts-ignore: decorator
@inline const E_PREVFREE: i32 = -4; // a PREVFREE bit disagrees with the block before
// @ts-ignore: decorator
@inline const E_FOOTER: i32 = -5; // a free block's footer is not its address
// @ts-ignore: decorator
@inline const E_TOP_FREE: i32 = -6; // the block just below BUMP is free
// @ts-ignore: decorator
@inline const E_OWNER: i32 = -7; // an owner word is not a thread, SHARED, cached or free
// @ts-ignore: decorator
@inline const E_LIST: i32 = -8; // a TLSF list holds a non-free block, one of another size, or bad links
// @ts-ignore: decorator
@inline const E_BITMAP: i32 = -9; // a bitmap bit disagrees with its list or level
// @ts-ignore: decorator
@inline const E_FREE_COUNT: i32 = -10; // free blocks in the heap ≠ blocks on the lists
// @ts-ignore: decorator
@inline const E_CACHE: i32 = -11; // a cache list holds a wrong block, or T_CACHED is wrong
// @ts-ignore: decorator
@inline const E_CACHE_COUNT: i32 = -12; // cached blocks in the heap ≠ blocks on the cache lists
// @ts-ignore: decorator
@inline const E_BYTES: i32 = -13; // an owner's in-use bytes ≠ bytesInUse(owner)
// @ts-ignore: decorator
@inline const E_INIT: i32 = -14; // the header is not initialised

// ── set-up ──────────────────────────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline export function heapStart(): u32 {
  const base = <u32>__heap_base;
  const start = (base + 65535) & ~65535;
  return start < 65536 ? 65536 : start;
}

// The first block's address. The 64 bytes below it are never handed out, so that BUMP - heap
// start is at least the size of any record and inHeap's single comparison cannot wrap.
// @ts-ignore: decorator
@inline function heapFirst(): u32 {
  return heapStart() + 64;
}

/** One-time initialisation of the header, guarded by a CAS so that the first instance of any
 *  thread does it and the others wait for it. Returns 1 once the header is ready. */
export function init(): i32 {
  const p = HDR + H_INIT;
  if (atomic.load<i32>(p) == 2) return 1;
  if (atomic.cmpxchg<i32>(p, 0, 1) == 0) {
    memory.fill(A_LOCK, 0, A_END - A_LOCK);
    atomic.store<i32>(HDR + H_BUMP, <i32>heapFirst());
    atomic.store<i32>(A_HIGH, <i32>heapFirst());
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
  // A context freed by a thread that ended (thread.ts: TS_FREE, after freeOwnedBy) first.
  let t: u32 = 0xffffffff;
  const n = <u32>atomic.load<i32>(HDR + H_NTHREADS);
  for (let i: u32 = 0; i < n && i < MAX_THREADS; i++) {
    if (atomic.cmpxchg<u32>(ctx(i) + T_STATE, TS_FREE, TS_CLAIMED) == TS_FREE) {
      t = i;
      break;
    }
  }
  if (t == 0xffffffff) t = <u32>atomic.add<i32>(HDR + H_NTHREADS, 1);
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

// ── the lock ────────────────────────────────────────────────────────────────────────────────────

// Takes A_LOCK for `holder` (a thread id + 1, or LOCK_ANON). Test-and-test-and-set: waiters spin
// on a plain read, outside the locked section (a terminated waiter holds nothing).
// @ts-ignore: decorator
@inline function lock(holder: u32): void {
  while (atomic.cmpxchg<u32>(A_LOCK, 0, holder) != 0) {
    while (atomic.load<u32>(A_LOCK) != 0) {}
  }
}

// @ts-ignore: decorator
@inline function unlock(): void {
  atomic.store<u32>(A_LOCK, 0);
}

// ── TLSF lists (the lock must be held) ──────────────────────────────────────────────────────────

// The list (f << 4 | s) that holds free blocks of `size` bytes.
// @ts-ignore: decorator
@inline function listOf(size: u32): u32 {
  if (size < SB_SIZE) return size >> 4;
  const f = 31 - clz<u32>(size);
  return ((f - 7) << SL_BITS) | ((size >> (f - SL_BITS)) ^ SL_COUNT);
}

// Puts free block b of `size` bytes at the head of its list.
// @ts-ignore: decorator
@inline function insertFree(b: u32, size: u32): void {
  const i = listOf(size);
  const f = i >> SL_BITS;
  const head = A_HEADS + (i << 2);
  const first = load<u32>(head);
  store<u32>(b, first, B_NEXT);
  store<u32>(b, 0, B_PREV);
  if (first != 0) store<u32>(first, b, B_PREV);
  store<u32>(head, b);
  store<u32>(A_FLMAP, load<u32>(A_FLMAP) | (1 << f));
  store<u32>(A_SLMAP + (f << 2), load<u32>(A_SLMAP + (f << 2)) | (1 << (i & (SL_COUNT - 1))));
}

// Takes free block b of `size` bytes off its list.
// @ts-ignore: decorator
@inline function removeFree(b: u32, size: u32): void {
  const i = listOf(size);
  const next = load<u32>(b, B_NEXT);
  const prev = load<u32>(b, B_PREV);
  if (next != 0) store<u32>(next, prev, B_PREV);
  if (prev != 0) {
    store<u32>(prev, next, B_NEXT);
  } else {
    store<u32>(A_HEADS + (i << 2), next);
    if (next == 0) {
      const f = i >> SL_BITS;
      const sl = load<u32>(A_SLMAP + (f << 2)) & ~(1 << (i & (SL_COUNT - 1)));
      store<u32>(A_SLMAP + (f << 2), sl);
      if (sl == 0) store<u32>(A_FLMAP, load<u32>(A_FLMAP) & ~(1 << f));
    }
  }
}

// A free block of at least `size` bytes, or 0. Good fit: the first block of the first non-empty
// list at or above `size` rounded up to its list's upper bound; failing that, the first block of
// the list of `size` itself, if it is big enough. No loop.
// @ts-ignore: decorator
@inline function findFree(size: u32): u32 {
  let i = size >> 4;
  if (size >= SB_SIZE) {
    const r = size + (1 << (31 - clz<u32>(size) - SL_BITS)) - 1;
    const f = 31 - clz<u32>(r);
    i = ((f - 7) << SL_BITS) | ((r >> (f - SL_BITS)) ^ SL_COUNT);
  }
  let f = i >> SL_BITS;
  let sl = load<u32>(A_SLMAP + (f << 2)) & (<u32>0xffffffff << (i & (SL_COUNT - 1)));
  if (sl == 0) {
    const fl = load<u32>(A_FLMAP) & (<u32>0xfffffffe << f);
    if (fl == 0) {
      const b = load<u32>(A_HEADS + (listOf(size) << 2));
      return b != 0 && (load<u32>(b, B_SIZE) & SIZE_MASK) >= size ? b : 0;
    }
    f = ctz<u32>(fl);
    sl = load<u32>(A_SLMAP + (f << 2));
  }
  return load<u32>(A_HEADS + (((f << SL_BITS) | ctz<u32>(sl)) << 2));
}

// ── taking and returning blocks (the lock must be held; no loop, no call) ───────────────────────

// The end of the memory the heap may use.
// @ts-ignore: decorator
@inline function memEnd(): u64 {
  const end = <u64>memory.size() << 16;
  return end < HEAP_LIMIT ? end : HEAP_LIMIT;
}

// Takes a block of `size` bytes (a multiple of 16, ≥ MIN_BLOCK) for `owner`: from the free lists,
// split if the rest can be a block, else carved from the wilderness. Returns the block (its
// header), or 0 when neither has room.
// @ts-ignore: decorator
@inline function takeLocked(size: u32, owner: u32): u32 {
  let b = findFree(size);
  if (b != 0) {
    let bsize = load<u32>(b, B_SIZE) & SIZE_MASK;
    removeFree(b, bsize);
    const rest = bsize - size;
    if (rest >= MIN_BLOCK) {
      // The rest stays free; the block after it keeps its PREVFREE bit.
      const r = b + size;
      store<u32>(r, rest | FREE, B_SIZE);
      store<u32>(r, OWN_FREE, B_OWNER);
      store<u32>(r + rest - 4, r);
      insertFree(r, rest);
      bsize = size;
    } else {
      const n = b + bsize; // exists: a free block is never the last one
      store<u32>(n, load<u32>(n, B_SIZE) & ~PREVFREE, B_SIZE);
    }
    store<u32>(b, bsize, B_SIZE); // in use; the block before a free block is not free
    store<u32>(b, owner, B_OWNER);
    return b;
  }
  const top = load<u32>(HDR + H_BUMP);
  if (<u64>top + <u64>size > memEnd()) return 0;
  b = top;
  store<u32>(b, size, B_SIZE); // the block below BUMP is never free: PREVFREE = 0
  store<u32>(b, owner, B_OWNER);
  atomic.store<u32>(HDR + H_BUMP, top + size);
  if (top + size > load<u32>(A_HIGH)) atomic.store<u32>(A_HIGH, top + size);
  return b;
}

// Frees block b of `size` bytes (in use or cached): merges it with a free neighbour on either
// side, and gives the result back to the wilderness if it reaches BUMP, else lists it. Returns
// the address just past the merged free region (the new BUMP when it went to the wilderness).
// @ts-ignore: decorator
@inline function freeLocked(b: u32, size: u32): u32 {
  let start = b;
  let total = size;
  if ((load<u32>(b, B_SIZE) & PREVFREE) != 0) {
    const l = load<u32>(b - 4); // the footer of the free block before
    const lsize = load<u32>(l, B_SIZE) & SIZE_MASK;
    removeFree(l, lsize);
    start = l;
    total += lsize;
  }
  const n = b + size;
  if (n == load<u32>(HDR + H_BUMP)) {
    atomic.store<u32>(HDR + H_BUMP, start);
    return start;
  }
  const nword = load<u32>(n, B_SIZE);
  if ((nword & FREE) != 0) {
    const nsize = nword & SIZE_MASK;
    removeFree(n, nsize);
    total += nsize; // the block after n keeps its PREVFREE bit
  } else {
    store<u32>(n, nword | PREVFREE, B_SIZE);
  }
  store<u32>(start, total | FREE, B_SIZE);
  store<u32>(start, OWN_FREE, B_OWNER);
  store<u32>(start + total - 4, start);
  insertFree(start, total);
  return start + total;
}

// Adds `delta` bytes to `owner`'s count, on behalf of thread t. Lock held: T_REMOTE and A_SHARED
// change only under it; T_BYTES only by its own thread.
// @ts-ignore: decorator
@inline function countLocked(t: u32, owner: u32, delta: u32): void {
  if (owner == SHARED) {
    store<u32>(A_SHARED, load<u32>(A_SHARED) + delta);
  } else if (owner == t) {
    const x = ctx(t);
    store<u32>(x, load<u32>(x, T_BYTES) + delta, T_BYTES);
  } else {
    const x = ctx(owner);
    store<u32>(x, load<u32>(x, T_REMOTE) + delta, T_REMOTE);
  }
}

// ── the API ─────────────────────────────────────────────────────────────────────────────────────

// A request of `size` bytes as a block size: header included, rounded up to 16, at least 32.
// @ts-ignore: decorator
@inline function blockFor(size: u32): u32 {
  return size <= MIN_BLOCK - BLOCK_HDR ? MIN_BLOCK : (size + BLOCK_HDR + 15) & SIZE_MASK;
}

/** Allocates at least `size` bytes for thread t, owned by `owner` (a thread, or SHARED = 255).
 *  Returns the payload's address (16-byte aligned, contents not cleared), or 0 when the memory is
 *  exhausted or an argument is out of range. Takes the heap lock, except when t allocates for
 *  itself a small block that its cache holds. May grow the memory. */
export function allocBytes(t: u32, size: u32, owner: u32): u32 {
  if (t >= MAX_THREADS || size > MAX_ALLOC || (owner >= MAX_THREADS && owner != SHARED)) return 0;
  const s = blockFor(size);
  if (owner == t && s <= CACHE_MAX_BLOCK) {
    const x = ctx(t);
    const head = x + T_CACHE + (((s >> 4) - 2) << 2);
    const b = load<u32>(head);
    if (b != 0) {
      store<u32>(head, load<u32>(b, B_NEXT));
      store<u32>(x, load<u32>(x, T_CACHED) - s, T_CACHED);
      store<u32>(b, t, B_OWNER);
      store<u32>(x, load<u32>(x, T_BYTES) + s, T_BYTES);
      return b + BLOCK_HDR;
    }
  }
  while (true) {
    lock(t + 1);
    const b = takeLocked(s, owner);
    if (b != 0) countLocked(t, owner, load<u32>(b, B_SIZE) & SIZE_MASK);
    unlock();
    if (b != 0) return b + BLOCK_HDR;
    // Neither a free block nor the wilderness has room: grow the memory (outside the lock), or
    // failing that give this thread's cache back to the heap (where it may merge), and retry.
    if (!grow(t, <u64>atomic.load<u32>(HDR + H_BUMP) + <u64>s) && !flushCache(t)) return 0;
  }
  return 0; // not reached
}

/** Frees block `p` (a payload address from allocBytes) for thread t; any thread may free any
 *  block. Clears the payload's first word (a record's magic tag). A small block that t itself
 *  owns goes to t's cache without the lock; others go back to the heap under the lock. Traps on a
 *  block that is already free. */
export function freeBlock(t: u32, p: u32): void {
  if (p == 0 || t >= MAX_THREADS) return;
  const b = p - BLOCK_HDR;
  const word = load<u32>(b, B_SIZE);
  const owner = load<u32>(b, B_OWNER);
  if ((word & FREE) != 0 || owner > SHARED) unreachable(); // freed twice
  store<u32>(p, 0);
  const size = word & SIZE_MASK;
  if (owner == t && size <= CACHE_MAX_BLOCK) {
    const x = ctx(t);
    const cached = load<u32>(x, T_CACHED) + size;
    if (cached <= CACHE_LIMIT) {
      const head = x + T_CACHE + (((size >> 4) - 2) << 2);
      store<u32>(b, OWN_CACHED | t, B_OWNER);
      store<u32>(b, load<u32>(head), B_NEXT);
      store<u32>(head, b);
      store<u32>(x, cached, T_CACHED);
      store<u32>(x, load<u32>(x, T_BYTES) - size, T_BYTES);
      return;
    }
  }
  lock(t + 1);
  freeLocked(b, size);
  countLocked(t, owner, -size);
  unlock();
}

/** The usable bytes of block `p` (a payload address from allocBytes): at least what was asked. */
export function blockSize(p: u32): u32 {
  return (load<u32>(p - BLOCK_HDR, B_SIZE) & SIZE_MASK) - BLOCK_HDR;
}

// Gives thread t's cached blocks back to the heap, one lock at a time. Returns whether there were
// any. A block is taken off its list before it is freed: a thread terminated in between leaves
// a cached block on no list, which freeOwnedBy finds by its owner word.
function flushCache(t: u32): bool {
  const x = ctx(t);
  let any = false;
  for (let i: u32 = 0; i < CACHE_LISTS; i++) {
    const head = x + T_CACHE + (i << 2);
    let b = load<u32>(head);
    while (b != 0) {
      const size = load<u32>(b, B_SIZE) & SIZE_MASK;
      store<u32>(head, load<u32>(b, B_NEXT));
      store<u32>(x, load<u32>(x, T_CACHED) - size, T_CACHED);
      lock(t + 1);
      freeLocked(b, size);
      unlock();
      any = true;
      b = load<u32>(head);
    }
  }
  return any;
}

/** Frees every in-use block owned by thread `dead`, which has died and must never run again, and
 *  every block in its cache; resets its byte counts to 0. Returns the number of in-use blocks
 *  freed, or -1 for a bad thread. Walks the whole heap under the lock: call it rarely. */
export function freeOwnedBy(t: u32, dead: u32): i32 {
  if (t >= MAX_THREADS || !validThread(dead)) return -1;
  let n = 0;
  lock(t + 1);
  let b = heapFirst();
  while (b < load<u32>(HDR + H_BUMP)) {
    const word = load<u32>(b, B_SIZE);
    const size = word & SIZE_MASK;
    const owner = load<u32>(b, B_OWNER);
    if ((word & FREE) == 0 && (owner == dead || owner == (OWN_CACHED | dead))) {
      if (owner == dead) n++;
      b = freeLocked(b, size);
    } else {
      b += size;
    }
  }
  const x = ctx(dead);
  memory.fill(x + T_CACHE, 0, CACHE_LISTS * 4);
  store<u32>(x, 0, T_CACHED);
  store<u32>(x, 0, T_REMOTE);
  store<u32>(x, 0, T_BYTES);
  unlock();
  return n;
}

/** Heap bytes (headers included) held by in-use blocks owned by thread t, or by SHARED for
 *  t = 255; -1 for a bad thread. Exact when t is not allocating or freeing concurrently. */
export function bytesInUse(t: u32): i32 {
  if (t == SHARED) return atomic.load<i32>(A_SHARED);
  if (!validThread(t)) return -1;
  const x = ctx(t);
  return atomic.load<i32>(x + T_BYTES) + atomic.load<i32>(x + T_REMOTE);
}

/** The heap's high-water mark: the first address never handed out. */
export function heapTop(): i32 {
  return atomic.load<i32>(A_HIGH);
}

/** Debug walker: checks every invariant of the heap (see the top of this file), under the lock.
 *  Returns 0, or a negative E_* code naming the first violation found. Exact only while no other
 *  thread uses its cache (allocates or frees for itself) concurrently. */
export function heapCheck(): i32 {
  if (atomic.load<i32>(HDR + H_INIT) != 2) return E_INIT;
  lock(LOCK_ANON);
  const r = checkLocked();
  unlock();
  return r;
}

function checkLocked(): i32 {
  const first = heapFirst();
  const top = load<u32>(HDR + H_BUMP);
  if (top < first || (top & 15) != 0 || <u64>top > memEnd() || top > load<u32>(A_HIGH)) return E_TOP;
  const nthreads = min<u32>(<u32>atomic.load<i32>(HDR + H_NTHREADS), MAX_THREADS);
  memory.fill(A_SCRATCH, 0, (MAX_THREADS + 1) * 4);

  // Physical walk.
  let nfree: u32 = 0, ncached: u32 = 0;
  let prevFree = false;
  let b = first;
  while (b < top) {
    const word = load<u32>(b, B_SIZE);
    const size = word & SIZE_MASK;
    const owner = load<u32>(b, B_OWNER);
    if (size < MIN_BLOCK || size > top - b || (word & 12) != 0) return E_TILE;
    if (((word & PREVFREE) != 0) != prevFree) return E_PREVFREE;
    if ((word & FREE) != 0) {
      if (prevFree) return E_ADJACENT;
      if (owner != OWN_FREE) return E_OWNER;
      if (load<u32>(b + size - 4) != b) return E_FOOTER;
      if (b + size == top) return E_TOP_FREE;
      nfree++;
      prevFree = true;
    } else {
      prevFree = false;
      if ((owner & ~0xff) == OWN_CACHED) {
        if ((owner & 0xff) >= nthreads) return E_OWNER;
        ncached++;
      } else if (owner < MAX_THREADS || owner == SHARED) {
        const slot = A_SCRATCH + (owner == SHARED ? MAX_THREADS : owner) * 4;
        store<u32>(slot, load<u32>(slot) + size);
      } else {
        return E_OWNER;
      }
    }
    b += size;
  }

  // TLSF lists and bitmaps.
  const flmap = load<u32>(A_FLMAP);
  if ((flmap >> FL_COUNT) != 0) return E_BITMAP;
  let listed: u32 = 0;
  for (let f: u32 = 0; f < FL_COUNT; f++) {
    const slmap = load<u32>(A_SLMAP + (f << 2));
    if (((flmap >> f) & 1) != <u32>(slmap != 0) || (slmap >> SL_COUNT) != 0) return E_BITMAP;
    for (let s: u32 = 0; s < SL_COUNT; s++) {
      const i = (f << SL_BITS) | s;
      let e = load<u32>(A_HEADS + (i << 2));
      if (((slmap >> s) & 1) != <u32>(e != 0)) return E_BITMAP;
      let prev: u32 = 0;
      while (e != 0) {
        if (++listed > nfree) return E_FREE_COUNT;
        if (e < first || e >= top || (e & 15) != 0) return E_LIST;
        const word = load<u32>(e, B_SIZE);
        if ((word & FREE) == 0 || listOf(word & SIZE_MASK) != i || load<u32>(e, B_PREV) != prev) return E_LIST;
        prev = e;
        e = load<u32>(e, B_NEXT);
      }
    }
  }
  if (listed != nfree) return E_FREE_COUNT;

  // Caches.
  let inCaches: u32 = 0;
  for (let t: u32 = 0; t < nthreads; t++) {
    const x = ctx(t);
    let bytes: u32 = 0;
    for (let i: u32 = 0; i < CACHE_LISTS; i++) {
      let e = load<u32>(x + T_CACHE + (i << 2));
      while (e != 0) {
        if (++inCaches > ncached) return E_CACHE_COUNT;
        if (e < first || e >= top || (e & 15) != 0) return E_CACHE;
        const size = load<u32>(e, B_SIZE) & SIZE_MASK;
        if (load<u32>(e, B_OWNER) != (OWN_CACHED | t) || size != (i + 2) << 4) return E_CACHE;
        bytes += size;
        e = load<u32>(e, B_NEXT);
      }
    }
    if (bytes != load<u32>(x, T_CACHED)) return E_CACHE;
  }
  if (inCaches != ncached) return E_CACHE_COUNT;

  // Bytes per owner.
  for (let o: u32 = 0; o < MAX_THREADS; o++) {
    const x = ctx(o);
    const want = o < nthreads ? load<u32>(x, T_BYTES) + load<u32>(x, T_REMOTE) : 0;
    if (load<u32>(A_SCRATCH + o * 4) != want) return E_BYTES;
  }
  if (load<u32>(A_SCRATCH + MAX_THREADS * 4) != load<u32>(A_SHARED)) return E_BYTES;
  return 0;
}

// ── growth ──────────────────────────────────────────────────────────────────────────────────────

// Grows the memory to hold `end` bytes, for thread t, under the grow lock (holder t + 1; never
// under the heap lock). Grows by at least a quarter of what there is, so that growth is rare.
// Returns false when the memory cannot grow that far.
function grow(t: u32, end: u64): bool {
  if (end > HEAP_LIMIT) return false;
  while (atomic.cmpxchg<u32>(HDR + H_GROW_LOCK, 0, t + 1) != 0) {}
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

// ── the old API, kept for the core's callers ────────────────────────────────────────────────────

/** Allocates 16 << k bytes for thread t, owned by t. Returns 0 when memory is exhausted. */
export function alloc(t: u32, k: u32): u32 {
  return allocBytes(t, 16 << k, t);
}

/** Frees block b (k is ignored: blocks know their size). */
export function free(t: u32, b: u32, k: u32): void {
  freeBlock(t, b);
}

/** The size class that holds `bytes` bytes, or NCLASSES if none does. */
export function classFor(bytes: u32): u32 {
  if (bytes <= 16) return 0;
  const k: u32 = 32 - clz<u32>(bytes - 1) - 4;
  return k < NCLASSES ? k : NCLASSES;
}

/** A bounds check for a record address handed in by JavaScript: inside the heap, aligned, and
 *  (checked by the caller) carrying the expected magic tag. `size` ≤ 64. */
// @ts-ignore: decorator
@inline export function inHeap(a: u32, size: u32): bool {
  // A plain load of BUMP, which never passes the end of the memory (and the memory never
  // shrinks), so any address below a stale value can be read. One unsigned comparison covers
  // both ends of the heap: BUMP - start ≥ 64 ≥ size.
  const start = heapStart();
  return (a & (HEAP_ALIGN - 1)) == 0 && a - start <= load<u32>(HDR + H_BUMP) - start - size;
}
