// No baton program starves the event loop (issue 7, item 2): "no baton program starves a 1 ms
// host timer for more than ~20 ms". Go preempts a goroutine that runs longer than ~10 ms; baton's
// equivalent is to settle a wake from a macrotask after a few milliseconds of continuous
// microtask work, so that timers, I/O and the finalizers that free core records get to run.
//
// Each program of test/fixtures/soak/starvation.mjs runs in a fresh child process (over dist/)
// for ~300 ms beside a 1 ms setInterval that records the gaps between its runs. A gap counts
// against the program for the part of it that (a) the main thread spent on a CPU (Linux's
// per-thread schedstat over the gap: a loaded machine that did not run the thread is not
// starvation; elsewhere the whole process's CPU time, which errs towards blaming the program)
// and (b) no garbage-collection pause explains (PerformanceObserver 'gc' entries). Every gap over the
// limit that was let off for either reason is printed, with its numbers, rather than hidden.
//
// Two controls without baton check the harness itself: a bare `await null` loop must be caught
// starving the timer, and a loop that yields with setImmediate every 100 turns must pass.

import { beforeAll, describe, expect, it } from "vitest";
import { pool, runFixture } from "./fixture.js";
import type { ChildRun } from "./fixture.js";

/** The longest time the 1 ms timer may wait on a busy thread (the "~20 ms"). */
const LIMIT_MS = 20;
/** A program must have run at least this many iterations, or it tested nothing. */
const MIN_ITERATIONS = 1000;
/** Children run side by side (2 cores; the CPU-time rule above absorbs the contention). */
const PARALLEL = 2;

const PROGRAMS = [
  "select-after0", // 1. for (;;) await select([recv(ch), recv(after(0))]), ch kept full
  "ping-pong", // 2. two goroutines over an unbuffered channel
  "buffered-self", // 3. await ch.send(i); await ch.recv() on a buffered channel
  "mutex", // 4. await mu.lock(); mu.unlock()
  "waitgroup-zero", // 4. await wg.wait() on a zero WaitGroup
  "sleep0", // 5. await sleep(0)
  "select-default", // 5. await select(cases, { default: true })
  "pipeline", // 6. three goroutines over buffered channels
] as const;
const CONTROLS = ["control-microtask", "control-setImmediate"] as const;

interface Gap {
  start: number;
  end: number;
  gapMs: number;
  cpuMs: number;
}
interface Result {
  program: string;
  cpuClock: string;
  iterations: number;
  stoppedBy: string;
  ranMs: number;
  ticks: number;
  maxGapMs: number;
  gaps: Gap[];
  gcs: [number, number][];
  error?: string;
}

interface Judged extends Gap {
  /** GC pause time inside the gap. */
  gcMs: number;
  /** The part of the gap charged to the program: the thread's time on a CPU outside GC pauses
   *  (bounded above, see judge()). */
  chargedMs: number;
}

/** Every gap over the limit, with the time charged to the program. */
function judge(r: Result): Judged[] {
  return r.gaps
    .filter((g) => g.gapMs > LIMIT_MS)
    .map((g) => {
      let gcMs = 0;
      for (const [s, e] of r.gcs) gcMs += Math.max(0, Math.min(e, g.end) - Math.max(s, g.start));
      // Outside GC pauses the thread ran at most for its CPU time and at most for the gap's
      // wall time less the pauses (GC's own CPU time may be in cpuMs: charging it errs towards
      // blaming the program, never towards letting off a starving one).
      return { ...g, gcMs, chargedMs: Math.min(g.gapMs - gcMs, g.cpuMs) };
    });
}

const f = (x: number): string => x.toFixed(1);

function describeRun(r: Result): string {
  const gcTotal = r.gcs.reduce((a, [s, e]) => a + e - s, 0);
  const gcMax = r.gcs.reduce((a, [s, e]) => Math.max(a, e - s), 0);
  return (
    `${r.iterations} iterations in ${f(r.ranMs)} ms, stopped by the ${r.stoppedBy}; the timer ran ${r.ticks} times, ` +
    `longest gap ${f(r.maxGapMs)} ms; CPU time of the ${r.cpuClock}; GC in the run: ${r.gcs.length} pauses, ${f(gcTotal)} ms in all, longest ${f(gcMax)} ms`
  );
}

function describeGap(g: Judged): string {
  return `a gap of ${f(g.gapMs)} ms (on a CPU ${f(g.cpuMs)} ms, GC pauses ${f(g.gcMs)} ms: ${f(g.chargedMs)} ms charged)`;
}

/** Checks the child ran and reported; returns its result. */
function reported(name: string, run: ChildRun<Result>): Result {
  expect(run.result, `${name}: no report (exit ${run.status}, signal ${run.signal})\n${run.stderr}`).toBeDefined();
  const r = run.result!;
  expect(r.error, `${name} threw`).toBeUndefined();
  expect(run.status, `${name}: exit code\n${run.stderr}`).toBe(0);
  expect(r.iterations, `${name}: ran too little to test anything`).toBeGreaterThanOrEqual(MIN_ITERATIONS);
  return r;
}

let runs: Map<string, Promise<ChildRun<Result>>>;

beforeAll(() => {
  runs = pool([...PROGRAMS, ...CONTROLS], PARALLEL, (name) =>
    runFixture<Result>("starvation.mjs", [name], { timeoutMs: 20_000 }),
  );
});

describe(`no baton program starves a 1 ms host timer for more than ${LIMIT_MS} ms`, () => {
  it.each(PROGRAMS)("%s", async (name) => {
    const r = reported(name, await runs.get(name)!);
    const judged = judge(r);
    for (const g of judged.filter((g) => g.chargedMs <= LIMIT_MS)) {
      const why = g.gcMs > 0 && g.gapMs - g.gcMs <= LIMIT_MS ? "a GC pause" : "the thread not being on a CPU";
      console.log(`${name}: ${describeGap(g)}, let off: explained by ${why}`);
    }
    const starved = judged.filter((g) => g.chargedMs > LIMIT_MS);
    expect(
      starved.map(describeGap),
      `${name} starved the 1 ms timer for more than ${LIMIT_MS} ms: ${describeRun(r)}`,
    ).toEqual([]);
  });
});

describe("the harness", () => {
  it("catches a bare microtask loop starving the timer", async () => {
    const r = reported("control-microtask", await runs.get("control-microtask")!);
    const worst = Math.max(0, ...judge(r).map((g) => g.chargedMs));
    expect(worst, describeRun(r)).toBeGreaterThan(5 * LIMIT_MS);
  });

  it("passes a loop that yields with setImmediate", async () => {
    const r = reported("control-setImmediate", await runs.get("control-setImmediate")!);
    expect(judge(r).filter((g) => g.chargedMs > LIMIT_MS).map(describeGap), describeRun(r)).toEqual([]);
    expect(r.stoppedBy, describeRun(r)).toBe("flag");
  });
});
