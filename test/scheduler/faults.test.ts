// Fault injection for the scheduler (src/go.ts): nothing a goroutine or a panic handler does may
// stop later goroutines from starting or corrupt numGoroutine(). These cases end in uncaught
// exceptions or process.exit, so each runs as a script of test/fixtures/scheduler/ in a child
// process against the built package (`npm run build` first). The in-process cases (a panic
// handler that records, thenables) are in thenables.test.ts.

import { describe, expect, it } from "vitest";
import { runFixture } from "../diag/fixture.js";

const opts = { dir: "scheduler" };

interface Probe {
  started: number;
  finished: number;
  before: number;
  after: number;
}

/** Six goroutines of every kind started and finished, and the count came back. */
function expectHealthy(p: Probe, baseline: number): void {
  expect(p).toEqual({ started: 6, finished: 6, before: baseline, after: baseline });
}

describe("a panic handler that throws", () => {
  it("does not stop the start loop; its error is rethrown as an uncaught exception once the loop is done", () => {
    const r = runFixture("throwing-handler.mjs", opts);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      events: string[];
      handled: string[];
      uncaught: string[];
      baseline: number;
      afterFaults: number;
      probe: Probe;
    };
    // Every goroutine queued with the panicking one started, in order.
    expect(out.events.filter((e) => !e.startsWith("uncaught"))).toEqual(["a", "b", "c", "d"]);
    expect(out.handled).toEqual(["sync panic", "async panic"]);
    // The handler's errors, not swallowed, and the first only after the loop had started d.
    expect(out.uncaught).toEqual(["handler failed on sync panic", "handler failed on async panic"]);
    expect(out.events.indexOf("uncaught: handler failed on sync panic")).toBeGreaterThan(out.events.indexOf("d"));
    expect(out.afterFaults).toBe(out.baseline);
    expectHealthy(out.probe, out.baseline);
  });

  it("ends the process non-zero with the handler's error when nothing catches it", () => {
    const r = runFixture("throwing-handler-uncaught.mjs", opts);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the handler's own error");
    expect(r.stdout).not.toContain("still running");
  });
});

describe("a goroutine that throws a value that is not an Error", () => {
  it("is reported and rethrown as itself, and later goroutines still start", () => {
    const r = runFixture("odd-values.mjs", opts);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      names: string[];
      rethrown: string[];
      uncaught: number;
      baseline: number;
      afterFaults: number;
      probe: Probe;
    };
    expect(out.rethrown).toEqual(out.names);
    expect(out.uncaught).toBe(2 * out.names.length);
    expect(out.afterFaults).toBe(out.baseline);
    expectHealthy(out.probe, out.baseline);
    // The default report, twice for each value (thrown, and rejected after an await).
    const reports = r.stderr.match(/^panic: /gm) ?? [];
    expect(reports).toHaveLength(2 * out.names.length);
    for (const text of [
      "panic: a string\n",
      "panic: undefined\n",
      "panic: null\n",
      "panic: 42\n",
      "panic: 10\n",
      "panic: Symbol(sym)\n",
      "panic: function namedFn() {}\n",
      "panic: [object Object]\n", // the frozen object; the throwing toString's falls back to this too
      "panic: Error: bad stack\n", // its stack getter throws: name and message
    ]) {
      expect(r.stderr.split(text).length - 1, text).toBeGreaterThanOrEqual(2);
    }
    expect(r.stderr).toMatch(/goroutine \d+ \[running\]:\ncreated at .*odd-values\.mjs:\d+/);
  });
});

describe("process.exit inside a goroutine", () => {
  for (const where of ["start", "await", "handler"]) {
    for (const code of [0, 3, 13]) {
      it(`exits with ${code} at once, without a deadlock report (called ${where === "handler" ? "in the panic handler" : where === "start" ? "in a goroutine's synchronous start" : "after an await"})`, () => {
        const r = runFixture("exit.mjs", { ...opts, args: [String(code), where] });
        expect(r.stderr).not.toContain("fatal error");
        expect(r.stderr).not.toContain("goroutine");
        expect(r.status).toBe(code);
        expect(r.stdout).toBe("");
        expect(r.ms).toBeLessThan(10_000); // the interval would keep it alive until the 20 s kill
      });
    }
  }
});
