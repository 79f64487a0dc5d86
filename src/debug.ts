// Internal views of the core for tests, benchmarks and diagnostics. Not part of the public API:
// src/index.ts does not export this module.

import { core, T, parkedWaits } from "./core.js";
import { Chan, freeDeadChannels } from "./chan.js";
import type { RecvChan, SendChan } from "./chan.js";

/** Waiters parked on a channel, as the core's queues hold them. */
export function waiters(ch: RecvChan<unknown> | SendChan<unknown>): { recv: number; send: number } {
  if (!(ch instanceof Chan)) throw new TypeError("waiters: not a baton channel");
  return { recv: core.chanWaiters(ch.id, 0), send: core.chanWaiters(ch.id, 1) };
}

/** Bytes of the core's heap that this thread holds in records and blocks. */
export function coreBytesInUse(): number {
  return core.bytesInUse(T);
}

/** Seeds the core's PRNG (select's poll order) for this thread. */
export function seedCore(seed: number): void {
  core.seed(T, seed >>> 0);
}

/** Slots of the facade in use: parked operations and goroutines not yet started. */
export function parkedSlots(): number {
  return parkedWaits();
}

/** The high-water mark of the core's heap (bytes from address 0). */
export function heapTop(): number {
  return core.heapTop();
}

/** Channels alive in the core for this thread. */
export function liveChannels(): number {
  return core.liveChannels(T);
}

/** Frees the core records of channels whose JS objects were garbage collected and finalized. */
export function collectChannels(): void {
  freeDeadChannels();
}
