// Preemption: a program whose waits all complete at once (a buffered channel that is never empty,
// a select with a ready case, an uncontended mutex) continues in microtasks only, and microtasks
// run before anything else: timers, I/O and the finalizers that free core records would wait
// forever. Go preempts a goroutine that runs for more than ~10 ms; baton does the equivalent at
// its own operations. Every operation that completes at once counts itself (settle, resolvedNow;
// a buffered send does not: its receiver counts); every CHECK_EVERY of them the clock is read, and
// once the event loop has not turned for SLICE_MS, the operations that complete from then on
// settle their promises from one macrotask instead (yielded), until the loop has turned. The
// operation itself is done at once, as always (a value sent is in the channel, a received one is
// taken): only the caller's continuation waits for the macrotask.
//
// Cost: a decrement and a compare per operation (4-6 ns measured); a clock read (~40 ns) every
// CHECK_EVERY operations; one macrotask per slice.
//
// Invariants: `yielding` is true only between a slice's end and the next turn of the loop
// (markTurned); while it is, every operation that completes at once settles from a macrotask.

import { macrotask } from "./macrotask.js";
import { tracer, tracedNow, traceResumer } from "./trace.js";

/** Operations between two clock reads. */
const CHECK_EVERY = 64;
/** How long the microtask queue may run before baton yields to the event loop, ms. */
const SLICE_MS = 2;

/** The operations left before the next clock read (a field, not a module `let`: no hole check). */
const budget = { ops: CHECK_EVERY };
let turned = true; // the event loop has turned since the slice began
let sliceStart = 0;
let yielding = false;

function markTurned(): void {
  turned = true;
  yielding = false;
}

function check(): boolean {
  if (yielding) {
    budget.ops = 0;
    return true;
  }
  budget.ops = CHECK_EVERY;
  const now = performance.now();
  if (turned) {
    turned = false;
    sliceStart = now;
    macrotask(markTurned);
    return false;
  }
  if (now - sliceStart < SLICE_MS) return false;
  yielding = true;
  budget.ops = 0;
  return true;
}

// The operations deferred while yielding settle together, in order, from one macrotask: every
// goroutine that was held back resumes in the same turn, so that none waits a slice longer than
// another (one macrotask each would let the first ones run a whole slice before the last ones
// resume, and a channel whose receivers come last would look never ready meanwhile).
const deferredFns: ((v: any) => void)[] = [];
const deferredVals: unknown[] = [];
let flushScheduled = false;
let resolveCaptured: (v: any) => void = () => {};
const captureResolve = (r: (v: any) => void): void => {
  resolveCaptured = r;
};

function flush(): void {
  flushScheduled = false;
  markTurned();
  const n = deferredFns.length;
  for (let i = 0; i < n; i++) deferredFns[i]!(deferredVals[i]);
  deferredFns.length = 0;
  deferredVals.length = 0;
}

/** A promise of `v` that settles once the event loop has turned (its caller was preempted). */
export function yielded<V>(v: V): Promise<V> {
  const p = new Promise<V>(captureResolve);
  deferredFns.push(resolveCaptured);
  deferredVals.push(v);
  if (!flushScheduled) {
    flushScheduled = true;
    macrotask(flush);
  }
  return p;
}

/** yielded(v) for the running goroutine while a trace records: it resumes as itself. */
function tracedYielded<V>(v: V): Promise<V> {
  const p = yielded(v);
  const i = deferredFns.length - 1;
  deferredFns[i] = traceResumer(deferredFns[i]!);
  return p;
}

/** A promise of `v`, for an operation that completed at once: settled now, or once the loop has
 *  turned (see settle). */
export function resolvedNow<V>(v: V): Promise<V> {
  return --budget.ops < 0 ? slowPath(null, v) : Promise.resolve(v);
}

/** The promise an operation that completed at once returns: `resolved` (a promise of `v`), or,
 *  when the microtasks have run for a slice, a promise of `v` settled once the loop has turned. */
export function settle<V>(resolved: Promise<V>, v: V): Promise<V> {
  return --budget.ops < 0 ? slowPath(resolved, v) : resolved;
}

// Every CHECK_EVERY operations, and on every operation while a trace records (startTrace sets the
// budget to 0, and it is kept there): so tracing costs the fast path nothing.
function slowPath<V>(resolved: Promise<V> | null, v: V): Promise<V> {
  if (check()) return tracer.on ? tracedYielded(v) : yielded(v);
  if (tracer.on) {
    budget.ops = 0;
    return tracedNow(v);
  }
  return resolved ?? Promise.resolve(v);
}

/** Sends every operation through the slow path from now on (startTrace). */
export function slowDown(): void {
  budget.ops = 0;
}
