// Ports of Go's src/time/sleep_test.go (Go 1.23+): TestAfter, TestAfterTick, TestAfterStop,
// TestAfterQueuing, TestSleepZeroDeadlock, TestReset, TestOverflowSleep, TestZeroTimer,
// TestTimerModifiedEarlier, TestAdjustTimers, TestStopResult/TestResetResult (issue 69312) and
// TestMultiWakeupTimer, in our own words. Go retries its timing tests with growing durations to
// survive loaded machines; here vitest's fake timers make every deadline exact, so each runs once
// and asserts exact times where Go asserts bounds.

import { describe, expect, it, vi } from "vitest";
import { after, newTimer, sleep } from "../../src/time.js";
import type { Timer } from "../../src/time.js";
import { pendingTimers } from "../../src/time.js";
import { chan, go, recv, select } from "../../src/index.js";
import { Rng } from "../helpers/util.js";
import { drive, useFakeTimerHeap } from "../helpers/fake-time.js";

useFakeTimerHeap();

describe("sleep_test.go", () => {
  it("TestAfter: the value arrives no earlier than the delay, and is the time it was sent", async () => {
    const delay = 100;
    const start = Date.now();
    const end = (await drive(after(delay).recv()))!;
    expect(Date.now() - start).toBeGreaterThanOrEqual(delay);
    expect(end).toBeGreaterThanOrEqual(start + delay);
  });

  it("TestAfterTick: ten Afters in a row take ten deltas", async () => {
    const delta = 10;
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await drive(after(delta).recv());
    expect(Date.now() - t0).toBe(10 * delta);
  });

  it("TestAfterStop: stopped timers never deliver, and a second Stop returns false", async () => {
    const background = newTimer(100); // an unrelated timer, as Go's AfterFunc(100ms)
    const t0 = newTimer(50);
    const t1 = newTimer(150);
    const c2 = after(200);
    expect(t0.stop()).toBe(true);
    expect(t1.stop()).toBe(true);
    await drive(c2.recv());
    const a = recv(t0.c), b = recv(t1.c);
    expect(await select([a, b], { default: true })).toBe(-1);
    expect(t1.stop()).toBe(false);
    expect(background.stop()).toBe(true); // it fired unreceived: Stop discards the value (Go 1.23)
  });

  it("TestAfterQueuing: Afters deliver in the order of their durations, each on time", async () => {
    const slots = [5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0];
    const delta = 20;
    const result = chan<{ slot: number; t: number }>(slots.length);
    const t0 = Date.now();
    for (const slot of slots) {
      const ac = after(slot * delta);
      go(async () => {
        const t = (await ac.recv())!;
        await result.send({ slot, t });
      });
    }
    const order: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < slots.length; i++) {
      const r = (await drive(result.recv()))!;
      order.push(r.slot);
      times.push(r.t);
    }
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(order[i - 1]!);
    times.forEach((t, i) => expect(t - t0).toBe(order[i]! * delta));
  });

  it("TestSleepZeroDeadlock: Sleep(0) returns, again and again", async () => {
    for (let i = 0; i < 100; i++) {
      await sleep(0);
      const tmp = chan<boolean>(1);
      await tmp.send(true);
      await tmp.recv();
    }
  });

  it("TestReset: Reset of an unfired timer postpones it; Reset of a fired one returns false", async () => {
    const d = 25;
    const t0 = newTimer(2 * d);
    await drive(sleep(d));
    expect(t0.reset(3 * d)).toBe(true); // resetting unfired timer returned false
    await drive(sleep(2 * d));
    expect(t0.c.tryRecv()).toBeUndefined(); // timer fired early
    await drive(sleep(2 * d));
    expect(t0.c.tryRecv()?.[1]).toBe(true); // reset timer did not fire
    expect(t0.reset(50)).toBe(false); // resetting expired timer returned true
    t0.stop();
  });

  it("TestOverflowSleep: huge durations never fire, hugely negative ones fire at once", async () => {
    for (const big of [Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Infinity]) {
      const bigT = newTimer(big);
      const a = recv(bigT.c), b = recv(after(25));
      expect(await drive(select([a, b]))).toBe(1);
      expect(bigT.stop()).toBe(true);
    }
    for (const neg of [-Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, -Infinity]) {
      await sleep(neg); // returns at once
      const longT = newTimer(1000);
      const a = recv(after(neg)), b = recv(longT.c);
      expect(await select([a, b])).toBe(0);
      longT.stop();
    }
    expect(pendingTimers()).toBe(0);
  });

  it("TestZeroTimer: zero-duration timers are never missed (new timers, and one reused)", async () => {
    for (let i = 0; i < 1000; i++) {
      const t = newTimer(0);
      await drive(t.c.recv());
    }
    const cached = newTimer(3_600_000);
    for (let i = 0; i < 1000; i++) {
      cached.reset(0);
      await drive(cached.c.recv());
    }
    expect(pendingTimers()).toBe(0);
  });

  it("TestTimerModifiedEarlier: a timer moved into the past many times still fires", async () => {
    const past = -Date.now(); // Go's Until(Unix(0, 0))
    for (let i = 0; i < 200; i++) {
      const timer = newTimer(3_600_000);
      for (let j = 0; j < 10; j++) {
        if (!timer.stop()) await timer.c.recv();
        timer.reset(past);
      }
      const deadline = newTimer(10_000);
      const a = recv(timer.c), b = recv(deadline.c);
      expect(await drive(select([a, b]))).toBe(0);
      deadline.stop();
    }
    expect(pendingTimers()).toBe(0);
  });

  it("TestAdjustTimers: timers moved earlier and later in random order lose no wake-up", async () => {
    const rnd = new Rng(47762);
    const n = 100;
    const timers: Timer[] = new Array(n);
    const states = new Array<number>(n).fill(0);
    const indices = rnd.shuffle([...Array(n).keys()]);
    while (indices.length !== 0) {
      const ii = rnd.int(indices.length);
      const i = indices[ii]!;
      const timer = timers[i]!;
      const state = states[i]!;
      states[i]!++;
      switch (state) {
        case 0:
          timers[i] = newTimer(0);
          break;
        case 1:
          await drive(timer.c.recv()); // the timer is now idle
          break;
        case 2: // reset to various long durations, which we cancel
          expect(timer.reset(60_000)).toBe(false);
          break;
        case 4:
          expect(timer.reset(180_000)).toBe(false);
          break;
        case 6:
          expect(timer.reset(120_000)).toBe(false);
          break;
        case 3:
        case 5:
        case 7: // stop and drain a long-duration timer
          if (!timer.stop()) await drive(timer.c.recv());
          break;
        case 8: // a short-duration timer, to receive without waiting
          expect(timer.reset(0)).toBe(false);
          break;
        case 9: {
          const now = Date.now();
          await drive(timer.c.recv());
          expect(Date.now() - now).toBeLessThanOrEqual(750);
          break;
        }
        case 10: // done: swap with the tail and remove
          indices[ii] = indices[indices.length - 1]!;
          indices.pop();
          break;
      }
    }
    expect(pendingTimers()).toBe(0);
  });

  for (const testStop of [true, false]) {
    it(`Test${testStop ? "Stop" : "Reset"}Result: when ${testStop ? "Stop" : "Reset"} returns false, the value can be received`, async () => {
      const stopOrReset = (t: Timer): boolean => (testStop ? t.stop() : t.reset(3_600_000));
      const N = 100;
      const done = chan<void>(N);
      const start = chan<void>();
      let received = 0;
      for (let g = 0; g < N; g++) {
        go(async () => {
          await start.recv();
          for (let j = 0; j < 20; j++) {
            const timer1 = newTimer(1);
            const timer2 = newTimer(1);
            const a = recv(timer1.c), b = recv(timer2.c);
            const [other] = (await select([a, b])) === 0 ? [timer2] : [timer1];
            if (!stopOrReset(other)) {
              await other.c.recv(); // the test fails if this receive never completes
              received++;
            }
            other.stop();
          }
          await done.send();
        });
      }
      start.close();
      for (let g = 0; g < N; g++) await drive(done.recv());
      expect(received).toBe(0); // Go 1.23: an unreceived value counts as pending, so Stop/Reset is true
      expect(pendingTimers()).toBe(0);
    });
  }

  it("TestMultiWakeupTimer: many goroutines resetting one timer", async () => {
    const timer = newTimer(0.001);
    const done = chan<void>(4);
    for (let g = 0; g < 4; g++) {
      go(async () => {
        for (let i = 0; i < 1000; i++) {
          await select([recv(timer.c)], { default: true });
          timer.reset(0.001);
        }
        await done.send();
      });
    }
    for (let g = 0; g < 4; g++) await drive(done.recv());
    timer.stop();
    expect(pendingTimers()).toBe(0);
  });
});
