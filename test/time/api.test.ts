// The time table of API.md, row by row, under vitest's fake timers (which replace setTimeout,
// performance and Date, so every deadline here is exact and nothing races the wall clock).

import { describe, expect, it, vi } from "vitest";
import { after, newTicker, newTimer, sleep } from "../../src/time.js";
import { pendingTimers } from "../../src/time.js";
import { chan, go, goroutines, recv, select } from "../../src/index.js";
import { useFakeTimerHeap } from "../helpers/fake-time.js";

useFakeTimerHeap();

/** Lets microtasks run (channel wake-ups and goroutine starts), without moving the clock. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

describe("sleep", () => {
  it("resolves after ms, not before", async () => {
    let done = false;
    void sleep(50).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(49);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(pendingTimers()).toBe(0);
  });

  it("resolves at once for 0 and negative ms", async () => {
    let n = 0;
    void sleep(0).then(() => n++);
    void sleep(-5).then(() => n++);
    void sleep(-Infinity).then(() => n++);
    await Promise.resolve();
    expect(n).toBe(3);
    expect(pendingTimers()).toBe(0);
  });

  it("wakes sleepers in deadline order", async () => {
    const order: number[] = [];
    for (const ms of [30, 10, 20, 10]) void sleep(ms).then(() => order.push(ms));
    await vi.advanceTimersByTimeAsync(30);
    expect(order).toEqual([10, 10, 20, 30]);
  });

  it("shows the goroutine as \"sleep\" in a goroutine dump", async () => {
    go(async () => {
      await sleep(1000);
    });
    await settle();
    const states = goroutines().map((g) => g.state);
    expect(states).toContain("sleep");
    await vi.advanceTimersByTimeAsync(1000);
  });

  it("rejects bad durations at the call", () => {
    expect(() => sleep("5" as unknown as number)).toThrow(TypeError);
    expect(() => sleep(undefined as unknown as number)).toThrow(TypeError);
    expect(() => sleep(NaN)).toThrow(RangeError);
  });
});

describe("after", () => {
  it("receives Date.now() once, ms later", async () => {
    const t0 = Date.now();
    const c = after(100);
    const got = c.recv();
    await vi.advanceTimersByTimeAsync(99);
    expect(c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(await got).toBe(t0 + 100);
    // once: nothing more, ever
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.tryRecv()).toBeUndefined();
  });

  it("is a plain channel usable in select", async () => {
    const never = chan<number>();
    const a = recv(never);
    const t = recv(after(5));
    const p = select([a, t]);
    await vi.advanceTimersByTimeAsync(5);
    expect(await p).toBe(1);
    expect(t.ok).toBe(true);
    expect(typeof t.value).toBe("number");
  });

  it("with 0 or a negative ms has its value ready at once", () => {
    expect(after(0).tryRecv()?.[1]).toBe(true);
    expect(after(-1).tryRecv()?.[1]).toBe(true);
    expect(pendingTimers()).toBe(0);
  });

  it("rejects bad durations", () => {
    expect(() => after(NaN)).toThrow(RangeError);
    expect(() => after(null as unknown as number)).toThrow(TypeError);
  });
});

describe("newTimer", () => {
  it("fires once into .c", async () => {
    const t = newTimer(20);
    await vi.advanceTimersByTimeAsync(20);
    expect(t.c.tryRecv()?.[1]).toBe(true);
    expect(t.c.tryRecv()).toBeUndefined();
  });

  it("stop before firing returns true and nothing is received", async () => {
    const t = newTimer(20);
    expect(t.stop()).toBe(true);
    expect(pendingTimers()).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(t.c.tryRecv()).toBeUndefined();
    expect(t.stop()).toBe(false);
  });

  it("stop after firing, value not received: true, and the stale value is gone (Go 1.23)", async () => {
    const t = newTimer(20);
    const c = t.c;
    await vi.advanceTimersByTimeAsync(20);
    expect(t.stop()).toBe(true);
    expect(c.tryRecv()).toBeUndefined();
  });

  it("the same holds when .c is first read after the timer fired", async () => {
    const t = newTimer(20);
    await vi.advanceTimersByTimeAsync(20);
    expect(t.stop()).toBe(true);
    expect(t.c.tryRecv()).toBeUndefined();
    const u = newTimer(20);
    await vi.advanceTimersByTimeAsync(20);
    expect(u.c.tryRecv()?.[1]).toBe(true); // fired before .c was read: still delivered
  });

  it("stop after the value was received returns false", async () => {
    const t = newTimer(20);
    await vi.advanceTimersByTimeAsync(20);
    await t.c.recv();
    expect(t.stop()).toBe(false);
  });

  it("reset of a pending timer returns true and moves the deadline", async () => {
    const t0 = Date.now();
    const t = newTimer(20);
    await vi.advanceTimersByTimeAsync(10);
    expect(t.reset(50)).toBe(true);
    await vi.advanceTimersByTimeAsync(49);
    expect(t.c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(t.c.tryRecv()).toEqual([t0 + 60, true]);
  });

  it("reset after firing drops the stale value: only the new one arrives", async () => {
    const t0 = Date.now();
    const t = newTimer(10);
    await vi.advanceTimersByTimeAsync(10); // fired, unreceived
    expect(t.reset(10)).toBe(true);
    expect(t.c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.c.tryRecv()).toEqual([t0 + 20, true]);
    expect(t.reset(5)).toBe(false); // fired and received: not active
    expect(t.stop()).toBe(true);
  });

  it("reset of a stopped timer returns false and restarts it", async () => {
    const t = newTimer(10);
    t.stop();
    expect(t.reset(5)).toBe(false);
    await vi.advanceTimersByTimeAsync(5);
    expect(t.c.tryRecv()?.[1]).toBe(true);
  });

  it("a receiver parked on .c across a reset gets only the new value", async () => {
    const t0 = Date.now();
    const t = newTimer(10);
    const p = t.c.recv();
    await vi.advanceTimersByTimeAsync(5);
    t.reset(20);
    await vi.advanceTimersByTimeAsync(10);
    let got: number | undefined;
    void p.then((v) => (got = v));
    await settle();
    expect(got).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10);
    expect(got).toBe(t0 + 25);
  });

  it("rejects bad durations in newTimer and reset", () => {
    expect(() => newTimer(NaN)).toThrow(RangeError);
    expect(() => newTimer("1" as unknown as number)).toThrow(TypeError);
    const t = newTimer(10);
    expect(() => t.reset(NaN)).toThrow(RangeError);
    expect(t.stop()).toBe(true); // the bad reset changed nothing
  });
});

describe("newTicker", () => {
  it("ticks every period", async () => {
    const t0 = Date.now();
    const tk = newTicker(10);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) {
      const p = tk.c.recv();
      await vi.advanceTimersByTimeAsync(10);
      got.push((await p)! - t0);
    }
    expect(got).toEqual([10, 20, 30, 40]);
    tk.stop();
    expect(pendingTimers()).toBe(0);
  });

  it("a slow receiver misses ticks: at most one waits", async () => {
    const t0 = Date.now();
    const tk = newTicker(10);
    await vi.advanceTimersByTimeAsync(55); // ticks at 10..50; only the first is kept
    expect(tk.c.len).toBe(1);
    expect(tk.c.tryRecv()).toEqual([t0 + 10, true]);
    expect(tk.c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5); // the next tick is on the period grid: 60
    expect(tk.c.tryRecv()).toEqual([t0 + 60, true]);
    tk.stop();
  });

  it("stop discards an unreceived tick and nothing more arrives", async () => {
    const tk = newTicker(10);
    await vi.advanceTimersByTimeAsync(10);
    tk.stop();
    expect(tk.c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(tk.c.tryRecv()).toBeUndefined();
  });

  it("reset changes the period from now and discards an unreceived tick", async () => {
    const t0 = Date.now();
    const tk = newTicker(10);
    await vi.advanceTimersByTimeAsync(15); // tick at 10 unreceived
    tk.reset(30);
    expect(tk.c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(29);
    expect(tk.c.tryRecv()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(tk.c.tryRecv()).toEqual([t0 + 45, true]);
    await vi.advanceTimersByTimeAsync(30);
    expect(tk.c.tryRecv()).toEqual([t0 + 75, true]);
    tk.stop();
  });

  it("throws for a non-positive or bad interval, as Go panics", () => {
    expect(() => newTicker(0)).toThrow("non-positive interval for NewTicker");
    expect(() => newTicker(-1)).toThrow(RangeError);
    expect(() => newTicker(NaN)).toThrow(RangeError);
    expect(() => newTicker("1" as unknown as number)).toThrow(TypeError);
    const tk = newTicker(10);
    expect(() => tk.reset(0)).toThrow("non-positive interval for Ticker.Reset");
    tk.stop();
    expect(pendingTimers()).toBe(0);
  });
});
