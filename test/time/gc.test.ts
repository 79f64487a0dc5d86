// Lazy channel timers (Go 1.23; src/time.ts's header). A timer or ticker with a channel is in the
// heap only while a receive or select waits on its channel, so one that nothing references is
// collected at the next garbage collection, whether or not its deadline has passed; a read of its
// channel delivers a due value by itself, without any host timer having run. A timer that can
// still be observed (its Timer held, its channel held, a receive parked on its channel) fires.

import { describe, expect, it, vi } from "vitest";
import { after, chan, newTicker, newTimer, recv, select, tick, trySelect } from "../../src/index.js";
import { pendingTimers, liveChannels, collectChannels, parkedWaits } from "../../src/debug.js";
import { checkHeap } from "../../src/time.js";
import { gcAndSettle } from "../helpers/util.js";
import { sleep } from "../helpers/wait.js";
import { useFakeTimerHeap } from "../helpers/fake-time.js";

async function collect(): Promise<void> {
  await gcAndSettle(4);
  collectChannels();
}

/** Counts the objects it watches that were collected. */
class Watch {
  collected = 0;
  readonly #registry = new FinalizationRegistry<void>(() => this.collected++);
  add<T extends object>(o: T): T {
    this.#registry.register(o);
    return o;
  }
}

/** Moves the fake clock on by `ms`, checking first that no host timer is armed: whatever a read
 *  then finds was delivered by the read itself. */
function later(ms: number): void {
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(ms);
}

describe("timers that nothing references", () => {
  it("a pending timer, ticker or after() nobody waits on is not in the heap, and is collected with its owner", async () => {
    await collect();
    const timers = pendingTimers(), chans = liveChannels();
    const w = new Watch();
    for (let i = 0; i < 1000; i++) {
      w.add(newTimer(60_000));
      w.add(newTimer(60_000).c);
      w.add(newTicker(60_000));
      w.add(newTicker(60_000).c);
      w.add(after(60_000));
      w.add(tick(60_000));
    }
    expect(pendingTimers()).toBe(timers);
    await collect();
    expect(w.collected).toBe(6000);
    expect(liveChannels()).toBe(chans);
    expect(checkHeap()).toBe("");
  });

  it("after(60_000) in a select loop that never waits for it is collected", async () => {
    await collect();
    const timers = pendingTimers(), chans = liveChannels();
    const w = new Watch();
    const ready = chan<number>(1);
    const r = recv(ready);
    for (let i = 0; i < 5000; i++) {
      ready.trySend(i);
      expect(await select([r, recv(w.add(after(60_000)))])).toBe(0);
    }
    expect(pendingTimers()).toBe(timers);
    await collect();
    expect(w.collected).toBe(5000);
    expect(liveChannels()).toBe(chans + 1); // ready
    ready.close();
  });

  it("a select that waited on after() and was fired by another case lets the timer go at once", async () => {
    await collect();
    const timers = pendingTimers(), chans = liveChannels();
    const w = new Watch();
    const ch = chan<number>();
    for (let i = 0; i < 1000; i++) {
      const p = select([recv(ch), recv(w.add(after(60_000)))]);
      expect(pendingTimers()).toBe(timers + 1); // waited on: in the heap
      await ch.send(i);
      expect(pendingTimers()).toBe(timers); // the wait ended: out of it
      expect(await p).toBe(0);
    }
    expect(checkHeap()).toBe("");
    await collect();
    expect(w.collected).toBe(1000);
    expect(liveChannels()).toBe(chans + 1); // ch
    ch.close();
  });

  it("a receive withdrawn by its signal lets the timer go", async () => {
    const timers = pendingTimers();
    const t = newTimer(60_000);
    const ac = new AbortController();
    const p = t.c.recv({ signal: ac.signal });
    expect(pendingTimers()).toBe(timers + 1);
    ac.abort(new Error("gave up"));
    await expect(p).rejects.toThrow("gave up");
    expect(pendingTimers()).toBe(timers);
    expect(t.stop()).toBe(true); // still pending: nothing was delivered
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

describe("a read delivers a due value by itself", () => {
  // Under fake timers, with no host timer armed while the clock moves (later()): the read alone
  // delivers.
  useFakeTimerHeap();

  it("tryRecv and len of a timer's channel, after its deadline", () => {
    const t0 = Date.now();
    const t = newTimer(5);
    const u = newTimer(5);
    later(10);
    expect(u.c.len).toBe(1);
    // The value is when the deadline passed (Go's sendTime), not when it was read.
    expect(t.c.tryRecv()).toEqual([t0 + 5, true]);
    expect(t.c.tryRecv()).toBeUndefined(); // once
    expect(t.stop()).toBe(false);
    expect(u.stop()).toBe(true); // delivered, not received: still active (Go 1.23)
    expect(u.c.tryRecv()).toBeUndefined();
  });

  it("recv resolves at once, without waiting for a host timer", async () => {
    const t = newTimer(5);
    later(10);
    let got: number | undefined;
    const p = t.c.recv().then((v) => (got = v));
    await Promise.resolve();
    await Promise.resolve();
    expect(typeof got).toBe("number");
    await p;
    expect(pendingTimers()).toBe(0);
  });

  it("a select or trySelect over timers that are due fires", async () => {
    const never = chan<number>();
    const a = after(5);
    const b = newTimer(5);
    later(10);
    expect(trySelect([recv(never), recv(a)])).toBe(1);
    const cb = recv(b.c);
    expect(await select([recv(never), cb], { default: true })).toBe(1);
    expect(cb.ok).toBe(true);
    // Two due timers: either may fire, and the other keeps its value.
    const x = after(1), y = after(1);
    later(3);
    const cx = recv(x), cy = recv(y);
    const first = trySelect([cx, cy]);
    expect(first === 0 || first === 1).toBe(true);
    expect(trySelect([cx, cy])).toBe(1 - first);
    expect(trySelect([cx, cy])).toBe(-1);
  });

  it("a ticker read late gives one tick, the earliest it missed, and keeps its period grid", () => {
    const t0 = Date.now();
    const tk = newTicker(2);
    later(11); // ticks due at 2, 4, 6, 8, 10: one is delivered, the rest are dropped
    expect(tk.c.tryRecv()).toEqual([t0 + 2, true]);
    expect(tk.c.tryRecv()).toBeUndefined();
    later(1); // the next tick of the grid
    expect(tk.c.tryRecv()).toEqual([t0 + 12, true]);
    expect(tk.c.tryRecv()).toBeUndefined();
    tk.stop();
    later(3);
    expect(tk.c.tryRecv()).toBeUndefined();
  });

  it("a for-await loop over a ticker's channel gets a tick per read", async () => {
    const t0 = Date.now();
    const tk = newTicker(2);
    const got: number[] = [];
    later(2);
    for await (const v of tk.c) {
      got.push(v - t0);
      if (got.length === 3) break;
      later(5);
    }
    expect(got).toEqual([2, 4, 8]);
    tk.stop();
    expect(pendingTimers()).toBe(0);
    expect(checkHeap()).toBe("");
  });
});
