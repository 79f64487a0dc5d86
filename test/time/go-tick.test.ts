// Ports of Go's src/time/tick_test.go: TestTicker (ticks, Reset to a longer period, Stop),
// TestTeardown, TestTick, TestNewTickerLtZeroDuration, TestTickerResetLtZeroDuration, and
// sleep_test.go's TestTickerStress and TestTickerConcurrentStress, in our own words; plus the
// missed-ticks behaviour Go documents for Ticker ("drops ticks to make up for slow receivers").
// Under vitest's fake timers every tick is exact, so the assertions are exact where Go allows
// ±30 %.

import { describe, expect, it, vi } from "vitest";
import { newTicker, sleep, tick } from "../../src/time.js";
import { pendingTimers } from "../../src/time.js";
import { chan, go } from "../../src/index.js";
import { drive, useFakeTimerHeap } from "../helpers/fake-time.js";

useFakeTimerHeap();

describe("tick_test.go", () => {
  for (const [count, delta] of [
    [10, 20],
    [8, 1000],
  ] as const) {
    it(`TestTicker: ${count / 2} ticks of ${delta} ms, Reset to ${2 * delta} ms, ${count / 2} more, then Stop`, async () => {
      const ticker = newTicker(delta);
      const t0 = Date.now();
      for (let i = 0; i < count / 2; i++) await drive(ticker.c.recv());
      ticker.reset(delta * 2);
      for (let i = count / 2; i < count; i++) await drive(ticker.c.recv());
      ticker.stop();
      expect(Date.now() - t0).toBe(3 * delta * (count / 2));
      // Now the ticker has stopped.
      await drive(sleep(2 * delta));
      expect(ticker.c.tryRecv()).toBeUndefined();
      expect(pendingTimers()).toBe(0);
    });
  }

  it("TestTeardown: create, receive once, stop, three times", async () => {
    for (let i = 0; i < 3; i++) {
      const ticker = newTicker(100);
      await drive(ticker.c.recv());
      ticker.stop();
    }
    expect(pendingTimers()).toBe(0);
  });

  it("TestTick: a negative duration gives a channel that never receives (Go: nil)", async () => {
    const c = tick(-1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.tryRecv()).toBeUndefined();
    expect(pendingTimers()).toBe(0);
  });

  it("TestNewTickerLtZeroDuration: NewTicker(-1) panics", () => {
    expect(() => newTicker(-1)).toThrow("non-positive interval for NewTicker");
  });

  it("TestTickerResetLtZeroDuration: Ticker.Reset(0) panics", () => {
    const tk = newTicker(1000);
    expect(() => tk.reset(0)).toThrow("non-positive interval for Ticker.Reset");
    tk.stop();
  });

  it("TestTickerStress: 100 ticks of a 1 ms ticker while another goroutine sleeps in a loop", async () => {
    let stop = false;
    go(async () => {
      while (!stop) await sleep(0.001);
    });
    const ticker = newTicker(1);
    for (let i = 0; i < 100; i++) await drive(ticker.c.recv());
    ticker.stop();
    stop = true;
    await vi.advanceTimersByTimeAsync(1);
    expect(pendingTimers()).toBe(0);
  });

  it("TestTickerConcurrentStress: ten goroutines share one ticker's ticks", async () => {
    const ticker = newTicker(1);
    const done = chan<void>(10);
    for (let g = 0; g < 10; g++) {
      go(async () => {
        for (let i = 0; i < 100; i++) await ticker.c.recv();
        await done.send();
      });
    }
    for (let g = 0; g < 10; g++) await drive(done.recv());
    ticker.stop();
    expect(pendingTimers()).toBe(0);
  });

  it("missed ticks: a receiver slower than the period gets the ticks on the grid, never a backlog", async () => {
    const t0 = Date.now();
    const ticker = newTicker(10);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      got.push((await drive(ticker.c.recv()))! - t0);
      await drive(sleep(35)); // 3.5 periods of work per tick
    }
    ticker.stop();
    // Receives at 10, 45, 80, 115, 150. Each takes the one tick that waited: the first tick after
    // the previous receive (20, 50, 90, 120); the ticks after it were dropped, not queued, and
    // every tick stays on the 10 ms grid.
    expect(got).toEqual([10, 20, 50, 90, 120]);
    expect(ticker.c.tryRecv()).toBeUndefined(); // and Stop discarded the tick of 150
  });
});
