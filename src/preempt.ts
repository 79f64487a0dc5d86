// Preemption: a program whose waits all complete at once (a buffered channel that is never empty,
// a select with a ready case, an uncontended mutex) continues in microtasks only, and microtasks
// run before anything else: timers, I/O and the finalizers that free core records would wait
// forever. Go preempts a goroutine that runs for more than ~10 ms; baton does the equivalent at
// its own operations. Every operation that completes at once counts itself (preempt()); every
// CHECK_EVERY of them the clock is read, and once the event loop has not turned for SLICE_MS, the
// operations that complete from then on settle their promises from a macrotask instead, until the
// loop has turned. The operation itself is done at once, as always (a value sent is in the
// channel, a received one is taken): only the caller's continuation waits for the macrotask.
//
// Cost: a decrement and a compare per operation; a clock read (~40 ns) and, once per slice, one
// macrotask per CHECK_EVERY operations.
//
// Invariants: `yielding` is true only between a slice's end and the next turn of the loop
// (markTurned); while it is, every operation that completes at once settles from a macrotask.

import { macrotaskValue } from "./macrotask.js";

/** Operations between two clock reads. */
const CHECK_EVERY = 256;
/** How long the microtask queue may run before baton yields to the event loop, ms. */
const SLICE_MS = 4;

let ops = CHECK_EVERY;
let turned = true; // the event loop has turned since the slice began
let sliceStart = 0;
let yielding = false;

function markTurned(): void {
  turned = true;
  yielding = false;
}

function check(): boolean {
  if (yielding) {
    ops = 0;
    return true;
  }
  ops = CHECK_EVERY;
  const now = performance.now();
  if (turned) {
    turned = false;
    sliceStart = now;
    macrotaskValue(undefined).then(markTurned);
    return false;
  }
  if (now - sliceStart < SLICE_MS) return false;
  yielding = true;
  ops = 0;
  return true;
}

/** Counts an operation that completed at once; true if its caller must continue from a
 *  macrotask (see settle). */
export function preempt(): boolean {
  return --ops < 0 && check();
}

/** The promise an operation that completed at once returns: `resolved` (a promise of `v`), or,
 *  when the microtasks have run for a slice, a promise of `v` settled from a macrotask. */
export function settle<V>(resolved: Promise<V>, v: V): Promise<V> {
  return --ops < 0 && check() ? macrotaskValue(v) : resolved;
}
