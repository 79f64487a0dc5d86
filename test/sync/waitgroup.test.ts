// sync.WaitGroup: the API.md sync row (with Go 1.25's WaitGroup.Go), ports of Go's
// src/sync/waitgroup_test.go (TestWaitGroup, TestWaitGroupMisuse, TestWaitGroupRace), and the
// wait reason a waiter shows.

import { describe, expect, it } from "vitest";
import { WaitGroup } from "../../src/sync/index.js";
import { chan, go, gosched, PanicError } from "../../src/index.js";
import { parkedWaits } from "../../src/core.js";
import { flush } from "../helpers/util.js";
import { reasons, useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

const hygiene = useGoroutineHygiene({ checkPanics: false });

describe("WaitGroup (API.md: sync.WaitGroup)", () => {
  it("TestWaitGroup: a barrier of 16 goroutines, 8 times over the same pair of WaitGroups", async () => {
    const wg1 = new WaitGroup();
    const wg2 = new WaitGroup();
    const n = 16;
    for (let round = 0; round < 8; round++) {
      wg1.add(n);
      wg2.add(n);
      const exited = chan<boolean>(n);
      for (let i = 0; i < n; i++) {
        go(async () => {
          wg1.done();
          await wg2.wait();
          await exited.send(true);
        });
      }
      await wg1.wait();
      for (let i = 0; i < n; i++) {
        expect(exited.tryRecv(), "WaitGroup released group too soon").toBeUndefined();
        wg2.done();
      }
      for (let i = 0; i < n; i++) await exited.recv(); // would hang if the barrier failed to release one
    }
    expect(hygiene.panics()).toEqual([]);
  });

  it("TestWaitGroupMisuse: add(1), done(), done() throws PanicError('sync: negative WaitGroup counter')", async () => {
    const wg = new WaitGroup();
    wg.add(1);
    wg.done();
    let err: unknown;
    try {
      wg.done();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PanicError);
    expect((err as Error).message).toBe("sync: negative WaitGroup counter");
    expect(() => wg.add(-5)).toThrow("sync: negative WaitGroup counter");
    // Nothing changed: the counter is still zero.
    let waited = false;
    await wg.wait().then(() => (waited = true));
    expect(waited).toBe(true);
  });

  it("TestWaitGroupRace: wait never returns before both goroutines have run (1000 rounds)", async () => {
    for (let i = 0; i < 1000; i++) {
      const wg = new WaitGroup();
      let n = 0;
      wg.add(1);
      go(() => {
        n++;
        wg.done();
      });
      wg.add(1);
      go(async () => {
        await Promise.resolve();
        n++;
        wg.done();
      });
      await wg.wait();
      expect(n, "spurious wakeup from wait").toBe(2);
    }
  });

  it("wait() resolves at once at zero, and releases every waiter when the counter reaches zero", async () => {
    const wg = new WaitGroup();
    await wg.wait();
    wg.add(3);
    let woke = 0;
    for (let i = 0; i < 5; i++) void wg.wait().then(() => woke++);
    wg.done();
    wg.add(-1);
    await yields();
    expect(woke).toBe(0);
    wg.done();
    await yields(1);
    expect(woke).toBe(5);
    // Reusable.
    wg.add(1);
    let again = false;
    void wg.wait().then(() => (again = true));
    await yields();
    expect(again).toBe(false);
    wg.done();
    await yields(1);
    expect(again).toBe(true);
  });

  it("a waiter shows Go's wait reason, sync.WaitGroup.Wait", async () => {
    const wg = new WaitGroup();
    wg.add(1);
    const p = wg.wait();
    expect(reasons()).toContain("sync.WaitGroup.Wait");
    const before = parkedWaits();
    wg.done();
    expect(parkedWaits()).toBe(before - 1);
    await p;
  });

  it("add() rejects a count that is not a safe integer", () => {
    const wg = new WaitGroup();
    expect(() => wg.add(1.5)).toThrow(RangeError);
    expect(() => wg.add(Number.NaN)).toThrow(RangeError);
    expect(() => wg.add(Infinity)).toThrow(RangeError);
    expect(() => wg.add("1" as unknown as number)).toThrow(TypeError);
  });
});

describe("WaitGroup.go (Go 1.25)", () => {
  it("runs fn as a goroutine, after the caller's synchronous code, and wait() sees it finish", async () => {
    const wg = new WaitGroup();
    const log: string[] = [];
    wg.go(() => {
      log.push("sync goroutine");
    });
    wg.go(async () => {
      await gosched();
      log.push("async goroutine");
    });
    log.push("caller");
    expect(log).toEqual(["caller"]);
    await wg.wait();
    expect(log.sort()).toEqual(["async goroutine", "caller", "sync goroutine"]);
    expect(hygiene.panics()).toEqual([]);
  });

  it("calls done even when fn throws or rejects; the error is still a panic of that goroutine", async () => {
    const wg = new WaitGroup();
    const e1 = new Error("sync throw");
    const e2 = new Error("async reject");
    wg.go(() => {
      throw e1;
    });
    wg.go(async () => {
      await gosched();
      throw e2;
    });
    await wg.wait();
    await flush();
    expect(hygiene.panics()).toHaveLength(2);
    expect(hygiene.panics()).toContain(e1);
    expect(hygiene.panics()).toContain(e2);
  });

  it("many goroutines: the counter returns to zero exactly once, after all of them", async () => {
    const wg = new WaitGroup();
    let finished = 0;
    for (let i = 0; i < 1000; i++) {
      wg.go(async () => {
        for (let j = 0; j < i % 4; j++) await gosched();
        finished++;
      });
    }
    await wg.wait();
    expect(finished).toBe(1000);
    expect(() => wg.done()).toThrow("sync: negative WaitGroup counter");
  });

  it("throws TypeError for a non-function", () => {
    expect(() => new WaitGroup().go(42 as unknown as () => void)).toThrow(TypeError);
  });
});
