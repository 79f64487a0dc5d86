// Memory that comes back (issue 7, item 3): "10^7 channels and 10^6 timers created and dropped in
// each of the patterns (synchronous loops, microtask-only loops, select with `after` in a loop,
// parked waits on dropped channels), with memory (JS heap and core) flat at the end and a stated
// bound during the run".
//
// Each pattern of test/fixtures/soak/memory.mjs runs in its own child process (node
// --expose-gc, over dist/), which reads the JS heap (heapUsed) and the core's views (bytes in
// use, live channels, parked waits, pending timers) before, during and after the run; see that
// file for how and when. Pending timers are those in the timer heap, which holds a timer only
// while something waits on its channel (Go 1.23's lazy timers, src/time.ts): a dropped timer
// that nobody waited on was never there, and shows only in the heap figures. Checked here,
// against the baseline taken before the run:
//  - during the run, the peak heap and core stay under RUN_HEAP and RUN_CORE;
//  - at the end (references dropped, gc() and finalizers, collectChannels()), heap and core are
//    back within END_HEAP and END_CORE, and the counts within END_COUNT;
//  - the microtask-only loop let the event loop turn at least once (else no finalizer can run
//    during it: its memory is bounded only by the run's length);
//  - the run completed every iteration without an error (a run past the fixture's safety valves
//    is stopped and fails here with the numbers it reached);
//  - for the timer patterns, the end was measured before the first timer could fire (otherwise
//    the check would prove nothing).
// On a failure the message gives every bound that was passed, with the numbers, and the trend of
// the samples (the microtask-only pattern's samples come only from macrotasks, so a loop that
// never lets the event loop turn shows none).
//
// Run with `npm run test:soak`. BATON_SOAK_SCALE=0.1 runs a tenth of the figures.

import { beforeAll, describe, expect, it } from "vitest";
import { pool, runFixture } from "./fixture.js";
import type { ChildRun } from "./fixture.js";

const MiB = 1 << 20;

// Bounds during the run, above the baseline. V8 frees the old generation lazily, and a core
// record is freed only after its channel's JS object was collected and finalized, so dead
// channels pile up between major collections even when nothing leaks. The synchronous loop, which
// has no known fault, peaked at 204-267 MiB of heap and 50-68 MiB of core (3-8 * 10^5 channels
// awaiting their finalizers) in runs of 10^7 channels here, and then held steady. The bounds give
// that about three and two and a half times the room, and do not grow with the iteration count:
// memory that piles up faster than it is reclaimed (one core record of ~80 bytes per channel,
// one parked wait of ~300 bytes of heap per iteration) passes them within 2-3 * 10^6 iterations.
const RUN_HEAP = 768 * MiB;
const RUN_CORE = 160 * MiB;
// The parked patterns hold a wait per dropped channel (a promise and its resolve function in the
// heap, a waiter record in the core) until the channel is finalized at a major collection. Before
// baton told V8 of the core memory its channels hold (chan.ts, ballast), V8 let 1.3-3 * 10^6 of
// them pile up (0.7-1.4 GiB of heap, 200-460 MiB of the 512 MiB core); now they peak near the
// synchronous loop's figures, and the same bounds hold for every pattern.

// Bounds at the end, above the baseline. What a settled process may keep: compiled code and
// V8's own tables (the synchronous loop kept 0.2-3 MiB), and a few core bytes of records still
// cached. Nothing made by the pattern is referenced any more, so the counts come back to the
// baseline (exactly, in every run without a leak), but for END_COUNT: slack for a record or two
// that an implementation may cache. A table that keeps the size of its peak (say 10^6 slots of
// 8 bytes in a few parallel arrays) is memory that did not come back, and passes END_HEAP.
const END_HEAP = 16 * MiB;
const END_CORE = 64 * 1024;
const END_COUNT = 16;

/** Patterns run side by side (2 cores; each child is single-threaded but for GC helpers). */
const PARALLEL = 2;
/** Longest a pattern may run (the whole soak should take under ~3 minutes at scale 1). */
const CHILD_TIMEOUT_MS = 180_000;

// The timer patterns first: they must end within the timers' 10 s, easiest while the machine is
// least busy.
const PATTERNS = [
  "select-after", // select([recv(ready), recv(after(10_000))]), 1e6 times
  "timer-drop", // newTimer(10_000) dropped without stop, 1e6 times
  "sync", // for (i < 1e7) chan(i % 4), a value left in the buffered ones
  "microtask", // buffered send + recv on a fresh channel, no macrotask in the loop
  "parked-recv", // chan().recv(), both dropped
  "parked-send", // chan().send(i), both dropped
  "parked-race", // await Promise.race([chan().recv(), Promise.resolve()])
] as const;

interface Reading {
  heap: number;
  core: number;
  live: number;
  parked: number;
  timers: number;
}
interface Result {
  pattern: string;
  scale: number;
  count: number;
  unit: string;
  iterations: number;
  every: number;
  timerMs?: number;
  runMs: number;
  windowMs: number;
  turns: number;
  /** "checkpoint": the loop yields for each sample; "interval": a setInterval samples. */
  sampledBy: string;
  baseline: Reading;
  peak: Reading;
  end: Reading;
  /** [iteration, ms, heap, core, live, parked, timers] */
  samples: number[][];
  aborted?: string;
  error?: string;
}

const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;
const COUNTS = [
  ["live", "live channels"],
  ["parked", "parked waits"],
  ["timers", "pending timers"],
] as const;

/** Every bound the run passed, described with its numbers. */
function violations(r: Result): string[] {
  const v: string[] = [];
  const b = r.baseline;
  if (r.error !== undefined) v.push(`threw: ${r.error}`);
  if (r.aborted !== undefined) v.push(`stopped by the fixture's safety valve: ${r.aborted}`);
  else if (r.error === undefined && r.iterations !== r.count) v.push(`ran ${r.iterations} of ${r.count} iterations`);
  const runHeap = RUN_HEAP;
  const runCore = RUN_CORE;
  if (r.peak.heap - b.heap > runHeap) v.push(`during the run: heap peaked ${mib(r.peak.heap - b.heap)} above the baseline (bound ${mib(runHeap)})`);
  if (r.peak.core - b.core > runCore) v.push(`during the run: core peaked ${mib(r.peak.core - b.core)} above the baseline (bound ${mib(runCore)})`);
  if (r.end.heap - b.heap > END_HEAP) v.push(`at the end: heap ${mib(r.end.heap - b.heap)} above the baseline (bound ${mib(END_HEAP)})`);
  if (r.end.core - b.core > END_CORE) v.push(`at the end: core ${r.end.core - b.core} bytes above the baseline (bound ${END_CORE})`);
  if (r.sampledBy === "interval" && r.turns === 0) {
    v.push(`the event loop never turned in ${(r.runMs / 1000).toFixed(1)} s, so no finalizer could free a channel during the run`);
  }
  for (const [k, what] of COUNTS) {
    if (r.end[k] - b[k] > END_COUNT) v.push(`at the end: ${r.end[k] - b[k]} ${what} above the baseline (bound ${END_COUNT})`);
  }
  if (r.timerMs !== undefined && r.windowMs >= r.timerMs) {
    v.push(`inconclusive: the end was measured ${r.windowMs.toFixed(0)} ms after the first timer was made, so timers may have fired (they are ${r.timerMs} ms)`);
  }
  return v;
}

/** The run in a few lines: counts, peaks, end, and every ~tenth sample. */
function summary(r: Result): string {
  const b = r.baseline;
  const rel = (x: Reading): string =>
    `heap ${mib(x.heap - b.heap)}, core ${mib(x.core - b.core)}, ${x.live - b.live} live channels, ` +
    `${x.parked - b.parked} parked waits, ${x.timers - b.timers} pending timers`;
  const stride = Math.max(1, Math.ceil(r.samples.length / 10));
  const trend = r.samples
    .filter((_, i) => i % stride === stride - 1)
    .map(([i, ms, heap, core, live, parked, timers]) =>
      `    at ${i} (${ms} ms): heap ${mib(heap! - b.heap)}, core ${mib(core! - b.core)}, live ${live! - b.live}, parked ${parked! - b.parked}, timers ${timers! - b.timers}`,
    );
  return [
    `${r.pattern}: ${r.iterations} of ${r.count} iterations (${r.unit}, scale ${r.scale}) in ${(r.runMs / 1000).toFixed(1)} s; ` +
      `${r.turns} samples from macrotasks`,
    `  baseline: heap ${mib(b.heap)}, core ${b.core} bytes, ${b.live} live channels, ${b.parked} parked waits, ${b.timers} pending timers`,
    `  peak (above the baseline): ${rel(r.peak)}`,
    `  end  (above the baseline): ${rel(r.end)}`,
    `  samples (above the baseline):`,
    ...(trend.length > 0 ? trend : ["    none: the event loop never turned during the run"]),
  ].join("\n");
}

let runs: Map<string, Promise<ChildRun<Result>>>;

beforeAll(() => {
  runs = pool(PATTERNS, PARALLEL, (name) =>
    runFixture<Result>("memory.mjs", [name], { nodeArgs: ["--expose-gc"], timeoutMs: CHILD_TIMEOUT_MS }),
  );
});

describe("memory comes back: channels and timers made and dropped in each pattern", () => {
  it.each(PATTERNS)("%s", async (name) => {
    const run = await runs.get(name)!;
    expect(run.result, `${name}: no report (exit ${run.status}, signal ${run.signal}, ${(run.wallMs / 1000).toFixed(0)} s)\n${run.stderr}`).toBeDefined();
    const r = run.result!;
    console.log(summary(r));
    expect(violations(r), summary(r)).toEqual([]);
    expect(run.status, `${name}: exit code\n${run.stderr}`).toBe(0);
  });
});
