// Go's deadlock report (API.md, Goroutines, "Deadlock"): in Node, when every goroutine is blocked
// on baton primitives and nothing else can wake one, the process prints
// "fatal error: all goroutines are asleep - deadlock!" and the goroutine dump, and exits with 2.
//
// The check runs only when a process is about to exit, so each case is a script of
// test/fixtures/diag/ run in a child process against the built package (`npm run build` first).

import { describe, expect, it } from "vitest";
import { runFixture, runFixtureSlowReader } from "./fixture.js";

const FATAL = "fatal error: all goroutines are asleep - deadlock!";

describe("deadlock detection", () => {
  it("reports the program itself blocked on a receive nobody sends, and exits with 2", () => {
    const r = runFixture("deadlock-main-recv.mjs");
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(FATAL)).toBe(true);
    expect(r.stderr).toMatch(/^goroutine \d+ \[chan receive\]/m);
    expect(r.stdout).not.toContain("unreachable");
  });

  it("lists every blocked goroutine with its state and creation site", () => {
    const r = runFixture("deadlock-main-send.mjs");
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(FATAL)).toBe(true);
    // The program itself, blocked on its send.
    expect(r.stderr).toMatch(/^goroutine \d+ \[chan send\]/m);
    // Each goroutine: its own paragraph, its state, then where it was created.
    expect(r.stderr).toMatch(/^goroutine [1-9]\d* \[chan receive\]:\ncreated at .*deadlock-main-send\.mjs:\d+/m);
    expect(r.stderr).toMatch(/^goroutine [1-9]\d* \[select\]:\ncreated at .*deadlock-main-send\.mjs:\d+/m);
    expect(r.stderr.match(/created at /g)).toHaveLength(2);
    expect(r.stdout).not.toContain("unreachable");
  });

  it("does not swap the waits of the program and of a goroutine that parked after an await", () => {
    // The program waits in a receive; goroutine 1, after an await, in a send. Which of the two
    // waits is goroutine 1's cannot be known: the dump says so instead of guessing.
    const r = runFixture("deadlock-after-await.mjs");
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(FATAL)).toBe(true);
    expect(r.stderr).not.toMatch(/^goroutine 1 \[chan (receive|send)/m);
    expect(r.stderr).not.toMatch(/^goroutine 0 \[chan send/m);
    expect(r.stderr).toMatch(/^goroutine 1 \[waiting\]:\ncreated at .*deadlock-after-await\.mjs:\d+/m);
    const section = r.stderr.split("\n\n").find((p) => p.startsWith("unattributed waits"))!;
    expect(section).toBeDefined();
    expect(section).toMatch(/the program itself/);
    expect(section).toMatch(/\b1\b/); // names goroutine 1
    expect(section).toMatch(/^\t\[chan receive\]/m);
    expect(section).toMatch(/^\t\[chan send\]/m);
  });

  it("writes the whole report of 10^4 goroutines through a pipe that is read slowly (CI)", async () => {
    const N = 10_000;
    const r = await runFixtureSlowReader("deadlock-many.mjs", 500, { args: [String(N)] });
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(FATAL)).toBe(true);
    expect(Buffer.byteLength(r.stderr)).toBeGreaterThan(4 * 65536);
    const paragraphs = r.stderr.match(/^goroutine \d+ \[[^\]]*\]:/gm)!;
    expect(paragraphs).toHaveLength(N + 1); // the program's own send, then each goroutine
    expect(paragraphs[0]).toBe("goroutine 0 [chan send]:");
    expect(paragraphs.slice(1).every((p) => p.endsWith("[chan receive]:"))).toBe(true);
    expect(new Set(paragraphs).size).toBe(N + 1);
    // The last goroutine's paragraph is there whole, and the report ends with a newline.
    expect(r.stderr).toMatch(new RegExp(`\\ngoroutine ${N} \\[chan receive\\]:(\\ncreated at [^\\n]*deadlock-many\\.mjs:\\d+:\\d+)?\\n$`));
  });

  it("reports the program itself waiting in a select that can never proceed", () => {
    const r = runFixture("deadlock-main-select.mjs");
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(FATAL)).toBe(true);
    expect(r.stderr).toMatch(/^goroutine \d+ \[select \(no cases\)\]/m);
  });

  // Without a top-level await, a program whose own code waits forever cannot be told apart from
  // one that has finished and left waits behind (see the next two cases), so baton stays quiet
  // rather than raise a false alarm: the process exits as Node would, with 0.
  it("stays quiet for an async main() called without await that blocks forever (indistinguishable from a finished program)", () => {
    const r = runFixture("deadlock-async-main.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.status).toBe(0);
  });

  it("raises no false alarm for a receive left behind by Promise.race after the program finished", () => {
    const r = runFixture("no-deadlock-race-leftover.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.stdout).toBe("timed out, main done\n");
    expect(r.status).toBe(0);
  });

  it("raises no false alarm for one goroutine with two waits (Promise.all) after the program finished", () => {
    const r = runFixture("no-deadlock-two-waits.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.stdout).toBe("main done\n");
    expect(r.status).toBe(0);
  });

  it("raises no false alarm while a plain setTimeout will wake the program", () => {
    const r = runFixture("no-deadlock-timer.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.stdout).toBe("got hello\n");
    expect(r.status).toBe(0);
  });

  it("exits normally when the program has finished and only goroutines are parked (as Go's main returning)", () => {
    const r = runFixture("no-deadlock-main-returned.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.stdout).toBe("main done\n");
    expect(r.status).toBe(0);
  });

  it("stays quiet with configure({ deadlockDetection: false })", () => {
    const r = runFixture("deadlock-detection-off.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.stdout).toBe("waiting\n");
    // Node exits by itself: 13 is its code for an unsettled top-level await.
    expect(r.status).not.toBe(2);
    expect([0, 13]).toContain(r.status);
  });

  it("raises no false alarm while a goroutine waits on after(50)", () => {
    const r = runFixture("no-deadlock-after.mjs");
    expect(r.stderr).not.toContain("fatal error");
    expect(r.stdout).toBe("fired\nsleep done\n");
    expect(r.status).toBe(0);
  });
});

describe("deadlock detection across threads", () => {
  it("never fires while another live thread holds the channel a wait is on", () => {
    const r = runFixture("xthread-no-deadlock.mjs");
    expect(r.stderr).not.toContain(FATAL);
    expect(r.stderr.trim()).toBe("chan receive");
    expect(r.stdout.trim()).toBe("from the worker");
    expect(r.status).toBe(0);
  });

  it("fires once the only other holder of the channel has ended", () => {
    const r = runFixture("xthread-deadlock.mjs");
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(FATAL)).toBe(true);
    expect(r.stderr).toMatch(/^goroutine \d+ \[chan receive\]/m);
    expect(r.stdout).not.toContain("unreachable");
  });
});
