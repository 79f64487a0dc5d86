// The select section of API.md: recv / send cases, select, select with default, trySelect, case
// reuse, nil channels, closed channels, and "a select that did not fire leaves no waiter behind".

import { describe, expect, it } from "vitest";
import { chan, go, recv, select, send, trySelect, PanicError } from "../../src/index.js";
import { waiters } from "../../src/debug.js";
import { PENDING, rejection, settled, sleep } from "../helpers/wait.js";
import { thrown } from "../helpers/util.js";



function expectPanic(e: unknown, message: string) {
  expect(e).toBeInstanceOf(PanicError);
  expect((e as Error).message).toBe(message);
}

const noWaiters = { recv: 0, send: 0 };

describe("recv(ch) case", () => {
  it("after it fires, .value and .ok hold what recvOk would give", async () => {
    const c = chan<number>(1);
    await c.send(11);
    const k = recv(c);
    expect(await select([k])).toBe(0);
    expect([k.value, k.ok]).toEqual([11, true]);
    c.close();
    expect(await select([k])).toBe(0);
    expect([k.value, k.ok]).toEqual([undefined, false]);
  });

  it("a buffered undefined arrives with ok=true", async () => {
    const c = chan<undefined>(1);
    await c.send(undefined);
    const k = recv(c);
    expect(trySelect([k])).toBe(0);
    expect(k.value).toBeUndefined();
    expect(k.ok).toBe(true);
  });

  it("a waiting recv case fires with ok=false when the channel is closed", async () => {
    const c = chan<number>();
    const k = recv(c);
    const p = select([k]);
    expect(await settled(p)).toBe(PENDING);
    c.close();
    expect(await p).toBe(0);
    expect([k.value, k.ok]).toEqual([undefined, false]);
    expect(waiters(c)).toEqual(noWaiters);
  });

  it("receives from a waiting sender on an unbuffered channel", async () => {
    const c = chan<string>();
    const s = c.send("hi");
    await sleep(1);
    const k = recv(c);
    expect(await select([k], { default: true })).toBe(0);
    expect(k.value).toBe("hi");
    await s;
  });
});

describe("send(ch, value) case", () => {
  it("delivers its value; .value may be reassigned before the case is used again", async () => {
    const c = chan<number>(3);
    const s = send(c, 1);
    expect(await select([s])).toBe(0);
    s.value = 2;
    expect(await select([s])).toBe(0);
    s.value = 3;
    expect(trySelect([s])).toBe(0);
    expect([await c.recv(), await c.recv(), await c.recv()]).toEqual([1, 2, 3]);
  });

  it("a waiting send case resolves once a receiver takes the value", async () => {
    const c = chan<object>();
    const obj = {};
    const p = select([send(c, obj)]);
    expect(await settled(p)).toBe(PENDING);
    expect(waiters(c)).toEqual({ recv: 0, send: 1 });
    expect(await c.recv()).toBe(obj);
    expect(await p).toBe(0);
  });

  it("on a closed channel rejects with PanicError('send on closed channel')", async () => {
    const c = chan<number>(1);
    c.close();
    const other = chan<number>();
    expectPanic(await rejection(select([recv(other), send(c, 1)])), "send on closed channel");
    expectPanic(await rejection(select([send(c, 1)], { default: true })), "send on closed channel");
    expectPanic(thrown(() => trySelect([send(c, 1)])), "send on closed channel");
    expect(waiters(other)).toEqual(noWaiters);
    expect(c.len).toBe(0);
  });

  it("a send case waiting when its channel gets closed rejects with PanicError", async () => {
    const c = chan<number>();
    const other = chan<number>();
    const p = select([send(c, 1), recv(other)]);
    expect(await settled(p)).toBe(PENDING);
    c.close();
    expectPanic(await rejection(p), "send on closed channel");
    expect(waiters(other)).toEqual(noWaiters);
    // other stays usable
    const q = other.recv();
    expect(other.trySend(4)).toBe(true);
    expect(await q).toBe(4);
  });
});

describe("select(cases)", () => {
  it("waits until a case can proceed, then resolves to its index", async () => {
    const a = chan<number>();
    const b = chan<number>();
    const c = chan<number>();
    const kb = recv(b);
    const p = select([recv(a), kb, send(c, 5)]);
    expect(await settled(p)).toBe(PENDING);
    await b.send(8);
    expect(await p).toBe(1);
    expect(kb.value).toBe(8);
  });

  it("performs exactly one case when several can proceed", async () => {
    for (let i = 0; i < 50; i++) {
      const a = chan<number>(1);
      const b = chan<number>(1);
      const c = chan<number>(1);
      await a.send(1);
      await b.send(2);
      const k = await select([recv(a), recv(b), send(c, 3)]);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(3);
      expect(a.len + b.len + c.len).toBe(k === 2 ? 3 : 1);
    }
  });

  it("picks uniformly at random among ready cases (3 cases, per-case bound at 1e-7)", async () => {
    const n = 9000;
    const chans = [chan<number>(1), chan<number>(1), chan<number>(1)];
    for (const c of chans) await c.send(0);
    const cases = chans.map((c) => recv(c));
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const k = await select(cases);
      counts[k]++;
      chans[k].trySend(0);
    }
    const sd = Math.sqrt((1 / 3) * (2 / 3) / n);
    for (const c of counts) expect(Math.abs(c / n - 1 / 3), `counts ${counts}`).toBeLessThanOrEqual(5.326724 * sd);
  });

  it("a null channel never proceeds", async () => {
    const c = chan<number>(1);
    for (let i = 0; i < 100; i++) {
      await c.send(i);
      const k = recv(c);
      expect(await select([recv(null), send(null, 1), k])).toBe(2);
      expect(k.value).toBe(i);
    }
    expect(await settled(select([recv(null), send(null, 1)]))).toBe(PENDING);
    expect(trySelect([recv(null), send(null, 1)])).toBe(-1);
  });

  it("select([]) never resolves", async () => {
    let done = false;
    const p = select([]).then(() => (done = true));
    expect(await settled(p, 50)).toBe(PENDING);
    expect(done).toBe(false);
  });

  it("a select that did not fire leaves no waiter behind", async () => {
    const a = chan<number>();
    const b = chan<number>();
    const c = chan<number>();
    const p = select([recv(a), send(b, 1), recv(c), recv(a)]);
    await sleep(1);
    expect(waiters(a).recv).toBeGreaterThanOrEqual(1);
    expect(waiters(b)).toEqual({ recv: 0, send: 1 });
    expect(waiters(c)).toEqual({ recv: 1, send: 0 });
    await c.send(3);
    expect(await p).toBe(2);
    for (const ch of [a, b, c]) expect(waiters(ch)).toEqual(noWaiters);
    // the cases that did not fire cannot fire later: b's value is not delivered
    expect(b.tryRecv()).toBeUndefined();
    expect(a.trySend(1)).toBe(false);
  });

  it("a select over several channels fires once even if two of them become ready together", async () => {
    const a = chan<number>(1);
    const b = chan<number>(1);
    const ka = recv(a);
    const kb = recv(b);
    const p = select([ka, kb]);
    await sleep(1);
    expect(a.trySend(1)).toBe(true); // hands to the select
    expect(b.trySend(2)).toBe(true); // must go into the buffer, not to the finished select
    const k = await p;
    expect(k).toBe(0);
    expect(ka.value).toBe(1);
    expect(b.len).toBe(1);
    expect(await b.recv()).toBe(2);
  });

  it("two waiting selects on one channel are served in order, each exactly once", async () => {
    const c = chan<number>();
    const k1 = recv(c);
    const k2 = recv(c);
    const p1 = select([k1]);
    await sleep(1);
    const p2 = select([k2]);
    await sleep(1);
    await c.send(1);
    await c.send(2);
    expect(await p1).toBe(0);
    expect(await p2).toBe(0);
    expect([k1.value, k2.value]).toEqual([1, 2]);
  });

  it("a select with a send and a receive on the same unbuffered channel does not talk to itself", async () => {
    const c = chan<number>();
    const p = select([send(c, 1), recv(c)]);
    expect(await settled(p)).toBe(PENDING);
    expect(await c.recv()).toBe(1);
    expect(await p).toBe(0);
  });
});

describe("select(cases, { default: true }) and trySelect(cases)", () => {
  it("resolve to -1 where no case can proceed, and park nothing", async () => {
    const a = chan<number>();
    const b = chan<number>(1);
    await b.send(0);
    expect(await select([recv(a), send(a, 1), send(b, 2)], { default: true })).toBe(-1);
    expect(trySelect([recv(a), send(a, 1), send(b, 2)])).toBe(-1);
    expect(waiters(a)).toEqual(noWaiters);
    expect(waiters(b)).toEqual(noWaiters);
    expect(b.len).toBe(1);
  });

  it("perform a case that can proceed", async () => {
    const a = chan<number>(1);
    await a.send(6);
    const k = recv(a);
    expect(await select([k], { default: true })).toBe(0);
    expect(k.value).toBe(6);
    await a.send(7);
    expect(trySelect([recv(null), k])).toBe(1);
    expect(k.value).toBe(7);
  });

  it("select({default: true}) does not wait for a goroutine that is about to become ready", async () => {
    const a = chan<number>();
    go(() => a.send(1)); // has not run yet: go never runs fn inside the call
    const k = recv(a);
    expect(await select([k], { default: true })).toBe(-1);
    // the goroutine's send now waits; a blocking select gets it
    expect(await select([k])).toBe(0);
    expect(k.value).toBe(1);
    expect(waiters(a)).toEqual(noWaiters);
  });

  it("trySelect is synchronous and returns a number", () => {
    const a = chan<number>(1);
    const r = trySelect([send(a, 1)]);
    expect(typeof r).toBe("number");
    expect(r).toBe(0);
    expect(a.len).toBe(1);
    expect(trySelect([])).toBe(-1);
  });

  it("select([], { default: true }) is -1", async () => {
    expect(await select([], { default: true })).toBe(-1);
  });

  it("select(cases, { default: false }) still waits", async () => {
    const a = chan<number>();
    const p = select([recv(a)], { default: false });
    expect(await settled(p)).toBe(PENDING);
    a.trySend(1);
    expect(await p).toBe(0);
  });
});

describe("case objects", () => {
  it("are reusable across many selects", async () => {
    const nums = chan<number>();
    const quit = chan<void>();
    const out = chan<number>(1);
    const kn = recv(nums);
    const kq = recv(quit);
    const ko = send(out, 0);
    go(async () => {
      for (let i = 0; i < 1000; i++) await nums.send(i);
      quit.close();
    });
    const got: number[] = [];
    const cases = [kn, kq];
    for (;;) {
      const k = await select(cases);
      if (k === 1) {
        expect(kq.ok).toBe(false);
        break;
      }
      ko.value = (kn.value as number) * 2;
      expect(await select([ko])).toBe(0);
      got.push((await out.recv())!);
    }
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => 2 * i));
    for (const ch of [nums, quit, out]) expect(waiters(ch)).toEqual(noWaiters);
  });

  it("one case object in two concurrent selects is refused with an error about the case, and channels stay usable", async () => {
    const c = chan<number>();
    const k = recv(c);
    const p1 = select([k]);
    await sleep(1);
    let err: unknown;
    try {
      await select([k, recv(null)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/case/i);
    // the first select is unharmed and the channel works
    expect(waiters(c)).toEqual({ recv: 1, send: 0 });
    await c.send(5);
    expect(await p1).toBe(0);
    expect(k.value).toBe(5);
    expect(waiters(c)).toEqual(noWaiters);
    // once the first select is over, the case can be used again
    const p3 = select([k]);
    await c.send(6);
    expect(await p3).toBe(0);
    expect(k.value).toBe(6);
  });

  it("one case object used in trySelect while it waits in a select is refused too", async () => {
    const c = chan<number>(1);
    const k = send(c, 1);
    await c.send(0); // full: the select waits
    const p1 = select([k]);
    await sleep(1);
    let err: unknown;
    try {
      trySelect([k]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/case/i);
    expect(await c.recv()).toBe(0);
    expect(await p1).toBe(0);
    expect(await c.recv()).toBe(1);
    expect(c.len).toBe(0);
  });
});

describe("bad input to select", () => {
  it("a non-channel in a case is refused at the call, with an Error", async () => {
    await expect((async () => select([recv(42 as never)]))()).rejects.toBeInstanceOf(Error);
    await expect((async () => select([send({} as never, 1)]))()).rejects.toBeInstanceOf(Error);
  });

  it("a non-case in the array is refused at the call, and a valid case in it is not performed", async () => {
    const c = chan<number>(1);
    await c.send(1);
    await expect((async () => select([recv(c), 42 as never]))()).rejects.toBeInstanceOf(Error);
    expect(() => trySelect([recv(c), { nope: true } as never])).toThrow();
    expect(c.len).toBe(1);
    expect(waiters(c)).toEqual(noWaiters);
  });
});
