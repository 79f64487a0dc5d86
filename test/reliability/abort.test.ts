// Issue 7, "waits that cannot be withdrawn" (API.md, Channels: Withdrawing a wait): a blocking
// send, recv, recvOk or select given an AbortSignal is withdrawn when it aborts first: it rejects
// with signal.reason, no value was taken and none was sent. One that completed first resolves as
// usual. Local and shared channels (a shared channel used from one thread takes the same core
// paths as from several: its lock, its inbox), and a randomized run with checksums.

import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { chan, go, recv, select, send, withCancel, background, Canceled } from "../../src/index.js";
import type { Chan } from "../../src/index.js";
import { waiters, parkedWaits } from "../../src/debug.js";
import { rejection, yields, sleep } from "../helpers/wait.js";

const kinds: [string, (cap: number) => Chan<number>][] = [
  ["local", (cap) => chan<number>(cap)],
  ["shared", (cap) => chan<number>(cap, { shared: true })],
];

describe.each(kinds)("withdrawing a wait on a %s channel", (_kind, make) => {
  it("a withdrawn recv takes no value: the next value goes to the next receiver", async () => {
    const ch = make(0);
    const ac = new AbortController();
    const p = ch.recv({ signal: ac.signal });
    expect(waiters(ch).recv).toBe(1);
    ac.abort(new Error("gave up"));
    expect(await rejection(p)).toBe(ac.signal.reason);
    expect(waiters(ch).recv).toBe(0);
    expect(ch.trySend(1)).toBe(false); // nobody receives
    const q = ch.recv();
    await ch.send(2);
    expect(await q).toBe(2);
  });

  it("the safe form of Promise.race([ch.recv(), timeout]) loses no value", async () => {
    const ch = make(0);
    for (let i = 0; i < 20; i++) {
      const ac = new AbortController();
      const timeout = sleep(1).then(() => ac.abort());
      await Promise.race([ch.recv({ signal: ac.signal }).catch(() => "timeout"), timeout]);
      await timeout;
    }
    expect(waiters(ch).recv).toBe(0);
    const got = ch.recv();
    await ch.send(42);
    expect(await got).toBe(42);
  });

  it("a withdrawn send sends nothing", async () => {
    const ch = make(0);
    const ac = new AbortController();
    const p = ch.send(7, { signal: ac.signal });
    ac.abort();
    expect((await rejection(p) as Error).name).toBe("AbortError");
    expect(waiters(ch).send).toBe(0);
    expect(ch.tryRecv()).toBeUndefined();
  });

  it("a withdrawn send on a full buffered channel leaves the buffer as it was", async () => {
    const ch = make(1);
    await ch.send(1);
    const ac = new AbortController();
    const p = ch.send(2, { signal: ac.signal });
    ac.abort();
    await rejection(p);
    expect(ch.len).toBe(1);
    expect(ch.tryRecv()).toEqual([1, true]);
    expect(ch.tryRecv()).toBeUndefined();
  });

  it("recvOk is withdrawn too", async () => {
    const ch = make(0);
    const ac = new AbortController();
    const p = ch.recvOk({ signal: ac.signal });
    ac.abort("reason");
    expect(await rejection(p)).toBe("reason");
    expect(waiters(ch).recv).toBe(0);
  });

  it("an already-aborted signal rejects at once and takes nothing", async () => {
    const ch = make(1);
    await ch.send(5);
    const signal = AbortSignal.abort();
    expect(await rejection(ch.recv({ signal }))).toBe(signal.reason);
    expect(await rejection(ch.recvOk({ signal }))).toBe(signal.reason);
    expect(await rejection(ch.send(6, { signal }))).toBe(signal.reason);
    expect(ch.len).toBe(1);
    expect(await ch.recv()).toBe(5);
  });

  it("an operation that completed first resolves as usual; a later abort changes nothing", async () => {
    const ch = make(0);
    const ac = new AbortController();
    const p = ch.recv({ signal: ac.signal });
    await ch.send(9);
    ac.abort();
    expect(await p).toBe(9);
    const s = ch.send(10, { signal: ac.signal }); // aborted already: rejects at once
    expect(await rejection(s)).toBe(ac.signal.reason);
  });

  it("a context's ctx.signal withdraws the wait when the context is cancelled", async () => {
    const ch = make(0);
    const [ctx, cancel] = withCancel(background());
    const p = ch.recv({ signal: ctx.signal });
    cancel();
    expect(await rejection(p)).toBe(Canceled);
    expect(waiters(ch).recv).toBe(0);
  });

  it("the abort listener is removed once the operation settles", async () => {
    const ch = make(0);
    const ac = new AbortController();
    for (let i = 0; i < 100; i++) {
      const p = ch.recv({ signal: ac.signal });
      await ch.send(i);
      expect(await p).toBe(i);
    }
    await yields(1);
    expect(getEventListeners(ac.signal, "abort").length).toBe(0);
  });

  it("many waits on one signal (Go's many goroutines on one ctx.Done()): one listener, no leak warning, each withdrawn", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const ch = make(0);
      const other = make(0);
      const [ctx, cancel] = withCancel(background());
      const ps: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        ps.push(ch.recv({ signal: ctx.signal }));
        ps.push(other.send(i, { signal: ctx.signal }));
        ps.push(select([recv(ch), send(other, -i)], { signal: ctx.signal }));
      }
      expect(getEventListeners(ctx.signal, "abort").length).toBe(1);
      expect(waiters(ch).recv).toBe(80);
      expect(waiters(other).send).toBe(80);
      // One that completes leaves the others watching.
      const r = ch.trySend(7);
      expect(r).toBe(true);
      cancel();
      const settled = await Promise.allSettled(ps);
      expect(settled.filter((s) => s.status === "fulfilled").length).toBe(1);
      for (const s of settled) if (s.status === "rejected") expect(s.reason).toBe(Canceled);
      expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
      expect(waiters(other)).toEqual({ recv: 0, send: 0 });
      expect(getEventListeners(ctx.signal, "abort").length).toBe(0);
      await yields(2); // a warning is emitted on the next tick
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("waits on one signal that all complete leave no listener; a new wait then watches it again", async () => {
    const ch = make(0);
    const ac = new AbortController();
    const ps = Array.from({ length: 20 }, () => ch.recv({ signal: ac.signal }));
    expect(getEventListeners(ac.signal, "abort").length).toBe(1);
    for (let i = 0; i < 20; i++) await ch.send(i);
    expect((await Promise.all(ps)).sort((a, b) => a! - b!)).toEqual([...Array(20).keys()]);
    await yields(1);
    expect(getEventListeners(ac.signal, "abort").length).toBe(0);
    const p = ch.recv({ signal: ac.signal });
    expect(getEventListeners(ac.signal, "abort").length).toBe(1);
    ac.abort();
    expect(await rejection(p)).toBe(ac.signal.reason);
    expect(getEventListeners(ac.signal, "abort").length).toBe(0);
  });

  it("a select is withdrawn: no case performed, no waiter left, its cases reusable", async () => {
    const a = make(0), b = make(1), c = make(0);
    await b.send(1); // b is full: a send case on it must wait
    const cases = [recv(a), send(b, 2), recv(c)];
    const ac = new AbortController();
    const before = parkedWaits();
    const p = select(cases, { signal: ac.signal });
    expect(parkedWaits()).toBe(before + 1);
    ac.abort();
    expect(await rejection(p)).toBe(ac.signal.reason);
    await yields(1);
    expect(parkedWaits()).toBe(before);
    for (const ch of [a, b, c]) expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    expect(b.len).toBe(1);
    expect(b.tryRecv()).toEqual([1, true]); // the withdrawn send case sent nothing
    expect(a.trySend(1)).toBe(false); // and its receive cases take nothing
    await b.send(1); // full again: only a can fire
    const again = select(cases);
    await a.send(3);
    expect(await again).toBe(0);
    expect(cases[0]!.value).toBe(3);
  });

  it("a select whose case fired first resolves as usual", async () => {
    const a = make(0);
    const ac = new AbortController();
    const ra = recv(a);
    const p = select([ra, recv(make(0))], { signal: ac.signal });
    await a.send(4);
    ac.abort();
    expect(await p).toBe(0);
    expect(ra.value).toBe(4);
  });

  it("select with an already-aborted signal performs nothing, even a ready case", async () => {
    const a = make(1);
    await a.send(1);
    const signal = AbortSignal.abort();
    expect(await rejection(select([recv(a)], { signal }))).toBe(signal.reason);
    expect(a.len).toBe(1);
  });

  it("randomized: senders and receivers withdrawn at random; every value sent is received once", async () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (const cap of [0, 2]) {
      const ch = make(cap);
      const sent: number[] = [];
      const got: number[] = [];
      const done: Promise<void>[] = [];
      const N = 400;
      for (let i = 0; i < N; i++) {
        const ac = new AbortController();
        if (rand(2) === 0) {
          done.push(ch.send(i, { signal: ac.signal }).then(() => void sent.push(i), () => {}));
        } else {
          const useSelect = rand(2) === 0;
          const r = recv(ch);
          const p = useSelect
            ? select([r, recv(null)], { signal: ac.signal }).then(() => r.value!)
            : ch.recv({ signal: ac.signal }).then((v) => v!);
          done.push(p.then((v) => void got.push(v), () => {}));
        }
        if (rand(3) === 0) ac.abort();
        else if (rand(2) === 0) setTimeout(() => ac.abort(), rand(3));
        if (rand(5) === 0) await yields(1);
      }
      await sleep(10);
      // Drain what is left: buffered values, and parked senders that were never withdrawn.
      go(async () => {
        for (;;) {
          const r = ch.tryRecv();
          if (r === undefined) break;
          got.push(r[0]!);
        }
      });
      await yields(3);
      for (;;) {
        const r = ch.tryRecv();
        if (r === undefined) break;
        got.push(r[0]!);
      }
      await Promise.all(done.slice(0)); // every pending one settled (withdrawn or completed)
      const s = new Set(sent);
      expect(new Set(got).size).toBe(got.length); // nothing duplicated
      for (const v of got) expect(s.has(v)).toBe(true); // nothing received that was withdrawn
      expect(got.length).toBe(sent.length); // nothing sent was lost
      expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    }
  });
});

describe("bad options", () => {
  it("a signal that is not an AbortSignal, or options that are not an object, reject with TypeError", async () => {
    const ch = chan<number>();
    expect(await rejection(ch.recv({ signal: {} as AbortSignal }))).toBeInstanceOf(TypeError);
    expect(await rejection(ch.send(1, null as never))).toBeInstanceOf(TypeError);
    expect(await rejection(select([recv(ch)], { signal: 1 as never }))).toBeInstanceOf(TypeError);
    expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
  });
});
