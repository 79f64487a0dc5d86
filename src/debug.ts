// Internal views of the core for tests, benchmarks and diagnostics. Not part of the public API:
// src/index.ts does not export this module.

import { core, T, ensureCore, parkedWaits as waitsParked } from "./core.js";
import { Chan, idOf, freeDeadChannels } from "./chan.js";
import type { RecvChan, SendChan } from "./chan.js";
import { pendingTimers as timersPending } from "./time.js";
import { encode as encodeValue, decode as decodeValue } from "./codec.js";

/** Waiters parked on a channel, as the core's queues hold them. */
export function waiters(ch: RecvChan<unknown> | SendChan<unknown>): { recv: number; send: number } {
  if (!(ch instanceof Chan)) throw new TypeError("waiters: not a baton channel");
  return { recv: core.chanWaiters(T, idOf(ch), 0), send: core.chanWaiters(T, idOf(ch), 1) };
}

/** Checks a channel's invariants in the core (assembly/check.ts): 0, or the negative code of the
 *  first that fails. */
export function checkChan(ch: RecvChan<unknown> | SendChan<unknown>): number {
  if (!(ch instanceof Chan)) throw new TypeError("checkChan: not a baton channel");
  return core.chanCheck(T, idOf(ch));
}

/** Bytes of the core's heap that this thread holds in records in use (its spare waiter records,
 *  a bounded cache, not counted). */
export function coreBytesInUse(): number {
  ensureCore();
  return core.recordBytes(T);
}

/** Seeds the core's PRNG (select's poll order) for this thread. */
export function seedCore(seed: number): void {
  ensureCore();
  core.seed(T, seed >>> 0);
}

/** The high-water mark of the core's heap (bytes from address 0). */
export function heapTop(): number {
  ensureCore();
  return core.heapTop();
}

/** Channels alive in the core for this thread. */
export function liveChannels(): number {
  ensureCore();
  return core.liveChannels(T);
}

/** Frees the core records of channels whose JS objects were garbage collected and finalized. */
export function collectChannels(): void {
  freeDeadChannels();
}

/** Checks the core allocator's invariants (assembly/alloc.ts, heapCheck): 0, or the negative code
 *  of the first that fails. */
export function heapCheck(): number {
  ensureCore();
  return core.heapCheck();
}

/** Waits parked in this thread's slot table (channel operations, selects, sync waits, sleeps). */
export function parkedWaits(): number {
  return waitsParked();
}

/** Timers pending in this thread's timer heap (stopped ones not counted). */
export function pendingTimers(): number {
  return timersPending();
}

/** baton's codec for values on shared channels (bench/codec.mjs measures it): a value as bytes. */
export function encode(v: unknown): Uint8Array {
  return encodeValue(v);
}

/** The value of bytes[start, end) that encode() gave. */
export function decode(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
  return decodeValue(bytes, start, end);
}
