// Panics (API.md, Goroutines, setPanicHandler): an error thrown by a goroutine, or a rejection of
// its promise, is a panic. With no handler it is printed with the goroutine's id and creation site
// and rethrown as an uncaught exception, so the process exits non-zero, as a Go program would;
// with a handler, the handler gets (error, info) and the process goes on.
//
// Each case is a script of test/fixtures/diag/ run in a child process against the built package.

import { describe, expect, it } from "vitest";
import { runFixture } from "./fixture.js";

describe("a panic with no handler", () => {
  it("ends the process non-zero when a goroutine throws synchronously, naming the goroutine and its creation site", () => {
    const r = runFixture("panic-throw.mjs");
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toContain("panic:");
    expect(r.stderr).toContain("boom from a sync goroutine");
    expect(r.stderr).toMatch(/goroutine \d+ \[running\]/);
    expect(r.stderr).toMatch(/created at .*panic-throw\.mjs:\d+/);
    // The report comes before Node's own report of the uncaught exception.
    expect(r.stderr.indexOf("panic:")).toBeLessThan(r.stderr.indexOf("[running]"));
  });

  it("ends the process non-zero when a goroutine's promise rejects, naming the goroutine and its creation site", () => {
    const r = runFixture("panic-reject.mjs");
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toContain("panic:");
    expect(r.stderr).toContain("boom from an async goroutine");
    expect(r.stderr).toMatch(/goroutine \d+ \[running\]/);
    expect(r.stderr).toMatch(/created at .*panic-reject\.mjs:\d+/);
  });
});

describe("what a panic with no handler prints", () => {
  it("the panic, then the goroutine's id, function and creation site, and the stack once", () => {
    const r = runFixture("panic-named.mjs");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /^panic: Error: boom from worker\n\ngoroutine \d+ \[running\]:\nworker\(\.\.\.\)\ncreated at .*panic-named\.mjs:10:\d+\n/m,
    );
    // The frame of the throw (line 7, with its column) is in one stack only: the one Node prints
    // for the rethrown error.
    expect(r.stderr.match(/panic-named\.mjs:7:\d+/g)).toHaveLength(1);
    expect(r.stderr.match(/^\s+at worker \(/gm)).toHaveLength(1);
  });

  it("no function line for an anonymous goroutine, and still one stack", () => {
    const r = runFixture("panic-throw.mjs");
    expect(r.stderr).toMatch(/^goroutine \d+ \[running\]:\ncreated at .*panic-throw\.mjs:\d+/m);
    expect(r.stderr.match(/panic-throw\.mjs:6:\d+/g)).toHaveLength(1);
  });
});

describe("setPanicHandler", () => {
  it("gets (error, info) with the goroutine's id and creation site, and the process exits 0", () => {
    const r = runFixture("panic-handler.mjs");
    expect(r.stderr).not.toContain("panic:");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as {
      seen: { message: string; info: { id: number; createdAt: string; fn: string } }[];
      listed: { id: number; createdAt: string }[];
    };
    expect(out.seen.map((s) => s.message).sort()).toEqual(["async boom", "sync boom"]);
    for (const { info } of out.seen) {
      expect(typeof info.id).toBe("number");
      expect(info.createdAt).toMatch(/panic-handler\.mjs:\d+/);
      // The same id and site that goroutines() showed for it before it panicked.
      expect(out.listed).toContainEqual({ id: info.id, createdAt: info.createdAt });
    }
    // The function's name: syncPanic threw "sync boom", asyncPanic "async boom".
    expect(out.seen.map((s) => [s.message, s.info.fn]).sort()).toEqual([
      ["async boom", "asyncPanic"],
      ["sync boom", "syncPanic"],
    ]);
    const ids = out.seen.map((s) => s.info.id);
    expect(new Set(ids).size).toBe(2);
  });
});
