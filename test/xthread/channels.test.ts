// Shared channels across threads: the same Chan API with the two sides on different threads
// (real worker_threads over one shared memory), values copied with structured-clone semantics,
// close seen everywhere, select mixing shared, local and timer channels, and bad input.

import { describe, expect, it } from "vitest";
import { chan, attach, select, recv, send, after, PanicError, sharedMemory } from "../../dist/index.js";
import type { Chan } from "../../dist/index.js";
import { checkChan, waiters } from "../../dist/debug.js";
import { runRole } from "../helpers/threads.js";

const SEQ = 1 << 20;

describe("shared channels across threads", () => {
  it("is available in Node", () => {
    expect(sharedMemory).toBe(true);
  });

  for (const cap of [0, 1, 64]) {
    it(`round-trips 5000 values through a worker (capacity ${cap})`, async () => {
      const to = chan<number>(cap, { shared: true }), from = chan<number>(cap, { shared: true });
      const w = runRole<number>("echo", { in: to.handle(), out: from.handle() });
      const got: number[] = [];
      const reader = (async () => {
        for await (const v of from) got.push(v);
      })();
      for (let i = 0; i < 5000; i++) await to.send(i);
      to.close();
      await reader;
      expect(await w.result).toBe(5000);
      expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => i));
      expect(checkChan(to)).toBe(0);
      expect(checkChan(from)).toBe(0);
    });
  }

  it("copies every kind of value with structured-clone semantics", async () => {
    const to = chan<unknown>(0, { shared: true }), from = chan<unknown>(0, { shared: true });
    const w = runRole("echo", { in: to.handle(), out: from.handle() });
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const values: unknown[] = [
      undefined, null, true, false, 0, -0, NaN, Infinity, 1.5, 2 ** 53,
      "", "héllo wörld", "lone \ud800 surrogate", "🎉".repeat(1000), "x".repeat(100_000),
      12345678901234567890123n, -7n,
      { a: 1, b: [1, 2, { c: "d" }] }, [1, "two", null], sparse,
      new Map<unknown, unknown>([[1, "a"], ["b", { c: 2 }]]), new Set([1, "x"]), new Date(86_400_000), /a+b/gi,
      new Uint8Array([1, 2, 3]), new Float64Array([1.5, -2]), cyclic, new Error("oops"),
    ];
    const reader = (async () => {
      const out: unknown[] = [];
      for await (const v of from) out.push(v);
      return out;
    })();
    for (const v of values) await to.send(v);
    to.close();
    const out = await reader;
    await w.result;
    expect(out.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v instanceof Error) {
        expect(out[i]).toBeInstanceOf(Error);
        expect((out[i] as Error).message).toBe("oops");
      } else {
        expect(out[i]).toEqual(structuredClone(v));
      }
      if (typeof v === "object" && v !== null) expect(out[i]).not.toBe(v);
    }
    expect(Object.is(out[5], -0)).toBe(true);
    expect(1 in (out[19] as unknown[])).toBe(false); // the hole stays a hole
    const c = out[26] as Record<string, unknown>;
    expect(c.self).toBe(c);
  });

  it("copies on the same thread too", async () => {
    const ch = chan<{ n: number }>(1, { shared: true });
    const v = { n: 1 };
    await ch.send(v);
    v.n = 2;
    const got = await ch.recv();
    expect(got).toEqual({ n: 1 });
    expect(got).not.toBe(v);
  });

  it("keeps each producer's order and loses nothing: 2 producer workers, main receiving", async () => {
    const ch = chan<number>(16, { shared: true });
    const n = 20_000;
    const ps = [1, 2].map((id) => runRole("produce", { out: ch.handle() }, { id, n }));
    const last = new Map<number, number>();
    let sum = 0;
    for (let i = 0; i < 2 * n; i++) {
      const v = (await ch.recv())!;
      const p = Math.floor(v / SEQ), s = v % SEQ;
      expect(s).toBe((last.get(p) ?? -1) + 1);
      last.set(p, s);
      sum += v;
    }
    for (const p of ps) await p.result;
    expect(sum).toBe(2 * (n * (n - 1)) / 2 + (1 + 2) * SEQ * n);
    expect(ch.tryRecv()).toBeUndefined();
  });

  it("close on one thread wakes a parked receive, send and select on another", async () => {
    const ch = chan<number>(0, { shared: true }), ch2 = chan<number>(0, { shared: true });
    const ready = chan<string>(1, { shared: true });
    const w = runRole<{ recv: [unknown, boolean]; send: string; select: string }>("parkThenClose", {
      ch: ch.handle(),
      ch2: ch2.handle(),
      ready: ready.handle(),
    });
    expect(await ready.recv()).toBe("parked");
    // The worker's waits are parked: two receivers on ch (recv, select), two senders on ch2.
    expect(waiters(ch)).toEqual({ recv: 2, send: 0 });
    expect(waiters(ch2)).toEqual({ recv: 0, send: 2 });
    ch.close();
    ch2.close();
    const r = await w.result;
    expect(r.recv).toEqual([undefined, false]);
    expect(r.send).toBe("PanicError: send on closed channel");
    expect(["case 0 ok false", "PanicError: send on closed channel"]).toContain(r.select);
    expect(checkChan(ch)).toBe(0);
    expect(checkChan(ch2)).toBe(0);
    expect(waiters(ch)).toEqual({ recv: 0, send: 0 });
    expect(waiters(ch2)).toEqual({ recv: 0, send: 0 });
  });

  it("a select mixes shared, local and timer channels", async () => {
    const shared = chan<number>(0, { shared: true }), local = chan<number>(0);
    const w = runRole("produce", { out: shared.handle() }, { id: 0, n: 3 });
    const a = recv(shared), b = recv(local), t = recv(after(5_000));
    const got: number[] = [];
    while (got.length < 3) {
      const i = await select([a, b, t]);
      expect(i).toBe(0);
      got.push(a.value!);
    }
    expect(got).toEqual([0, 1, 2]);
    await w.result;
    // Nothing is left behind on the channels of the cases that did not fire.
    expect(waiters(shared)).toEqual({ recv: 0, send: 0 });
    expect(waiters(local)).toEqual({ recv: 0, send: 0 });
  });

  it("a select's send case on a shared channel sends a copy, and only the case that fires sends", async () => {
    const x = chan<object>(1, { shared: true }), y = chan<object>(1, { shared: true });
    const v = { big: "y".repeat(1000) };
    const i = await select([send(x, v), send(y, v)]);
    expect(x.len + y.len).toBe(1);
    const got = i === 0 ? await x.recv() : await y.recv();
    expect(got).toEqual(v);
    expect(got).not.toBe(v);
  });

  it("refuses unclonable values with TypeError and too large ones with RangeError, enqueuing nothing", async () => {
    const ch = chan<unknown>(4, { shared: true });
    await expect(ch.send(() => 1)).rejects.toThrow(TypeError);
    await expect(ch.send(Symbol("s"))).rejects.toThrow(/symbol/);
    await expect(ch.send({ deep: [{ f() {} }] })).rejects.toThrow(TypeError);
    expect(() => ch.trySend(new WeakMap())).toThrow(/WeakMap/);
    await expect(select([send(ch, Promise.resolve(1))])).rejects.toThrow(TypeError);
    expect(() => ch.trySend("z".repeat(40 * 1024 * 1024))).toThrow(RangeError);
    expect(ch.len).toBe(0);
    expect(ch.tryRecv()).toBeUndefined();
  });

  it("handle() on a local channel says how to make a shared one", () => {
    expect(() => chan(1).handle()).toThrow(/shared: true/);
  });

  it("attach refuses forged, stale and malformed handles, and never reaches another channel", async () => {
    const victim = chan<number>(1, { shared: true });
    await victim.send(42);
    const real = victim.handle();
    // A handle's fields are internal (not in the published types): forge them as an attacker would.
    const h = real as unknown as { kind: string; memory: WebAssembly.Memory; addr: number; gen: number };
    const forged = (o: object) => attach(o as never);
    expect(() => forged({ ...h, gen: h.gen + 1 })).toThrow(TypeError);
    expect(() => forged({ ...h, addr: h.addr + 16 })).toThrow(TypeError);
    expect(() => forged({ ...h, addr: 8 })).toThrow(TypeError);
    expect(() => forged({ ...h, addr: 2 ** 31 })).toThrow(TypeError);
    expect(() => attach({} as never)).toThrow(TypeError);
    expect(() => attach(null as never)).toThrow(TypeError);
    const other = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    expect(() => forged({ ...h, memory: other })).toThrow(/another memory/);
    // The victim is untouched, and attach of its real handle is the same channel.
    const again = attach(real);
    expect(await again.recv()).toBe(42);
    expect(victim.len).toBe(0);
  });

  it("a channel cannot be pointed at another's record from JavaScript", () => {
    const a = chan<number>(1), b = chan<number>(1, { shared: true });
    const C = a.constructor as new (...args: unknown[]) => Chan<number>;
    expect(() => new C({}, 0, 1, false)).toThrow(TypeError);
    expect((a as unknown as { id?: number }).id).toBeUndefined();
    expect((b as unknown as { id?: number }).id).toBeUndefined();
  });

  it("panics as Go does on a closed shared channel", async () => {
    const ch = chan<number>(1, { shared: true });
    ch.close();
    await expect(ch.send(1)).rejects.toThrow(PanicError);
    expect(() => ch.close()).toThrow("close of closed channel");
    expect(await ch.recvOk()).toEqual([undefined, false]);
  });
});

describe("diagnostics of waits on shared channels", () => {
  it("goroutines() names the wait and leakCheck sees the goroutine", async () => {
    const { go, goroutines } = await import("../../dist/index.js");
    const { leakCheck } = await import("../../dist/testing.js");
    const ch = chan<number>(0, { shared: true });
    const check = leakCheck({ timeoutMs: 50 });
    go(async () => {
      await ch.recv();
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(goroutines().map((g) => g.state)).toContain("chan receive");
    await expect(check()).rejects.toThrow(/\[chan receive\]/);
    ch.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(goroutines().map((g) => g.state)).not.toContain("chan receive");
  });
});

describe("Go's test/chan programs with the two sides on different threads", () => {
  // doubleselect.go: a sender selects over four unbuffered channels; each value must arrive on
  // exactly one of them, exactly once. Here the sender is a worker and the receivers are
  // goroutines of the main thread.
  it("doubleselect: every value arrives once, whichever case fired", async () => {
    const cs = [0, 1, 2, 3].map(() => chan<number>(0, { shared: true }));
    const n = 4000;
    const w = runRole("selectProduce", { outs: cs.map((c) => c.handle()) }, { id: 0, n });
    const seen = new Uint8Array(n);
    let got = 0;
    await Promise.all(
      cs.map(async (c) => {
        while (got < n) {
          const [v, ok] = await Promise.race([c.recvOk(), new Promise<[number, boolean]>((r) => setTimeout(() => r([-1, false]), 3000))]);
          if (!ok) break;
          expect(seen[v!]).toBe(0);
          seen[v!] = 1;
          got++;
        }
      }),
    );
    expect(await w.result).toBe(n);
    expect(got).toBe(n);
    for (const c of cs) c.close();
  });

  // sieve1.go across threads: the prime sieve with its generator in a worker.
  it("sieve: the first 100 primes with the generator on another thread", async () => {
    const src = chan<number>(0, { shared: true });
    const w = runRole("produce", { out: src.handle() }, { id: 0, n: 600, close: true });
    // Each filter stage is a goroutine of this thread, reading a shared or local channel.
    const { go } = await import("../../dist/index.js");
    let ch: Chan<number> = src;
    const primes: number[] = [];
    for (let i = 0; i < 100; i++) {
      // The generator sends 0..599; skip 0 and 1 at the first stage.
      let p = (await ch.recv())!;
      while (i === 0 && p < 2) p = (await ch.recv())!;
      primes.push(p);
      const out = chan<number>(0);
      const inp = ch;
      go(async () => {
        for await (const v of inp) if (v % p !== 0) await out.send(v);
        out.close();
      });
      ch = out;
    }
    expect(primes.slice(0, 10)).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    expect(primes[99]).toBe(541);
    // Drain the pipeline so the worker finishes.
    for await (const _ of ch);
    expect(await w.result).toBe(600);
  });
});

describe("channels inside values", () => {
  it("a shared channel sent inside a value arrives attached (a reply channel per request)", async () => {
    const jobs = chan<{ n: number; reply: Chan<number> }>(4, { shared: true });
    const w = runRole<number>("replier", { jobs: jobs.handle() });
    for (let i = 0; i < 50; i++) {
      const reply = chan<number>(0, { shared: true });
      await jobs.send({ n: i, reply });
      expect(await reply.recv()).toBe(i * 2);
    }
    jobs.close();
    expect(await w.result).toBe(50);
  });

  it("a local channel inside a value is refused with TypeError, and nothing is enqueued", async () => {
    const jobs = chan<unknown>(4, { shared: true });
    await expect(jobs.send({ reply: chan(1) })).rejects.toThrow(/local channel/);
    expect(jobs.len).toBe(0);
  });
});

describe("thread-bound objects", () => {
  it("a sync primitive, timer or context sent on a shared channel is a TypeError", async () => {
    const { Mutex, WaitGroup, newTimer, background } = await import("../../dist/index.js");
    const ch = chan<unknown>(4, { shared: true });
    await expect(ch.send(new Mutex())).rejects.toThrow(/belongs to its thread/);
    await expect(ch.send({ wg: new WaitGroup() })).rejects.toThrow(TypeError);
    const t = newTimer(1000);
    await expect(ch.send([t])).rejects.toThrow(/timer/);
    t.stop();
    await expect(ch.send(background())).rejects.toThrow(/context/);
    expect(ch.len).toBe(0);
  });
});
