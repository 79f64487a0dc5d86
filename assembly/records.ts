// Where every record of the core comes from: one place between the record code (chan.ts,
// select.ts, queue.ts, waitq.ts, runq.ts) and the allocator (alloc.ts). A record is allocated by
// size, for an owner: the thread whose private state it is, or OWNER_SHARED for what outlives any
// one thread (shared channels, their rings, values in transit). A thread that dies has its own
// records freed by owner (threadDead).

import { allocBytes, freeBlock } from "./alloc";

/** A block of at least `size` bytes for thread t, owned by `owner`; 0 when memory is exhausted.
 *  Its contents are not cleared. */
// @ts-ignore: decorator
@inline export function allocRecord(t: u32, size: u32, owner: u32): u32 {
  return allocBytes(t, size, owner);
}

/** Frees record b of `size` bytes (the size it was allocated with). Any thread may free any
 *  record. */
// @ts-ignore: decorator
@inline export function freeRecord(t: u32, b: u32, size: u32): void {
  freeBlock(t, b);
}
