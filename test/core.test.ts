// Memory tests of the core, through the facade: records are freed when they should be and never
// while they are still reachable.
//
// - Creating and dropping 10^6 channels leaves the core flat: once the JS objects are garbage
//   collected and collectChannels() has run, liveChannels() and coreBytesInUse() are back where
//   they started, batch after batch.
// - Parking and unparking 10^5 waiters (receivers, senders, selects, close) returns
//   coreBytesInUse() to its starting value.
// - A channel freed with waiters parked on it cannot reach a channel that reuses its record; a
//   channel reachable only from a case object, an iterator or a closure is not freed.
// - Bad capacities throw RangeError and allocate nothing.
//
// Garbage collection is forced without --expose-gc: see helpers/util.ts.

import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chan, recv, send, select, trySelect, go, numGoroutine, setPanicHandler, PanicError } from "../src/index.js";
import type { Chan, RecvCase } from "../src/index.js";
import * as debug from "../src/debug.js";
import { coreBytesInUse, liveChannels, collectChannels, waiters } from "../src/debug.js";
import { flush, gcAndSettle, within } from "./helpers/util.js";

/** GC, finalizers, collectChannels(), until liveChannels() reaches `target` (or gives up). */
async function collect(target?: number): Promise<void> {
  for (let i = 0; i < (target === undefined ? 2 : 8); i++) {
    await gcAndSettle(2);
    collectChannels();
    if (target !== undefined && liveChannels() <= target) return;
  }
}

const heapTop = (): number | undefined =>
  typeof (debug as { heapTop?: () => number }).heapTop === "function" ? (debug as { heapTop: () => number }).heapTop() : undefined;

/** waiters(ch) counts each queue exactly (the core walks it). */
const sat = (n: number): number => n;

// The first select of a thread reserves its scratch block for cases, once, for good: do it before
// any test measures coreBytesInUse().
beforeAll(() => {
  trySelect([recv(null)]);
});

let panics: unknown[] = [];
beforeEach(() => {
  panics = [];
  setPanicHandler((e) => panics.push(e));
});
afterEach(() => {
  setPanicHandler(null);
  expect(panics.map(String)).toEqual([]);
});

// Created and dropped inside a plain (not async) function, so that no suspended frame keeps the
// last one alive.
function churn(n: number, batch: number): void {
  for (let i = 0; i < n; i++) {
    const ch = chan<number>(i % 8);
    switch ((i + batch) % 5) {
      case 1:
        if (ch.cap > 0) ch.trySend(i); // dropped with a buffered value
        break;
      case 2:
        ch.close();
        break;
      case 3:
        recv(ch); // a case object, dropped too
        break;
    }
  }
}

describe("channel records", () => {
  it("creating and dropping 10^6 channels leaves liveChannels() and coreBytesInUse() flat", async () => {
    await collect();
    const live0 = liveChannels(), bytes0 = coreBytesInUse();
    const BATCH = 100_000, BATCHES = 10;
    const tops: (number | undefined)[] = [];
    for (let b = 0; b < BATCHES; b++) {
      churn(BATCH, b);
      expect(liveChannels(), "channels before collection").toBeGreaterThan(live0);
      await collect(live0);
      expect(liveChannels(), `live channels after batch ${b}`).toBe(live0);
      expect(coreBytesInUse(), `core bytes after batch ${b}`).toBe(bytes0);
      tops.push(heapTop());
    }
    // Freed records are reused: the heap's high-water mark stops growing after the first batch.
    if (tops[0] !== undefined) expect(tops[BATCHES - 1]).toBeLessThanOrEqual(tops[0]! + 65536);
  });

  it("liveChannels() and coreBytesInUse() count channels that are still referenced", async () => {
    await collect();
    const live0 = liveChannels(), bytes0 = coreBytesInUse();
    const kept: Chan<number>[] = [];
    for (let i = 0; i < 1000; i++) kept.push(chan<number>(i % 4));
    await collect(live0);
    expect(liveChannels()).toBe(live0 + 1000);
    expect(coreBytesInUse()).toBeGreaterThan(bytes0);
    // Still usable after the collections (in a plain function: no stale reference in this frame).
    const usable = (chs: Chan<number>[]): boolean => {
      for (const ch of chs) if (ch.cap > 0 && !ch.trySend(7)) return false;
      for (const ch of chs) {
        const r = ch.tryRecv();
        if (ch.cap > 0 ? r?.[0] !== 7 || !r[1] : r !== undefined) return false;
      }
      return true;
    };
    expect(usable(kept)).toBe(true);
    kept.length = 0;
    await collect(live0);
    expect(liveChannels()).toBe(live0);
    expect(coreBytesInUse()).toBe(bytes0);
  });
});

describe("waiter records", () => {
  const N = 100_000;

  it("10^5 parked receivers, woken by trySend in FIFO order, return coreBytesInUse() to its start", async () => {
    const ch = chan<number>(0);
    const bytes0 = coreBytesInUse();
    const ps: Promise<number | undefined>[] = [];
    for (let i = 0; i < N; i++) ps.push(ch.recv());
    expect(waiters(ch)).toEqual({ recv: sat(N), send: 0 });
    expect(coreBytesInUse()).toBeGreaterThan(bytes0);
    for (let i = 0; i < N; i++) expect(ch.trySend(i)).toBe(true);
    expect(ch.trySend(-1)).toBe(false);
    const got = await Promise.all(ps);
    for (let i = 0; i < N; i++) if (got[i] !== i) expect(got[i], `receiver ${i}`).toBe(i);
    expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    expect(coreBytesInUse()).toBe(bytes0);
  });

  it("10^5 parked senders on a full buffer, drained by tryRecv in FIFO order, return to the start", async () => {
    const ch = chan<number>(3);
    const bytes0 = coreBytesInUse();
    for (let i = 0; i < 3; i++) await ch.send(i);
    const ps: Promise<void>[] = [];
    for (let i = 3; i < N + 3; i++) ps.push(ch.send(i));
    expect(waiters(ch)).toEqual({ recv: 0, send: sat(N) });
    for (let i = 0; i < N + 3; i++) {
      const r = ch.tryRecv();
      if (r === undefined || r[0] !== i || !r[1]) expect(r, `value ${i}`).toEqual([i, true]);
    }
    expect(ch.tryRecv()).toBeUndefined();
    await Promise.all(ps);
    expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    expect(coreBytesInUse()).toBe(bytes0);
  });

  it("10^5 parked selects over three channels, fired from each, return to the start", async () => {
    const a = chan<number>(0), b = chan<number>(1), c = chan<number>(0);
    // The first select reserves this thread's scratch block for its cases, once: not a leak.
    expect(trySelect([recv(a), recv(b), send(c, -1)])).toBe(-1);
    const bytes0 = coreBytesInUse();
    const sels: { p: Promise<number>; cases: [RecvCase<number>, RecvCase<number>, ReturnType<typeof send<number>>] }[] = [];
    for (let i = 0; i < N; i++) {
      const cases = [recv(a), recv(b), send(c, i)] as [RecvCase<number>, RecvCase<number>, ReturnType<typeof send<number>>];
      sels.push({ p: select(cases), cases });
    }
    expect(waiters(a)).toEqual({ recv: sat(N), send: 0 });
    expect(waiters(b)).toEqual({ recv: sat(N), send: 0 });
    expect(waiters(c)).toEqual({ recv: 0, send: sat(N) });
    const grown = coreBytesInUse();
    expect(grown).toBeGreaterThan(bytes0);
    // Fire them in order from a, b and c in turn: select i is the oldest waiter everywhere.
    for (let i = 0; i < N; i++) {
      switch (i % 3) {
        case 0:
          expect(a.trySend(i)).toBe(true);
          break;
        case 1:
          expect(b.trySend(i)).toBe(true); // hands off: b's buffer is empty while receivers wait
          break;
        case 2: {
          const r = c.tryRecv();
          if (r === undefined || r[0] !== i) expect(r, `select ${i}`).toEqual([i, true]);
        }
      }
      if (i === N / 2) {
        expect(waiters(a).recv).toBe(sat(N - i - 1));
        expect(coreBytesInUse()).toBeLessThan(grown);
      }
    }
    const idx = await Promise.all(sels.map((s) => s.p));
    for (let i = 0; i < N; i++) {
      if (idx[i] !== i % 3) expect(idx[i], `select ${i}`).toBe(i % 3);
      if (i % 3 < 2 && sels[i].cases[i % 3].value !== i) expect((sels[i].cases[i % 3] as RecvCase<number>).value).toBe(i);
    }
    for (const ch of [a, b, c]) expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    expect(b.len).toBe(0);
    expect(coreBytesInUse()).toBe(bytes0);
  });

  it("close with 10^5 parked receivers and senders frees every waiter", async () => {
    const r = chan<number>(0), s = chan<number>(2);
    const bytes0 = coreBytesInUse();
    s.trySend(-1);
    s.trySend(-2);
    const half = N / 2;
    const rs: Promise<[number | undefined, boolean]>[] = [];
    const ss: Promise<string>[] = [];
    for (let i = 0; i < half; i++) rs.push(r.recvOk());
    for (let i = 0; i < half; i++) {
      ss.push(
        s.send(i).then(
          () => "sent",
          (e: unknown) => (e instanceof PanicError ? e.message : `other: ${String(e)}`),
        ),
      );
    }
    expect(waiters(r)).toEqual({ recv: sat(half), send: 0 });
    expect(waiters(s)).toEqual({ recv: 0, send: sat(half) });
    r.close();
    s.close();
    const rr = await Promise.all(rs);
    const sr = await Promise.all(ss);
    expect(rr.every(([v, ok]) => v === undefined && ok === false)).toBe(true);
    expect(new Set(sr)).toEqual(new Set(["send on closed channel"]));
    expect(s.tryRecv()).toEqual([-1, true]);
    expect(s.tryRecv()).toEqual([-2, true]);
    expect(s.tryRecv()).toEqual([undefined, false]);
    expect(coreBytesInUse()).toBe(bytes0);
  });

  it("10^4 goroutines parked and released return coreBytesInUse() and numGoroutine() to the start", async () => {
    const ch = chan<number>(0);
    const done = chan<void>(0);
    const G = 10_000;
    const g0 = numGoroutine();
    const bytes0 = coreBytesInUse();
    let sum = 0, finished = 0;
    for (let i = 0; i < G; i++) {
      go(async () => {
        const v = await ch.recv();
        sum += v!;
        if (++finished === G) done.close();
      });
    }
    expect(numGoroutine()).toBe(g0 + G);
    await flush();
    expect(waiters(ch).recv).toBe(G);
    for (let i = 1; i <= G; i++) await ch.send(i);
    await within(done.recv(), 10_000, "goroutines");
    await flush();
    expect(sum).toBe((G * (G + 1)) / 2);
    expect(numGoroutine()).toBe(g0);
    expect(coreBytesInUse()).toBe(bytes0);
  });
});

describe("freed records stay unreachable from the public API", () => {
  // Parks a receive on a fresh channel and drops the channel: only the promise survives.
  function parkOnDropped(n: number, out: Promise<unknown>[]): void {
    for (let i = 0; i < n; i++) {
      const ch = chan<number>(i % 2);
      out.push(i % 2 === 0 ? ch.recvOk() : ch.recv());
    }
  }

  it("channels dropped with parked receivers do not leak into channels that reuse their records", async () => {
    await collect();
    const live0 = liveChannels();
    const orphans: Promise<unknown>[] = [];
    parkOnDropped(1000, orphans);
    let settled = 0;
    for (const p of orphans) p.then(() => settled++, () => settled++);
    await collect();
    // Go leaks a goroutine blocked on an unreachable channel; here the promises simply never
    // settle. Whether the channels were freed or kept, new channels must start clean.
    const fresh: Chan<number>[] = [];
    for (let i = 0; i < 1000; i++) fresh.push(chan<number>(i % 2));
    for (const [i, ch] of fresh.entries()) {
      expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
      expect(ch.len).toBe(0);
      // An unbuffered channel with no receiver: a trySend must not find an orphan to hand to.
      expect(ch.trySend(i)).toBe(ch.cap > 0);
    }
    for (const [i, ch] of fresh.entries()) expect(ch.tryRecv()).toEqual(ch.cap > 0 ? [i, true] : undefined);
    await flush();
    expect(settled).toBe(0);
  });

  it("a select parked on a dropped channel and a live one still fires on the live one, in order", async () => {
    await collect();
    const live = chan<number>(0);
    const live0 = liveChannels(), bytes0 = coreBytesInUse();
    const sels: { p: Promise<number>; rc: RecvCase<number> }[] = [];
    (() => {
      for (let i = 0; i < 100; i++) {
        const rc = recv(live);
        sels.push({ p: select([recv(chan<number>(0)), rc]), rc });
      }
    })();
    await collect();
    expect(waiters(live)).toEqual({ recv: 100, send: 0 });
    for (let i = 0; i < 100; i++) expect(live.trySend(i)).toBe(true);
    const idx = await Promise.all(sels.map((s) => s.p));
    expect(idx).toEqual(new Array(100).fill(1));
    expect(sels.map((s) => s.rc.value)).toEqual([...Array(100).keys()]);
    expect(waiters(live)).toEqual({ recv: 0, send: 0 });
    // Once the selects are done, the other channels are unreachable and freed.
    sels.length = 0;
    await collect(live0);
    expect(liveChannels()).toBe(live0);
    expect(coreBytesInUse()).toBe(bytes0);
  });

  it("a channel reachable only from a case, an iterator or a closure is not freed", async () => {
    await collect();
    const live0 = liveChannels();
    const make = (): { rc: RecvCase<string>; it: AsyncIterator<string>; feed: (v: string) => boolean } => {
      const a = chan<string>(2);
      a.trySend("case");
      const b = chan<string>(1);
      b.trySend("iter");
      const c = chan<string>(1);
      return { rc: recv(a), it: b[Symbol.asyncIterator](), feed: (v) => c.trySend(v) };
    };
    const held = make();
    await collect(live0 + 3);
    expect(liveChannels()).toBe(live0 + 3);
    // Churn so that freed records, if any, get reused by other channels.
    churn(1000, 0);
    const others = Array.from({ length: 100 }, () => chan<string>(2));
    for (const o of others) o.trySend("other");
    expect(trySelect([held.rc])).toBe(0);
    expect(held.rc.value).toBe("case");
    expect(await held.it.next()).toEqual({ value: "iter", done: false });
    expect(held.feed("x")).toBe(true);
    expect(held.feed("y")).toBe(false);
    for (const o of others) expect(o.tryRecv()).toEqual(["other", true]);
  });

  it("a channel a goroutine is parked on stays alive while the goroutine can be woken", async () => {
    await collect();
    const results: (number | undefined)[] = [];
    let wake!: (v: number) => Promise<void>;
    (() => {
      const ch = chan<number>(0);
      go(async () => {
        results.push(await ch.recv());
      });
      wake = (v) => ch.send(v);
    })();
    await flush();
    await collect();
    churn(1000, 1);
    await collect();
    await within(wake(42), 5000, "send to the parked goroutine");
    await flush();
    expect(results).toEqual([42]);
  });
});

describe("bad input allocates nothing", () => {
  it.each([-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 40, Number.MAX_SAFE_INTEGER, "3", null, {}])(
    "chan(%s) throws RangeError(makechan: size out of range)",
    (cap) => {
      const live0 = liveChannels(), bytes0 = coreBytesInUse();
      let err: unknown;
      try {
        chan(cap as number);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toContain("makechan: size out of range");
      expect(liveChannels()).toBe(live0);
      expect(coreBytesInUse()).toBe(bytes0);
    },
  );

  it("misuse errors leave the channel consistent", async () => {
    const ch = chan<number | undefined>(2);
    expect(ch.trySend(undefined)).toBe(true);
    ch.close();
    expect(() => ch.close()).toThrow(PanicError);
    expect(() => ch.trySend(1)).toThrow("send on closed channel");
    await expect(ch.send(1)).rejects.toThrow(PanicError);
    await expect(select([send(ch, 1)])).rejects.toThrow("send on closed channel");
    expect(() => trySelect([send(ch, 1)])).toThrow(PanicError);
    expect(ch.len).toBe(1);
    expect(ch.cap).toBe(2);
    expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    expect(ch.tryRecv()).toEqual([undefined, true]);
    expect(ch.tryRecv()).toEqual([undefined, false]);
    expect(await ch.recvOk()).toEqual([undefined, false]);
    expect(ch.len).toBe(0);
  });
});
