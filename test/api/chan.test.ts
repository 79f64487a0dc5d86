// The Channels table of API.md: chan(), send, recv, recvOk, trySend, tryRecv, close, len/cap,
// for await, ordering, and values stored as given.

import { describe, expect, it } from "vitest";
import { chan, go, gosched, PanicError } from "../../src/index.js";
import type { Chan } from "../../src/index.js";
import { waiters } from "../../src/debug.js";
import { PENDING, rejection, settled, sleep } from "../helpers/wait.js";


function expectPanic(e: unknown, message: string) {
  expect(e).toBeInstanceOf(PanicError);
  expect(e).toBeInstanceOf(Error);
  expect((e as Error).message).toBe(message);
}

describe("chan(capacity)", () => {
  it("defaults to an unbuffered channel", () => {
    const c = chan<number>();
    expect(c.cap).toBe(0);
    expect(c.len).toBe(0);
  });

  it.each([0, 1, 3, 1024, 100_000])("chan(%d) has that capacity", (n) => {
    const c = chan<number>(n);
    expect(c.cap).toBe(n);
    expect(c.len).toBe(0);
  });

  const bad: [string, unknown][] = [
    ["-1", -1],
    ["1.5", 1.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ['"3"', "3"],
    ["2**53", 2 ** 53],
    ["2**53 + 2", 2 ** 53 + 2],
    ["2**40", 2 ** 40],
    ["2**31", 2 ** 31],
    ["2**32", 2 ** 32],
    ["2**32 + 5", 2 ** 32 + 5],
    ["Number.MAX_VALUE", Number.MAX_VALUE],
    ["null", null],
    ["{}", {}],
  ];
  it.each(bad)("chan(%s) throws RangeError makechan: size out of range", (_name, n) => {
    let err: unknown;
    try {
      chan<number>(n as number);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toContain("makechan: size out of range");
  });

  it("a rejected capacity does not disturb other channels", async () => {
    const a = chan<number>(2);
    await a.send(1);
    expect(() => chan<number>(-1)).toThrow(RangeError);
    expect(() => chan<number>(2 ** 40)).toThrow(RangeError);
    await a.send(2);
    expect(a.len).toBe(2);
    expect(await a.recv()).toBe(1);
    expect(await a.recv()).toBe(2);
  });
});

describe("ch.send(v)", () => {
  it("on an unbuffered channel resolves only once a receiver has taken the value", async () => {
    const c = chan<string>();
    let done = false;
    const p = c.send("x").then(() => (done = true));
    expect(await settled(p)).toBe(PENDING);
    expect(done).toBe(false);
    expect(waiters(c)).toEqual({ recv: 0, send: 1 });
    expect(await c.recv()).toBe("x");
    await p;
    expect(done).toBe(true);
    expect(waiters(c)).toEqual({ recv: 0, send: 0 });
  });

  it("on a buffered channel resolves once the value is in the buffer, and waits when it is full", async () => {
    const c = chan<number>(2);
    await c.send(1);
    expect(c.len).toBe(1);
    await c.send(2);
    expect(c.len).toBe(2);
    const p = c.send(3);
    expect(await settled(p)).toBe(PENDING);
    expect(c.len).toBe(2);
    expect(await c.recv()).toBe(1);
    await p; // the waiting sender's value moved into the freed slot
    expect(c.len).toBe(2);
    expect(await c.recv()).toBe(2);
    expect(await c.recv()).toBe(3);
    expect(c.len).toBe(0);
  });

  it("hands the value directly to a waiting receiver", async () => {
    const c = chan<number>(4);
    const r = c.recv();
    await c.send(9);
    expect(await r).toBe(9);
    expect(c.len).toBe(0);
  });

  it("on a closed channel rejects with PanicError('send on closed channel') and enqueues nothing", async () => {
    const c = chan<number>(3);
    await c.send(1);
    c.close();
    let p!: Promise<void>;
    expect(() => (p = c.send(2))).not.toThrow(); // rejected, not thrown
    expectPanic(await rejection(p), "send on closed channel");
    expect(c.len).toBe(1);
    expect(await c.recvOk()).toEqual([1, true]);
    expect(await c.recvOk()).toEqual([undefined, false]);
  });

  it("a sender waiting when the channel gets closed rejects with PanicError", async () => {
    for (const cap of [0, 1]) {
      const c = chan<number>(cap);
      if (cap) await c.send(0);
      const p = c.send(1);
      const q = c.send(2);
      expect(await settled(p)).toBe(PENDING);
      c.close();
      expectPanic(await rejection(p), "send on closed channel");
      expectPanic(await rejection(q), "send on closed channel");
      expect(waiters(c)).toEqual({ recv: 0, send: 0 });
      // the values of rejected senders were not delivered; a buffered one still is
      if (cap) expect(await c.recvOk()).toEqual([0, true]);
      expect(await c.recvOk()).toEqual([undefined, false]);
    }
  });
});

describe("ch.recv() / ch.recvOk()", () => {
  it("recv returns the next value, then undefined once closed and drained", async () => {
    const c = chan<number>(2);
    await c.send(5);
    await c.send(6);
    c.close();
    expect(await c.recv()).toBe(5);
    expect(await c.recv()).toBe(6);
    expect(await c.recv()).toBeUndefined();
    expect(await c.recv()).toBeUndefined();
  });

  it("recv waits for a value", async () => {
    const c = chan<number>();
    const p = c.recv();
    expect(await settled(p)).toBe(PENDING);
    expect(waiters(c)).toEqual({ recv: 1, send: 0 });
    await c.send(3);
    expect(await p).toBe(3);
  });

  it("waiting receivers get undefined / ok=false when the channel is closed", async () => {
    const c = chan<number>();
    const a = c.recv();
    const b = c.recvOk();
    const d = c.recvOk();
    expect(await settled(a)).toBe(PENDING);
    c.close();
    expect(await a).toBeUndefined();
    expect(await b).toEqual([undefined, false]);
    expect(await d).toEqual([undefined, false]);
    expect(waiters(c)).toEqual({ recv: 0, send: 0 });
  });

  it("undefined and null round-trip as values with ok=true", async () => {
    for (const cap of [0, 2]) {
      const c = chan<undefined | null>(cap);
      go(async () => {
        await c.send(undefined);
        await c.send(null);
        c.close();
      });
      expect(await c.recvOk()).toEqual([undefined, true]);
      const [v, ok] = await c.recvOk();
      expect(v).toBeNull();
      expect(ok).toBe(true);
      expect(await c.recvOk()).toEqual([undefined, false]);
    }
  });

  it("recvOk on an open channel says ok=true, also for falsy values", async () => {
    const c = chan<unknown>(8);
    const vals = [0, "", false, NaN, -0, 0n];
    for (const v of vals) await c.send(v);
    for (const v of vals) {
      const [got, ok] = await c.recvOk();
      expect(ok).toBe(true);
      expect(Object.is(got, v)).toBe(true);
    }
  });

  it("values are stored as given: the same object, not a copy", async () => {
    const obj = { a: [1, 2] };
    const fn = () => 1;
    const c = chan<unknown>(1);
    await c.send(obj);
    expect(await c.recv()).toBe(obj);
    const u = chan<unknown>();
    go(() => u.send(fn));
    expect(await u.recv()).toBe(fn);
  });
});

describe("ch.trySend(v) / ch.tryRecv()", () => {
  it("trySend succeeds where send would not wait, returns false where it would", async () => {
    const c = chan<number>(1);
    expect(c.trySend(1)).toBe(true);
    expect(c.len).toBe(1);
    expect(c.trySend(2)).toBe(false);
    expect(c.len).toBe(1);
    expect(await c.recv()).toBe(1);

    const u = chan<number>();
    expect(u.trySend(1)).toBe(false);
    expect(waiters(u)).toEqual({ recv: 0, send: 0 });
    const r = u.recv();
    expect(u.trySend(7)).toBe(true);
    expect(await r).toBe(7);
  });

  it("trySend throws PanicError('send on closed channel') on a closed channel", () => {
    for (const cap of [0, 1]) {
      const c = chan<number>(cap);
      c.close();
      let err: unknown;
      try {
        c.trySend(1);
      } catch (e) {
        err = e;
      }
      expectPanic(err, "send on closed channel");
      expect(c.len).toBe(0);
    }
  });

  it("tryRecv returns [value, true], undefined where it would wait, [undefined, false] when closed and drained", async () => {
    const c = chan<number>(2);
    expect(c.tryRecv()).toBeUndefined();
    await c.send(4);
    expect(c.tryRecv()).toEqual([4, true]);
    expect(c.tryRecv()).toBeUndefined();
    await c.send(5);
    c.close();
    expect(c.tryRecv()).toEqual([5, true]);
    expect(c.tryRecv()).toEqual([undefined, false]);
    expect(c.tryRecv()).toEqual([undefined, false]);
  });

  it("tryRecv takes from a waiting sender on an unbuffered channel, which then resolves", async () => {
    const c = chan<string>();
    const p = c.send("v");
    expect(await settled(p)).toBe(PENDING);
    expect(c.tryRecv()).toEqual(["v", true]);
    await p;
    expect(c.tryRecv()).toBeUndefined();
  });

  it("tryRecv of a buffered undefined is [undefined, true]", async () => {
    const c = chan<undefined>(1);
    expect(c.trySend(undefined)).toBe(true);
    expect(c.tryRecv()).toEqual([undefined, true]);
    expect(c.tryRecv()).toBeUndefined();
  });
});

describe("ch.close()", () => {
  it("a second close throws PanicError('close of closed channel'); buffered values are still received", async () => {
    const c = chan<number>(3);
    await c.send(1);
    await c.send(2);
    c.close();
    let err: unknown;
    try {
      c.close();
    } catch (e) {
      err = e;
    }
    expectPanic(err, "close of closed channel");
    expect(c.len).toBe(2);
    expect(c.cap).toBe(3);
    expect(await c.recvOk()).toEqual([1, true]);
    expect(c.tryRecv()).toEqual([2, true]);
    expect(await c.recvOk()).toEqual([undefined, false]);
    expect(() => c.close()).toThrow("close of closed channel");
  });

  it("wakes every waiting receiver and rejects every waiting sender", async () => {
    const r = chan<number>();
    const rs = [r.recv(), r.recvOk(), r.recv()];
    const s = chan<number>();
    const ss = [s.send(1), s.send(2)];
    await gosched();
    r.close();
    s.close();
    expect(await Promise.all(rs)).toEqual([undefined, [undefined, false], undefined]);
    for (const p of ss) expectPanic(await rejection(p), "send on closed channel");
  });

  it("does not lose buffered values to receivers", async () => {
    const c = chan<number>(3);
    for (const v of [1, 2, 3]) await c.send(v);
    c.close();
    const got: [number | undefined, boolean][] = [];
    for (let i = 0; i < 5; i++) got.push(await c.recvOk());
    expect(got).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [undefined, false],
      [undefined, false],
    ]);
  });
});

describe("ch.len, ch.cap", () => {
  it("len counts buffered values; cap is fixed", async () => {
    const c = chan<number>(3);
    expect([c.len, c.cap]).toEqual([0, 3]);
    await c.send(1);
    await c.send(2);
    expect([c.len, c.cap]).toEqual([2, 3]);
    await c.recv();
    expect([c.len, c.cap]).toEqual([1, 3]);
    c.close();
    expect([c.len, c.cap]).toEqual([1, 3]);
    await c.recv();
    expect([c.len, c.cap]).toEqual([0, 3]);
  });

  it("an unbuffered channel's len is 0 even with senders waiting", async () => {
    const c = chan<number>();
    const p = c.send(1);
    const q = c.send(2);
    await gosched();
    expect([c.len, c.cap]).toEqual([0, 0]);
    expect(await c.recv()).toBe(1);
    expect(await c.recv()).toBe(2);
    await Promise.all([p, q]);
  });
});

describe("for await (const v of ch)", () => {
  it("yields every value in order and ends when the channel is closed and drained", async () => {
    for (const cap of [0, 1, 5]) {
      const c = chan<number>(cap);
      go(async () => {
        for (let i = 0; i < 20; i++) await c.send(i);
        c.close();
      });
      const got: number[] = [];
      for await (const v of c) got.push(v);
      expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
  });

  it("yields undefined and null values instead of stopping on them", async () => {
    const c = chan<number | undefined | null>(4);
    await c.send(undefined);
    await c.send(null);
    await c.send(1);
    c.close();
    const got: unknown[] = [];
    for await (const v of c) got.push(v);
    expect(got).toEqual([undefined, null, 1]);
  });

  it("an already closed and drained channel yields nothing", async () => {
    const c = chan<number>();
    c.close();
    let n = 0;
    for await (const _ of c) n++;
    expect(n).toBe(0);
  });

  it("leaving the loop early does not close the channel and loses no value", async () => {
    const c = chan<number>(10);
    for (let i = 0; i < 10; i++) await c.send(i);
    const first: number[] = [];
    for await (const v of c) {
      first.push(v);
      if (v === 3) break;
    }
    expect(first).toEqual([0, 1, 2, 3]);
    expect(c.len).toBe(6);
    expect(c.trySend(10)).toBe(true); // not closed
    const rest: number[] = [];
    for await (const v of c) {
      rest.push(v);
      if (v === 10) break;
    }
    expect(rest).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it("leaving the loop early on an unbuffered channel loses no value either", async () => {
    const c = chan<number>();
    go(async () => {
      for (let i = 0; i < 6; i++) await c.send(i);
      c.close();
    });
    const a: number[] = [];
    for await (const v of c) {
      a.push(v);
      if (a.length === 2) break;
    }
    await sleep(5); // the sender is parked with its next value; nothing may have taken it
    const b: number[] = [];
    for await (const v of c) b.push(v);
    expect([...a, ...b]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("leaving the loop by throwing loses no value and leaves no receiver parked", async () => {
    const c = chan<number>(3);
    await c.send(1);
    await c.send(2);
    await expect(
      (async () => {
        for await (const v of c) if (v === 1) throw new Error("stop");
      })(),
    ).rejects.toThrow("stop");
    expect(waiters(c)).toEqual({ recv: 0, send: 0 });
    expect(await c.recv()).toBe(2);
  });
});

describe("order", () => {
  it("each sender's values are received in the order sent", async () => {
    const c = chan<[number, number]>(3);
    for (let s = 0; s < 4; s++) {
      go(async () => {
        for (let i = 0; i < 50; i++) await c.send([s, i]);
      });
    }
    const next = [0, 0, 0, 0];
    for (let k = 0; k < 200; k++) {
      const [s, i] = (await c.recv())!;
      expect(i).toBe(next[s]);
      next[s]++;
    }
    expect(next).toEqual([50, 50, 50, 50]);
  });

  it("waiting senders are served first-come, first-served", async () => {
    for (const cap of [0, 2]) {
      const c = chan<number>(cap);
      for (let i = 0; i < cap; i++) await c.send(-1);
      const ps = [0, 1, 2, 3, 4].map((i) => c.send(i));
      await sleep(1);
      expect(waiters(c).send).toBe(5);
      const got: number[] = [];
      for (let i = 0; i < cap + 5; i++) got.push((await c.recv())!);
      expect(got).toEqual([...Array(cap).fill(-1), 0, 1, 2, 3, 4]);
      await Promise.all(ps);
    }
  });

  it("waiting receivers are served first-come, first-served", async () => {
    for (const cap of [0, 3]) {
      const c = chan<string>(cap);
      const order: string[] = [];
      const rs = ["r0", "r1", "r2", "r3"].map((name) => c.recv().then((v) => order.push(`${name}:${v}`)));
      await sleep(1);
      expect(waiters(c).recv).toBe(4);
      for (const v of ["a", "b", "c", "d"]) await c.send(v);
      await Promise.all(rs);
      expect(order.sort()).toEqual(["r0:a", "r1:b", "r2:c", "r3:d"]);
    }
  });

  it("receivers parked by different goroutines are served in the order they parked", async () => {
    const c = chan<number>();
    const out = chan<string>(3);
    for (const name of ["g0", "g1", "g2"]) {
      go(async () => {
        const v = await c.recv();
        await out.send(`${name}:${v}`);
      });
      await sleep(1); // let it park before starting the next
    }
    expect(waiters(c).recv).toBe(3);
    for (let i = 0; i < 3; i++) await c.send(i);
    const got = [await out.recv(), await out.recv(), await out.recv()];
    expect(got.sort()).toEqual(["g0:0", "g1:1", "g2:2"]);
  });
});

describe("bad input", () => {
  it("a channel stays usable after every error it raised", async () => {
    const c: Chan<number> = chan<number>(2);
    await c.send(1);
    c.close();
    expect(() => c.close()).toThrow(PanicError);
    expect(() => c.trySend(2)).toThrow(PanicError);
    await expect(c.send(3)).rejects.toThrow(PanicError);
    expect(c.len).toBe(1);
    expect(await c.recvOk()).toEqual([1, true]);
    expect(await c.recvOk()).toEqual([undefined, false]);
  });
});
