// Timers that nothing references are collected (Go 1.23): a pending after(10_000) in a hot select
// loop, a dropped newTimer or tick, do not stay in the heap until they fire. A timer that can
// still be observed (its Timer held, its channel held, a receive parked on its channel) fires.

import { describe, expect, it } from "vitest";
import { after, chan, newTicker, newTimer, recv, select, tick } from "../../src/index.js";
import { pendingTimers, liveChannels, collectChannels, parkedWaits } from "../../src/debug.js";
import { checkHeap } from "../../src/time.js";
import { gcAndSettle } from "../helpers/util.js";
import { sleep } from "../helpers/wait.js";

async function collect(): Promise<void> {
  await gcAndSettle(4);
  collectChannels();
}

// A timer dropped while pending is collected once an audit has made its owners weak: within a
// second of its start (src/time.ts, Entry).
async function audited(): Promise<void> {
  await sleep(1100);
  await collect();
}

describe("timers that nothing references", () => {
  it("after(10_000) in a select loop that never waits for it is collected", async () => {
    await collect();
    const timers = pendingTimers(), chans = liveChannels();
    const ready = chan<number>(1);
    const r = recv(ready);
    for (let i = 0; i < 5000; i++) {
      ready.trySend(i);
      expect(await select([r, recv(after(10_000))])).toBe(0);
    }
    expect(pendingTimers()).toBeGreaterThanOrEqual(timers + 5000);
    await audited();
    expect(pendingTimers()).toBe(timers);
    expect(checkHeap()).toBe("");
    await collect();
    expect(liveChannels()).toBe(chans);
  });

  it("dropped newTimer, newTicker and tick are collected, with or without their channel read", async () => {
    await collect();
    const timers = pendingTimers();
    for (let i = 0; i < 1000; i++) {
      newTimer(10_000);
      void newTimer(10_000).c;
      newTicker(10_000);
      void newTicker(10_000).c;
      tick(10_000);
    }
    expect(pendingTimers()).toBe(timers + 5000);
    await audited();
    expect(pendingTimers()).toBe(timers);
    expect(checkHeap()).toBe("");
  });

  it("a timer whose Timer is dropped but whose channel is held still fires", async () => {
    const c = newTimer(20).c;
    const t2 = newTimer(20);
    await collect();
    await sleep(40);
    expect(c.tryRecv()?.[1]).toBe(true);
    expect(t2.c.tryRecv()?.[1]).toBe(true); // held Timer, channel read only after it fired
  });

  it("a timer whose channel was read and dropped, its Timer held, keeps its value", async () => {
    const t = newTimer(20);
    void t.c.len; // the channel is made; the Timer keeps it
    await collect();
    await sleep(40);
    await collect();
    expect(t.c.tryRecv()?.[1]).toBe(true);
  });

  it("a select parked on after() alone fires", async () => {
    const waits = parkedWaits();
    const p = select([recv(after(20)), recv(null)]);
    await collect();
    expect(await p).toBe(0);
    expect(parkedWaits()).toBe(waits);
  });
});
