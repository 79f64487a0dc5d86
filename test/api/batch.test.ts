// Batches (API.md, "Batches"): sendMany, recvMany and tryRecvMany on local and shared channels.
// Each is the loop it replaces: the same order, the same waits, the same errors. Checked here by
// examples (ordering, wrap-around of the ring, close in the middle of a batch, interleaving with
// other senders, withdrawal, bad input), by a seeded comparison with a plain FIFO model, and by
// random concurrent programs checked by checksums (nothing lost, nothing duplicated, each
// sender's order kept).

import { describe, expect, it } from "vitest";
import { chan, go, PanicError } from "../../src/index.js";
import type { Chan } from "../../src/index.js";
import { waiters } from "../../src/debug.js";
import { PENDING, rejection, settled } from "../helpers/wait.js";
import { Rng, within } from "../helpers/util.js";

const ONLY_SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : undefined;
const SEEDS = process.env.SEEDS !== undefined ? Number(process.env.SEEDS) : 200;
const seeds = (base: number): number[] =>
  ONLY_SEED !== undefined ? [ONLY_SEED] : Array.from({ length: SEEDS }, (_, i) => base + i);

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

function expectPanic(e: unknown, message: string): void {
  expect(e).toBeInstanceOf(PanicError);
  expect((e as Error).message).toBe(message);
}

// Every behaviour holds for local and shared channels alike.
const kinds = [
  ["local", (cap: number) => chan<number>(cap)],
  ["shared", (cap: number) => chan<number>(cap, { shared: true })],
] as const;

describe.each(kinds)("batches on %s channels", (_kind, make) => {
  it("sendMany fills a buffer in order and tryRecvMany takes it in order, across the ring's wrap", async () => {
    const c = make(8);
    await c.sendMany([1, 2, 3, 4, 5]);
    expect(c.tryRecvMany(3)).toEqual([1, 2, 3]);
    await c.sendMany([6, 7, 8, 9, 10, 11]); // wraps around the end of the ring
    expect(c.len).toBe(8);
    expect(c.tryRecvMany(100)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(c.tryRecvMany(1)).toEqual([]);
    expect(c.len).toBe(0);
  });

  it("sendMany waits while the buffer is full and resolves once the last value is in", async () => {
    const c = make(2);
    const p = c.sendMany(range(0, 7));
    expect(await settled(p)).toBe(PENDING);
    expect(c.len).toBe(2);
    const got: number[] = [];
    while (got.length < 7) got.push(...(await c.recvMany(3)));
    expect(got).toEqual(range(0, 7));
    await p;
  });

  it("sendMany on an unbuffered channel hands each value to a receiver", async () => {
    const c = make(0);
    const got: number[] = [];
    go(async () => {
      for (let i = 0; i < 5; i++) got.push((await c.recv())!);
    });
    await within(c.sendMany([10, 11, 12, 13, 14]), 2000, "sendMany to a receiving goroutine");
    expect(got.length).toBeGreaterThanOrEqual(4); // the last handoff may still be settling
    await within((async () => { while (got.length < 5) await new Promise((r) => setImmediate(r)); })(), 2000, "the last value");
    expect(got).toEqual([10, 11, 12, 13, 14]);
  });

  it("recvMany waits for the first value, then takes what is there without waiting", async () => {
    const c = make(4);
    const p = c.recvMany(10);
    expect(await settled(p)).toBe(PENDING);
    await c.sendMany([1, 2, 3]);
    const got = await p;
    expect(got[0]).toBe(1);
    // the waiting receive took 1; 2 and 3 were buffered by then, or are left for the next batch
    const rest = c.tryRecvMany(10);
    expect([...got, ...rest]).toEqual([1, 2, 3]);
  });

  it("recvMany on an unbuffered channel takes parked senders' values", async () => {
    const c = make(0);
    for (let i = 0; i < 4; i++) go(() => c.send(i));
    await new Promise((r) => setImmediate(r));
    expect(waiters(c).send).toBe(4);
    const got = await c.recvMany(3);
    expect(got).toEqual([0, 1, 2]);
    expect(c.tryRecvMany(3)).toEqual([3]);
  });

  it("a receive from a full buffer lets the parked senders in, in order", async () => {
    const c = make(2);
    await c.sendMany([0, 1]);
    const p = c.sendMany([2, 3, 4]); // parks on 2
    for (let i = 5; i < 7; i++) go(() => c.send(i)); // park behind it
    await new Promise((r) => setImmediate(r));
    const got: number[] = [];
    while (got.length < 7) got.push(...(await c.recvMany(4)));
    await p;
    // 0,1 first; the batch's values in order; each single sender's value exactly once
    expect(got.slice(0, 2)).toEqual([0, 1]);
    expect(got.filter((v) => v >= 2 && v <= 4)).toEqual([2, 3, 4]);
    expect([...got].sort((a, b) => a - b)).toEqual(range(0, 7));
  });

  it("close in the middle of a batch: sendMany rejects, the values before the failing one were sent", async () => {
    const c = make(3);
    const p = c.sendMany(range(0, 10)); // 0,1,2 buffered, waits on 3
    await new Promise((r) => setImmediate(r));
    c.close();
    expectPanic(await rejection(p), "send on closed channel");
    expect(c.tryRecvMany(10)).toEqual([0, 1, 2]);
    expect(await c.recvMany(5)).toEqual([]); // closed and drained
  });

  it("sendMany on a closed channel rejects and sends nothing; recvMany drains, then resolves []", async () => {
    const c = make(4);
    await c.sendMany([1, 2]);
    c.close();
    expectPanic(await rejection(c.sendMany([3])), "send on closed channel");
    expect(await c.recvMany(1)).toEqual([1]);
    expect(await c.recvMany(9)).toEqual([2]);
    expect(await c.recvMany(9)).toEqual([]);
    expect(c.tryRecvMany(9)).toEqual([]);
  });

  it("close wakes a waiting recvMany with []", async () => {
    const c = make(1);
    const p = c.recvMany(4);
    await new Promise((r) => setImmediate(r));
    c.close();
    expect(await p).toEqual([]);
  });

  it("reads an iterable one value at a time, as the loop does, and closes it when a send fails", async () => {
    const c = make(2);
    const pulled: number[] = [];
    let closed = false;
    function* gen(): Generator<number> {
      try {
        for (let i = 0; ; i++) {
          pulled.push(i);
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    const p = c.sendMany(gen()); // an endless generator: 0,1 buffered, waits with 2
    await new Promise((r) => setImmediate(r));
    expect(pulled).toEqual([0, 1, 2]);
    expect(await c.recvMany(1)).toEqual([0]);
    await new Promise((r) => setImmediate(r));
    expect(pulled).toEqual([0, 1, 2, 3]);
    c.close();
    expectPanic(await rejection(p), "send on closed channel");
    expect(closed).toBe(true);
  });

  it("a Set, a Map's values and an empty array are iterables like any other", async () => {
    const c = make(10);
    await c.sendMany(new Set([1, 2]));
    await c.sendMany(new Map([["a", 3]]).values());
    await c.sendMany([]);
    expect(c.tryRecvMany(10)).toEqual([1, 2, 3]);
  });

  it("an iterator that throws rejects sendMany with its error, after the values before it", async () => {
    const c = make(5);
    const boom = new Error("boom");
    function* gen(): Generator<number> {
      yield 1;
      yield 2;
      throw boom;
    }
    expect(await rejection(c.sendMany(gen()))).toBe(boom);
    expect(c.tryRecvMany(5)).toEqual([1, 2]);
  });

  it("other senders' values interleave, each sender's order is kept", async () => {
    const c = make(3);
    const senders = 4, per = 500;
    for (let s = 0; s < senders; s++) {
      go(async () => {
        for (let i = 0; i < per; i += 50) await c.sendMany(range(i, i + 50).map((v) => s * per + v));
      });
    }
    const got: number[] = [];
    while (got.length < senders * per) got.push(...(await within(c.recvMany(7), 2000, "recvMany")));
    for (let s = 0; s < senders; s++) {
      expect(got.filter((v) => Math.floor(v / per) === s)).toEqual(range(s * per, (s + 1) * per));
    }
  });

  it("a signal withdraws the value waiting to be sent; the ones before it were sent", async () => {
    const c = make(2);
    const ac = new AbortController();
    const p = c.sendMany([1, 2, 3, 4], { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error("enough"));
    expect(((await rejection(p)) as Error).message).toBe("enough");
    expect(waiters(c).send).toBe(0);
    expect(c.tryRecvMany(10)).toEqual([1, 2]);
  });

  it("a signal withdraws a waiting recvMany: nothing is taken", async () => {
    const c = make(2);
    const ac = new AbortController();
    const p = c.recvMany(5, { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error("gone"));
    expect(((await rejection(p)) as Error).message).toBe("gone");
    await c.sendMany([7]);
    expect(c.tryRecvMany(5)).toEqual([7]);
    const ac2 = new AbortController();
    ac2.abort(new Error("before"));
    expect(((await rejection(c.recvMany(1, { signal: ac2.signal }))) as Error).message).toBe("before");
    expect(((await rejection(c.sendMany([1], { signal: ac2.signal }))) as Error).message).toBe("before");
    expect(c.len).toBe(0);
  });

  it("refuses a bad max and a non-iterable", async () => {
    const c = make(1);
    for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 53, "3", undefined]) {
      expect(() => c.tryRecvMany(bad as number)).toThrow(RangeError);
      const e = await rejection(c.recvMany(bad as number));
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toMatch(/^recvMany: max must be a positive safe integer/);
    }
    for (const bad of [undefined, null, 3, {}]) {
      const e = await rejection(c.sendMany(bad as unknown as number[]));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/^sendMany: values must be iterable/);
    }
    expect(c.len).toBe(0);
  });
});

describe("batches on receive-only channels", () => {
  it("sendMany on a channel baton hands out receive-only is a TypeError", async () => {
    const { background, withCancel } = await import("../../src/index.js");
    const [ctx, cancel] = withCancel(background());
    const done = ctx.done() as unknown as Chan<unknown>;
    const e = await rejection(done.sendMany([1]));
    expect(e).toBeInstanceOf(TypeError);
    cancel();
    expect(await done.recvMany(3)).toEqual([]);
  });
});

// A single thread, no waits: every batch against a plain FIFO of capacity `cap`.
describe("batches against a FIFO model (seeded)", () => {
  it.each(kinds)(`agree with the model on %s channels over ${SEEDS} random sequences`, async (_kind, make) => {
    for (const seed of seeds(7000)) {
      const rng = new Rng(seed);
      const cap = rng.range(1, 9);
      const c = make(cap);
      const model: number[] = [];
      let next = 0;
      let closed = false;
      for (let step = 0; step < 60; step++) {
        const op = rng.weighted({ sendMany: 3, trySend: 1, tryRecv: 1, tryRecvMany: 3, recvMany: 1, close: closed ? 0 : 0.05 });
        const where = `seed ${seed}, step ${step}, ${op}`;
        if (op === "sendMany") {
          const n = rng.int(cap - model.length + 1); // never waits
          const vals = range(next, next + n);
          next += n;
          const p = c.sendMany(rng.chance(0.5) ? vals : new Set(vals));
          if (closed && n > 0) {
            expect(await rejection(p), where).toBeInstanceOf(PanicError);
          } else if (closed) {
            expect(await settled(p), where).toBeUndefined(); // the loop sends nothing: no panic
          } else {
            expect(await settled(p), where).toBeUndefined();
            model.push(...vals);
          }
        } else if (op === "trySend") {
          if (closed) expect(() => c.trySend(next), where).toThrow(PanicError);
          else {
            const ok = c.trySend(next);
            expect(ok, where).toBe(model.length < cap);
            if (ok) model.push(next);
          }
          next++;
        } else if (op === "tryRecv") {
          const r = c.tryRecv();
          if (model.length > 0) expect(r, where).toEqual([model.shift(), true]);
          else expect(r, where).toEqual(closed ? [undefined, false] : undefined);
        } else if (op === "tryRecvMany" || op === "recvMany") {
          const max = rng.range(1, cap + 2);
          const want = model.splice(0, max);
          if (op === "recvMany" && want.length === 0 && !closed) continue; // would wait
          const got = op === "tryRecvMany" ? c.tryRecvMany(max) : await c.recvMany(max);
          expect(got, where).toEqual(want);
        } else {
          c.close();
          closed = true;
        }
        expect(c.len, where).toBe(model.length);
      }
    }
  });
});

// Random concurrent programs: senders mixing send and sendMany (arrays and generators), receivers
// mixing recv, recvMany and tryRecvMany, over channels of capacity 0..4, local or shared, and a
// closer at a random moment. Checked: nothing received twice; every value of a batch that
// resolved, and every single send that resolved, received once; what a sender that failed sent
// is a prefix of its values; each receiver sees each sender's values in the order sent.
describe("random concurrent programs with batches", () => {
  it(`lose nothing, duplicate nothing, keep each sender's order (${SEEDS} programs)`, async () => {
    for (const seed of seeds(9000)) await within(program(seed), 5000, `seed ${seed} hangs`);
  });
});

async function program(seed: number): Promise<void> {
  const rng = new Rng(seed);
  const where = `seed ${seed}`;
  const c = rng.chance(0.5) ? chan<number>(rng.int(5)) : chan<number>(rng.int(5), { shared: true });
  const nSenders = rng.range(1, 4);
  const nReceivers = rng.range(1, 3);
  const PER = 1000; // sender s sends s * PER + i
  const sentOk: number[][] = Array.from({ length: nSenders }, () => []); // confirmed sent
  const attempted: number[][] = Array.from({ length: nSenders }, () => []);
  const received: number[][] = Array.from({ length: nReceivers }, () => []);
  const senders: Promise<void>[] = [];
  for (let s = 0; s < nSenders; s++) {
    const plan: [string, number][] = [];
    for (let k = rng.range(1, 8); k > 0; k--) plan.push([rng.pick(["one", "array", "gen"]), rng.range(1, 12)]);
    senders.push(
      (async () => {
        let i = 0;
        try {
          for (const [how, n] of plan) {
            const vals = range(i, i + n).map((v) => s * PER + v);
            i += n;
            attempted[s]!.push(...vals);
            if (how === "one") {
              for (const v of vals) {
                await c.send(v);
                sentOk[s]!.push(v);
              }
            } else {
              await c.sendMany(how === "array" ? vals : (function* () { yield* vals; })());
              sentOk[s]!.push(...vals);
            }
          }
        } catch (e) {
          if (!(e instanceof PanicError)) throw e;
        }
      })(),
    );
  }
  const receivers: Promise<void>[] = [];
  for (let r = 0; r < nReceivers; r++) {
    const rr = new Rng(seed * 31 + r);
    receivers.push(
      (async () => {
        for (;;) {
          const how = rr.pick(["one", "many", "try"]);
          if (how === "one") {
            const [v, ok] = await c.recvOk();
            if (!ok) return;
            received[r]!.push(v!);
          } else if (how === "many") {
            const vs = await c.recvMany(rr.range(1, 6));
            if (vs.length === 0) return;
            received[r]!.push(...vs);
          } else {
            received[r]!.push(...c.tryRecvMany(rr.range(1, 6)));
            await new Promise((res) => setImmediate(res));
          }
        }
      })(),
    );
  }
  // The closer: after a random number of turns, or once every sender is done.
  const closeAfter = rng.range(0, 30);
  let turns = 0, sendersDone = false;
  void Promise.all(senders).then(() => (sendersDone = true));
  while (!sendersDone && turns++ < closeAfter) await new Promise((res) => setImmediate(res));
  if (!sendersDone || rng.chance(0.5)) await Promise.resolve();
  c.close();
  await Promise.all(senders);
  await Promise.all(receivers);

  const all = received.flat();
  expect(new Set(all).size, `${where}: a value received twice`).toBe(all.length);
  const got = new Set(all);
  for (let s = 0; s < nSenders; s++) {
    for (const v of sentOk[s]!) expect(got.has(v), `${where}: sent ${v} was lost`).toBe(true);
    const mine = attempted[s]!.filter((v) => got.has(v));
    expect(mine, `${where}: sender ${s} sent a non-prefix`).toEqual(attempted[s]!.slice(0, mine.length));
    for (const rv of received) {
      const seen = rv.filter((v) => Math.floor(v / PER) === s);
      expect(seen, `${where}: sender ${s}'s order`).toEqual([...seen].sort((a, b) => a - b));
    }
  }
  expect(waiters(c), `${where}: waiters left`).toEqual({ recv: 0, send: 0 });
}

describe("batches on timer channels", () => {
  it("recvMany takes a due timer's value, and sendMany on a timer's channel is a TypeError", async () => {
    const { newTimer, after } = await import("../../src/index.js");
    const t = newTimer(5);
    const got = await t.c.recvMany(4);
    expect(got.length).toBe(1);
    expect(typeof got[0]).toBe("number");
    const c = after(0) as unknown as Chan<number>;
    await new Promise((r) => setTimeout(r, 2));
    expect(c.tryRecvMany(3).length).toBe(1); // due: delivered at the read, with no host timer needed
    expect(await rejection(c.sendMany([1]))).toBeInstanceOf(TypeError);
  });
});
